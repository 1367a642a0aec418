// Classify (mapping.h): what kind of work a span records, by the first convention that says.

#include "attribute_index.h"
#include "mapping.h"

namespace tc::otlp {

SpanClass Classify(const Span& span) { return Classify(SpanAttributes(span.attributes)); }

SpanClass Classify(const SpanAttributes& a) {
  const std::optional<std::string_view> op = AsText(a.Get(Attr::kGenAiOperationName));
  const std::optional<std::string_view> oi = AsText(a.Get(Attr::kOpenInferenceSpanKind));
  const std::optional<std::string_view> request_type = AsText(a.Get(Attr::kLlmRequestType));
  const std::optional<std::string_view> traceloop = AsText(a.Get(Attr::kTraceloopSpanKind));
  // The Vercel AI SDK: the provider call ("...doGenerate"), its tool calls, and the call of
  // generateText & co. around them (a step: its usage repeats its calls').
  const std::optional<std::string_view> vercel = AsText(a.Get(Attr::kAiOperationId));
  if (OneOf(op, {"chat", "text_completion", "generate_content", "embeddings"}) ||
      OneOf(oi, {"LLM", "EMBEDDING"}) ||
      OneOf(request_type, {"chat", "completion", "embedding", "rerank"}) ||
      OneOf(vercel,
            {"ai.generateText.doGenerate", "ai.streamText.doStream", "ai.generateObject.doGenerate",
             "ai.streamObject.doStream", "ai.embed.doEmbed", "ai.embedMany.doEmbed"})) {
    return SpanClass::kLlm;
  }
  if (OneOf(op, {"execute_tool"}) || OneOf(oi, {"TOOL"}) || OneOf(traceloop, {"tool"}) ||
      OneOf(vercel, {"ai.toolCall"})) {
    return SpanClass::kTool;
  }
  if (OneOf(op, {"invoke_agent", "create_agent", "invoke_workflow"}) ||
      OneOf(oi, {"AGENT", "CHAIN"}) || OneOf(traceloop, {"workflow", "agent", "task"}) ||
      OneOf(vercel, {"ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject",
                     "ai.embed", "ai.embedMany"})) {
    return SpanClass::kAgent;
  }
  // An older instrumentation (gen_ai.system + a model, no operation name) is an LLM call too.
  if (!op && !oi && a.Get(Attr::kGenAiSystem) != nullptr &&
      (a.Get(Attr::kGenAiRequestModel) != nullptr || a.Get(Attr::kGenAiResponseModel) != nullptr)) {
    return SpanClass::kLlm;
  }
  if (op || oi || a.HasConventionKey()) return SpanClass::kOtherGenAi;
  return SpanClass::kUnrelated;
}

}  // namespace tc::otlp
