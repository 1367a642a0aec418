// DecodeProtobuf: an ExportTraceServiceRequest (application/x-protobuf) into the model, with
// libprotozero. Field numbers: docs/otlp design §1.4. Every field is read by its number after
// its wire type was checked (protozero's typed getters assume the right one); unknown fields
// are skipped by wire type; fields come in any order, a repeated singular field overwrites (a
// scalar) or merges (a message), a repeated field appends. protozero throws on malformed
// framing; the entry point turns that, and our own refusals, into a Status naming the field
// path and the byte offset of the field being read.

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <protozero/exception.hpp>
#include <protozero/pbf_reader.hpp>
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
using protozero::pbf_reader;
using protozero::pbf_wire_type;

constexpr pbf_wire_type kVarint = pbf_wire_type::varint;
constexpr pbf_wire_type kI64 = pbf_wire_type::fixed64;
constexpr pbf_wire_type kLen = pbf_wire_type::length_delimited;
constexpr pbf_wire_type kI32 = pbf_wire_type::fixed32;

const char* WireTypeName(pbf_wire_type type) {
  switch (type) {
    case kVarint:
      return "varint";
    case kI64:
      return "64-bit";
    case kLen:
      return "length-delimited";
    case kI32:
      return "32-bit";
    default:
      return "unknown";
  }
}

std::string_view View(protozero::data_view view) { return {view.data(), view.size()}; }

// UTF-8 validity; most keys and values are short and ASCII, checked 8 bytes at a time before
// simdjson's validator (whose dispatch costs more than such a string) is called.
bool IsUtf8(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  for (; end - p >= 8; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if (word & 0x8080808080808080u) return simdjson::validate_utf8(text.data(), text.size());
  }
  for (; p < end; ++p) {
    if (static_cast<unsigned char>(*p) >= 0x80) {
      return simdjson::validate_utf8(text.data(), text.size());
    }
  }
  return true;
}

class ProtoDecoder {
 public:
  ProtoDecoder(std::string_view body, const DecodeLimits& limits)
      : body_(body),
        limits_(limits),
        max_depth_(internal::EffectiveMaxDepth(limits)),
        budget_(limits),
        at_(body.data()) {}

  ExportRequest Decode() {
    ExportRequest request;
    pbf_reader message(body_.data(), body_.size());
    size_t index = 0;
    while (Next(message)) {
      if (message.tag() == 1) {
        const protozero::data_view bytes = Message(message, "resource_spans");
        path_.Push("resource_spans", index++);
        ResourceSpans& resource_spans = request.resource_spans.emplace_back();
        DecodeResourceSpans(bytes, &resource_spans, &request.span_count);
        if (resource_spans.scope_spans.empty()) request.resource_spans.pop_back();
        path_.Pop();
      } else {
        message.skip();
      }
    }
    return request;
  }

  // A refusal for malformed framing that protozero found (`what`), at the field being read.
  Status Malformed(std::string_view what) const {
    return Status::InvalidArgument(
        fmt::format("{}: {} at byte {}", path_.Render(field_, "request"), what, Offset()));
  }

 private:
  size_t Offset() const { return static_cast<size_t>(at_ - body_.data()); }

  [[noreturn]] void Invalid(std::string_view field, std::string_view what) const {
    internal::ThrowInvalid(path_.Render(field, "request"),
                           fmt::format("{} (field at byte {})", what, Offset()));
  }
  [[noreturn]] void TooLarge(std::string_view what) const {
    internal::ThrowTooLarge(path_.Render({}, "request"),
                            fmt::format("{} (field at byte {})", what, Offset()));
  }

  // The next field of `message` (false at its end); remembers where it starts for errors.
  bool Next(pbf_reader& message) {
    at_ = message.data().data();
    field_ = {};
    return message.next();
  }

  void Expect(const pbf_reader& message, pbf_wire_type type, const char* field) {
    field_ = field;
    if (message.wire_type() != type) {
      Invalid(field,
              fmt::format("wire type {} ({}), expected {} ({})",
                          static_cast<int>(message.wire_type()), WireTypeName(message.wire_type()),
                          static_cast<int>(type), WireTypeName(type)));
    }
  }

