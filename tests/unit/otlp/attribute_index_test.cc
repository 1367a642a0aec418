// A span's attributes by key in one pass (otlp/attribute_index.h): every key the mapping reads
// is found, the last of a repeated key wins, and which attributes metadata.otel.attributes
// leaves out (the mapped ones).

#include "otlp/attribute_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "otlp_writer.h"

namespace tc::otlp {
namespace {

using testing::Int;
using testing::Str;

TEST(OtlpSpanAttributesTest, FindsEachKeyTheMappingReadsAndNothingElse) {
  const std::vector<std::pair<std::string, Attr>> keys = {
      {"gen_ai.operation.name", Attr::kGenAiOperationName},
      {"gen_ai.usage.input_tokens", Attr::kGenAiUsageInputTokens},
      {"gen_ai.usage.output_tokens", Attr::kGenAiUsageOutputTokens},
      {"gen_ai.usage.prompt_tokens", Attr::kGenAiUsagePromptTokens},  // same length and end
      {"llm.token_count.completion_details.reasoning", Attr::kLlmTokenCountCompletionReasoning},
      {"tool.id", Attr::kToolId},  // shorter than 8 bytes
      {"synth.step_id", Attr::kSynthStepId},
      {"error.type", Attr::kErrorType},
  };
  std::vector<KeyValue> attributes;
  for (size_t i = 0; i < keys.size(); ++i) {
    attributes.push_back({keys[i].first, Int(static_cast<int64_t>(i))});
  }
  attributes.push_back({"gen_ai.usage.input_tokenz", Int(99)});  // not a known key
  attributes.push_back({"tool.i", Int(99)});
  const SpanAttributes index(attributes);
  for (size_t i = 0; i < keys.size(); ++i) {
    const AnyValue* v = index.Get(keys[i].second);
    ASSERT_NE(v, nullptr) << keys[i].first;
    EXPECT_EQ(v->integer, static_cast<int64_t>(i)) << keys[i].first;
  }
  EXPECT_EQ(index.Get(Attr::kGenAiSystem), nullptr);
  EXPECT_EQ(index.Get(Attr::kToolName), nullptr);
}

TEST(OtlpSpanAttributesTest, TheLastOfARepeatedKeyWins) {
  const std::vector<KeyValue> attributes = {{"gen_ai.request.model", Str("first")},
                                            {"gen_ai.request.model", Str("last")}};
  const SpanAttributes index(attributes);  // (it points into `attributes`: keep them alive)
  ASSERT_NE(index.Get(Attr::kGenAiRequestModel), nullptr);
  EXPECT_EQ(index.Get(Attr::kGenAiRequestModel)->text, "last");
  EXPECT_EQ(FirstString(index, {Attr::kGenAiResponseModel, Attr::kGenAiRequestModel}), "last");
}

TEST(OtlpSpanAttributesTest, FirstSkipsEmptyAndMistypedValues) {
  const std::vector<KeyValue> attributes = {{"gen_ai.response.model", Str("")},
                                            {"gen_ai.request.model", Int(4)},
                                            {"llm.model_name", Str("m")},
                                            {"gen_ai.usage.input_tokens", Str("12")}};
  const SpanAttributes index(attributes);
  EXPECT_EQ(FirstString(index,
                        {Attr::kGenAiResponseModel, Attr::kGenAiRequestModel, Attr::kLlmModelName}),
            "m");
  EXPECT_EQ(FirstInt(index, {Attr::kGenAiUsageInputTokens}), 12);
  EXPECT_EQ(FirstDouble(index, {Attr::kLlmCostTotal}), std::nullopt);
}

TEST(OtlpSpanAttributesTest, MappedAttributesAndConventionKeys) {
  const std::vector<KeyValue> attributes = {
      {"gen_ai.request.model", Str("m")},                // 0 a column
      {"gen_ai.request.encoding_formats", Int(1)},       // 1 gen_ai.request.*
      {"gen_ai.output.type", Str("text")},               // 2 not mapped
      {"session.id", Str("s")},                          // 3 the session
      {"llm.token_count.prompt_details.audio", Int(1)},  // 4 llm.token_count.*
      {"server.address", Str("api")},                    // 5 not mapped
      {"traceloop.entity.name", Str("x")},               // 6 read, but kept in metadata
  };
  const SpanAttributes index(attributes);
  const bool expected[] = {true, true, false, true, true, false, false};
  for (size_t i = 0; i < attributes.size(); ++i) {
    EXPECT_EQ(index.Mapped(i), expected[i]) << attributes[i].key;
  }
  EXPECT_FALSE(index.Mapped(attributes.size()));
  EXPECT_TRUE(index.HasConventionKey());
  EXPECT_FALSE(index.HasIndexedContent());

  const std::vector<KeyValue> http = {{"http.request.method", Str("GET")}};
  const SpanAttributes plain(http);
  EXPECT_FALSE(plain.HasConventionKey());
  const std::vector<KeyValue> prompt = {{"gen_ai.prompt.0.content", Str("hi")}};
  const SpanAttributes indexed(prompt);
  EXPECT_TRUE(indexed.HasIndexedContent());
  EXPECT_TRUE(indexed.Mapped(0));
}

TEST(OtlpSpanAttributesTest, MappedBeyondTheSixtyFourthAttribute) {
  std::vector<KeyValue> attributes;
  for (int i = 0; i < 70; ++i) {
    attributes.push_back(
        {i % 2 == 0 ? "gen_ai.request.p" + std::to_string(i) : "other." + std::to_string(i),
         Int(i)});
  }
  const SpanAttributes index(attributes);
  for (size_t i = 0; i < attributes.size(); ++i) EXPECT_EQ(index.Mapped(i), i % 2 == 0) << i;
  EXPECT_FALSE(index.Mapped(70));
}

}  // namespace
}  // namespace tc::otlp
