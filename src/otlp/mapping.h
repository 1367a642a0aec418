#pragma once

// Decoded OTLP spans → Tracing V3 records (docs/otlp.md has the table this follows). Internal
// to src/otlp/.

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attribute_index.h"
#include "common/json_writer.h"
#include "model.h"
#include "otlp/otlp.h"

namespace tc::otlp {

// What kind of work a span records, by the first convention that says (GenAI
// gen_ai.operation.name, OpenInference openinference.span.kind, OpenLLMetry llm.request.type /
// traceloop.span.kind).
enum class SpanClass { kLlm, kTool, kAgent, kOtherGenAi, kUnrelated };

SpanClass Classify(const Span& span);
SpanClass Classify(const SpanAttributes& attributes);  // of one span

// The records of every span of `request` (Conversion's fields other than the decoder's).
Conversion MapSpans(const ExportRequest& request, const MappingOptions& options);

// Attribute access shared by the mapping's parts.
const AnyValue* Find(const std::vector<KeyValue>& attributes, std::string_view key);
std::optional<std::string> AsString(const AnyValue* value);  // strings only
std::optional<std::string_view> AsText(const AnyValue* value);  // strings only, not copied
// Whether `value` is present and one of `set`.
template <typename Text>  // std::string or std::string_view
bool OneOf(const std::optional<Text>& value, std::initializer_list<std::string_view> set) {
  if (!value) return false;
  return std::find(set.begin(), set.end(), std::string_view(*value)) != set.end();
}
std::optional<int64_t> AsInt(const AnyValue* value);    // ints, integral doubles, numeric strings
std::optional<double> AsDouble(const AnyValue* value);  // numbers, numeric strings
// `value` as JSON text: strings, numbers, booleans, arrays, objects (kvlists); bytes as base64.
std::string ToJson(const AnyValue& value);
// A span time as IsoUtcFromUnixSeconds(unix_nanos / 1e9) writes it, without its gmtime_r and
// fmt ("2025-03-04T10:15:01.120000+00:00"); nullopt for 0 (unset).
std::optional<std::string> IsoFromUnixNanos(uint64_t unix_nanos);
void WriteValue(JsonWriter& json, const AnyValue& value);

// One message a span's content attributes carry, in any of the conventions' forms.
struct ContentMessage {
  std::string role;     // user, system, developer, assistant, tool
  std::string kind;     // "text", "tool_call", "tool_call_response"
  std::string content;  // the text, or compact JSON of a tool call / response
};
struct SpanContent {
  std::vector<ContentMessage> input;
  std::vector<ContentMessage> output;
};
// gen_ai.system_instructions + gen_ai.input/output.messages (JSON text or structured), else
// OpenLLMetry gen_ai.prompt.N / gen_ai.completion.N, else OpenInference llm.input_messages.N /
// llm.output_messages.N (indexes sorted numerically).
SpanContent ExtractContent(const Span& span);
SpanContent ExtractContent(const Span& span, const SpanAttributes& attributes);  // the span's

}  // namespace tc::otlp
