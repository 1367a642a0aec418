#include "common/time_format.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace tc {

namespace {

// Formats microseconds since the epoch. Works in microseconds throughout: the system clock's
// nanosecond ticks span only the years 1678..2262, while callers pass dates up to 9999.
std::string FormatIsoUtcMicros(long long micros) {
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  long frac = static_cast<long>(micros % 1000000);
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

}  // namespace

std::string FormatIsoUtc(std::chrono::system_clock::time_point tp) {
  return FormatIsoUtcMicros(
      std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count());
}

std::string NowIsoUtc() { return FormatIsoUtc(std::chrono::system_clock::now()); }

std::string IsoUtcFromUnixSeconds(double seconds) {
  return FormatIsoUtcMicros(std::llround(seconds * 1e6));
}

}  // namespace tc