  // Typed reads of the current field, after its wire type is checked.
  protozero::data_view Message(pbf_reader& message, const char* field) {
    Expect(message, kLen, field);
    return message.get_view();
  }
  // An id: any length is read (one of the wrong length is the span's problem, not an error),
  // and none is copied unless valid.
  std::string_view Id(pbf_reader& message, const char* field) {
    Expect(message, kLen, field);
    return View(message.get_view());
  }
  std::string_view Bytes(pbf_reader& message, const char* field) {
    Expect(message, kLen, field);
    const std::string_view bytes = View(message.get_view());
    if (bytes.size() > limits_.max_string_bytes) {
      Invalid(field, fmt::format("{} bytes, more than max_string_bytes ({})", bytes.size(),
                                 limits_.max_string_bytes));
    }
    return bytes;
  }
  std::string_view String(pbf_reader& message, const char* field) {
    const std::string_view text = Bytes(message, field);
    if (!IsUtf8(text)) Invalid(field, "not valid UTF-8");
    return text;
  }
  uint64_t Varint(pbf_reader& message, const char* field) {
    Expect(message, kVarint, field);
    return message.get_uint64();
  }
  uint64_t Fixed64(pbf_reader& message, const char* field) {
    Expect(message, kI64, field);
    return message.get_fixed64();
  }
  double Double(pbf_reader& message, const char* field) {
    Expect(message, kI64, field);
    return message.get_double();
  }
  // A known field this decoder does not keep: its wire type is still checked.
  void Skip(pbf_reader& message, pbf_wire_type type, const char* field) {
    Expect(message, type, field);
    message.skip();
  }

  // How many fields numbered `a` (first) and `b` (second) `message` has; one pass that skips
  // their contents, so that limits are checked and vectors reserved before decoding them.
  // Malformed framing ends the count where it is: the decoding pass reads the same fields up
  // to there, then fails on the same bytes, naming the field.
  std::pair<size_t, size_t> Count(protozero::data_view message, uint32_t a, uint32_t b = 0) {
    std::pair<size_t, size_t> counts{0, 0};
    pbf_reader reader(message);
    try {
      while (reader.next()) {
        if (reader.tag() == a) {
          ++counts.first;
        } else if (reader.tag() == b) {
          ++counts.second;
        }
        reader.skip();
      }
    } catch (const protozero::exception&) {
    }
    return counts;
  }

  // `more` values going into a vector of `have`, against `limit` (named `limit_name`) and the
  // request's budget.
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

  void DecodeResourceSpans(protozero::data_view bytes, ResourceSpans* out, size_t* span_count) {
    pbf_reader message(bytes);
    size_t index = 0;
    while (Next(message)) {
      switch (message.tag()) {
        case 1: {
          const protozero::data_view resource = Message(message, "resource");
          path_.Push("resource");
          DecodeResource(resource, out);
          path_.Pop();
          break;
        }
        case 2: {
          const protozero::data_view scope_bytes = Message(message, "scope_spans");
          path_.Push("scope_spans", index++);
          ScopeSpans& scope_spans = out->scope_spans.emplace_back();
          DecodeScopeSpans(scope_bytes, &scope_spans, span_count);
          if (scope_spans.spans.empty()) out->scope_spans.pop_back();
          path_.Pop();
          break;
        }
        case 3:
          Skip(message, kLen, "schema_url");
          break;
        default:
          message.skip();
      }
    }
  }

  void DecodeResource(protozero::data_view bytes, ResourceSpans* out) {
    const size_t count = Count(bytes, 1).first;
    CheckValues(out->resource_attributes.size(), count, limits_.max_attributes, "attributes",
                "max_attributes");
    out->resource_attributes.reserve(out->resource_attributes.size() + count);
    pbf_reader message(bytes);
    size_t index = 0;
    while (Next(message)) {
      switch (message.tag()) {
        case 1: {
          const protozero::data_view sub = Message(message, "attributes");
          path_.Push("attributes", index++);
          DecodeKeyValue(sub, &out->resource_attributes.emplace_back(), 0);
          path_.Pop();
          break;
        }
        case 2:
          Skip(message, kVarint, "dropped_attributes_count");
          break;
        case 3:
          Skip(message, kLen, "entity_refs");
          break;
        default:
          message.skip();
      }
    }
  }

