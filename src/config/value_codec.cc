#include "value_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <system_error>
#include <type_traits>

#include "common/strings.h"

namespace tc::config {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Read-only access to a field of a const Config: the accessor takes a mutable reference, but
// nothing here writes through it.
FieldPtr ReadField(const KeySpec& key, const Config& config) {
  return key.field(const_cast<Config&>(config));
}

std::string Quoted(std::string_view text) { return fmt::format("'{}'", text); }

// `value` (of integer type T, or its wide parse) against the key's range capped by T's range.
template <typename T, typename V>
Status CheckBounds(const KeySpec& key, V value) {
  const uint64_t type_max = static_cast<uint64_t>(std::numeric_limits<T>::max());
  const uint64_t max = std::min(key.max, type_max);
  bool negative = false;
  if constexpr (std::is_signed_v<V>) {
    negative = value < 0;
  }
  const bool too_small = negative || static_cast<uint64_t>(value) < key.min;
  const bool too_big = !negative && static_cast<uint64_t>(value) > max;
  if (!too_small && !too_big) {
    return Status::Ok();
  }
  if (too_small && max >= UINT32_MAX) {  // the upper bound is only the type's: not worth saying
    return Status::InvalidArgument(fmt::format("must be at least {}, got {}", key.min, value));
  }
  return Status::InvalidArgument(
      fmt::format("must be between {} and {}, got {}", key.min, max, value));
}

// Decimal integer text into an integer field of type T, range-checked.
template <typename T>
Status SetInteger(const KeySpec& key, std::string_view text, T* out) {
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  Wide wide = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, wide);
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument(fmt::format("integer out of range: {}", Quoted(text)));
  }
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument(
        fmt::format("expected {}, got {}",
                    std::is_signed_v<T> ? "an integer" : "a non-negative integer", Quoted(text)));
  }
  TC_RETURN_IF_ERROR(CheckBounds<T>(key, wide));
  *out = static_cast<T>(wide);
  return Status::Ok();
}

Status SetBool(std::string_view text, bool* out) {
  if (EqualsIgnoreCase(text, "true") || text == "1") {
    *out = true;
  } else if (EqualsIgnoreCase(text, "false") || text == "0") {
    *out = false;
  } else {
    return Status::InvalidArgument(
        fmt::format("expected true, false, 1 or 0, got {}", Quoted(text)));
  }
  return Status::Ok();
}

Status SetDouble(std::string_view text, double* out) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument(fmt::format("expected a number, got {}", Quoted(text)));
  }
  *out = value;
  return Status::Ok();
}

template <typename E>
Status SetEnum(std::string_view text, bool (*parse)(std::string_view, E*), E* out,
               const FieldPtr& field) {
  if (!parse(text, out)) {
    return Status::InvalidArgument(
        fmt::format("expected {}, got {}", Expectation(field), Quoted(text)));
  }
  return Status::Ok();
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string FormatDouble(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) {  // "2" -> "2.0"; inf/nan stay
    text += ".0";
  }
  return text;
}

}  // namespace

const char* BackendName(Backend b) {
  switch (b) {
    case Backend::kAuto:
      return "auto";
    case Backend::kEmbedded:
      return "embedded";
    case Backend::kSqld:
      return "sqld";
  }
  return "auto";
}

const char* AckModeName(AckMode a) {
  switch (a) {
    case AckMode::kDurable:
      return "durable";
    case AckMode::kQueued:
      return "queued";
  }
  return "durable";
}

const char* SqldModeName(SqldMode m) {
  switch (m) {
    case SqldMode::kSpawn:
      return "spawn";
    case SqldMode::kExternal:
      return "external";
  }
  return "spawn";
}

// Enum values are accepted in any case ("Embedded", "SQLD"), as choices are (TextCase).
bool ParseBackend(std::string_view text, Backend* out) {
  for (Backend b : {Backend::kAuto, Backend::kEmbedded, Backend::kSqld}) {
    if (EqualsIgnoreCase(text, BackendName(b))) {
      *out = b;
      return true;
    }
  }
  return false;
}

bool ParseAckMode(std::string_view text, AckMode* out) {
  for (AckMode a : {AckMode::kDurable, AckMode::kQueued}) {
    if (EqualsIgnoreCase(text, AckModeName(a))) {
      *out = a;
      return true;
    }
  }
  return false;
}

