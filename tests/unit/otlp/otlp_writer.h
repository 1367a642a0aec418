#pragma once

// Test support for the OTLP decoders (decode_test.cc, tests/fuzz/otlp_decode_fuzz.cc): writes
// an ExportRequest model as an OTLP protobuf body (protozero's writer, the field numbers of the
// design's §1.4 table) or an OTLP/JSON body, and compares two models. Header-only.

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <protozero/pbf_writer.hpp>
#include <string>
#include <string_view>

#include "otlp/model.h"

namespace tc::otlp::testing {

// AnyValue builders.
inline AnyValue Str(std::string text) {
  AnyValue v;
  v.kind = AnyValue::Kind::kString;
  v.text = std::move(text);
  return v;
}
inline AnyValue Int(int64_t n) {
  AnyValue v;
  v.kind = AnyValue::Kind::kInt;
  v.integer = n;
  return v;
}
inline AnyValue Dbl(double d) {
  AnyValue v;
  v.kind = AnyValue::Kind::kDouble;
  v.number = d;
  return v;
}
inline AnyValue Bool(bool b) {
  AnyValue v;
  v.kind = AnyValue::Kind::kBool;
  v.boolean = b;
  return v;
}

inline std::string HexToBytes(std::string_view hex) {
  const auto value = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(value(hex[i]) * 16 + value(hex[i + 1])));
  }
  return out;
}

// ---- protobuf ----------------------------------------------------------------------------
// Each message is built in its own string and added whole (protozero's nested writers drop a
// submessage left empty, and an empty AnyValue, array or span is data here).

inline std::string KeyValueMessage(const KeyValue& kv);

inline std::string AnyValueMessage(const AnyValue& value) {
  std::string out;
  protozero::pbf_writer w(out);
  switch (value.kind) {
    case AnyValue::Kind::kEmpty:
      break;
    case AnyValue::Kind::kString:
      w.add_string(1, value.text);
      break;
    case AnyValue::Kind::kBool:
      w.add_bool(2, value.boolean);
      break;
    case AnyValue::Kind::kInt:
      w.add_int64(3, value.integer);
      break;
    case AnyValue::Kind::kDouble:
      w.add_double(4, value.number);
      break;
    case AnyValue::Kind::kArray: {
      std::string array;
      protozero::pbf_writer a(array);
      for (const AnyValue& item : value.array) a.add_message(1, AnyValueMessage(item));
      w.add_message(5, array);
      break;
    }
    case AnyValue::Kind::kKvList: {
      std::string kvlist;
      protozero::pbf_writer l(kvlist);
      for (const KeyValue& item : value.kvlist) l.add_message(1, KeyValueMessage(item));
      w.add_message(6, kvlist);
      break;
    }
    case AnyValue::Kind::kBytes:
      w.add_bytes(7, value.text);
      break;
  }
  return out;
}

inline std::string KeyValueMessage(const KeyValue& kv) {
  std::string out;
  protozero::pbf_writer w(out);
  w.add_string(1, kv.key);
  w.add_message(2, AnyValueMessage(kv.value));
  return out;
}

inline std::string SpanMessage(const Span& span) {
  std::string out;
  protozero::pbf_writer w(out);
  if (!span.trace_id.empty()) w.add_bytes(1, HexToBytes(span.trace_id));
  if (!span.span_id.empty()) w.add_bytes(2, HexToBytes(span.span_id));
  if (!span.parent_span_id.empty()) w.add_bytes(4, HexToBytes(span.parent_span_id));
  w.add_string(5, span.name);
  w.add_int32(6, span.kind);
  w.add_fixed64(7, span.start_time_unix_nano);
  w.add_fixed64(8, span.end_time_unix_nano);
  for (const KeyValue& kv : span.attributes) w.add_message(9, KeyValueMessage(kv));
  w.add_uint32(10, 0);  // dropped_attributes_count, written as the JS SDK does
  for (const SpanEvent& event : span.events) {
    std::string e;
    protozero::pbf_writer ew(e);
    ew.add_fixed64(1, event.time_unix_nano);
    ew.add_string(2, event.name);
    for (const KeyValue& kv : event.attributes) ew.add_message(3, KeyValueMessage(kv));
    w.add_message(11, e);
  }
  std::string status;
  protozero::pbf_writer sw(status);
  if (!span.status_message.empty()) sw.add_string(2, span.status_message);
  sw.add_int32(3, span.status_code);
  w.add_message(15, status);
  w.add_fixed32(16, 0x101);  // flags
  return out;
}

