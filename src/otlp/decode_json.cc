// DecodeJson: an OTLP/JSON ExportTraceServiceRequest into the model, with simdjson's DOM
// parser (the whole body is validated, UTF-8 included, before any of it is read; unknown keys
// are then simply not looked at). The OTLP deviations from the proto3 JSON mapping (design
// §1.2): ids in hex (either case), enums as integers (the proto3 names are accepted too),
// 64-bit integers as decimal strings or numbers, lowerCamelCase keys. null is an absent field.
// A key given twice behaves as a repeated protobuf field: a scalar's last value wins, a list
// appends, a message merges. Errors carry the JSON path of the value.

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "decode_util.h"
#include "model.h"

namespace tc::otlp {
namespace {

using internal::Budget;
using internal::DecodeFailure;
using internal::Path;
namespace dom = simdjson::dom;

const char* TypeName(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

// Reads of an element whose type was checked (simdjson without exceptions: the error codes
// cannot be set then).
int64_t GetInt64(dom::element e) { return e.get_int64().value_unsafe(); }
uint64_t GetUint64(dom::element e) { return e.get_uint64().value_unsafe(); }
double GetDouble(dom::element e) { return e.get_double().value_unsafe(); }
bool GetBool(dom::element e) { return e.get_bool().value_unsafe(); }
std::string_view GetString(dom::element e) { return e.get_string().value_unsafe(); }
dom::object GetObject(dom::element e) { return e.get_object().value_unsafe(); }
dom::array GetArray(dom::element e) { return e.get_array().value_unsafe(); }

// 2^63 and 2^64 as doubles: the first values outside int64 and uint64.
constexpr double kTwoPow63 = 9223372036854775808.0;
constexpr double kTwoPow64 = 18446744073709551616.0;

// 0-63 for a base64 digit (standard or URL-safe alphabet), 64 otherwise.
uint8_t Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<uint8_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<uint8_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0' + 52);
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return 64;
}

// Standard or URL-safe base64, padding optional. False when `text` is not base64.
bool DecodeBase64(std::string_view text, std::string* out) {
  while (!text.empty() && text.back() == '=' && text.size() % 4 != 1) {
    text.remove_suffix(1);
    if (text.size() % 4 == 0) return false;  // padding where none belongs
  }
  if (text.size() % 4 == 1) return false;
  out->reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : text) {
    const uint8_t v = Base64Value(c);
    if (v > 63) return false;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // The bits left over must be zero (a canonical encoding), as the proto3 JSON parsers check.
  return (acc & ((1u << bits) - 1)) == 0;
}

class JsonDecoder {
 public:
  explicit JsonDecoder(const DecodeLimits& limits)
      : limits_(limits), max_depth_(internal::EffectiveMaxDepth(limits)), budget_(limits) {}

  void Decode(dom::element root, ExportRequest* out) {
    if (root.type() != dom::element_type::OBJECT) {
      Invalid({}, fmt::format("expected an object, got {}", TypeName(root.type())));
    }
    for (const dom::key_value_pair field : GetObject(root)) {
      if (field.key != "resourceSpans") continue;
      dom::array list;
      if (!Array(field.value, "resourceSpans", &list)) continue;
      size_t index = 0;
      for (const dom::element item : list) {
        path_.Push("resourceSpans", index++);
        ResourceSpans& resource_spans = out->resource_spans.emplace_back();
        DecodeResourceSpans(item, &resource_spans, &out->span_count);
        if (resource_spans.scope_spans.empty()) out->resource_spans.pop_back();
        path_.Pop();
      }
    }
  }

 private:
  [[noreturn]] void Invalid(std::string_view field, std::string_view what) const {
    internal::ThrowInvalid(path_.Render(field, "body"), what);
  }
  [[noreturn]] void TooLarge(std::string_view what) const {
    internal::ThrowTooLarge(path_.Render({}, "body"), what);
  }
  [[noreturn]] void WrongType(dom::element value, std::string_view field, const char* expected) {
    Invalid(field, fmt::format("expected {}, got {}", expected, TypeName(value.type())));
  }

