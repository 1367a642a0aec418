// DecodeTraces: synth-ai SessionTrace documents (to_dict form, old and new names), dedup of
// asdict's duplicated events/messages, step association, derived keys, document refusal.

#include <gtest/gtest.h>

#include <string>

#include "ingest/decoder.h"
#include "test_util.h"

namespace tc::ingest {
namespace {

using schema::EventType;
using schema::MessageType;
using testing::As;
using testing::Describe;
using testing::ReadTestData;
using testing::Traces;
using testing::TracesBodyError;

std::vector<std::string> Keys(const DecodedRequest& request) {
  std::vector<std::string> keys;
  for (const auto& record : request.records) keys.push_back(record.key);
  return keys;
}

TEST(DecodeTracesTest, FullSessionTrace) {
  DecodedRequest request = Traces(ReadTestData("session_trace_full.json"));
  ASSERT_TRUE(request.errors.empty())
      << request.errors[0].field << ": " << request.errors[0].message;
  EXPECT_EQ(request.total, 1u);
  // 1 session + 3 steps + 9 events (not 18: asdict lists each twice) + 7 messages.
  ASSERT_EQ(request.records.size(), 20u);
  for (size_t i = 0; i < request.records.size(); ++i) {
    EXPECT_EQ(request.indexes[i], 0u);
    EXPECT_EQ(request.ids[i], "session_4f2c9e1ab7d3");
  }
  const std::string p = "trace:session_4f2c9e1ab7d3:";
  std::vector<std::string> expected_keys = {p + "session", p + "step:turn_1", p + "step:turn_2",
                                            p + "step:turn_3"};
  for (int i = 0; i < 9; ++i) expected_keys.push_back(p + "event:" + std::to_string(i));
  for (int i = 0; i < 7; ++i) expected_keys.push_back(p + "message:" + std::to_string(i));
  EXPECT_EQ(Keys(request), expected_keys);

  const auto& r = request.records;
  const auto& session = As<schema::SessionRecord>(r[0]);
  EXPECT_EQ(session.session_id, "session_4f2c9e1ab7d3");
  EXPECT_EQ(session.created_at, "2025-03-04T10:15:00.000000+00:00");
  EXPECT_EQ(session.metadata,
            R"({"env":"crafter","model":"gpt-4o-mini","run":{"id":"run-17","tags":["smoke","v3"]},)"
            R"("session_metadata":[{"kind":"note","text":"seeded run"}]})");

  const auto& step = As<schema::TimestepRecord>(r[1]);
  EXPECT_EQ(step.session_id, "session_4f2c9e1ab7d3");
  EXPECT_EQ(step.step_id, "turn_1");
  EXPECT_EQ(step.step_index, 0);
  EXPECT_EQ(step.turn_number, 1);
  EXPECT_EQ(step.started_at, "2025-03-04T10:15:01.250000+00:00");
  EXPECT_EQ(step.completed_at, "2025-03-04T10:15:02.400000+00:00");
  EXPECT_EQ(step.step_metadata, R"({"seed":42,"difficulty":"easy"})");
  EXPECT_EQ(As<schema::TimestepRecord>(r[3]).step_index, 2);

  const EventType types[] = {EventType::kCais, EventType::kRuntime, EventType::kEnvironment};
  for (int i = 0; i < 9; ++i) {
    const auto& event = As<schema::EventRecord>(r[4 + i]);
    EXPECT_EQ(event.session_id, "session_4f2c9e1ab7d3");
    EXPECT_EQ(event.event_type, types[i % 3]) << i;
    EXPECT_EQ(event.step_id, "turn_" + std::to_string(i / 3 + 1)) << i;
  }
  const auto& cais = As<schema::EventRecord>(r[4]);
  EXPECT_EQ(cais.system_instance_id, "crafter-react-agent");
  EXPECT_DOUBLE_EQ(*cais.event_time, 1741083301.35);
  EXPECT_FALSE(cais.message_time.has_value());
  EXPECT_EQ(cais.model_name, "gpt-4o-mini");
  EXPECT_EQ(cais.total_tokens, 450);
  EXPECT_EQ(cais.cost_usd, 0.0000846);
  EXPECT_EQ(cais.span_id, "span-c0");
  EXPECT_EQ(cais.metadata, R"({"step_id":"turn_1","turn":1,"enriched":true,"hook_version":"1.0"})");
  EXPECT_FALSE(cais.event_metadata.has_value());
  ASSERT_TRUE(cais.call_records.has_value());
  EXPECT_NE(cais.call_records->find(R"("text":"Observation: tree at {left}; \"wood\": 0 )"),
            std::string::npos);
  EXPECT_EQ(cais.system_state_before, R"({"inventory":{"wood":0},"note":"needs {wood} \"soon\""})");

