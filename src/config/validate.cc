// Validate(): every key's range and value check (from the key table), then the cross-field
// rules. Also the single-value checks the key table points at.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "checks.h"
#include "common/log.h"
#include "config/config.h"
#include "key_table.h"
#include "value_codec.h"

namespace tc::config {
namespace {

const std::string& AsString(const FieldPtr& value) { return *std::get<std::string*>(value); }

bool IsPort(std::string_view text) {
  if (text.empty() || text.size() > 5) {
    return false;
  }
  unsigned port = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  return port <= 65535;
}

bool IsHost(std::string_view host) {
  if (host.empty()) {
    return false;
  }
  for (char c : host) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '[' || c == ']') {
      return false;
    }
  }
  return true;
}

Status Error(std::string_view key, const std::string& message) {
  return Status::InvalidArgument(fmt::format("{}: {}", key, message));
}

}  // namespace

Status CheckListen(const FieldPtr& value) {
  const std::string& text = AsString(value);
  std::string_view host;
  std::string_view port;
  bool ok = false;
  if (text.starts_with("[")) {  // [v6]:port
    size_t close = text.find(']');
    if (close != std::string::npos && close + 1 < text.size() && text[close + 1] == ':') {
      host = std::string_view(text).substr(1, close - 1);
      port = std::string_view(text).substr(close + 2);
      ok = host.find(':') != std::string_view::npos && IsHost(host) && IsPort(port);
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon != std::string::npos) {
      host = std::string_view(text).substr(0, colon);
      port = std::string_view(text).substr(colon + 1);
      if (host.find(':') != std::string_view::npos && IsHost(host) && IsPort(port)) {
        return Status::InvalidArgument(
            fmt::format("an IPv6 address must be in brackets, e.g. [::1]:4318; got '{}'", text));
      }
      ok = host.find(':') == std::string_view::npos && IsHost(host) && IsPort(port);
    }
  }
  if (!ok) {
    return Status::InvalidArgument(
        fmt::format("expected host:port with a port 0..65535 (e.g. 127.0.0.1:4318, 0.0.0.0:4318, "
                    "[::1]:4318), got '{}'",
                    text));
  }
  return Status::Ok();
}

Status CheckListenOrEmpty(const FieldPtr& value) {
  return AsString(value).empty() ? Status::Ok() : CheckListen(value);
}

Status CheckTlsVersion(const FieldPtr& value) {
  const std::string& text = AsString(value);
  if (text == "1.2" || text == "1.3") {
    return Status::Ok();
  }
  return Status::InvalidArgument(fmt::format("expected \"1.2\" or \"1.3\", got '{}'", text));
}

Status CheckNonEmpty(const FieldPtr& value) {
  return AsString(value).empty() ? Status::InvalidArgument("must not be empty") : Status::Ok();
}

Status CheckSynchronous(const FieldPtr& value) {
  const std::string& text = AsString(value);
  if (text == "FULL" || text == "NORMAL" || text == "EXTRA") {
    return Status::Ok();
  }
  return Status::InvalidArgument(fmt::format("expected one of FULL|NORMAL|EXTRA, got '{}'", text));
}

Status CheckUrl(const FieldPtr& value) {
  const std::string& text = AsString(value);
  if (text.empty()) {
    return Status::Ok();
  }
  for (std::string_view scheme : {"libsql://", "https://", "http://"}) {
    if (text.starts_with(scheme) && text.size() > scheme.size()) {
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(
      fmt::format("expected a libsql://, https:// or http:// URL, got '{}'", text));
}

Status CheckMultiplier(const FieldPtr& value) {
  double m = *std::get<double*>(value);
  if (std::isfinite(m) && m >= 1.0 && m <= 100.0) {
    return Status::Ok();
  }
  return Status::InvalidArgument(fmt::format("must be between 1.0 and 100.0, got {}", m));
}

Result<uint64_t> ParseRetentionAge(std::string_view text) {
  if (text.empty()) {
    return uint64_t{0};
  }
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) {
    return Status::InvalidArgument(fmt::format(
        "expected a duration such as \"30d\", \"12h\", \"90m\" or \"3600s\", got '{}'", text));
  }
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  uint64_t scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else if (unit == "d") {
    scale = 86400;
  } else if (unit == "w") {
    scale = 7 * 86400;
  } else {
    return Status::InvalidArgument(fmt::format(
        "unknown unit '{}' in '{}' (use s, m, h, d or w, e.g. \"30d\")", unit, text));
  }
  // Up to 1000 years: far enough, and never overflows a time_point.
  if (number > 1000ull * 365 * 86400 / scale) {
    return Status::InvalidArgument(fmt::format("'{}' is too long (at most 1000 years)", text));
  }
  return number * scale;
}

Status CheckRetentionAge(const FieldPtr& value) {
  Result<uint64_t> seconds = ParseRetentionAge(AsString(value));
  return seconds.has_value() ? Status::Ok() : seconds.error();
}

Status CheckLogLevel(const FieldPtr& value) {
  log::Level level;
  if (log::ParseLevel(AsString(value), &level)) {
    return Status::Ok();
  }
  return Status::InvalidArgument(
      fmt::format("expected one of debug|info|warn|error, got '{}'", AsString(value)));
}

Status CheckLogFormat(const FieldPtr& value) {
  const std::string& format = AsString(value);
  if (format == "logfmt" || format == "json") {
    return Status::Ok();
  }
  return Status::InvalidArgument(fmt::format("expected logfmt or json, got '{}'", format));
}

Status Validate(const Config& config) {
  for (const KeySpec& key : Keys()) {
    Status status = CheckValue(key, config);
    if (!status.ok()) {
      return Error(DottedName(key), status.message());
    }
  }
  if (config.batch.max_records > config.queue.max_records) {
    return Error("batch.max_records",
                 fmt::format("{} is more than queue.max_records ({}); a batch must fit the queue",
                             config.batch.max_records, config.queue.max_records));
  }
  if (config.batch.max_bytes > config.queue.max_bytes) {
    return Error("batch.max_bytes",
                 fmt::format("{} is more than queue.max_bytes ({}); a batch must fit the queue",
                             config.batch.max_bytes, config.queue.max_bytes));
  }
  if (config.retry.max_ms < config.retry.initial_ms) {
    return Error("retry.max_ms", fmt::format("{} is less than retry.initial_ms ({})",
                                             config.retry.max_ms, config.retry.initial_ms));
  }
  if (config.http.listen.empty() && config.tls.listen.empty()) {
    return Error("http.listen", "is empty and so is tls.listen; set at least one listener address");
  }
  if (!config.tls.listen.empty()) {
    for (const auto& [key, value] : {std::pair{"tls.cert_file", &config.tls.cert_file},
                                     std::pair{"tls.key_file", &config.tls.key_file}}) {
      if (value->empty()) {
        return Error(key, "required when tls.listen is set");
      }
    }
  }
  if (config.sqld.mode == SqldMode::kExternal && config.sqld.url.empty()) {
    return Error("sqld.url",
                 "required when sqld.mode is \"external\" (or use --sqld-url, "
                 "TURSO_DATABASE_URL)");
  }
  if (config.sqld.mode == SqldMode::kSpawn && !config.sqld.url.empty()) {
    return Error("sqld.url", fmt::format("is set ('{}') but sqld.mode is \"spawn\"; set "
                                         "sqld.mode = \"external\" to use it, or clear it",
                                         config.sqld.url));
  }
  return Status::Ok();
}

}  // namespace tc::config