  // The typed reads. Those returning bool return false for null (the field is absent).
  bool Object(dom::element value, std::string_view field, dom::object* out) {
    if (value.type() == dom::element_type::NULL_VALUE) return false;
    if (value.type() != dom::element_type::OBJECT) WrongType(value, field, "an object");
    *out = GetObject(value);
    return true;
  }
  bool Array(dom::element value, std::string_view field, dom::array* out) {
    if (value.type() == dom::element_type::NULL_VALUE) return false;
    if (value.type() != dom::element_type::ARRAY) WrongType(value, field, "an array");
    *out = GetArray(value);
    return true;
  }
  // A string within max_string_bytes; "" for null.
  std::string_view String(dom::element value, std::string_view field) {
    if (value.type() == dom::element_type::NULL_VALUE) return {};
    if (value.type() != dom::element_type::STRING) WrongType(value, field, "a string");
    const std::string_view text = GetString(value);
    if (text.size() > limits_.max_string_bytes) {
      Invalid(field, fmt::format("{} bytes, more than max_string_bytes ({})", text.size(),
                                 limits_.max_string_bytes));
    }
    return text;
  }
  // Times: a non-negative integer, as a decimal string or a number.
  uint64_t Uint64(dom::element value, std::string_view field) {
    switch (value.type()) {
      case dom::element_type::NULL_VALUE:
        return 0;
      case dom::element_type::INT64: {
        const int64_t n = GetInt64(value);
        if (n < 0) Invalid(field, "must not be negative");
        return static_cast<uint64_t>(n);
      }
      case dom::element_type::UINT64:
        return GetUint64(value);
      case dom::element_type::DOUBLE: {
        const double d = GetDouble(value);
        if (!(d >= 0 && d < kTwoPow64) || std::trunc(d) != d) {
          Invalid(field, "not an unsigned 64-bit integer");
        }
        return static_cast<uint64_t>(d);
      }
      case dom::element_type::STRING: {
        const std::string_view text = GetString(value);
        uint64_t n = 0;
        const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (text.empty() || err != std::errc() || end != text.data() + text.size()) {
          Invalid(field, "not an unsigned 64-bit integer in decimal");
        }
        return n;
      }
      default:
        WrongType(value, field, "an integer (a number or a decimal string)");
    }
  }
  // intValue: a signed 64-bit integer, as a decimal string or a number.
  int64_t Int64(dom::element value, std::string_view field) {
    switch (value.type()) {
      case dom::element_type::NULL_VALUE:
        return 0;
      case dom::element_type::INT64:
        return GetInt64(value);
      case dom::element_type::UINT64:
        Invalid(field, "out of the range of a signed 64-bit integer");
      case dom::element_type::DOUBLE: {
        const double d = GetDouble(value);
        if (!(d >= -kTwoPow63 && d < kTwoPow63) || std::trunc(d) != d) {
          Invalid(field, "not a signed 64-bit integer");
        }
        return static_cast<int64_t>(d);
      }
      case dom::element_type::STRING: {
        const std::string_view text = GetString(value);
        int64_t n = 0;
        const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (text.empty() || err != std::errc() || end != text.data() + text.size()) {
          Invalid(field, "not a signed 64-bit integer in decimal");
        }
        return n;
      }
      default:
        WrongType(value, field, "an integer (a number or a decimal string)");
    }
  }
  // doubleValue: a number, or a string: "NaN", "Infinity", "-Infinity" or a decimal number.
  double Double(dom::element value, std::string_view field) {
    switch (value.type()) {
      case dom::element_type::NULL_VALUE:
        return 0;
      case dom::element_type::INT64:
      case dom::element_type::UINT64:
      case dom::element_type::DOUBLE:
        return GetDouble(value);
      case dom::element_type::STRING: {
        const std::string_view text = GetString(value);
        if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
        if (text == "Infinity") return std::numeric_limits<double>::infinity();
        if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
        double d = 0;
        const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (text.empty() || err != std::errc() || end != text.data() + text.size() ||
            !std::isfinite(d)) {
          Invalid(field, "not a number");
        }
        return d;
      }
      default:
        WrongType(value, field, "a number");
    }
  }
  bool Bool(dom::element value, std::string_view field) {
    if (value.type() == dom::element_type::NULL_VALUE) return false;
    if (value.type() != dom::element_type::BOOL) WrongType(value, field, "a boolean");
    return GetBool(value);
  }
  // An enum: an integer within int32 (or, as proto3 JSON writes them, one of `names`, whose
  // position is the value).
  template <size_t N>
  int Enum(dom::element value, std::string_view field, const std::string_view (&names)[N]) {
    switch (value.type()) {
      case dom::element_type::NULL_VALUE:
        return 0;
      case dom::element_type::INT64: {
        const int64_t n = GetInt64(value);
        if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
          Invalid(field, "out of the range of an enum (int32)");
        }
        return static_cast<int>(n);
      }
      case dom::element_type::UINT64:
        Invalid(field, "out of the range of an enum (int32)");
      case dom::element_type::STRING: {
        const std::string_view text = GetString(value);
        for (size_t i = 0; i < N; ++i) {
          if (text == names[i]) return static_cast<int>(i);
        }
        Invalid(field, fmt::format("unknown enum value \"{}\"",
                                   text.substr(0, std::min<size_t>(text.size(), 64))));
      }
      default:
        WrongType(value, field, "an integer");
    }
  }
  // A span or parent span id: hex, `want` bytes when valid. Sets `*hex` (lower case) and
  // returns "" when the id is valid, else the problem. Not hex at all is an error.
  // Any length is read (none is copied unless valid), so max_string_bytes does not apply.
  std::string Id(dom::element value, std::string_view field, size_t want, std::string* hex) {
    if (value.type() != dom::element_type::NULL_VALUE &&
        value.type() != dom::element_type::STRING) {
      WrongType(value, field, "a string");
    }
    const std::string_view text =
        value.type() == dom::element_type::STRING ? GetString(value) : std::string_view();
    if (!internal::IsHex(text)) {
      Invalid(field, text.size() % 2 != 0 ? "not hex (an odd number of digits)"
                                          : "not hex (a character other than 0-9, a-f, A-F)");
    }
    const bool all_zero = text.find_first_not_of('0') == std::string_view::npos;
    std::string problem = internal::IdProblem(text.size() / 2, all_zero, want);
    if (problem.empty()) internal::AppendLowerHex(text, hex);
    return problem;
  }

