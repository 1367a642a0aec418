// OTLP spans → Tracing V3 records (otlp/mapping.h) from decoded models: which class each
// convention's span is, the columns of a cais event from GenAI, OpenInference and OpenLLMetry
// attributes, the session and step a span lands in, messages without the re-sent history,
// rewards, dropped and rejected spans; and the answers (otlp/otlp.h) in both encodings.

#include "otlp/mapping.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstring>
#include <protozero/pbf_reader.hpp>

#include "common/time_format.h"
#include "otlp/otlp.h"
#include "otlp_writer.h"

namespace tc::otlp {
namespace {

using testing::Bool;
using testing::Dbl;
using testing::Int;
using testing::Str;

constexpr const char* kTrace = "0af7651916cd43dd8448eb211c80319c";

Span MakeSpan(std::string span_id, std::vector<KeyValue> attributes, std::string name = "span") {
  Span s;
  s.trace_id = kTrace;
  s.span_id = std::move(span_id);
  s.name = std::move(name);
  s.kind = 3;
  s.start_time_unix_nano = 1764900000000000000ULL;  // 2025-12-05T02:00:00Z
  s.end_time_unix_nano = s.start_time_unix_nano + 1250000000ULL;
  s.attributes = std::move(attributes);
  return s;
}

ExportRequest Request(std::vector<Span> spans, std::vector<KeyValue> resource = {}) {
  ExportRequest r;
  r.resource_spans.emplace_back();
  r.resource_spans[0].resource_attributes = std::move(resource);
  r.resource_spans[0].scope_spans.emplace_back();
  r.resource_spans[0].scope_spans[0].scope_name = "test-scope";
  r.span_count = spans.size();
  r.resource_spans[0].scope_spans[0].spans = std::move(spans);
  return r;
}

const schema::EventRecord& EventAt(const Conversion& c, size_t i) {
  return std::get<schema::EventRecord>(c.records.at(i).body);
}

std::string JsonAt(const std::string& json, std::string_view pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root, v;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
  if (root.at_pointer(pointer).get(v) != simdjson::SUCCESS) return "<absent>";
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(v);
}

TEST(OtlpClassifyTest, EachConventionNamesItsLlmToolAgentAndOtherSpans) {
  EXPECT_EQ(Classify(MakeSpan("1", {{"gen_ai.operation.name", Str("chat")}})), SpanClass::kLlm);
  EXPECT_EQ(Classify(MakeSpan("1", {{"gen_ai.operation.name", Str("embeddings")}})),
            SpanClass::kLlm);
  EXPECT_EQ(Classify(MakeSpan("1", {{"openinference.span.kind", Str("LLM")}})), SpanClass::kLlm);
  EXPECT_EQ(Classify(MakeSpan("1", {{"llm.request.type", Str("chat")}})), SpanClass::kLlm);
  EXPECT_EQ(Classify(MakeSpan(
                "1", {{"gen_ai.system", Str("openai")}, {"gen_ai.request.model", Str("gpt-4o")}})),
            SpanClass::kLlm);
  EXPECT_EQ(Classify(MakeSpan("1", {{"gen_ai.operation.name", Str("execute_tool")}})),
            SpanClass::kTool);
  EXPECT_EQ(Classify(MakeSpan("1", {{"openinference.span.kind", Str("TOOL")}})), SpanClass::kTool);
  EXPECT_EQ(Classify(MakeSpan("1", {{"traceloop.span.kind", Str("tool")}})), SpanClass::kTool);
  EXPECT_EQ(Classify(MakeSpan("1", {{"gen_ai.operation.name", Str("invoke_agent")}})),
            SpanClass::kAgent);
  EXPECT_EQ(Classify(MakeSpan("1", {{"openinference.span.kind", Str("CHAIN")}})),
            SpanClass::kAgent);
  EXPECT_EQ(Classify(MakeSpan("1", {{"traceloop.span.kind", Str("workflow")}})), SpanClass::kAgent);
  EXPECT_EQ(Classify(MakeSpan("1", {{"openinference.span.kind", Str("RETRIEVER")}})),
            SpanClass::kOtherGenAi);
  EXPECT_EQ(Classify(MakeSpan("1", {{"http.request.method", Str("GET")}})), SpanClass::kUnrelated);
}

TEST(OtlpMappingTest, SpanTimesAreWrittenAsTheCollectorWritesTimes) {
  EXPECT_EQ(IsoFromUnixNanos(0), std::nullopt);
  EXPECT_EQ(IsoFromUnixNanos(1764900000000000000ULL), "2025-12-05T02:00:00.000000+00:00");
  EXPECT_EQ(IsoFromUnixNanos(1741083301120000000ULL), "2025-03-04T10:15:01.120000+00:00");
  // The same text (and rounding) as IsoUtcFromUnixSeconds for times from 1970 to 2554.
  uint64_t nanos = 1;
  for (int i = 0; i < 20000; ++i) {
    nanos = nanos * 6364136223846793005ULL + 1442695040888963407ULL;
    for (uint64_t t :
         {nanos, nanos % uint64_t{4102444800000000000}, nanos % uint64_t{86400000000000}}) {
      if (t == 0) continue;
      ASSERT_EQ(IsoFromUnixNanos(t), IsoUtcFromUnixSeconds(static_cast<double>(t) / 1e9)) << t;
    }
  }
}

TEST(OtlpMappingTest, GenAiChatSpanBecomesACaisEventWithEveryColumn) {
  const Conversion c =
      MapSpans(Request({MakeSpan("00f067aa0ba902b7",
                                 {{"gen_ai.operation.name", Str("chat")},
                                  {"gen_ai.provider.name", Str("openai")},
                                  {"gen_ai.request.model", Str("gpt-4o")},
                                  {"gen_ai.response.model", Str("gpt-4o-2024-08-06")},
                                  {"gen_ai.response.id", Str("chatcmpl-1")},
                                  {"gen_ai.request.temperature", Dbl(0.2)},
                                  {"gen_ai.request.top_p", Int(1)},
                                  {"gen_ai.usage.input_tokens", Int(120)},
                                  {"gen_ai.usage.output_tokens", Int(30)},
                                  {"gen_ai.conversation.id", Str("conv-7")},
                                  {"gen_ai.agent.name", Str("planner")}},
                                 "chat gpt-4o")},
                       {{"service.name", Str("agent-svc")}}),
               {});
  ASSERT_EQ(c.records.size(), 2u);  // the event, the trace's link
  EXPECT_EQ(c.llm_spans, 1u);
  const auto& link = std::get<schema::TraceLinkRecord>(c.records[1].body);
  EXPECT_EQ(link.trace_id, kTrace);
  EXPECT_EQ(link.session_id, "conv-7");
  EXPECT_EQ(link.from_session_id, std::string("otel-") + kTrace);
  EXPECT_EQ(c.records[1].key, "") << "a link is stored again each time: no idempotency key";
  EXPECT_EQ(c.records[0].key, std::string("~otlp/") + kTrace + "/00f067aa0ba902b7");
  const schema::EventRecord& e = EventAt(c, 0);
  EXPECT_EQ(e.event_type, schema::EventType::kCais);
  EXPECT_EQ(e.session_id, "conv-7");
  EXPECT_EQ(e.step_id, kTrace);
  EXPECT_EQ(e.system_instance_id, "planner");
  EXPECT_EQ(e.model_name, "gpt-4o-2024-08-06");  // the response's model wins
  EXPECT_EQ(e.provider, "openai");
  EXPECT_EQ(e.input_tokens, 120);
  EXPECT_EQ(e.output_tokens, 30);
  EXPECT_EQ(e.total_tokens, 150);
  EXPECT_FALSE(e.cost_usd.has_value()) << "no cost attribute: no cost";
  EXPECT_EQ(e.latency_ms, 1250);
  EXPECT_DOUBLE_EQ(*e.event_time, 1764900000.0);
  EXPECT_EQ(e.created_at, "2025-12-05T02:00:00.000000+00:00");
  EXPECT_EQ(e.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(e.trace_id, kTrace);
  ASSERT_TRUE(e.call_records.has_value());
  EXPECT_EQ(JsonAt(*e.call_records, "/0/call_id"), "chatcmpl-1");
  EXPECT_EQ(JsonAt(*e.call_records, "/0/api_type"), "chat_completions");
  EXPECT_EQ(JsonAt(*e.call_records, "/0/request_params/temperature"), "0.2");
  EXPECT_EQ(JsonAt(*e.call_records, "/0/request_params/top_p"), "1");
  EXPECT_EQ(JsonAt(*e.call_records, "/0/usage/total_tokens"), "150");
  EXPECT_EQ(JsonAt(*e.call_records, "/0/outcome"), "success");
  ASSERT_TRUE(e.metadata.has_value());
  EXPECT_EQ(JsonAt(*e.metadata, "/step_id"), kTrace);
  EXPECT_EQ(JsonAt(*e.metadata, "/source"), "otlp");
  EXPECT_EQ(JsonAt(*e.metadata, "/otel/name"), "chat gpt-4o");
  EXPECT_EQ(JsonAt(*e.metadata, "/otel/service"), "agent-svc");
  EXPECT_EQ(JsonAt(*e.metadata, "/otel/attributes"), "{}") << "every attribute is mapped";
  EXPECT_EQ(JsonAt(*e.metadata, "/error"), "<absent>");
}

TEST(OtlpMappingTest, OpenInferenceAndOpenLlmetryNamesFillTheSameColumns) {
  const Conversion c =
      MapSpans(Request({MakeSpan("0000000000000001", {{"openinference.span.kind", Str("LLM")},
                                                      {"llm.model_name", Str("claude-3-haiku")},
                                                      {"llm.provider", Str("anthropic")},
                                                      {"llm.token_count.prompt", Int(10)},
                                                      {"llm.token_count.completion", Int(5)},
                                                      {"llm.token_count.total", Int(15)},
                                                      {"llm.cost.prompt", Dbl(0.001)},
                                                      {"llm.cost.completion", Dbl(0.002)},
                                                      {"session.id", Str("oi-session")}}),
                        MakeSpan("0000000000000002", {{"llm.request.type", Str("chat")},
                                                      {"gen_ai.system", Str("openai")},
                                                      {"gen_ai.request.model", Str("gpt-4o-mini")},
                                                      {"gen_ai.usage.prompt_tokens", Int(7)},
                                                      {"gen_ai.usage.completion_tokens", Int(3)},
                                                      {"llm.usage.total_tokens", Int(10)}})}),
               {});
  ASSERT_EQ(c.records.size(), 3u);  // two events, one link: the first span's session
  EXPECT_EQ(std::get<schema::TraceLinkRecord>(c.records[2].body).session_id, "oi-session");
  EXPECT_EQ(c.span_of_record[2], 0u);
  const schema::EventRecord& oi = EventAt(c, 0);
  EXPECT_EQ(oi.model_name, "claude-3-haiku");
  EXPECT_EQ(oi.provider, "anthropic");
  EXPECT_EQ(oi.total_tokens, 15);
  ASSERT_TRUE(oi.cost_usd.has_value());
  EXPECT_DOUBLE_EQ(*oi.cost_usd, 0.003);
  EXPECT_EQ(oi.session_id, "oi-session");
  const schema::EventRecord& ol = EventAt(c, 1);
  EXPECT_EQ(ol.model_name, "gpt-4o-mini");
  EXPECT_EQ(ol.provider, "openai");
  EXPECT_EQ(ol.input_tokens, 7);
  EXPECT_EQ(ol.output_tokens, 3);
  EXPECT_EQ(ol.total_tokens, 10);
  EXPECT_EQ(ol.session_id, std::string("otel-") + kTrace)
      << "no session attribute: the trace's provisional one, which the link moves";
}

TEST(OtlpMappingTest, SessionAttributesAreConfigurableAndTheResourceIsAFallback) {
  MappingOptions options;
  options.session_attributes = {"user.session"};
  const Conversion c = MapSpans(
      Request({MakeSpan("0000000000000001",
                        {{"gen_ai.operation.name", Str("chat")}, {"session.id", Str("ignored")}})},
              {{"user.session", Str("from-resource")}}),
      options);
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(EventAt(c, 0).session_id, "from-resource");
}

TEST(OtlpMappingTest, ToolAgentUnrelatedAndInvalidSpans) {
  Span bad = MakeSpan("0000000000000009", {{"gen_ai.operation.name", Str("chat")}});
  bad.problem = "spans[4].traceId: all zero";
  Span failed = MakeSpan("0000000000000005", {{"gen_ai.operation.name", Str("execute_tool")},
                                              {"gen_ai.tool.name", Str("search")},
                                              {"gen_ai.tool.call.arguments", Str("{\"q\":1}")},
                                              {"error.type", Str("TimeoutError")}});
  failed.status_code = 2;
  failed.status_message = "tool timed out";
  const ExportRequest request = Request(
      {MakeSpan("0000000000000003",
                {{"gen_ai.operation.name", Str("invoke_agent")},
                 {"gen_ai.agent.name", Str("planner")},
                 {"synth.turn_number", Int(2)}},
                "invoke_agent planner"),
       failed, MakeSpan("0000000000000006", {{"http.request.method", Str("POST")}}),
       MakeSpan("0000000000000007", {{"synth.reward", Dbl(0.5)}, {"synth.terminated", Bool(true)}}),
       bad});
  const Conversion c = MapSpans(request, {});
  EXPECT_EQ(c.spans, 5u);
  EXPECT_EQ(c.dropped_spans, 1u);
  EXPECT_EQ(c.rejected_spans, 1u);
  EXPECT_EQ(c.rejected_message, "spans[4].traceId: all zero");
  // agent → timestep; tool → runtime event; reward → runtime (convention key) + environment.
  ASSERT_EQ(c.records.size(), 5u);  // + the link, which no span named a session for
  const auto& unlinked = std::get<schema::TraceLinkRecord>(c.records[4].body);
  EXPECT_EQ(unlinked.session_id, "") << "only moves rows, if an earlier request linked the trace";
  const auto& step = std::get<schema::TimestepRecord>(c.records[0].body);
  EXPECT_EQ(step.step_id, kTrace);
  EXPECT_EQ(step.turn_number, 2);
  EXPECT_EQ(step.completed_at, "2025-12-05T02:00:01.250000+00:00");
  EXPECT_EQ(JsonAt(*step.step_metadata, "/agent"), "planner");
  const schema::EventRecord& tool = EventAt(c, 1);
  EXPECT_EQ(tool.event_type, schema::EventType::kRuntime);
  EXPECT_EQ(JsonAt(*tool.metadata, "/tool/name"), "search");
  EXPECT_EQ(JsonAt(*tool.metadata, "/tool/arguments"), "{\"q\":1}");
  EXPECT_EQ(JsonAt(*tool.metadata, "/actions"), "[]");
  EXPECT_EQ(JsonAt(*tool.metadata, "/error/type"), "TimeoutError");
  EXPECT_EQ(JsonAt(*tool.metadata, "/error/message"), "tool timed out");
  EXPECT_EQ(EventAt(c, 2).event_type, schema::EventType::kRuntime);
  const schema::EventRecord& reward = EventAt(c, 3);
  EXPECT_EQ(reward.event_type, schema::EventType::kEnvironment);
  EXPECT_EQ(reward.reward, 0.5);
  EXPECT_EQ(reward.terminated, true);
  EXPECT_EQ(c.records[3].key, std::string("~otlp/") + kTrace + "/0000000000000007/reward");
  EXPECT_EQ(c.span_of_record, (std::vector<size_t>{0, 1, 3, 3, 0}));

  MappingOptions keep;
  keep.keep_other_spans = true;
  const Conversion kept = MapSpans(request, keep);
  EXPECT_EQ(kept.dropped_spans, 0u);
  EXPECT_EQ(kept.records.size(), 6u);
}

TEST(OtlpMappingTest, MessagesOfEachConventionWithoutTheResentHistory) {
  // GenAI v1.37: the second call re-sends the first exchange; only what follows the last
  // assistant message of its input is new.
  const std::string input =
      R"([{"role":"user","parts":[{"type":"text","content":"What is 6*7?"}]},)"
      R"({"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"calc","arguments":{"x":"6*7"}}]},)"
      R"({"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"42"}]}])";
  const std::string output =
      R"([{"role":"assistant","parts":[{"type":"text","content":"It is 42."}],"finish_reason":"stop"}])";
  const Conversion c = MapSpans(
      Request({MakeSpan("0000000000000001", {{"gen_ai.operation.name", Str("chat")},
                                             {"gen_ai.system_instructions",
                                              Str(R"([{"type":"text","content":"Be brief."}])")},
                                             {"gen_ai.input.messages", Str(input)},
                                             {"gen_ai.output.messages", Str(output)}})}),
      {});
  ASSERT_EQ(c.records.size(), 4u);  // the event, the tool result, the answer, the link
  const auto& tool = std::get<schema::MessageRecord>(c.records[1].body);
  EXPECT_EQ(tool.message_type, schema::MessageType::kToolResult);
  EXPECT_EQ(tool.content, "42");
  const auto& answer = std::get<schema::MessageRecord>(c.records[2].body);
  EXPECT_EQ(answer.message_type, schema::MessageType::kAssistant);
  EXPECT_EQ(answer.content, "It is 42.");
  EXPECT_EQ(answer.step_id, kTrace);
  EXPECT_EQ(answer.timestamp, "2025-12-05T02:00:01.250000+00:00");
  EXPECT_EQ(c.records[2].key, std::string("~otlp/") + kTrace + "/0000000000000001/m1");

  // The first call of a conversation: system, user, then the tool call the model made.
  const SpanContent first = ExtractContent(MakeSpan(
      "2",
      {{"gen_ai.system_instructions", Str(R"([{"type":"text","content":"Be brief."}])")},
       {"gen_ai.input.messages",
        Str(R"([{"role":"user","parts":[{"type":"text","content":"hi"}]}])")},
       {"gen_ai.output.messages",
        Str(R"([{"role":"assistant","parts":[{"type":"tool_call","id":"c9","name":"calc","arguments":"{}"}]}])")}}));
  ASSERT_EQ(first.input.size(), 2u);
  EXPECT_EQ(first.input[0].role, "system");
  EXPECT_EQ(first.input[0].content, "Be brief.");
  ASSERT_EQ(first.output.size(), 1u);
  EXPECT_EQ(first.output[0].kind, "tool_call");
  EXPECT_EQ(first.output[0].content, R"({"id":"c9","name":"calc","arguments":"{}"})");

  // OpenLLMetry indexed keys, numerically ordered (10 after 2).
  std::vector<KeyValue> traceloop;
  for (int i : {0, 2, 10, 1}) {
    traceloop.push_back({"gen_ai.prompt." + std::to_string(i) + ".role", Str("user")});
    traceloop.push_back(
        {"gen_ai.prompt." + std::to_string(i) + ".content", Str("p" + std::to_string(i))});
  }
  traceloop.push_back({"gen_ai.completion.0.role", Str("assistant")});
  traceloop.push_back({"gen_ai.completion.0.content", Str("done")});
  const SpanContent ol = ExtractContent(MakeSpan("3", traceloop));
  ASSERT_EQ(ol.input.size(), 4u);
  EXPECT_EQ(ol.input[2].content, "p2");
  EXPECT_EQ(ol.input[3].content, "p10");
  ASSERT_EQ(ol.output.size(), 1u);
  EXPECT_EQ(ol.output[0].content, "done");

  // OpenInference.
  const SpanContent oi = ExtractContent(MakeSpan(
      "4",
      {{"llm.input_messages.0.message.role", Str("system")},
       {"llm.input_messages.0.message.content", Str("sys")},
       {"llm.output_messages.0.message.role", Str("assistant")},
       {"llm.output_messages.0.message.tool_calls.0.tool_call.id", Str("t1")},
       {"llm.output_messages.0.message.tool_calls.0.tool_call.function.name", Str("f")},
       {"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", Str("{}")}}));
  ASSERT_EQ(oi.input.size(), 1u);
  EXPECT_EQ(oi.input[0].role, "system");
  ASSERT_EQ(oi.output.size(), 1u);
  EXPECT_EQ(oi.output[0].content, R"({"id":"t1","name":"f","arguments":"{}"})");
}