  const auto& runtime = As<schema::EventRecord>(r[5]);
  EXPECT_EQ(runtime.metadata,
            R"({"step_id":"turn_1","enriched":true,"hook_version":"1.0","actions":[2,5]})");
  EXPECT_EQ(As<schema::EventRecord>(r[8]).metadata,
            R"({"step_id":"turn_2","enriched":true,"hook_version":"1.0","actions":[]})");

  const auto& env = As<schema::EventRecord>(r[9]);
  EXPECT_EQ(env.reward, 1.0);
  EXPECT_EQ(env.terminated, false);
  EXPECT_EQ(env.event_metadata, R"([{"achievement":"collect_wood","delta":1}])");
  EXPECT_EQ(env.system_state_after, R"({"position":[31,32],"health":9})");
  EXPECT_EQ(As<schema::EventRecord>(r[12]).terminated, true);

  const auto& user = As<schema::MessageRecord>(r[13]);
  EXPECT_EQ(user.session_id, "session_4f2c9e1ab7d3");
  EXPECT_EQ(user.step_id, "turn_1");
  EXPECT_EQ(user.message_type, MessageType::kUser);
  EXPECT_EQ(user.content, "You see a tree to the left. Inventory: {}");
  EXPECT_EQ(user.message_time, 0);
  EXPECT_EQ(user.metadata, R"({"step_id":"turn_1","from_system_instance_id":"crafter-env",)"
                           R"("boundary_type":"observation"})");
  const auto& assistant = As<schema::MessageRecord>(r[14]);
  EXPECT_EQ(assistant.message_type, MessageType::kAssistant);
  EXPECT_EQ(assistant.content, R"({"tool": "interact", "args": {"actions": ["move_left", "do"]}})");
  EXPECT_EQ(assistant.message_time, 1);
  const auto& tool = As<schema::MessageRecord>(r[19]);
  EXPECT_EQ(tool.message_type, MessageType::kToolResult);
  EXPECT_EQ(tool.content, R"({"ok": true, "reward": 0})");
  EXPECT_EQ(tool.step_id, "turn_3");
}

TEST(DecodeTracesTest, SameDocumentTwiceGivesSameKeysAndRecords) {
  for (const char* name : {"session_trace_full.json", "session_trace_old_names.json",
                           "session_traces_batch.json", "session_trace_compact.json"}) {
    std::string body = ReadTestData(name);
    DecodedRequest first = Traces(body);
    DecodedRequest second = Traces(body);
    ASSERT_EQ(first.records.size(), second.records.size()) << name;
    ASSERT_FALSE(first.records.empty()) << name;
    for (size_t i = 0; i < first.records.size(); ++i) {
      EXPECT_FALSE(first.records[i].key.empty());
      EXPECT_EQ(Describe(first.records[i]), Describe(second.records[i])) << name;
    }
  }
}

TEST(DecodeTracesTest, CompactSerializerFormWithNulls) {
  DecodedRequest compact = Traces(ReadTestData("session_trace_compact.json"));
  DecodedRequest pretty = Traces(ReadTestData("session_trace_full.json"));
  ASSERT_EQ(compact.records.size(), 20u);
  const auto& env = As<schema::EventRecord>(compact.records[6]);
  EXPECT_EQ(env.event_type, EventType::kEnvironment);  // "reward": null still says environment
  EXPECT_FALSE(env.reward.has_value());
  // Same content apart from the session id and that reward.
  EXPECT_EQ(As<schema::EventRecord>(compact.records[4]).call_records,
            As<schema::EventRecord>(pretty.records[4]).call_records);
}

TEST(DecodeTracesTest, OldFieldNamesAndStepAssociationByList) {
  DecodedRequest request = Traces(ReadTestData("session_trace_old_names.json"));
  ASSERT_TRUE(request.errors.empty());
  ASSERT_EQ(request.records.size(), 9u);  // session + 2 steps + 4 events + 2 messages
  const auto& r = request.records;
  EXPECT_EQ(As<schema::SessionRecord>(r[0]).created_at, "2024-11-20T08:00:00.000001");
  EXPECT_EQ(As<schema::SessionRecord>(r[0]).metadata, R"({"legacy":true})");
  EXPECT_EQ(As<schema::TimestepRecord>(r[1]).started_at, "2024-11-20T08:00:00");
  EXPECT_FALSE(As<schema::TimestepRecord>(r[1]).completed_at.has_value());
  EXPECT_EQ(As<schema::TimestepRecord>(r[2]).step_metadata, "{}");

  const char* steps[] = {"step-0", "step-0", "step-1", "step-1"};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(As<schema::EventRecord>(r[3 + i]).step_id, steps[i]);
  EXPECT_EQ(As<schema::EventRecord>(r[3]).metadata,
            R"({"turn":0,"enriched":true,"hook_version":"1.0","step_id":"step-0"})");
  EXPECT_EQ(As<schema::EventRecord>(r[6]).metadata,
            R"({"enriched":true,"hook_version":"1.0","step_id":"step-1","actions":[1]})");
  EXPECT_EQ(As<schema::EventRecord>(r[3]).cost_usd, 0.0045);

  const auto& message = As<schema::MessageRecord>(r[8]);
  EXPECT_EQ(message.content, R"(old style message 1 with {braces} and "quotes")");
  EXPECT_EQ(message.step_id, "step-1");
  EXPECT_EQ(message.metadata, R"({"step_id":"step-1"})");
  EXPECT_EQ(r[8].key, "trace:session_old_names01:message:1");
}

TEST(DecodeTracesTest, IdenticalEventsInTwoStepsAreAssignedInOrder) {
  const std::string event = R"({"system_instance_id":"x","time_record":{"event_time":1},
                                "metadata":{},"actions":[1]})";
  std::string body = R"({"session_id":"s","session_time_steps":[
      {"step_id":"a","events":[)" +
                     event + R"(],"markov_blanket_messages":[]},
      {"step_id":"b","events":[)" +
                     event + R"(]}],
    "event_history":[)" +
                     event + "," + event + R"(],
    "markov_blanket_message_history":[]})";
  DecodedRequest request = Traces(body);
  ASSERT_EQ(request.records.size(), 5u);
  EXPECT_EQ(As<schema::EventRecord>(request.records[3]).step_id, "a");
  EXPECT_EQ(As<schema::EventRecord>(request.records[4]).step_id, "b");
  EXPECT_EQ(As<schema::EventRecord>(request.records[4]).metadata,
            R"({"step_id":"b","actions":[1]})");
}