  // `more` values going into a vector of `have`, against `limit` and the request's budget.
  void CheckValues(size_t have, size_t more, size_t limit, const char* what,
                   const char* limit_name) {
    if (more > limit || have > limit - more) {
      Invalid({}, fmt::format("more than {} ({}) {}", limit_name, limit, what));
    }
    if (!budget_.TakeValues(more)) {
      TooLarge(fmt::format("more than {} attributes, events and values in one request",
                           budget_.max_values()));
    }
  }

  static size_t Count(dom::array list) {
    size_t n = list.size();
    if (n >= 0xFFFFFF) {  // the tape saturates: count by hand
      n = 0;
      for ([[maybe_unused]] const dom::element item : list) ++n;
    }
    return n;
  }

  void DecodeResourceSpans(dom::element value, ResourceSpans* out, size_t* span_count) {
    dom::object object;
    if (!Object(value, {}, &object)) return;
    for (const dom::key_value_pair field : object) {
      if (field.key == "resource") {
        dom::object resource;
        if (!Object(field.value, "resource", &resource)) continue;
        path_.Push("resource");
        for (const dom::key_value_pair member : resource) {
          if (member.key == "attributes") {
            DecodeAttributes(member.value, &out->resource_attributes);
          }
        }
        path_.Pop();
      } else if (field.key == "scopeSpans") {
        dom::array list;
        if (!Array(field.value, "scopeSpans", &list)) continue;
        size_t index = 0;
        for (const dom::element item : list) {
          path_.Push("scopeSpans", index++);
          ScopeSpans& scope_spans = out->scope_spans.emplace_back();
          DecodeScopeSpans(item, &scope_spans, span_count);
          if (scope_spans.spans.empty()) out->scope_spans.pop_back();
          path_.Pop();
        }
      }
    }
  }

