#include "json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "common/time_format.h"

namespace tc::ingest::internal {
namespace {

// Recursion bound for Walk() whatever the configuration says (the stack must not overflow).
constexpr size_t kMaxWalkDepth = 1024;
// 2^63 as a double: the first value outside int64.
constexpr double kTwoPow63 = 9223372036854775808.0;

bool IsSyntaxError(simdjson::error_code code) {
  switch (code) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
    case simdjson::STRING_ERROR:
    case simdjson::NO_SUCH_FIELD:
      return false;
    default:
      return true;
  }
}

}  // namespace

std::string JoinPath(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  if (child.empty()) return std::string(parent);
  std::string out(parent);
  if (child.front() != '[') out += '.';
  out += child;
  return out;
}

const char* JsonTypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

bool Reader::Fail(std::string field, std::string message, bool syntax) {
  if (!failed_) {
    failed_ = true;
    error_.field = std::move(field);
    error_.message = std::move(message);
    error_.syntax = syntax;
  }
  return false;
}

bool Reader::FailCode(std::string field, simdjson::error_code code) {
  if (IsSyntaxError(code)) {
    return Fail(std::move(field), fmt::format("not valid JSON: {}", simdjson::error_message(code)),
                true);
  }
  switch (code) {
    case simdjson::STRING_ERROR:
      return Fail(std::move(field), "invalid string (bad escape or unpaired surrogate)");
    case simdjson::INCORRECT_TYPE:
      return Fail(std::move(field), "value has the wrong type");
    default:
      return Fail(std::move(field), "invalid number (malformed or out of range)");
  }
}

bool Reader::Reroot(std::string_view field) {
  error_.field = JoinPath(field, error_.field);
  return false;
}

const char* Reader::EndOf(od::value& v) const {
  const char* end = nullptr;
  if (v.current_location().get(end) != simdjson::SUCCESS || end == nullptr || end > body_end_) {
    return body_end_;
  }
  return end;
}

bool Reader::Type(od::value& v, std::string_view field, od::json_type* type) {
  if (auto err = v.type().get(*type)) return FailCode(std::string(field), err);
  return true;
}

bool Reader::IsNull(od::value& v, std::string_view field, bool* is_null) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  *is_null = type == od::json_type::null;
  if (*is_null) {
    bool really = false;
    if (v.is_null().get(really) != simdjson::SUCCESS || !really) {
      return Fail(std::string(field), "not valid JSON: invalid literal", true);
    }
  }
  return true;
}

bool Reader::String(od::value& v, std::string_view field, size_t max_bytes, const char* limit_name,
                    std::string_view* out) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type != od::json_type::string) {
    return Fail(std::string(field), fmt::format("expected a string, got {}", JsonTypeName(type)));
  }
  if (auto err = v.get_string().get(*out)) return FailCode(std::string(field), err);
  if (out->size() > max_bytes) {
    return Fail(std::string(field), fmt::format("string of {} bytes is longer than {} ({})",
                                                out->size(), limit_name, max_bytes));
  }
  return true;
}

bool Reader::Id(od::value& v, std::string_view field, std::string* out) {
  bool is_null = false;
  if (!IsNull(v, field, &is_null)) return false;
  if (is_null) return Fail(std::string(field), "required field is null");
  std::string_view text;
  if (!String(v, field, limits_.max_id_bytes, "max_id_bytes", &text)) return false;
  out->assign(text);
  return true;
}

bool Reader::OptId(od::value& v, std::string_view field, schema::OptString* out) {
  return Optional(v, field, out, [&](std::string* text) {
    std::string_view view;
    if (!String(v, field, limits_.max_id_bytes, "max_id_bytes", &view)) return false;
    text->assign(view);
    return true;
  });
}

bool Reader::OptText(od::value& v, std::string_view field, schema::OptString* out) {
  return Optional(v, field, out, [&](std::string* text) {
    std::string_view view;
    if (!String(v, field, limits_.max_string_bytes, "max_string_bytes", &view)) return false;
    text->assign(view);
    return true;
  });
}

bool Reader::OptTime(od::value& v, std::string_view field, schema::OptString* out) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type == od::json_type::number) {
    double seconds = 0;
    if (!Double(v, field, &seconds)) return false;
    // Year 1 .. 9999: what an ISO date can spell.
    if (!(seconds > -62135596800.0 && seconds < 253402300800.0)) {
      return Fail(std::string(field), "datetime in Unix seconds is out of range");
    }
    *out = IsoUtcFromUnixSeconds(seconds);
    return true;
  }
  if (type != od::json_type::string && type != od::json_type::null) {
    return Fail(std::string(field),
                fmt::format("expected an ISO datetime string, got {}", JsonTypeName(type)));
  }
  return OptId(v, field, out);
}

bool Reader::IdOrInt(od::value& v, std::string_view field, std::string* out) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type == od::json_type::number) {
    int64_t number = 0;
    if (!Int(v, field, &number)) return false;
    *out = std::to_string(number);
    return true;
  }
  return Id(v, field, out);
}

bool Reader::Int(od::value& v, std::string_view field, int64_t* out) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type != od::json_type::number) {
    return Fail(std::string(field), fmt::format("expected an integer, got {}", JsonTypeName(type)));
  }
  od::number_type number_type;
  if (auto err = v.get_number_type().get(number_type)) return FailCode(std::string(field), err);
  switch (number_type) {
    case od::number_type::signed_integer:
      if (v.get_int64().get(*out) != simdjson::SUCCESS) {
        return Fail(std::string(field), "integer out of the signed 64-bit range");
      }
      return true;
    case od::number_type::unsigned_integer:
      return Fail(std::string(field), "integer out of the signed 64-bit range");
    case od::number_type::floating_point_number:
      break;
  }
  double value = 0;
  if (v.get_double().get(value) != simdjson::SUCCESS) {
    return Fail(std::string(field), "invalid number (malformed or out of range)");
  }
  if (value != std::trunc(value)) {
    return Fail(std::string(field), "expected an integer, got a fractional number");
  }
  if (!(value >= -kTwoPow63 && value < kTwoPow63)) {
    return Fail(std::string(field), "integer out of the signed 64-bit range");
  }
  *out = static_cast<int64_t>(value);
  return true;
}