// ExportTraceServiceRequest of `request` (span_count and problem are not written).
inline std::string EncodeProtobuf(const ExportRequest& request) {
  std::string out;
  protozero::pbf_writer w(out);
  for (const ResourceSpans& rs : request.resource_spans) {
    std::string rs_bytes;
    protozero::pbf_writer rsw(rs_bytes);
    std::string resource;
    protozero::pbf_writer res(resource);
    for (const KeyValue& kv : rs.resource_attributes) res.add_message(1, KeyValueMessage(kv));
    rsw.add_message(1, resource);
    for (const ScopeSpans& ss : rs.scope_spans) {
      std::string ss_bytes;
      protozero::pbf_writer ssw(ss_bytes);
      std::string scope;
      protozero::pbf_writer sc(scope);
      sc.add_string(1, ss.scope_name);
      sc.add_string(2, ss.scope_version);
      ssw.add_message(1, scope);
      for (const Span& span : ss.spans) ssw.add_message(2, SpanMessage(span));
      ssw.add_string(3, "https://opentelemetry.io/schemas/1.26.0");
      rsw.add_message(2, ss_bytes);
    }
    w.add_message(1, rs_bytes);
  }
  return out;
}

// ---- OTLP/JSON ---------------------------------------------------------------------------

inline void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

inline std::string Base64(std::string_view bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) |
                       (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += {kDigits[n >> 18], kDigits[(n >> 12) & 63], kDigits[(n >> 6) & 63], kDigits[n & 63]};
  }
  if (bytes.size() - i == 1) {
    const uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    out += {kDigits[n >> 18], kDigits[(n >> 12) & 63], '=', '='};
  } else if (bytes.size() - i == 2) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += {kDigits[n >> 18], kDigits[(n >> 12) & 63], kDigits[(n >> 6) & 63], '='};
  }
  return out;
}

inline void AppendJsonKeyValues(std::string* out, const std::vector<KeyValue>& list);

inline void AppendJsonAnyValue(std::string* out, const AnyValue& value) {
  switch (value.kind) {
    case AnyValue::Kind::kEmpty:
      *out += "{}";
      break;
    case AnyValue::Kind::kString:
      *out += "{\"stringValue\":";
      AppendJsonString(out, value.text);
      *out += '}';
      break;
    case AnyValue::Kind::kBool:
      *out += value.boolean ? "{\"boolValue\":true}" : "{\"boolValue\":false}";
      break;
    case AnyValue::Kind::kInt:  // a number, as the JS SDK writes it
      fmt::format_to(std::back_inserter(*out), "{{\"intValue\":{}}}", value.integer);
      break;
    case AnyValue::Kind::kDouble:
      if (std::isnan(value.number)) {
        *out += "{\"doubleValue\":\"NaN\"}";
      } else if (std::isinf(value.number)) {
        *out +=
            value.number > 0 ? "{\"doubleValue\":\"Infinity\"}" : "{\"doubleValue\":\"-Infinity\"}";
      } else {
        fmt::format_to(std::back_inserter(*out), "{{\"doubleValue\":{}}}", value.number);
      }
      break;
    case AnyValue::Kind::kArray: {
      *out += "{\"arrayValue\":{\"values\":[";
      bool first = true;
      for (const AnyValue& item : value.array) {
        if (!first) *out += ',';
        first = false;
        AppendJsonAnyValue(out, item);
      }
      *out += "]}}";
      break;
    }
    case AnyValue::Kind::kKvList:
      *out += "{\"kvlistValue\":{\"values\":";
      AppendJsonKeyValues(out, value.kvlist);
      *out += "}}";
      break;
    case AnyValue::Kind::kBytes:
      *out += "{\"bytesValue\":\"" + Base64(value.text) + "\"}";
      break;
  }
}

inline void AppendJsonKeyValues(std::string* out, const std::vector<KeyValue>& list) {
  *out += '[';
  bool first = true;
  for (const KeyValue& kv : list) {
    if (!first) *out += ',';
    first = false;
    *out += "{\"key\":";
    AppendJsonString(out, kv.key);
    *out += ",\"value\":";
    AppendJsonAnyValue(out, kv.value);
    *out += '}';
  }
  *out += ']';
}