  void DecodeScopeSpans(dom::element value, ScopeSpans* out, size_t* span_count) {
    dom::object object;
    if (!Object(value, {}, &object)) return;
    for (const dom::key_value_pair field : object) {
      if (field.key == "scope") {
        dom::object scope;
        if (!Object(field.value, "scope", &scope)) continue;
        path_.Push("scope");
        for (const dom::key_value_pair member : scope) {
          if (member.key == "name") {
            out->scope_name.assign(String(member.value, "name"));
          } else if (member.key == "version") {
            out->scope_version.assign(String(member.value, "version"));
          }
        }
        path_.Pop();
      } else if (field.key == "spans") {
        dom::array list;
        if (!Array(field.value, "spans", &list)) continue;
        const size_t count = Count(list);
        if (!budget_.TakeSpans(count)) {
          TooLarge(fmt::format("more than max_spans ({}) spans in the request", limits_.max_spans));
        }
        out->spans.reserve(out->spans.size() + count);
        size_t index = 0;
        for (const dom::element item : list) {
          path_.Push("spans", index++);
          DecodeSpan(item, &out->spans.emplace_back());
          ++*span_count;
          path_.Pop();
        }
      }
    }
  }

  void DecodeSpan(dom::element value, Span* out) {
    static constexpr std::string_view kKinds[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                                  "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                                  "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};
    dom::object object;
    if (!Object(value, {}, &object)) Invalid({}, "expected an object, got null");
    // The ids are checked once all fields are read (a later key overrides an earlier one).
    std::string_view problem_field;
    std::string problem;
    std::string trace_problem = "is missing";
    std::string span_problem = "is missing";
    std::string parent_problem;
    for (const dom::key_value_pair field : object) {
      const std::string_view key = field.key;
      if (key == "traceId") {
        out->trace_id.clear();
        trace_problem = Id(field.value, key, 16, &out->trace_id);
      } else if (key == "spanId") {
        out->span_id.clear();
        span_problem = Id(field.value, key, 8, &out->span_id);
      } else if (key == "parentSpanId") {
        out->parent_span_id.clear();
        parent_problem = Id(field.value, key, 8, &out->parent_span_id);
        // Absent, empty or all zero: a root span.
        if (parent_problem == "is missing" || parent_problem == "must not be all zero") {
          parent_problem.clear();
          out->parent_span_id.clear();
        }
      } else if (key == "name") {
        out->name.assign(String(field.value, key));
      } else if (key == "kind") {
        out->kind = Enum(field.value, key, kKinds);
      } else if (key == "startTimeUnixNano") {
        out->start_time_unix_nano = Uint64(field.value, key);
      } else if (key == "endTimeUnixNano") {
        out->end_time_unix_nano = Uint64(field.value, key);
      } else if (key == "attributes") {
        DecodeAttributes(field.value, &out->attributes);
      } else if (key == "events") {
        DecodeEvents(field.value, &out->events);
      } else if (key == "status") {
        DecodeStatus(field.value, out);
      }
    }
    if (!trace_problem.empty()) {
      problem_field = "traceId";
      problem = std::move(trace_problem);
    } else if (!span_problem.empty()) {
      problem_field = "spanId";
      problem = std::move(span_problem);
    } else if (!parent_problem.empty()) {
      problem_field = "parentSpanId";
      problem = std::move(parent_problem);
    }
    if (!problem.empty()) {
      out->problem = path_.Render(problem_field, "span") + ": " + problem;
      out->trace_id.clear();
      out->span_id.clear();
      out->parent_span_id.clear();
    }
  }