  void DecodeScopeSpans(protozero::data_view bytes, ScopeSpans* out, size_t* span_count) {
    const size_t count = Count(bytes, 2).first;
    if (!budget_.TakeSpans(count)) {
      TooLarge(fmt::format("more than max_spans ({}) spans in the request", limits_.max_spans));
    }
    out->spans.reserve(out->spans.size() + count);
    pbf_reader message(bytes);
    size_t index = 0;
    while (Next(message)) {
      switch (message.tag()) {
        case 1: {
          const protozero::data_view sub = Message(message, "scope");
          path_.Push("scope");
          DecodeScope(sub, out);
          path_.Pop();
          break;
        }
        case 2: {
          const protozero::data_view sub = Message(message, "spans");
          path_.Push("spans", index++);
          DecodeSpan(sub, &out->spans.emplace_back());
          path_.Pop();
          ++*span_count;
          break;
        }
        case 3:
          Skip(message, kLen, "schema_url");
          break;
        default:
          message.skip();
      }
    }
  }

  void DecodeScope(protozero::data_view bytes, ScopeSpans* out) {
    pbf_reader message(bytes);
    while (Next(message)) {
      switch (message.tag()) {
        case 1:
          out->scope_name.assign(String(message, "name"));
          break;
        case 2:
          out->scope_version.assign(String(message, "version"));
          break;
        case 3:
          Skip(message, kLen, "attributes");
          break;
        case 4:
          Skip(message, kVarint, "dropped_attributes_count");
          break;
        default:
          message.skip();
      }
    }
  }

  void DecodeSpan(protozero::data_view bytes, Span* out) {
    const auto [attributes, events] = Count(bytes, 9, 11);
    CheckValues(0, attributes, limits_.max_attributes, "attributes", "max_attributes");
    CheckValues(0, events, limits_.max_events, "events", "max_events");
    out->attributes.reserve(attributes);
    out->events.reserve(events);
    std::string_view trace_id;
    std::string_view span_id;
    std::string_view parent_span_id;
    size_t attribute_index = 0;
    size_t event_index = 0;
    pbf_reader message(bytes);
    while (Next(message)) {
      switch (message.tag()) {
        case 1:
          trace_id = Id(message, "trace_id");
          break;
        case 2:
          span_id = Id(message, "span_id");
          break;
        case 3:
          Skip(message, kLen, "trace_state");
          break;
        case 4:
          parent_span_id = Id(message, "parent_span_id");
          break;
        case 5:
          out->name.assign(String(message, "name"));
          break;
        case 6:
          out->kind = static_cast<int32_t>(Varint(message, "kind"));
          break;
        case 7:
          out->start_time_unix_nano = Fixed64(message, "start_time_unix_nano");
          break;
        case 8:
          out->end_time_unix_nano = Fixed64(message, "end_time_unix_nano");
          break;
        case 9: {
          const protozero::data_view sub = Message(message, "attributes");
          path_.Push("attributes", attribute_index++);
          DecodeKeyValue(sub, &out->attributes.emplace_back(), 0);
          path_.Pop();
          break;
        }
        case 10:
          Skip(message, kVarint, "dropped_attributes_count");
          break;
        case 11: {
          const protozero::data_view sub = Message(message, "events");
          path_.Push("events", event_index++);
          DecodeEvent(sub, &out->events.emplace_back());
          path_.Pop();
          break;
        }
        case 12:
          Skip(message, kVarint, "dropped_events_count");
          break;
        case 13:
          Skip(message, kLen, "links");
          break;
        case 14:
          Skip(message, kVarint, "dropped_links_count");
          break;
        case 15: {
          const protozero::data_view sub = Message(message, "status");
          path_.Push("status");
          DecodeStatus(sub, out);
          path_.Pop();
          break;
        }
        case 16:
          Skip(message, kI32, "flags");
          break;
        default:
          message.skip();
      }
    }
    SetIds(trace_id, span_id, parent_span_id, out);
  }