// The Vercel AI SDK's telemetry (attributes as ai@4.3 writes them, tests/otlp/vercel_ai_client.mjs
// runs the real SDK): the provider call is an LLM call whose messages come from ai.prompt.messages
// (content parts) and ai.response.*, the tool call a tool, generateText a step.
TEST(OtlpMappingTest, VercelAiSdkSpans) {
  const std::string prompt =
      R"([{"role":"system","content":"Be brief."},)"
      R"({"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},)"
      R"({"role":"assistant","content":[{"type":"tool-call","toolCallId":"call-1","toolName":"weather","args":{"city":"Paris"}}]},)"
      R"({"role":"tool","content":[{"type":"tool-result","toolCallId":"call-1","toolName":"weather","result":{"sky":"sunny"}}]}])";
  const Span call = MakeSpan(
      "0000000000000001",
      {{"ai.operationId", Str("ai.generateText.doGenerate")},
       {"ai.model.id", Str("gpt-4o-mini")},
       {"ai.telemetry.functionId", Str("weather-agent")},
       {"ai.telemetry.metadata.sessionId", Str("conv-v")},
       {"ai.prompt.messages", Str(prompt)},
       {"ai.response.text", Str("It is sunny.")},
       {"ai.response.toolCalls", Str(R"([{"toolCallType":"function","toolCallId":"call-2",)"
                                     R"("toolName":"clock","args":"{}"}])")},
       {"ai.usage.promptTokens", Int(50)},
       {"ai.usage.completionTokens", Int(12)}});
  const Span tool = MakeSpan("0000000000000002", {{"ai.operationId", Str("ai.toolCall")},
                                                  {"ai.toolCall.name", Str("weather")},
                                                  {"ai.toolCall.id", Str("call-1")},
                                                  {"ai.toolCall.args", Str(R"({"city":"Paris"})")},
                                                  {"ai.toolCall.result", Str("sunny")}});
  const Span outer =
      MakeSpan("0000000000000003", {{"ai.operationId", Str("ai.generateText")},
                                    {"ai.telemetry.functionId", Str("weather-agent")}});
  EXPECT_EQ(Classify(call), SpanClass::kLlm);
  EXPECT_EQ(Classify(tool), SpanClass::kTool);
  EXPECT_EQ(Classify(outer), SpanClass::kAgent);
  const Conversion c = MapSpans(Request({call, tool, outer}), {});
  const schema::EventRecord& e = EventAt(c, 0);
  EXPECT_EQ(e.session_id, "conv-v");
  EXPECT_EQ(e.model_name, "gpt-4o-mini");
  EXPECT_EQ(e.input_tokens, 50);
  EXPECT_EQ(e.output_tokens, 12);
  EXPECT_EQ(e.system_instance_id, "weather-agent");
  std::vector<std::string> messages;
  for (const schema::Record& r : c.records) {
    if (const auto* m = std::get_if<schema::MessageRecord>(&r.body)) {
      messages.push_back(std::string(schema::MessageTypeName(m->message_type)) + ":" + m->content);
    }
  }
  // The input after the last assistant message (the tool result), then the output.
  EXPECT_EQ(messages, (std::vector<std::string>{
                          R"(tool_result:{"sky":"sunny"})", "assistant:It is sunny.",
                          R"(tool_use:{"id":"call-2","name":"clock","arguments":"{}"})"}));
  const schema::EventRecord* runtime = nullptr;
  const schema::TimestepRecord* step = nullptr;
  for (const schema::Record& r : c.records) {
    if (const auto* ev = std::get_if<schema::EventRecord>(&r.body);
        ev != nullptr && ev->event_type == schema::EventType::kRuntime) {
      runtime = ev;
    }
    if (const auto* t = std::get_if<schema::TimestepRecord>(&r.body)) step = t;
  }
  ASSERT_NE(runtime, nullptr);
  EXPECT_EQ(JsonAt(*runtime->metadata, "/tool/name"), "weather");
  EXPECT_EQ(JsonAt(*runtime->metadata, "/tool/call_id"), "call-1");
  EXPECT_EQ(JsonAt(*runtime->metadata, "/tool/arguments"), R"({"city":"Paris"})");
  EXPECT_EQ(runtime->session_id, std::string("otel-") + kTrace) << "names no session: its trace's";
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(JsonAt(*step->step_metadata, "/agent"), "weather-agent");
  EXPECT_EQ(std::get<schema::TraceLinkRecord>(c.records.back().body).session_id, "conv-v");
}