TEST(DecodeTracesTest, HistoryEventNotInAnyStepHasNoStep) {
  DecodedRequest request = Traces(R"({"session_id":"s","session_time_steps":[{"step_id":"a"}],
      "event_history":[{"system_instance_id":"lonely","metadata":{}}]})");
  ASSERT_EQ(request.records.size(), 3u);
  const auto& event = As<schema::EventRecord>(request.records[2]);
  EXPECT_FALSE(event.step_id.has_value());
  EXPECT_EQ(event.metadata, "{}");
}

TEST(DecodeTracesTest, EmptyHistoryTakesTheStepLists) {
  DecodedRequest request = Traces(R"({"session_id":"s",
      "session_time_steps":[
        {"step_id":"a","events":[{"system_instance_id":"llm","model_name":"m"},
                                  {"system_instance_id":"env","reward":1}],
         "markov_blanket_messages":[{"message_type":"user","content":"hi"}]},
        {"step_id":"b","events":[{"system_instance_id":"agent","actions":[4],
                                  "metadata":{"step_id":"elsewhere"}}],
         "step_messages":[{"message_type":"assistant","content":{"text":"yo","json_payload":null}}]}],
      "event_history":[],"markov_blanket_message_history":[]})");
  ASSERT_EQ(request.records.size(), 1u + 2u + 3u + 2u);
  const auto& r = request.records;
  EXPECT_EQ(As<schema::EventRecord>(r[3]).step_id, "a");
  EXPECT_EQ(As<schema::EventRecord>(r[3]).event_type, EventType::kCais);
  EXPECT_EQ(As<schema::EventRecord>(r[4]).event_type, EventType::kEnvironment);
  EXPECT_EQ(As<schema::EventRecord>(r[5]).step_id, "elsewhere");  // metadata.step_id first
  EXPECT_EQ(As<schema::EventRecord>(r[5]).metadata, R"({"step_id":"elsewhere","actions":[4]})");
  EXPECT_EQ(r[5].key, "trace:s:event:2");
  EXPECT_EQ(As<schema::MessageRecord>(r[6]).step_id, "a");
  EXPECT_EQ(As<schema::MessageRecord>(r[7]).content, "yo");
  EXPECT_EQ(As<schema::MessageRecord>(r[7]).step_id, "b");
  EXPECT_EQ(r[7].key, "trace:s:message:1");
}