  // The ids in hex, or the span's problem (its ids are then left empty).
  void SetIds(std::string_view trace_id, std::string_view span_id, std::string_view parent_span_id,
              Span* out) {
    const auto all_zero = [](std::string_view bytes) {
      return bytes.find_first_not_of('\0') == std::string_view::npos;
    };
    std::string problem = internal::IdProblem(trace_id.size(), all_zero(trace_id), 16);
    const char* field = "trace_id";
    if (problem.empty()) {
      problem = internal::IdProblem(span_id.size(), all_zero(span_id), 8);
      field = "span_id";
    }
    // An absent or all-zero parent is a root span.
    if (problem.empty() && !parent_span_id.empty() && !all_zero(parent_span_id)) {
      problem = internal::IdProblem(parent_span_id.size(), false, 8);
      field = "parent_span_id";
    }
    if (!problem.empty()) {
      out->problem = path_.Render(field, "span") + ": " + problem;
      return;
    }
    internal::AppendHex(trace_id, &out->trace_id);
    internal::AppendHex(span_id, &out->span_id);
    if (!parent_span_id.empty() && !all_zero(parent_span_id)) {
      internal::AppendHex(parent_span_id, &out->parent_span_id);
    }
  }

  void DecodeEvent(protozero::data_view bytes, SpanEvent* out) {
    const size_t count = Count(bytes, 3).first;
    CheckValues(0, count, limits_.max_attributes, "attributes", "max_attributes");
    out->attributes.reserve(count);
    size_t index = 0;
    pbf_reader message(bytes);
    while (Next(message)) {
      switch (message.tag()) {
        case 1:
          out->time_unix_nano = Fixed64(message, "time_unix_nano");
          break;
        case 2:
          out->name.assign(String(message, "name"));
          break;
        case 3: {
          const protozero::data_view sub = Message(message, "attributes");
          path_.Push("attributes", index++);
          DecodeKeyValue(sub, &out->attributes.emplace_back(), 0);
          path_.Pop();
          break;
        }
        case 4:
          Skip(message, kVarint, "dropped_attributes_count");
          break;
        default:
          message.skip();
      }
    }
  }

  void DecodeStatus(protozero::data_view bytes, Span* out) {
    pbf_reader message(bytes);
    while (Next(message)) {
      switch (message.tag()) {
        case 2:
          out->status_message.assign(String(message, "message"));
          break;
        case 3:
          out->status_code = static_cast<int32_t>(Varint(message, "code"));
          break;
        default:
          message.skip();
      }
    }
  }

