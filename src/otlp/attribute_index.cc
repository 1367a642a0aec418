// A span's attributes by key in one pass (attribute_index.h).

#include "attribute_index.h"

#include <cstring>

#include "mapping.h"

namespace tc::otlp {

namespace {

constexpr uint8_t kNoSlot = 0xff;

struct KnownKey {
  std::string_view key;
  uint8_t slot;  // an Attr, or kNoSlot (a key that is only mapped, never read by Get)
  bool mapped;   // stored in a column, the call record, the messages or metadata.tool
};

constexpr uint8_t S(Attr a) { return static_cast<uint8_t>(a); }

// Every key Get answers, and every key mapped.cc's metadata leaves out of otel.attributes.
constexpr KnownKey kKnownKeys[] = {
    {"gen_ai.operation.name", S(Attr::kGenAiOperationName), true},
    {"gen_ai.provider.name", S(Attr::kGenAiProviderName), true},
    {"gen_ai.system", S(Attr::kGenAiSystem), true},
    {"gen_ai.request.model", S(Attr::kGenAiRequestModel), true},
    {"gen_ai.response.model", S(Attr::kGenAiResponseModel), true},
    {"gen_ai.response.id", S(Attr::kGenAiResponseId), true},
    {"gen_ai.response.finish_reasons", S(Attr::kGenAiResponseFinishReasons), true},
    {"gen_ai.request.temperature", S(Attr::kGenAiRequestTemperature), true},
    {"gen_ai.request.top_p", S(Attr::kGenAiRequestTopP), true},
    {"gen_ai.request.top_k", S(Attr::kGenAiRequestTopK), true},
    {"gen_ai.request.max_tokens", S(Attr::kGenAiRequestMaxTokens), true},
    {"gen_ai.request.seed", S(Attr::kGenAiRequestSeed), true},
    {"gen_ai.request.frequency_penalty", S(Attr::kGenAiRequestFrequencyPenalty), true},
    {"gen_ai.request.presence_penalty", S(Attr::kGenAiRequestPresencePenalty), true},
    {"gen_ai.request.stop_sequences", S(Attr::kGenAiRequestStopSequences), true},
    {"gen_ai.usage.input_tokens", S(Attr::kGenAiUsageInputTokens), true},
    {"gen_ai.usage.output_tokens", S(Attr::kGenAiUsageOutputTokens), true},
    {"gen_ai.usage.prompt_tokens", S(Attr::kGenAiUsagePromptTokens), true},
    {"gen_ai.usage.completion_tokens", S(Attr::kGenAiUsageCompletionTokens), true},
    {"gen_ai.usage.total_tokens", S(Attr::kGenAiUsageTotalTokens), true},
    {"gen_ai.usage.cost", S(Attr::kGenAiUsageCost), true},
    {"gen_ai.usage.cache_read.input_tokens", S(Attr::kGenAiUsageCacheReadInputTokens), true},
    {"gen_ai.usage.reasoning.output_tokens", S(Attr::kGenAiUsageReasoningOutputTokens), true},
    {"gen_ai.input.messages", S(Attr::kGenAiInputMessages), true},
    {"gen_ai.output.messages", S(Attr::kGenAiOutputMessages), true},
    {"gen_ai.system_instructions", S(Attr::kGenAiSystemInstructions), true},
    {"gen_ai.agent.name", S(Attr::kGenAiAgentName), true},
    {"gen_ai.tool.name", S(Attr::kGenAiToolName), true},
    {"gen_ai.tool.call.id", S(Attr::kGenAiToolCallId), true},
    {"gen_ai.tool.call.arguments", S(Attr::kGenAiToolCallArguments), true},
    {"gen_ai.tool.call.result", S(Attr::kGenAiToolCallResult), true},
    {"gen_ai.conversation.id", kNoSlot, true},
    {"openinference.span.kind", S(Attr::kOpenInferenceSpanKind), true},
    {"llm.model_name", S(Attr::kLlmModelName), true},
    {"llm.response.model_name", S(Attr::kLlmResponseModelName), false},
    {"llm.request.model_name", S(Attr::kLlmRequestModelName), false},
    {"embedding.model_name", S(Attr::kEmbeddingModelName), false},
    {"llm.provider", S(Attr::kLlmProvider), true},
    {"llm.system", S(Attr::kLlmSystem), true},
    {"llm.token_count.prompt", S(Attr::kLlmTokenCountPrompt), true},
    {"llm.token_count.completion", S(Attr::kLlmTokenCountCompletion), true},
    {"llm.token_count.total", S(Attr::kLlmTokenCountTotal), true},
    {"llm.token_count.prompt_details.cache_read", S(Attr::kLlmTokenCountPromptCacheRead), true},
    {"llm.token_count.completion_details.reasoning", S(Attr::kLlmTokenCountCompletionReasoning),
     true},
    {"llm.usage.total_tokens", S(Attr::kLlmUsageTotalTokens), true},
    {"llm.cost.total", S(Attr::kLlmCostTotal), true},
    {"llm.cost.prompt", S(Attr::kLlmCostPrompt), true},
    {"llm.cost.completion", S(Attr::kLlmCostCompletion), true},
    {"llm.invocation_parameters", S(Attr::kLlmInvocationParameters), true},
    {"llm.request.type", S(Attr::kLlmRequestType), true},
    {"traceloop.span.kind", S(Attr::kTraceloopSpanKind), false},
    {"traceloop.entity.name", S(Attr::kTraceloopEntityName), false},
    {"traceloop.workflow.name", S(Attr::kTraceloopWorkflowName), false},
    {"traceloop.entity.input", S(Attr::kTraceloopEntityInput), false},
    {"traceloop.entity.output", S(Attr::kTraceloopEntityOutput), false},
    {"agent.name", S(Attr::kAgentName), false},
    {"tool.name", S(Attr::kToolName), false},
    {"tool.id", S(Attr::kToolId), false},
    {"input.value", S(Attr::kInputValue), false},
    {"output.value", S(Attr::kOutputValue), false},
    {"session.id", kNoSlot, true},
    {"synth.reward", S(Attr::kSynthReward), true},
    {"synth.terminated", S(Attr::kSynthTerminated), true},
    {"synth.truncated", S(Attr::kSynthTruncated), true},
    {"synth.step_id", S(Attr::kSynthStepId), true},
    {"synth.turn_number", S(Attr::kSynthTurnNumber), true},
    {"error.type", S(Attr::kErrorType), true},
    {"ai.operationId", S(Attr::kAiOperationId), false},
    {"ai.model.id", S(Attr::kAiModelId), false},
    {"ai.telemetry.functionId", S(Attr::kAiTelemetryFunctionId), false},
    {"ai.usage.promptTokens", S(Attr::kAiUsagePromptTokens), true},
    {"ai.usage.completionTokens", S(Attr::kAiUsageCompletionTokens), true},
    {"ai.prompt.messages", S(Attr::kAiPromptMessages), true},
    {"ai.response.text", S(Attr::kAiResponseText), true},
    {"ai.response.toolCalls", S(Attr::kAiResponseToolCalls), true},
    {"ai.response.id", S(Attr::kAiResponseId), true},
    {"ai.toolCall.name", S(Attr::kAiToolCallName), true},
    {"ai.toolCall.id", S(Attr::kAiToolCallId), true},
    {"ai.toolCall.args", S(Attr::kAiToolCallArgs), true},
    {"ai.toolCall.result", S(Attr::kAiToolCallResult), true},
    {"ai.telemetry.metadata.sessionId", kNoSlot, true},
};
static_assert(std::size(kKnownKeys) < kNoSlot);

// Keys not in kKnownKeys that are mapped: the request parameters, the indexed message forms.
constexpr std::string_view kMappedPrefixes[] = {"gen_ai.request.",      "gen_ai.prompt.",
                                                "gen_ai.completion.",   "llm.input_messages.",
                                                "llm.output_messages.", "llm.token_count."};
constexpr std::string_view kIndexedContentPrefixes[] = {
    "gen_ai.prompt.", "gen_ai.completion.", "llm.input_messages.", "llm.output_messages."};
constexpr std::string_view kConventionPrefixes[] = {"gen_ai.", "llm.", "openinference.",
                                                    "traceloop.", "synth."};

uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Mixes the length and two 8-byte windows (the last, the middle): the known keys share long
// prefixes ("gen_ai.usage.") and some share their ends ("_tokens").
size_t Hash(std::string_view key) {
  uint64_t h = key.size();
  if (key.size() >= 8) {
    h ^= Load8(key.data() + key.size() - 8);
    const uint64_t mid = Load8(key.data() + (key.size() - 8) / 2);
    h ^= (mid << 23) | (mid >> 41);
  } else {
    uint64_t v = 0;
    std::memcpy(&v, key.data(), key.size());
    h ^= v << 8;
  }
  return static_cast<size_t>((h * 0x9E3779B97F4A7C15ULL) >> 56);  // 0..255
}

// Open addressing over 256 buckets (kKnownKeys has ~70): bucket → index into kKnownKeys.
struct KeyTable {
  std::array<uint8_t, 256> buckets;
  KeyTable() {
    buckets.fill(kNoSlot);
    for (size_t i = 0; i < std::size(kKnownKeys); ++i) {
      size_t b = Hash(kKnownKeys[i].key);
      while (buckets[b] != kNoSlot) b = (b + 1) & 255;
      buckets[b] = static_cast<uint8_t>(i);
    }
  }
  const KnownKey* Lookup(std::string_view key) const {
    for (size_t b = Hash(key);; b = (b + 1) & 255) {
      const uint8_t i = buckets[b];
      if (i == kNoSlot) return nullptr;
      if (kKnownKeys[i].key == key) return &kKnownKeys[i];
    }
  }
};

const KeyTable& Table() {
  static const KeyTable table;
  return table;
}

bool StartsWithAny(std::string_view key, const std::string_view* prefixes, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (key.starts_with(prefixes[i])) return true;
  }
  return false;
}

}  // namespace