bool Reader::OptInt(od::value& v, std::string_view field, schema::OptInt* out) {
  return Optional(v, field, out, [&](int64_t* value) { return Int(v, field, value); });
}

bool Reader::Double(od::value& v, std::string_view field, double* out) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type != od::json_type::number) {
    return Fail(std::string(field), fmt::format("expected a number, got {}", JsonTypeName(type)));
  }
  if (v.get_double().get(*out) != simdjson::SUCCESS || !std::isfinite(*out)) {
    return Fail(std::string(field), "invalid number (malformed or out of the double range)");
  }
  return true;
}

bool Reader::OptDouble(od::value& v, std::string_view field, schema::OptDouble* out) {
  return Optional(v, field, out, [&](double* value) { return Double(v, field, value); });
}

bool Reader::OptBool(od::value& v, std::string_view field, schema::OptBool* out) {
  bool is_null = false;
  if (!IsNull(v, field, &is_null)) return false;
  if (is_null) {
    out->reset();
    return true;
  }
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type != od::json_type::boolean) {
    return Fail(std::string(field), fmt::format("expected a boolean, got {}", JsonTypeName(type)));
  }
  bool value = false;
  if (v.get_bool().get(value) != simdjson::SUCCESS) {
    return Fail(std::string(field), "not valid JSON: invalid literal", true);
  }
  *out = value;
  return true;
}

bool Reader::Walk(od::value& v, size_t depth) {
  if (depth > std::min(limits_.max_depth, kMaxWalkDepth)) {
    return Fail("", fmt::format("nesting deeper than max_depth ({})", limits_.max_depth));
  }
  od::json_type type;
  if (!Type(v, "", &type)) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto err = v.get_object().get(object)) return FailCode("", err);
      for (auto member : object) {
        std::string_view key;
        if (auto err = member.unescaped_key().get(key)) return FailCode("", err);
        if (key.size() > limits_.max_string_bytes) {
          return Fail(std::string(key), fmt::format("key longer than max_string_bytes ({})",
                                                    limits_.max_string_bytes));
        }
        std::string key_copy(key);  // `key` lives in the parser's string buffer
        od::value child;
        if (auto err = member.value().get(child)) return FailCode(key_copy, err);
        if (!Walk(child, depth + 1)) return Reroot(key_copy);
      }
      return true;
    }
    case od::json_type::array: {
      od::array array;
      if (auto err = v.get_array().get(array)) return FailCode("", err);
      size_t index = 0;
      for (auto element : array) {
        std::string path = fmt::format("[{}]", index);
        od::value child;
        if (auto err = element.get(child)) return FailCode(path, err);
        if (++index > limits_.max_array_items) {
          return Fail("", fmt::format("array has more than max_array_items ({}) items",
                                      limits_.max_array_items));
        }
        if (!Walk(child, depth + 1)) return Reroot(path);
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      return String(v, "", limits_.max_string_bytes, "max_string_bytes", &text);
    }
    case od::json_type::number: {
      od::number number;
      if (v.get_number().get(number) == simdjson::SUCCESS) return true;
      double value = 0;  // big integers: valid JSON, kept as text
      if (v.get_double().get(value) == simdjson::SUCCESS) return true;
      return Fail("", "invalid number (malformed or out of the double range)");
    }
    case od::json_type::boolean: {
      bool value = false;
      if (v.get_bool().get(value) != simdjson::SUCCESS) {
        return Fail("", "not valid JSON: invalid literal", true);
      }
      return true;
    }
    case od::json_type::null: {
      bool is_null = false;
      return IsNull(v, "", &is_null);
    }
  }
  return Fail("", "not valid JSON", true);
}

bool Reader::WalkSpan(od::value& v, size_t depth, std::string_view* span) {
  od::json_type type;
  if (!Type(v, "", &type)) return false;
  const std::string_view token = v.raw_json_token();
  if (!Walk(v, depth)) return false;
  const char* end = type == od::json_type::object || type == od::json_type::array
                        ? EndOf(v)
                        : token.data() + token.size();
  if (end < token.data()) return Fail("", "not valid JSON: value out of place", true);
  *span = std::string_view(token.data(), end - token.data());
  return true;
}

bool Reader::Minify(const char* start, const char* end, std::string_view field, std::string* out) {
  if (start == nullptr || end < start || end > body_end_) {
    return Fail(std::string(field), "not valid JSON: value out of place", true);
  }
  std::string_view raw(start, end - start);
  out->resize(raw.size() + 1);
  size_t length = 0;
  if (simdjson::minify(raw.data(), raw.size(), out->data(), length) != simdjson::SUCCESS) {
    return Fail(std::string(field), "not valid JSON: cannot minify", true);
  }
  out->resize(length);
  return true;
}

bool Reader::Json(od::value& v, std::string_view field, schema::JsonText* out) {
  bool is_null = false;
  if (!IsNull(v, field, &is_null)) return false;
  if (is_null) {
    out->reset();
    return true;
  }
  std::string_view span;
  if (!WalkSpan(v, 1, &span)) return Reroot(field);
  std::string text;
  if (!Minify(span.data(), span.data() + span.size(), field, &text)) return false;
  *out = std::move(text);
  return true;
}

}  // namespace tc::ingest::internal
