#pragma once

// OTLP/HTTP trace ingest (docs/otlp.md): which POST /v1/traces bodies are OTLP, their decoding
// (protobuf or OTLP/JSON) and mapping onto Tracing V3 records, and the OTLP answers. Pure: no
// I/O, thread-safe, throws nothing but std::bad_alloc.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "schema/records.h"

namespace tc::otlp {

enum class Encoding : uint8_t { kProtobuf, kJson };

inline constexpr std::string_view kProtobufContentType = "application/x-protobuf";

// Bounds a decoder enforces; a body beyond any of them is refused whole (kInvalidArgument, or
// kResourceExhausted for max_spans so the answer can be 413), before the memory is allocated.
struct DecodeLimits {
  size_t max_spans = 10000;           // spans in one request
  size_t max_string_bytes = 1 << 20;  // one string or bytes value, key, name
  size_t max_attributes = 1024;       // attributes of one span, event, resource or kvlist
  size_t max_events = 1024;           // events of one span
  size_t max_depth = 32;              // nesting of AnyValue arrays / kvlists
  // Values (attributes, array elements, events) in the whole request, each ~150 bytes of model
  // however few bytes it took on the wire; 0: 200 per span of max_spans, at least 100,000. The
  // HTTP handler sets it from the body's size (MaxValuesFor) so the model stays a small
  // multiple of the body.
  size_t max_values = 0;
  // Called with the model's bytes, in chunks of kChargeValues values, before the decoder makes
  // them (the HTTP handler charges them to the bodies-in-flight budget, so concurrent requests
  // cannot decode beyond it together). false: the decoder stops with kUnavailable (answer 429).
  // Empty: no charge.
  std::function<bool(size_t bytes)> charge;
};

// The model's weight of one decoded value (an attribute, array element or event: a KeyValue
// and its AnyValue), as DecodeLimits::charge counts it, and the charge's granularity.
inline constexpr size_t kModelBytesPerValue = 160;
inline constexpr size_t kChargeValues = 1024;

// The value budget of a body of `body_bytes`: one value per 16 bytes (no convention's
// attribute is shorter on the wire: its key alone is longer), plus 10,000.
inline size_t MaxValuesFor(size_t body_bytes) { return 10000 + body_bytes / 16; }
// The record budget of a body of `body_bytes`: one per 64 bytes (a message takes more on the
// wire), plus 10,000.
inline size_t MaxRecordsFor(size_t body_bytes) { return 10000 + body_bytes / 64; }

// How spans become records (the [otlp] settings).
struct MappingOptions {
  // Attribute keys naming a span's session, first present wins (span attributes, then the
  // resource's); none present: "otel-<trace id>".
  std::vector<std::string> session_attributes = {"gen_ai.conversation.id",
                                                 "session.id",
                                                 "langfuse.session.id",
                                                 "traceloop.association.properties.session_id",
                                                 "traceloop.association.properties.conversation_id",
                                                 "traceloop.association.properties.chat_id",
                                                 "traceloop.association.properties.thread_id",
                                                 "ai.telemetry.metadata.sessionId"};
  // Spans of no LLM convention (HTTP, databases, ...): dropped and counted (false), or stored
  // as runtime events (true).
  bool keep_other_spans = false;
  // Records one request may make (events, steps, messages: a span's content can hold many
  // messages); 0: no bound. Beyond it Convert answers kResourceExhausted (413).
  size_t max_records = 0;
};

// A POST /v1/traces body with Content-Type application/json is OTLP/JSON when its top level is
// an object with a member "resourceSpans" (a SessionTrace document never has one; a
// {"traces":[...]} batch neither). `padded_body` as for the decoders. Looks at the top-level
// keys only (values are skipped, not parsed).
bool IsOtlpJson(std::string_view padded_body);

// The records of one request and what became of its spans.
struct Conversion {
  std::vector<schema::Record> records;  // in span order; keys "~otlp/<trace>/<span>[/...]"
  std::vector<size_t> span_of_record;   // span_of_record[i]: the span (0-based) of records[i]
  size_t spans = 0;                     // in the request
  size_t llm_spans = 0;                 // mapped to cais events
  size_t rejected_spans = 0;            // could not be stored (invalid ids)
  size_t dropped_spans = 0;             // of no LLM convention, not kept
  std::string rejected_message;         // why the first rejected span was (empty if none)
};

// Decodes `body` and maps its spans. kInvalidArgument: the body is malformed (message: what and
// where); kResourceExhausted: more than limits.max_spans spans, limits.max_values values or
// options.max_records records.
Result<Conversion> Convert(std::string_view padded_body, Encoding encoding,
                           const DecodeLimits& limits, const MappingOptions& options);

// The 200 answer, an ExportTraceServiceResponse in `encoding`: empty (protobuf) or {} (JSON)
// when nothing was rejected, else partial_success{rejected_spans, error_message}.
std::string SuccessBody(Encoding encoding, int64_t rejected_spans, std::string_view message);

// An error answer's body, a google.rpc.Status{code, message} in `encoding` (`grpc_code`: 3
// INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE, ...).
std::string StatusBody(Encoding encoding, int grpc_code, std::string_view message);

}  // namespace tc::otlp
