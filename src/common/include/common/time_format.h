#pragma once

#include <chrono>
#include <string>

namespace tc {

// synth-ai G3's datetime text: UTC isoformat with microseconds and offset,
// "2025-01-01T12:00:00.123456+00:00". Sorts lexicographically in time order.
std::string FormatIsoUtc(std::chrono::system_clock::time_point tp);
std::string NowIsoUtc();
// Unix seconds (as synth-ai's event_time) to the same text form. Precondition: the date lies in
// the years 1..9999 (what the form can spell); the decoder refuses numbers outside.
std::string IsoUtcFromUnixSeconds(double seconds);

}  // namespace tc
