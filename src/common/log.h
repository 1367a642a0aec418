#pragma once

#include <fmt/format.h>

#include <string_view>

namespace tc::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };

// Process-wide minimum level; thread-safe (atomic). Default kInfo.
void SetLevel(Level level);
Level GetLevel();
bool ParseLevel(std::string_view text, Level* out);

// Writes one logfmt line to stderr: `ts=... level=info component=http msg="..."`.
// One write(2) per line, so lines from different threads never interleave.
void Write(Level level, std::string_view component, std::string_view message);

}  // namespace tc::log

// TC_LOG(kInfo, "http", "listening on {}", addr); formatting is skipped below the level.
#define TC_LOG(level, component, ...)                                                 \
  do {                                                                                \
    if (::tc::log::Level::level >= ::tc::log::GetLevel()) {                           \
      ::tc::log::Write(::tc::log::Level::level, component, fmt::format(__VA_ARGS__)); \
    }                                                                                 \
  } while (0)