  void DecodeStatus(dom::element value, Span* out) {
    static constexpr std::string_view kCodes[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                  "STATUS_CODE_ERROR"};
    dom::object object;
    if (!Object(value, "status", &object)) return;
    path_.Push("status");
    for (const dom::key_value_pair field : object) {
      if (field.key == "code") {
        out->status_code = Enum(field.value, "code", kCodes);
      } else if (field.key == "message") {
        out->status_message.assign(String(field.value, "message"));
      }
    }
    path_.Pop();
  }

  void DecodeEvents(dom::element value, std::vector<SpanEvent>* out) {
    dom::array list;
    if (!Array(value, "events", &list)) return;
    const size_t count = Count(list);
    CheckValues(out->size(), count, limits_.max_events, "events", "max_events");
    out->reserve(out->size() + count);
    size_t index = 0;
    for (const dom::element item : list) {
      path_.Push("events", index++);
      dom::object object;
      if (!Object(item, {}, &object)) Invalid({}, "expected an object, got null");
      SpanEvent& event = out->emplace_back();
      for (const dom::key_value_pair field : object) {
        if (field.key == "timeUnixNano") {
          event.time_unix_nano = Uint64(field.value, "timeUnixNano");
        } else if (field.key == "name") {
          event.name.assign(String(field.value, "name"));
        } else if (field.key == "attributes") {
          DecodeAttributes(field.value, &event.attributes);
        }
      }
      path_.Pop();
    }
  }

  // "attributes" (of a span, event or resource): a list of {key, value}.
  void DecodeAttributes(dom::element value, std::vector<KeyValue>* out) {
    dom::array list;
    if (!Array(value, "attributes", &list)) return;
    path_.Push("attributes");
    DecodeKeyValues(list, out, 0);
    path_.Pop();
  }

  // The elements of a list of KeyValue; the list's frame is the innermost one.
  void DecodeKeyValues(dom::array list, std::vector<KeyValue>* out, size_t depth) {
    const size_t count = Count(list);
    CheckValues(out->size(), count, limits_.max_attributes, "attributes", "max_attributes");
    out->reserve(out->size() + count);
    size_t index = 0;
    for (const dom::element item : list) {
      path_.SetIndex(index++);
      dom::object object;
      if (!Object(item, {}, &object)) Invalid({}, "expected an object, got null");
      KeyValue& kv = out->emplace_back();
      for (const dom::key_value_pair field : object) {
        if (field.key == "key") {
          kv.key.assign(String(field.value, "key"));
        } else if (field.key == "value") {
          path_.Push("value");
          DecodeAnyValue(field.value, &kv.value, depth);
          path_.Pop();
        }
      }
    }
  }

  static void Reset(AnyValue* value, AnyValue::Kind kind) {
    value->kind = kind;
    value->text.clear();
    value->boolean = false;
    value->integer = 0;
    value->number = 0;
    value->array.clear();
    value->kvlist.clear();
  }