TEST(OtlpAnswerTest, SuccessAndStatusInBothEncodings) {
  EXPECT_EQ(SuccessBody(Encoding::kJson, 0, ""), "{}");
  EXPECT_EQ(SuccessBody(Encoding::kProtobuf, 0, ""), "");
  EXPECT_EQ(SuccessBody(Encoding::kJson, 2, "bad ids"),
            R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad ids"}})");
  const std::string pb = SuccessBody(Encoding::kProtobuf, 2, "bad ids");
  protozero::pbf_reader response(pb);
  ASSERT_TRUE(response.next(1));
  protozero::pbf_reader partial = response.get_message();
  ASSERT_TRUE(partial.next(1));
  EXPECT_EQ(partial.get_int64(), 2);
  ASSERT_TRUE(partial.next(2));
  EXPECT_EQ(partial.get_string(), "bad ids");
  EXPECT_EQ(StatusBody(Encoding::kJson, 3, "bad"), R"({"code":3,"message":"bad"})");
  const std::string status = StatusBody(Encoding::kProtobuf, 14, "down");
  protozero::pbf_reader s(status);
  ASSERT_TRUE(s.next(1));
  EXPECT_EQ(s.get_int32(), 14);
  ASSERT_TRUE(s.next(2));
  EXPECT_EQ(s.get_string(), "down");
}