// The OTLP/JSON body of `request`, as the JS SDK writes one (times as strings, intValue as a
// number, zero values written).
inline std::string EncodeJson(const ExportRequest& request) {
  std::string out = "{\"resourceSpans\":[";
  bool first_rs = true;
  for (const ResourceSpans& rs : request.resource_spans) {
    if (!first_rs) out += ',';
    first_rs = false;
    out += "{\"resource\":{\"attributes\":";
    AppendJsonKeyValues(&out, rs.resource_attributes);
    out += ",\"droppedAttributesCount\":0},\"scopeSpans\":[";
    bool first_ss = true;
    for (const ScopeSpans& ss : rs.scope_spans) {
      if (!first_ss) out += ',';
      first_ss = false;
      out += "{\"scope\":{\"name\":";
      AppendJsonString(&out, ss.scope_name);
      out += ",\"version\":";
      AppendJsonString(&out, ss.scope_version);
      out += "},\"spans\":[";
      bool first_span = true;
      for (const Span& span : ss.spans) {
        if (!first_span) out += ',';
        first_span = false;
        out += '{';
        if (!span.trace_id.empty()) out += "\"traceId\":\"" + span.trace_id + "\",";
        if (!span.span_id.empty()) out += "\"spanId\":\"" + span.span_id + "\",";
        if (!span.parent_span_id.empty())
          out += "\"parentSpanId\":\"" + span.parent_span_id + "\",";
        out += "\"name\":";
        AppendJsonString(&out, span.name);
        fmt::format_to(std::back_inserter(out),
                       ",\"kind\":{},\"startTimeUnixNano\":\"{}\",\"endTimeUnixNano\":\"{}\","
                       "\"attributes\":",
                       span.kind, span.start_time_unix_nano, span.end_time_unix_nano);
        AppendJsonKeyValues(&out, span.attributes);
        out += ",\"droppedAttributesCount\":0,\"events\":[";
        bool first_event = true;
        for (const SpanEvent& event : span.events) {
          if (!first_event) out += ',';
          first_event = false;
          out += "{\"attributes\":";
          AppendJsonKeyValues(&out, event.attributes);
          out += ",\"name\":";
          AppendJsonString(&out, event.name);
          fmt::format_to(std::back_inserter(out), ",\"timeUnixNano\":\"{}\"}}",
                         event.time_unix_nano);
        }
        fmt::format_to(std::back_inserter(out), "],\"status\":{{\"code\":{}", span.status_code);
        if (!span.status_message.empty()) {
          out += ",\"message\":";
          AppendJsonString(&out, span.status_message);
        }
        out += "},\"links\":[],\"flags\":257}";
      }
      out += "],\"schemaUrl\":\"\"}";
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

// ---- comparison --------------------------------------------------------------------------

inline bool SameKeyValues(const std::vector<KeyValue>& a, const std::vector<KeyValue>& b,
                          const std::string& where, std::string* diff);

inline bool SameAnyValue(const AnyValue& a, const AnyValue& b, const std::string& where,
                         std::string* diff) {
  if (a.kind != b.kind) {
    *diff =
        fmt::format("{}: kind {} vs {}", where, static_cast<int>(a.kind), static_cast<int>(b.kind));
    return false;
  }
  switch (a.kind) {
    case AnyValue::Kind::kEmpty:
      return true;
    case AnyValue::Kind::kString:
    case AnyValue::Kind::kBytes:
      if (a.text != b.text) *diff = fmt::format("{}: \"{}\" vs \"{}\"", where, a.text, b.text);
      return a.text == b.text;
    case AnyValue::Kind::kBool:
      if (a.boolean != b.boolean) *diff = where + ": bool differs";
      return a.boolean == b.boolean;
    case AnyValue::Kind::kInt:
      if (a.integer != b.integer) *diff = fmt::format("{}: {} vs {}", where, a.integer, b.integer);
      return a.integer == b.integer;
    case AnyValue::Kind::kDouble: {
      const bool same = a.number == b.number || (std::isnan(a.number) && std::isnan(b.number));
      if (!same) *diff = fmt::format("{}: {} vs {}", where, a.number, b.number);
      return same;
    }
    case AnyValue::Kind::kArray:
      if (a.array.size() != b.array.size()) {
        *diff = fmt::format("{}: {} vs {} values", where, a.array.size(), b.array.size());
        return false;
      }
      for (size_t i = 0; i < a.array.size(); ++i) {
        if (!SameAnyValue(a.array[i], b.array[i], fmt::format("{}[{}]", where, i), diff)) {
          return false;
        }
      }
      return true;
    case AnyValue::Kind::kKvList:
      return SameKeyValues(a.kvlist, b.kvlist, where, diff);
  }
  return false;
}

inline bool SameKeyValues(const std::vector<KeyValue>& a, const std::vector<KeyValue>& b,
                          const std::string& where, std::string* diff) {
  if (a.size() != b.size()) {
    *diff = fmt::format("{}: {} vs {} attributes", where, a.size(), b.size());
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string at = fmt::format("{}[{}]", where, i);
    if (a[i].key != b[i].key) {
      *diff = fmt::format("{}.key: \"{}\" vs \"{}\"", at, a[i].key, b[i].key);
      return false;
    }
    if (!SameAnyValue(a[i].value, b[i].value, at + "(" + a[i].key + ")", diff)) return false;
  }
  return true;
}

// True when `a` and `b` hold the same spans, ids, names, times, attributes, events and status;
// of `problem` only whether it is empty is compared (its wording names the encoding's fields).
// Otherwise `*diff` says where they differ first.
inline bool SameModel(const ExportRequest& a, const ExportRequest& b, std::string* diff) {
#define TC_SAME_(x, y, what)                             \
  if ((x) != (y)) {                                      \
    *diff = fmt::format("{}: {} vs {}", what, (x), (y)); \
    return false;                                        \
  }
  TC_SAME_(a.span_count, b.span_count, "span_count");
  TC_SAME_(a.resource_spans.size(), b.resource_spans.size(), "resource_spans");
  for (size_t r = 0; r < a.resource_spans.size(); ++r) {
    const ResourceSpans& ra = a.resource_spans[r];
    const ResourceSpans& rb = b.resource_spans[r];
    const std::string rw = fmt::format("resource_spans[{}]", r);
    if (!SameKeyValues(ra.resource_attributes, rb.resource_attributes, rw + ".resource", diff)) {
      return false;
    }
    TC_SAME_(ra.scope_spans.size(), rb.scope_spans.size(), rw + ".scope_spans");
    for (size_t s = 0; s < ra.scope_spans.size(); ++s) {
      const ScopeSpans& sa = ra.scope_spans[s];
      const ScopeSpans& sb = rb.scope_spans[s];
      const std::string sw = fmt::format("{}.scope_spans[{}]", rw, s);
      TC_SAME_(sa.scope_name, sb.scope_name, sw + ".scope_name");
      TC_SAME_(sa.scope_version, sb.scope_version, sw + ".scope_version");
      TC_SAME_(sa.spans.size(), sb.spans.size(), sw + ".spans");
      for (size_t i = 0; i < sa.spans.size(); ++i) {
        const Span& x = sa.spans[i];
        const Span& y = sb.spans[i];
        const std::string w = fmt::format("{}.spans[{}]", sw, i);
        TC_SAME_(x.trace_id, y.trace_id, w + ".trace_id");
        TC_SAME_(x.span_id, y.span_id, w + ".span_id");
        TC_SAME_(x.parent_span_id, y.parent_span_id, w + ".parent_span_id");
        TC_SAME_(x.name, y.name, w + ".name");
        TC_SAME_(x.kind, y.kind, w + ".kind");
        TC_SAME_(x.start_time_unix_nano, y.start_time_unix_nano, w + ".start");
        TC_SAME_(x.end_time_unix_nano, y.end_time_unix_nano, w + ".end");
        TC_SAME_(x.status_code, y.status_code, w + ".status_code");
        TC_SAME_(x.status_message, y.status_message, w + ".status_message");
        TC_SAME_(x.problem.empty(), y.problem.empty(), w + ".problem.empty()");
        if (!SameKeyValues(x.attributes, y.attributes, w + ".attributes", diff)) return false;
        TC_SAME_(x.events.size(), y.events.size(), w + ".events");
        for (size_t e = 0; e < x.events.size(); ++e) {
          const std::string ew = fmt::format("{}.events[{}]", w, e);
          TC_SAME_(x.events[e].time_unix_nano, y.events[e].time_unix_nano, ew + ".time");
          TC_SAME_(x.events[e].name, y.events[e].name, ew + ".name");
          if (!SameKeyValues(x.events[e].attributes, y.events[e].attributes, ew + ".attributes",
                             diff)) {
            return false;
          }
        }
      }
    }
  }
#undef TC_SAME_
  return true;
}

}  // namespace tc::otlp::testing