SpanAttributes::SpanAttributes(const std::vector<KeyValue>& attributes) {
  const KeyTable& table = Table();
  if (attributes.size() > 64) mapped_more_.resize(attributes.size() - 64);
  for (size_t i = 0; i < attributes.size(); ++i) {
    const std::string_view key = attributes[i].key;
    bool mapped;
    if (const KnownKey* known = table.Lookup(key)) {
      if (known->slot != kNoSlot) slots_[known->slot] = &attributes[i].value;  // the last wins
      mapped = known->mapped;
    } else {
      mapped = StartsWithAny(key, kMappedPrefixes, std::size(kMappedPrefixes));
      if (!indexed_content_) {
        indexed_content_ =
            StartsWithAny(key, kIndexedContentPrefixes, std::size(kIndexedContentPrefixes));
      }
    }
    if (i < 64) {
      mapped_first_ |= uint64_t{mapped} << i;
    } else {
      mapped_more_[i - 64] = mapped;
    }
    if (!convention_key_) {
      convention_key_ = StartsWithAny(key, kConventionPrefixes, std::size(kConventionPrefixes));
    }
  }
}

std::optional<std::string> FirstString(const SpanAttributes& attributes,
                                       std::initializer_list<Attr> keys) {
  for (Attr key : keys) {
    const AnyValue* v = attributes.Get(key);
    if (v != nullptr && v->kind == AnyValue::Kind::kString && !v->text.empty()) return v->text;
  }
  return std::nullopt;
}

std::optional<int64_t> FirstInt(const SpanAttributes& attributes,
                                std::initializer_list<Attr> keys) {
  for (Attr key : keys) {
    if (std::optional<int64_t> v = AsInt(attributes.Get(key))) return v;
  }
  return std::nullopt;
}

std::optional<double> FirstDouble(const SpanAttributes& attributes,
                                  std::initializer_list<Attr> keys) {
  for (Attr key : keys) {
    if (std::optional<double> v = AsDouble(attributes.Get(key))) return v;
  }
  return std::nullopt;
}

}  // namespace tc::otlp
