#pragma once

// An OTLP ExportTraceServiceRequest as the decoders (decode_proto.cc, decode_json.cc) give it
// to the mapping (mapping.cc): the fields the collector uses, with ids already in lower-case hex.
// Internal to src/otlp/.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "otlp/otlp.h"  // DecodeLimits

namespace tc::otlp {

struct KeyValue;

// opentelemetry.proto.common.v1.AnyValue.
struct AnyValue {
  enum class Kind : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kArray, kKvList, kBytes };
  Kind kind = Kind::kEmpty;
  std::string text;  // kString: the string; kBytes: the raw bytes
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  std::vector<AnyValue> array;  // kArray
  std::vector<KeyValue> kvlist;  // kKvList
};

struct KeyValue {
  std::string key;
  AnyValue value;
};

struct SpanEvent {
  uint64_t time_unix_nano = 0;
  std::string name;
  std::vector<KeyValue> attributes;
};

struct Span {
  std::string trace_id;        // 32 lower-case hex digits when valid
  std::string span_id;         // 16 lower-case hex digits when valid
  std::string parent_span_id;  // 16 hex digits, or empty (a root span)
  std::string name;
  int kind = 0;  // SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  std::vector<KeyValue> attributes;
  std::vector<SpanEvent> events;
  int status_code = 0;  // 0 unset, 1 ok, 2 error
  std::string status_message;
  // Why this span cannot be stored (its ids are missing, of the wrong length or all zero),
  // as "spans[3].traceId: must be 16 bytes"; empty when it can. The mapping counts such spans
  // in partial_success.rejected_spans; the other spans of the request are stored.
  std::string problem;
};

struct ScopeSpans {
  std::string scope_name;
  std::string scope_version;
  std::vector<Span> spans;
};

struct ResourceSpans {
  std::vector<KeyValue> resource_attributes;
  std::vector<ScopeSpans> scope_spans;
};

struct ExportRequest {
  std::vector<ResourceSpans> resource_spans;
  size_t span_count = 0;  // spans in all of resource_spans
};

// Protobuf (application/x-protobuf). Fields in any order, unknown fields skipped by wire type,
// zero values written explicitly accepted. kInvalidArgument (message: what and where, e.g.
// "resource_spans[0].scope_spans[0].spans[2]: truncated varint at byte 812") for anything
// malformed: truncated varints or lengths, a length past the end, a wrong wire type for a known
// field, nesting deeper than max_depth, a limit exceeded.
Result<ExportRequest> DecodeProtobuf(std::string_view body, const DecodeLimits& limits);

// OTLP/JSON (application/json with a top-level "resourceSpans"). `padded_body` has
// simdjson::SIMDJSON_PADDING readable bytes after its end. The OTLP deviations from the proto3
// JSON mapping: traceId/spanId/parentSpanId in hex (any case), enums as integers, 64-bit
// integers (times, intValue) as decimal strings or numbers; lowerCamelCase keys only; unknown
// keys ignored. kInvalidArgument with the JSON path ("resourceSpans[0].scopeSpans[0].spans[2].
// startTimeUnixNano: not an integer") for anything malformed or over a limit.
Result<ExportRequest> DecodeJson(std::string_view padded_body, const DecodeLimits& limits);

}  // namespace tc::otlp