  // {"stringValue": ...} and the others; `depth`: the array/kvlist levels around it.
  void DecodeAnyValue(dom::element value, AnyValue* out, size_t depth) {
    dom::object object;
    if (!Object(value, {}, &object)) return;
    for (const dom::key_value_pair field : object) {
      const std::string_view key = field.key;
      if (field.value.type() == dom::element_type::NULL_VALUE) continue;
      if (key == "stringValue") {
        const std::string_view text = String(field.value, key);
        Reset(out, AnyValue::Kind::kString);
        out->text.assign(text);
      } else if (key == "boolValue") {
        const bool b = Bool(field.value, key);
        Reset(out, AnyValue::Kind::kBool);
        out->boolean = b;
      } else if (key == "intValue") {
        const int64_t n = Int64(field.value, key);
        Reset(out, AnyValue::Kind::kInt);
        out->integer = n;
      } else if (key == "doubleValue") {
        const double d = Double(field.value, key);
        Reset(out, AnyValue::Kind::kDouble);
        out->number = d;
      } else if (key == "bytesValue") {
        // max_string_bytes applies to the bytes, not to their base64.
        if (field.value.type() != dom::element_type::STRING) {
          WrongType(field.value, key, "a string");
        }
        const std::string_view text = GetString(field.value);
        if (text.size() / 4 * 3 > limits_.max_string_bytes + 3) {  // exact check below
          Invalid(key,
                  fmt::format("more than max_string_bytes ({}) bytes", limits_.max_string_bytes));
        }
        Reset(out, AnyValue::Kind::kBytes);
        if (!DecodeBase64(text, &out->text)) Invalid(key, "not base64");
        if (out->text.size() > limits_.max_string_bytes) {
          Invalid(key, fmt::format("{} bytes, more than max_string_bytes ({})", out->text.size(),
                                   limits_.max_string_bytes));
        }
      } else if (key == "arrayValue" || key == "kvlistValue") {
        const bool is_array = key == "arrayValue";
        dom::object container;
        if (!Object(field.value, key, &container)) continue;
        if (depth >= max_depth_) {
          Invalid(key,
                  fmt::format("arrays and kvlists nested deeper than max_depth ({})", max_depth_));
        }
        const AnyValue::Kind kind = is_array ? AnyValue::Kind::kArray : AnyValue::Kind::kKvList;
        if (out->kind != kind) Reset(out, kind);
        path_.Push(is_array ? "arrayValue" : "kvlistValue");
        for (const dom::key_value_pair member : container) {
          if (member.key != "values") continue;
          dom::array list;
          if (!Array(member.value, "values", &list)) continue;
          path_.Push("values");
          if (is_array) {
            DecodeValues(list, &out->array, depth + 1);
          } else {
            DecodeKeyValues(list, &out->kvlist, depth + 1);
          }
          path_.Pop();
        }
        path_.Pop();
      }
    }
  }

  // The elements of an arrayValue; the list's frame is the innermost one.
  void DecodeValues(dom::array list, std::vector<AnyValue>* out, size_t depth) {
    const size_t count = Count(list);
    CheckValues(out->size(), count, limits_.max_attributes, "values", "max_attributes");
    out->reserve(out->size() + count);
    size_t index = 0;
    for (const dom::element item : list) {
      path_.SetIndex(index++);
      DecodeAnyValue(item, &out->emplace_back(), depth);
    }
  }

  const DecodeLimits& limits_;
  const size_t max_depth_;
  Budget budget_;
  Path path_;
};

}  // namespace

Result<ExportRequest> DecodeJson(std::string_view padded_body, const DecodeLimits& limits) {
  if (padded_body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("body: empty");
  }
  // An AnyValue level is at most four JSON levels ({"kvlistValue":{"values":[{"value":...}]}}),
  // under twelve of request structure (resourceSpans[].scopeSpans[].spans[].events[].
  // attributes[].value); deeper is refused by the parser (simdjson's DOM parser does not
  // recurse, so any depth is safe to parse).
  const size_t depth = 16 + 4 * (internal::EffectiveMaxDepth(limits) + 1);
  dom::parser parser;
  if (parser.allocate(padded_body.size(), depth) != simdjson::SUCCESS) {
    return Status::ResourceExhausted("body: out of memory for the JSON parser");
  }
  dom::element root;
  if (const auto err = parser.parse(padded_body.data(), padded_body.size(), false).get(root)) {
    if (err == simdjson::DEPTH_ERROR) {
      return Status::InvalidArgument(
          fmt::format("body: JSON nested deeper than {} levels (max_depth {} for values)", depth,
                      internal::EffectiveMaxDepth(limits)));
    }
    if (err == simdjson::NUMBER_ERROR) {
      // Also valid JSON with an integer beyond 64 bits, which the DOM parser cannot hold.
      return Status::InvalidArgument(
          "body: not valid JSON, or a number out of range (integers must fit in 64 bits)");
    }
    return Status::InvalidArgument(
        fmt::format("body: not valid JSON: {}", simdjson::error_message(err)));
  }
  ExportRequest request;
  try {
    JsonDecoder(limits).Decode(root, &request);
  } catch (const DecodeFailure& failure) {
    return failure.status;
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory while decoding the request");
  }
  return request;
}

}  // namespace tc::otlp
