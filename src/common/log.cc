#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <iterator>

#include "common/json_writer.h"

namespace tc::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kLogfmt)};

// logfmt value: bare when it is a plain word, else quoted with \" \\ \n \t escaped and other
// control characters as \xHH.
void AppendLogfmtValue(std::string& out, std::string_view text, bool always_quote) {
  bool bare = !always_quote && !text.empty();
  for (char c : text) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) {
      bare = false;
      break;
    }
  }
  if (bare) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\x{:02x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string Timestamp(std::chrono::system_clock::time_point ts) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(ts);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(ts.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(millis.count()));
}

}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
Level GetLevel() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

void SetFormat(Format format) {
  g_format.store(static_cast<int>(format), std::memory_order_relaxed);
}
Format GetFormat() { return static_cast<Format>(g_format.load(std::memory_order_relaxed)); }

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

bool ParseLevel(std::string_view text, Level* out) {
  if (text == "debug") { *out = Level::kDebug; return true; }
  if (text == "info") { *out = Level::kInfo; return true; }
  if (text == "warn" || text == "warning") { *out = Level::kWarn; return true; }
  if (text == "error") { *out = Level::kError; return true; }
  return false;
}

bool ParseFormat(std::string_view text, Format* out) {
  if (text == "logfmt") { *out = Format::kLogfmt; return true; }
  if (text == "json") { *out = Format::kJson; return true; }
  return false;
}

std::string FormatLine(Format format, std::chrono::system_clock::time_point ts, Level level,
                       std::string_view component, std::string_view message,
                       std::span<const Field> fields) {
  std::string line;
  line.reserve(96 + message.size());
  if (format == Format::kJson) {
    line += "{\"ts\":\"";
    line += Timestamp(ts);
    line += "\",\"level\":\"";
    line += LevelName(level);
    line += "\",\"component\":";
    AppendJsonString(line, component);
    line += ",\"msg\":";
    AppendJsonString(line, message);
    for (const Field& field : fields) {
      line += ',';
      AppendJsonString(line, field.key);
      line += ':';
      AppendJsonString(line, field.value);
    }
    line += "}\n";
    return line;
  }
  line += "ts=";
  line += Timestamp(ts);
  line += " level=";
  line += LevelName(level);
  line += " component=";
  AppendLogfmtValue(line, component, false);
  line += " msg=";
  AppendLogfmtValue(line, message, true);
  for (const Field& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    AppendLogfmtValue(line, field.value, false);
  }
  line += '\n';
  return line;
}

void Write(Level level, std::string_view component, std::string_view message,
           std::span<const Field> fields) {
  const std::string line = FormatLine(GetFormat(), std::chrono::system_clock::now(), level,
                                      component, message, fields);
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

RateLimiter::Decision RateLimiter::Check(std::string_view key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxKeys) {
      entries_.clear();
    }
    entries_.emplace(std::string(key), Entry{now, 0});
    return {true, 0};
  }
  Entry& entry = it->second;
  if (now - entry.last_written < window_) {
    ++entry.suppressed;
    return {false, 0};
  }
  Decision decision{true, entry.suppressed};
  entry = Entry{now, 0};
  return decision;
}

void RateLimiter::set_window(Clock::duration window) {
  std::lock_guard<std::mutex> lock(mu_);
  window_ = window;
}

RateLimiter& GlobalLimiter() {
  static RateLimiter limiter(std::chrono::seconds(10));
  return limiter;
}

void WriteLimited(Level level, std::string_view component, std::string_view key,
                  std::string_view message) {
  std::string full_key(component);
  full_key += '\x1f';
  full_key += key;
  const RateLimiter::Decision decision =
      GlobalLimiter().Check(full_key, RateLimiter::Clock::now());
  if (!decision.write) {
    return;
  }
  if (decision.suppressed == 0) {
    Write(level, component, message);
    return;
  }
  const Field repeated[] = {{"repeated", std::to_string(decision.suppressed)}};
  Write(level, component, message, repeated);
}

}  // namespace tc::log