TEST(DecodeTracesTest, ExplicitEventTypeIsHonoured) {
  DecodedRequest request = Traces(R"({"session_id":"s",
      "event_history":[{"event_type":"environment","system_instance_id":"env","model_name":"m",
                        "reward":2}]})");
  ASSERT_EQ(request.records.size(), 2u);
  const auto& event = As<schema::EventRecord>(request.records[1]);
  EXPECT_EQ(event.event_type, EventType::kEnvironment);
  EXPECT_EQ(event.reward, 2.0);
  EXPECT_FALSE(event.model_name.has_value());
}

TEST(DecodeTracesTest, BatchWithRewards) {
  DecodedRequest request = Traces(ReadTestData("session_traces_batch.json"));
  ASSERT_TRUE(request.errors.empty());
  EXPECT_EQ(request.total, 2u);
  ASSERT_EQ(request.records.size(), 22u + 9u);
  for (size_t i = 0; i < request.records.size(); ++i) {
    EXPECT_EQ(request.indexes[i], i < 22 ? 0u : 1u);
    EXPECT_EQ(request.ids[i], i < 22 ? "session_b2" : "session_old_names01");
  }
  const auto& outcome = As<schema::OutcomeRewardRecord>(request.records[20]);
  EXPECT_EQ(request.records[20].key, "trace:session_b2:outcome_reward:0");
  EXPECT_EQ(outcome.session_id, "session_b2");
  EXPECT_EQ(outcome.total_reward, 1.0);
  EXPECT_EQ(outcome.total_steps, 3);
  EXPECT_EQ(outcome.reward_metadata, R"({"achievements":["collect_wood"]})");
  const auto& reward = As<schema::EventRewardRecord>(request.records[21]);
  EXPECT_EQ(request.records[21].key, "trace:session_b2:event_reward:0");
  EXPECT_EQ(reward.session_id, "session_b2");
  EXPECT_EQ(reward.event_ref, "trace:session_b2:event:5");
  EXPECT_EQ(reward.annotation, R"({"achievement":"collect_wood"})");
  EXPECT_EQ(reward.turn_number, 2);
}

TEST(DecodeTracesTest, BareArrayOfDocuments) {
  DecodedRequest request = Traces(R"([{"session_id":"a"},{"session_id":"b","metadata":{}}])");
  EXPECT_EQ(request.total, 2u);
  ASSERT_EQ(Keys(request), (std::vector<std::string>{"trace:a:session", "trace:b:session"}));
  EXPECT_FALSE(As<schema::SessionRecord>(request.records[0]).metadata.has_value());
  EXPECT_EQ(As<schema::SessionRecord>(request.records[1]).metadata, "{}");
}

struct DocumentRefusal {
  std::string document;
  std::string field;
  std::string message;
};