TEST(OtlpAnswerTest, OtlpJsonIsTheTopLevelResourceSpansMember) {
  // The text followed by readable padding (not part of the view).
  auto padded = [](std::string_view text) {
    std::string s(simdjson::SIMDJSON_PADDING + text.size(), ' ');
    s.replace(0, text.size(), text);
    return s;
  };
  for (const char* otlp :
       {R"({"resourceSpans":[]})", R"( {"x":{"resourceSpans":1},"resourceSpans":[]})"}) {
    const std::string body = padded(otlp);
    EXPECT_TRUE(IsOtlpJson(std::string_view(body.data(), std::strlen(otlp)))) << otlp;
  }
  for (const char* other :
       {R"({"session_id":"s","resourceSpans_":1})", R"({"traces":[]})", R"([{"resourceSpans":[]}])",
        R"({"x":{"resourceSpans":[]}})", "", "not json"}) {
    const std::string body = padded(other);
    EXPECT_FALSE(IsOtlpJson(std::string_view(body.data(), std::strlen(other)))) << other;
  }
}

}  // namespace
}  // namespace tc::otlp

namespace tc::otlp {
namespace {

// An OTLP/JSON body of one chat span with `attributes` extra attributes and `messages` input
// messages, padded for simdjson.
std::string ChatBody(int attributes, int messages) {
  std::string input = "[";
  for (int i = 0; i < messages; ++i) {
    input += std::string(i ? "," : "") +
             R"({\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"m)" +
             std::to_string(i) + R"(\"}]})";
  }
  input += "]";
  std::string attrs = R"({"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},)"
                      R"({"key":"gen_ai.input.messages","value":{"stringValue":")" +
                      input + R"("}})";
  for (int i = 0; i < attributes; ++i) {
    attrs += R"(,{"key":"a)" + std::to_string(i) + R"(","value":{"intValue":1}})";
  }
  std::string body =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",)"
      R"("spanId":"00f067aa0ba902b7","name":"chat","attributes":[)" +
      attrs + "]}]}]}]}";
  body.append(simdjson::SIMDJSON_PADDING, ' ');
  return body;
}

