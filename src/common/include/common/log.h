#pragma once

// Process log: one line per event on stderr, one write(2) per line (lines from different
// threads never interleave). Log events, not records: nothing on the per-record hot path.
//
//   logfmt (default, for people):  ts=2024-05-01T12:00:00.123Z level=info component=http msg="..."
//   json (for machines):           {"ts":"...","level":"info","component":"http","msg":"..."}
// Extra fields (key/value pairs) follow msg in both formats.
//
// Level and format are process-wide atomics: thread-safe, changeable at any time (SIGHUP).
// TC_LOG_LIMITED rate-limits a repeating event per (component, format string): at most one line
// per window (default 10 s); the next line after the window carries repeated=K, the number of
// lines suppressed since the last one written.

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tc::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };
enum class Format { kLogfmt = 0, kJson };

// Process-wide minimum level; thread-safe (atomic). Default kInfo.
void SetLevel(Level level);
Level GetLevel();
bool ParseLevel(std::string_view text, Level* out);
std::string_view LevelName(Level level);

// Process-wide line format; thread-safe (atomic). Default kLogfmt.
void SetFormat(Format format);
Format GetFormat();
bool ParseFormat(std::string_view text, Format* out);  // "logfmt" | "json"

struct Field {
  std::string_view key;  // a bare word: [A-Za-z0-9_.]
  std::string value;
};

// One line (with its trailing '\n') in `format`; pure, for tests and Write.
std::string FormatLine(Format format, std::chrono::system_clock::time_point ts, Level level,
                       std::string_view component, std::string_view message,
                       std::span<const Field> fields = {});

// Writes one line to stderr in the current format (no level check: TC_LOG does that).
void Write(Level level, std::string_view component, std::string_view message,
           std::span<const Field> fields = {});

// Decides which repetitions of a keyed event are written. Thread-safe (a mutex; only taken on
// the rate-limited path, which is not per record). Keeps at most kMaxKeys keys (forgets all
// when full).
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxKeys = 1024;

  explicit RateLimiter(Clock::duration window) : window_(window) {}

  struct Decision {
    bool write = false;
    uint64_t suppressed = 0;  // lines suppressed since the last written one (when write)
  };
  Decision Check(std::string_view key, Clock::time_point now);
  void set_window(Clock::duration window);

 private:
  struct Entry {
    Clock::time_point last_written;
    uint64_t suppressed = 0;
  };
  std::mutex mu_;
  Clock::duration window_;                         // guarded by mu_
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

// The limiter TC_LOG_LIMITED uses (window 10 s).
RateLimiter& GlobalLimiter();

// Rate-limited Write keyed by component + `key` (TC_LOG_LIMITED passes its format string).
void WriteLimited(Level level, std::string_view component, std::string_view key,
                  std::string_view message);

}  // namespace tc::log

// TC_LOG(kInfo, "http", "listening on {}", addr); formatting is skipped below the level.
#define TC_LOG(level, component, ...)                                                 \
  do {                                                                                \
    if (::tc::log::Level::level >= ::tc::log::GetLevel()) {                           \
      ::tc::log::Write(::tc::log::Level::level, component, fmt::format(__VA_ARGS__)); \
    }                                                                                 \
  } while (0)

#define TC_LOG_FIRST_ARG_(first, ...) first

// TC_LOG_LIMITED(kWarn, "pipeline", "batch not written: {}", why): like TC_LOG, but the same
// component + format string is written at most once per window, then with repeated=K.
#define TC_LOG_LIMITED(level, component, ...)                                          \
  do {                                                                                 \
    if (::tc::log::Level::level >= ::tc::log::GetLevel()) {                            \
      ::tc::log::WriteLimited(::tc::log::Level::level, component,                      \
                              TC_LOG_FIRST_ARG_(__VA_ARGS__, ""),                      \
                              fmt::format(__VA_ARGS__));                               \
    }                                                                                  \
  } while (0)