TEST(DecodeTracesTest, ABadPartRefusesTheWholeDocumentOnly) {
  const DocumentRefusal cases[] = {
      {R"({"created_at":"x"})", "session_id", "required field is missing"},
      {R"({"session_id":5})", "session_id", "expected a string"},
      {R"({"session_id":"s","event_history":[{"system_instance_id":"a"},{"system_instance_id":"b"},
          {"time_record":{"event_time":"x"}}]})",
       "event_history[2].time_record.event_time", "expected a number"},
      {R"({"session_id":"s","event_history":[{"event_type":"llm"}]})",
       "event_history[0].event_type", "unknown event_type"},
      {R"({"session_id":"s","event_history":[5]})", "event_history[0]", "expected an object"},
      {R"({"session_id":"s","event_history":{}})", "event_history", "expected an array"},
      {R"({"session_id":"s","session_time_steps":[{"step_index":0}]})",
       "session_time_steps[0].step_id", "required field is missing"},
      {R"({"session_id":"s","session_time_steps":[{"step_id":"a","events":[{"system_instance_id":"a"},{"input_tokens":"1"}]}]})",
       "session_time_steps[0].events[1].input_tokens", "expected an integer"},
      {R"({"session_id":"s","markov_blanket_message_history":[{"message_type":"user","content":"c"},
          {"message_type":"action","content":"c"}]})",
       "markov_blanket_message_history[1].message_type", "unknown message_type"},
      {R"({"session_id":"s","message_history":[{"message_type":"user"}]})",
       "message_history[0].content", "required field is missing"},
      {R"({"session_id":"s","session_time_steps":[{"step_id":"a","step_messages":[{"content":"c"}]}]})",
       "session_time_steps[0].step_messages[0].message_type", "required field is missing"},
      {R"({"session_id":"s","event_history":[{"foo":1}]})", "event_history[0].system_instance_id",
       "required field is missing"},
      {R"({"session_id":"s","session_time_steps":[{"step_id":"a","events":[{"system_instance_id":null,
          "model_name":"m"}]}]})",
       "session_time_steps[0].events[0].system_instance_id", "required field is missing"},
      {R"({"session_id":"s","outcome_rewards":[{"achievements_count":1}]})",
       "outcome_rewards[0].total_reward", "required field is missing"},
      {R"({"session_id":"s","event_rewards":[{"reward_value":1}]})", "event_rewards[0].event_id",
       "event_id or event_ref"},
      {R"({"session_id":"s","metadata":[1]})", "metadata", "expected an object"},
      {R"("just a string")", "", "expected a SessionTrace object, got a string"},
  };
  for (const DocumentRefusal& c : cases) {
    SCOPED_TRACE(c.document);
    std::string body = R"({"traces":[{"session_id":"good","event_history":[{"system_instance_id":"a","actions":[]}]},)" +
                       c.document + R"(,{"session_id":"good2"}]})";
    DecodedRequest request = Traces(body);
    EXPECT_EQ(request.total, 3u);
    ASSERT_EQ(request.errors.size(), 1u);
    EXPECT_EQ(request.errors[0].index, 1u);
    EXPECT_EQ(request.errors[0].field, c.field);
    EXPECT_NE(request.errors[0].message.find(c.message), std::string::npos)
        << request.errors[0].message;
    ASSERT_EQ(request.records.size(), 3u);  // doc 0: session + event; doc 2: session
    EXPECT_EQ(request.indexes, (std::vector<size_t>{0, 0, 2}));
  }
  DecodedRequest named = Traces(R"([{"session_id":"sid9","event_history":[{"reward":"x"}]}])");
  ASSERT_EQ(named.errors.size(), 1u);
  EXPECT_EQ(named.errors[0].id, "sid9");
  EXPECT_EQ(named.errors[0].field, "event_history[0].reward");
}

TEST(DecodeTracesTest, LimitsInsideDocuments) {
  IngestLimits limits;
  limits.max_array_items = 2;
  limits.max_id_bytes = 4;
  DecodedRequest request = Traces(R"([{"session_id":"s","event_history":[{"system_instance_id":"a"},
                                      {"system_instance_id":"a"},{"system_instance_id":"a"}]},
                                      {"session_id":"toolong"}])",
                                  limits);
  ASSERT_EQ(request.errors.size(), 2u);
  EXPECT_EQ(request.errors[0].field, "event_history");
  EXPECT_NE(request.errors[0].message.find("max_array_items (2)"), std::string::npos);
  EXPECT_EQ(request.errors[1].field, "session_id");
  EXPECT_NE(request.errors[1].message.find("max_id_bytes (4)"), std::string::npos);
}

TEST(DecodeTracesTest, WholeBodyErrors) {
  IngestLimits small;
  small.max_records_per_request = 10;
  EXPECT_NE(TracesBodyError(ReadTestData("session_trace_full.json"), small)
                .find("more than max_records_per_request (10) records"),
            std::string::npos);
  IngestLimits shallow;
  shallow.max_depth = 5;
  EXPECT_NE(TracesBodyError(ReadTestData("session_trace_full.json"), shallow)
                .find("nesting deeper than max_depth (5)"),
            std::string::npos);
  const std::pair<std::string, std::string> cases[] = {
      {"", "body is empty"},
      {"true", "got a boolean"},
      {R"({"traces":{}})", "traces: expected an array"},
      {R"({"session_id":"s","event_history":[{"a":]}]})", "not valid JSON"},
      {R"({"session_id":"s")", "not valid JSON"},
      {R"([{"session_id":"s"}, {"session_id":"t","metadata":{"x":tru}}])", "[1].metadata.x"},
  };
  for (const auto& [body, expected] : cases) {
    std::string message = TracesBodyError(body);
    EXPECT_NE(message.find(expected), std::string::npos) << body << " → " << message;
  }
}

}  // namespace
}  // namespace tc::ingest