TEST(OtlpConvertTest, ValuesAndRecordsAreBoundedPerRequest) {
  const std::string body = ChatBody(100, 50);
  const std::string_view view(body.data(), body.size() - simdjson::SIMDJSON_PADDING);
  Result<Conversion> ok = Convert(view, Encoding::kJson, {}, {});
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  EXPECT_EQ(ok->records.size(), 52u);  // the event, 50 messages and the link

  DecodeLimits few_values;
  few_values.max_values = 50;
  Result<Conversion> values = Convert(view, Encoding::kJson, few_values, {});
  ASSERT_FALSE(values.has_value());
  EXPECT_EQ(values.error().code(), StatusCode::kResourceExhausted);

  MappingOptions few_records;
  few_records.max_records = 20;
  Result<Conversion> records = Convert(view, Encoding::kJson, {}, few_records);
  ASSERT_FALSE(records.has_value());
  EXPECT_EQ(records.error().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(records.error().message().find("more than 20 records"), std::string::npos);

  // The handler's budgets grow with the body: a legitimate body always fits them.
  EXPECT_GE(MaxValuesFor(view.size()), 102u);
  EXPECT_GE(MaxRecordsFor(view.size()), 51u);
  EXPECT_EQ(MaxValuesFor(8 << 20), 10000u + (8u << 20) / 16);
}

}  // namespace
}  // namespace tc::otlp