  // `depth`: the array/kvlist levels around this KeyValue.
  void DecodeKeyValue(protozero::data_view bytes, KeyValue* out, size_t depth) {
    pbf_reader message(bytes);
    while (Next(message)) {
      switch (message.tag()) {
        case 1:
          out->key.assign(String(message, "key"));
          break;
        case 2: {
          const protozero::data_view sub = Message(message, "value");
          path_.Push("value");
          DecodeAnyValue(sub, &out->value, depth);
          path_.Pop();
          break;
        }
        case 3:
          Skip(message, kVarint, "key_strindex");
          break;
        default:
          message.skip();
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

  void DecodeAnyValue(protozero::data_view bytes, AnyValue* out, size_t depth) {
    pbf_reader message(bytes);
    while (Next(message)) {
      switch (message.tag()) {
        case 1: {
          const std::string_view text = String(message, "string_value");
          Reset(out, AnyValue::Kind::kString);
          out->text.assign(text);
          break;
        }
        case 2: {
          const bool value = Varint(message, "bool_value") != 0;
          Reset(out, AnyValue::Kind::kBool);
          out->boolean = value;
          break;
        }
        case 3: {
          const auto value = static_cast<int64_t>(Varint(message, "int_value"));
          Reset(out, AnyValue::Kind::kInt);
          out->integer = value;
          break;
        }
        case 4: {
          const double value = Double(message, "double_value");
          Reset(out, AnyValue::Kind::kDouble);
          out->number = value;
          break;
        }
        case 5: {
          const protozero::data_view array = Message(message, "array_value");
          if (depth >= max_depth_) Invalid("array_value", NestingError());
          if (out->kind != AnyValue::Kind::kArray) Reset(out, AnyValue::Kind::kArray);
          path_.Push("array_value");
          DecodeArray(array, &out->array, depth + 1);
          path_.Pop();
          break;
        }
        case 6: {
          const protozero::data_view kvlist = Message(message, "kvlist_value");
          if (depth >= max_depth_) Invalid("kvlist_value", NestingError());
          if (out->kind != AnyValue::Kind::kKvList) Reset(out, AnyValue::Kind::kKvList);
          path_.Push("kvlist_value");
          DecodeKvList(kvlist, &out->kvlist, depth + 1);
          path_.Pop();
          break;
        }
        case 7: {
          const std::string_view value = Bytes(message, "bytes_value");
          Reset(out, AnyValue::Kind::kBytes);
          out->text.assign(value);
          break;
        }
        case 8:
          Skip(message, kVarint, "string_value_strindex");
          break;
        default:
          message.skip();
      }
    }
  }

  std::string NestingError() const {
    return fmt::format("arrays and kvlists nested deeper than max_depth ({})", max_depth_);
  }

  void DecodeArray(protozero::data_view bytes, std::vector<AnyValue>* out, size_t depth) {
    const size_t count = Count(bytes, 1).first;
    CheckValues(out->size(), count, limits_.max_attributes, "values", "max_attributes");
    out->reserve(out->size() + count);
    size_t index = 0;
    pbf_reader message(bytes);
    while (Next(message)) {
      if (message.tag() == 1) {
        const protozero::data_view sub = Message(message, "values");
        path_.Push("values", index++);
        DecodeAnyValue(sub, &out->emplace_back(), depth);
        path_.Pop();
      } else {
        message.skip();
      }
    }
  }

  void DecodeKvList(protozero::data_view bytes, std::vector<KeyValue>* out, size_t depth) {
    const size_t count = Count(bytes, 1).first;
    CheckValues(out->size(), count, limits_.max_attributes, "values", "max_attributes");
    out->reserve(out->size() + count);
    size_t index = 0;
    pbf_reader message(bytes);
    while (Next(message)) {
      if (message.tag() == 1) {
        const protozero::data_view sub = Message(message, "values");
        path_.Push("values", index++);
        DecodeKeyValue(sub, &out->emplace_back(), depth);
        path_.Pop();
      } else {
        message.skip();
      }
    }
  }

  std::string_view body_;
  const DecodeLimits& limits_;
  const size_t max_depth_;
  Budget budget_;
  Path path_;
  const char* at_;          // start of the field being read
  std::string_view field_;  // its name once known
};

}  // namespace

Result<ExportRequest> DecodeProtobuf(std::string_view body, const DecodeLimits& limits) {
  ProtoDecoder decoder(body, limits);
  try {
    return decoder.Decode();
  } catch (const DecodeFailure& failure) {
    return failure.status;
  } catch (const protozero::end_of_buffer_exception&) {
    return decoder.Malformed(
        "truncated (a varint, length or value runs past the end of its "
        "message)");
  } catch (const protozero::varint_too_long_exception&) {
    return decoder.Malformed("varint longer than 10 bytes");
  } catch (const protozero::unknown_pbf_wire_type_exception&) {
    return decoder.Malformed("unknown wire type (groups are not supported)");
  } catch (const protozero::invalid_tag_exception&) {
    return decoder.Malformed("invalid field number (0 or 19000-19999)");
  } catch (const protozero::exception& e) {
    return decoder.Malformed(e.what());
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory while decoding the request");
  }
}

}  // namespace tc::otlp