bool ParseSqldMode(std::string_view text, SqldMode* out) {
  for (SqldMode m : {SqldMode::kSpawn, SqldMode::kExternal}) {
    if (EqualsIgnoreCase(text, SqldModeName(m))) {
      *out = m;
      return true;
    }
  }
  return false;
}

ValueKind KindOf(const FieldPtr& field) {
  return std::visit(Overloaded{
                        [](std::string*) { return ValueKind::kString; },
                        [](Backend*) { return ValueKind::kString; },
                        [](AckMode*) { return ValueKind::kString; },
                        [](SqldMode*) { return ValueKind::kString; },
                        [](bool*) { return ValueKind::kBoolean; },
                        [](double*) { return ValueKind::kFloat; },
                        [](auto*) { return ValueKind::kInteger; },
                    },
                    field);
}

std::string Expectation(const FieldPtr& field) {
  return std::visit(Overloaded{
                        [](std::string*) -> std::string { return "a string"; },
                        [](Backend*) -> std::string { return "one of auto|embedded|sqld"; },
                        [](AckMode*) -> std::string { return "one of durable|queued"; },
                        [](SqldMode*) -> std::string { return "one of spawn|external"; },
                        [](bool*) -> std::string { return "a boolean"; },
                        [](double*) -> std::string { return "a number"; },
                        [](int*) -> std::string { return "an integer"; },
                        [](auto*) -> std::string { return "a non-negative integer"; },
                    },
                    field);
}

Status SetFromText(const KeySpec& key, std::string_view text, Config* config) {
  if (key.secret && text == kRedactedSecret) {
    return Status::InvalidArgument(fmt::format(
        "holds {}, the placeholder --check-config prints instead of a secret: put the real value "
        "back, or set it in the environment ({})",
        Quoted(kRedactedSecret), EnvName(key)));
  }
  const FieldPtr field = key.field(*config);
  Status status =
      std::visit(Overloaded{
                     [&](std::string* out) {
                       *out = key.text_case == TextCase::kUpper   ? AsciiUpper(text)
                              : key.text_case == TextCase::kLower ? AsciiLower(text)
                                                                  : std::string(text);
                       return Status::Ok();
                     },
                     [&](bool* out) { return SetBool(text, out); },
                     [&](double* out) { return SetDouble(text, out); },
                     [&](Backend* out) { return SetEnum(text, ParseBackend, out, field); },
                     [&](AckMode* out) { return SetEnum(text, ParseAckMode, out, field); },
                     [&](SqldMode* out) { return SetEnum(text, ParseSqldMode, out, field); },
                     [&](auto* out) { return SetInteger(key, text, out); },
                 },
                 field);
  TC_RETURN_IF_ERROR(status);
  return key.check == nullptr ? Status::Ok() : key.check(field);
}

Status CheckValue(const KeySpec& key, const Config& config) {
  const FieldPtr field = ReadField(key, config);
  Status status =
      std::visit(Overloaded{
                     [](std::string*) { return Status::Ok(); },
                     [](bool*) { return Status::Ok(); },
                     [](double*) { return Status::Ok(); },
                     [](Backend*) { return Status::Ok(); },
                     [](AckMode*) { return Status::Ok(); },
                     [](SqldMode*) { return Status::Ok(); },
                     [&](auto* value) {
                       return CheckBounds<std::remove_pointer_t<decltype(value)>>(key, *value);
                     },
                 },
                 field);
  TC_RETURN_IF_ERROR(status);
  return key.check == nullptr ? Status::Ok() : key.check(field);
}

std::string FormatToml(const KeySpec& key, const Config& config) {
  return std::visit(Overloaded{
                        [](std::string* v) { return TomlQuote(*v); },
                        [](bool* v) { return std::string(*v ? "true" : "false"); },
                        [](double* v) { return FormatDouble(*v); },
                        [](Backend* v) { return TomlQuote(BackendName(*v)); },
                        [](AckMode* v) { return TomlQuote(AckModeName(*v)); },
                        [](SqldMode* v) { return TomlQuote(SqldModeName(*v)); },
                        [](auto* v) { return fmt::format("{}", *v); },
                    },
                    ReadField(key, config));
}

std::string TomlQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace tc::config
