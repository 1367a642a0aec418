// QueryParams (params.h).

#include "query/params.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <chrono>
#include <cmath>

#include "common/strings.h"
#include "common/time_format.h"

namespace tc::query {
namespace {

constexpr size_t kMaxValueBytes = 4096;
constexpr std::string_view kPrefix = "parameter \"";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding with '+' as a space; false on a '%' without two hex digits.
bool Decode(std::string_view raw, std::string* out) {
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '+') {
      out->push_back(' ');
    } else if (raw[i] != '%') {
      out->push_back(raw[i]);
    } else {
      const int high = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
      const int low = i + 2 < raw.size() ? HexValue(raw[i + 2]) : -1;
      if (high < 0 || low < 0) return false;
      out->push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return true;
}

// Digits at text[at, at + n) as a number; -1 when any is not a digit.
int Digits(std::string_view text, size_t at, size_t n) {
  if (at + n > text.size()) return -1;
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// RFC 3339 (or a bare date) to Unix microseconds; nullopt when malformed.
std::optional<int64_t> ParseRfc3339(std::string_view t) {
  const int year = Digits(t, 0, 4), month = Digits(t, 5, 2), day = Digits(t, 8, 2);
  if (year < 1 || t.size() < 10 || t[4] != '-' || t[7] != '-' || month < 1 || month > 12 ||
      day < 1 || day > 31) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                        std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  int64_t micros = DaysFromCivil(year, month, day) * 86400 * 1000000;
  if (t.size() == 10) return micros;
  if (t[10] != 'T' && t[10] != 't' && t[10] != ' ') return std::nullopt;
  const int hour = Digits(t, 11, 2), minute = Digits(t, 14, 2), second = Digits(t, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
      t.size() < 20 || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  micros += (int64_t{hour} * 3600 + minute * 60 + std::min(second, 59)) * 1000000;
  size_t at = 19;
  if (at < t.size() && t[at] == '.') {
    int64_t scale = 100000;
    size_t digits = 0;
    for (++at; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, ++digits) {
      micros += (t[at] - '0') * scale;
      scale /= 10;
    }
    if (digits == 0) return std::nullopt;
  }
  const std::string_view zone = t.substr(at);
  if (zone == "Z" || zone == "z") return micros;
  const int zh = Digits(zone, 1, 2), zm = Digits(zone, 4, 2);
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || zh < 0 ||
      zh > 23 || zm < 0 || zm > 59) {
    return std::nullopt;
  }
  const int64_t offset = (int64_t{zh} * 3600 + zm * 60) * 1000000;
  return zone[0] == '+' ? micros - offset : micros + offset;
}

}  // namespace

Status BadParameter(std::string_view name, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}{}\": {}", kPrefix, name, what));
}

std::string_view ParameterOf(const Status& status) {
  if (status.code() != StatusCode::kInvalidArgument) return {};
  std::string_view message = status.message();
  if (!message.starts_with(kPrefix)) return {};
  message.remove_prefix(kPrefix.size());
  return message.substr(0, message.find('"'));
}

Result<QueryParams> QueryParams::Parse(std::string_view raw,
                                       std::span<const std::string_view> allowed) {
  QueryParams params;
  std::string name;
  std::string value;
  while (!raw.empty()) {
    const size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    if (!Decode(raw_name, &name) || !simdjson::validate_utf8(name.data(), name.size())) {
      return Status::InvalidArgument(
          "the query string has a malformed parameter name (a '%' needs two hex digits)");
    }
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return BadParameter(name.size() <= 64 ? name : name.substr(0, 64) + "...",
                          fmt::format("unknown parameter; this endpoint takes {}", list));
    }
    if (params.Get(name) != nullptr) return BadParameter(name, "given more than once");
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!Decode(raw_value, &value)) {
      return BadParameter(name, "a '%' in the value is not followed by two hex digits");
    }
    if (value.size() > kMaxValueBytes) {
      return BadParameter(name, fmt::format("the value is longer than {} bytes", kMaxValueBytes));
    }
    if (!simdjson::validate_utf8(value.data(), value.size())) {
      return BadParameter(name, "the value is not UTF-8 once percent-decoded");
    }
    params.values_.emplace_back(name, value);
  }
  return params;
}

const std::string* QueryParams::Get(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return &v;
  }
  return nullptr;
}

Result<int64_t> QueryParams::Limit(int64_t fallback, int64_t max_limit) const {
  const std::string* text = Get("limit");
  if (text == nullptr) return fallback;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 1 ||
      value > max_limit) {
    return BadParameter("limit", fmt::format("must be an integer from 1 to {}", max_limit));
  }
  return value;
}

Result<std::string_view> QueryParams::Choice(std::string_view name,
                                             std::span<const std::string_view> choices,
                                             std::string_view fallback) const {
  const std::string* text = Get(name);
  if (text == nullptr) return fallback;
  std::string list;
  for (std::string_view c : choices) {
    if (c == *text) return c;
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  return BadParameter(name, fmt::format("must be one of {}", list));
}

Result<std::optional<bool>> QueryParams::Bool(std::string_view name) const {
  const std::string* text = Get(name);
  if (text == nullptr) return std::optional<bool>();
  if (*text == "true" || *text == "1") return std::optional<bool>(true);
  if (*text == "false" || *text == "0") return std::optional<bool>(false);
  return BadParameter(name, "must be true or false");
}

Result<std::optional<double>> QueryParams::NonNegative(std::string_view name) const {
  const std::string* text = Get(name);
  if (text == nullptr) return std::optional<double>();
  double value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || !std::isfinite(value) ||
      value < 0) {
    return BadParameter(name, "must be a number >= 0");
  }
  return std::optional<double>(value);
}

Result<std::optional<std::string>> QueryParams::Time(std::string_view name) const {
  const std::string* text = Get(name);
  if (text == nullptr) return std::optional<std::string>();
  double seconds = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (error == std::errc() && end == text->data() + text->size() && !text->empty() &&
      (*text)[0] != '-' && (*text)[0] != '+') {
    // Years 1970..9999: what the stored form can spell.
    if (!std::isfinite(seconds) || seconds >= 253402300800.0) {
      return BadParameter(name, "Unix seconds out of range");
    }
    return std::optional<std::string>(IsoUtcFromUnixSeconds(seconds));
  }
  const std::optional<int64_t> micros = ParseRfc3339(*text);
  if (!micros) {
    return BadParameter(name, "must be an RFC 3339 time (2026-12-05T10:00:00Z) or Unix seconds");
  }
  return std::optional<std::string>(IsoUtcFromUnixSeconds(static_cast<double>(*micros) / 1e6));
}

}  // namespace tc::query
