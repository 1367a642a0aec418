#pragma once

// The attributes of one span the mapping reads, found in one pass over its attribute list
// (mapping.cc looks up ~40 keys per span: a linear Find for each was ~600 key comparisons).
// Internal to src/otlp/.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"

namespace tc::otlp {

// Every span attribute key the mapping looks up (mapping.cc, content.cc).
enum class Attr : uint8_t {
  kGenAiOperationName,
  kGenAiProviderName,
  kGenAiSystem,
  kGenAiRequestModel,
  kGenAiResponseModel,
  kGenAiResponseId,
  kGenAiResponseFinishReasons,
  kGenAiRequestTemperature,
  kGenAiRequestTopP,
  kGenAiRequestTopK,
  kGenAiRequestMaxTokens,
  kGenAiRequestSeed,
  kGenAiRequestFrequencyPenalty,
  kGenAiRequestPresencePenalty,
  kGenAiRequestStopSequences,
  kGenAiUsageInputTokens,
  kGenAiUsageOutputTokens,
  kGenAiUsagePromptTokens,
  kGenAiUsageCompletionTokens,
  kGenAiUsageTotalTokens,
  kGenAiUsageCost,
  kGenAiUsageCacheReadInputTokens,
  kGenAiUsageReasoningOutputTokens,
  kGenAiInputMessages,
  kGenAiOutputMessages,
  kGenAiSystemInstructions,
  kGenAiAgentName,
  kGenAiToolName,
  kGenAiToolCallId,
  kGenAiToolCallArguments,
  kGenAiToolCallResult,
  kOpenInferenceSpanKind,
  kLlmModelName,
  kLlmResponseModelName,
  kLlmRequestModelName,
  kEmbeddingModelName,
  kLlmProvider,
  kLlmSystem,
  kLlmTokenCountPrompt,
  kLlmTokenCountCompletion,
  kLlmTokenCountTotal,
  kLlmTokenCountPromptCacheRead,
  kLlmTokenCountCompletionReasoning,
  kLlmUsageTotalTokens,
  kLlmCostTotal,
  kLlmCostPrompt,
  kLlmCostCompletion,
  kLlmInvocationParameters,
  kLlmRequestType,
  kTraceloopSpanKind,
  kTraceloopEntityName,
  kTraceloopWorkflowName,
  kTraceloopEntityInput,
  kTraceloopEntityOutput,
  kAgentName,
  kToolName,
  kToolId,
  kInputValue,
  kOutputValue,
  kSynthReward,
  kSynthTerminated,
  kSynthTruncated,
  kSynthStepId,
  kSynthTurnNumber,
  kErrorType,
  // The Vercel AI SDK (experimental_telemetry).
  kAiOperationId,
  kAiModelId,
  kAiTelemetryFunctionId,
  kAiUsagePromptTokens,
  kAiUsageCompletionTokens,
  kAiPromptMessages,
  kAiResponseText,
  kAiResponseToolCalls,
  kAiResponseId,
  kAiToolCallName,
  kAiToolCallId,
  kAiToolCallArgs,
  kAiToolCallResult,
  kCount
};

// A span's attributes by Attr (the last of a repeated key wins, as with Find), and for each
// attribute of the list whether the mapping stores it in a column, the call record, the
// messages or metadata.tool (the others go to metadata.otel.attributes).
class SpanAttributes {
 public:
  // Keeps pointers into `attributes`, which must outlive it (a temporary cannot be given).
  explicit SpanAttributes(const std::vector<KeyValue>& attributes);
  explicit SpanAttributes(std::vector<KeyValue>&&) = delete;

  const AnyValue* Get(Attr key) const { return slots_[static_cast<size_t>(key)]; }
  // Whether attributes[i] (of the list given to the constructor) is mapped (mapping.cc IsMapped).
  bool Mapped(size_t i) const {
    if (i < 64) return (mapped_first_ >> i) & 1;
    return i - 64 < mapped_more_.size() && mapped_more_[i - 64];
  }
  // Whether any key starts with gen_ai., llm., openinference., traceloop. or synth.
  bool HasConventionKey() const { return convention_key_; }
  // Whether any key starts with gen_ai.prompt., gen_ai.completion., llm.input_messages. or
  // llm.output_messages. (content.cc's indexed message forms).
  bool HasIndexedContent() const { return indexed_content_; }

 private:
  std::array<const AnyValue*, static_cast<size_t>(Attr::kCount)> slots_{};
  uint64_t mapped_first_ = 0;      // attributes 0..63 (no allocation for a usual span)
  std::vector<bool> mapped_more_;  // 64..
  bool convention_key_ = false;
  bool indexed_content_ = false;
};

// The first of `keys` present as a non-empty string / an integer / a number (AsString, AsInt,
// AsDouble in mapping.h).
std::optional<std::string> FirstString(const SpanAttributes& attributes,
                                       std::initializer_list<Attr> keys);
std::optional<int64_t> FirstInt(const SpanAttributes& attributes, std::initializer_list<Attr> keys);
std::optional<double> FirstDouble(const SpanAttributes& attributes,
                                  std::initializer_list<Attr> keys);

}  // namespace tc::otlp
