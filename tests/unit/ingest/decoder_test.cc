// DecodeRecords: body forms, every record type with every field, type inference, JSON-valued
// fields, NDJSON, whole-body failures and garbage.

#include "ingest/decoder.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "test_util.h"

namespace tc::ingest {
namespace {

using schema::EventType;
using schema::MessageType;
using testing::As;
using testing::Describe;
using testing::ReadTestData;
using testing::Records;
using testing::RecordsBodyError;

// One record → its decoded body (expects exactly one accepted record).
schema::Record One(std::string_view json) {
  DecodedRequest request = Records(json);
  EXPECT_EQ(request.errors.size(), 0u)
      << (request.errors.empty() ? "" : request.errors[0].field + ": " + request.errors[0].message);
  EXPECT_EQ(request.records.size(), 1u);
  if (request.records.empty()) return schema::Record{"", schema::SessionRecord{}};
  return std::move(request.records[0]);
}

TEST(DecodeRecordsTest, EveryTypeWithEveryField) {
  DecodedRequest request = Records(ReadTestData("records_all_types.json"));
  ASSERT_EQ(request.errors.size(), 0u);
  ASSERT_EQ(request.records.size(), 13u);
  EXPECT_EQ(request.total, 13u);
  for (size_t i = 0; i < 13; ++i) {
    EXPECT_EQ(request.indexes[i], i);
    EXPECT_EQ(request.ids[i], request.records[i].key);
  }
  const auto& r = request.records;

  const auto& experiment = As<schema::ExperimentRecord>(r[0]);
  EXPECT_EQ(r[0].key, "exp-1");
  EXPECT_EQ(experiment.experiment_id, "exp_3f1a2b4c5d6e");
  EXPECT_EQ(experiment.name, "crafter-baseline");
  EXPECT_EQ(experiment.description, "Baseline ReAct agent on Crafter");
  EXPECT_EQ(experiment.configuration, R"({"model":"gpt-4o-mini","temperature":0.2})");
  EXPECT_EQ(experiment.metadata, R"({"owner":"rl-team"})");

  const auto& system = As<schema::SystemRecord>(r[1]);
  EXPECT_EQ(system.system_id, "crafter-react-agent");
  EXPECT_EQ(system.name, "ReAct agent");
  EXPECT_EQ(system.system_type, "agent");
  EXPECT_EQ(system.description, "LLM policy");
  EXPECT_EQ(system.metadata, R"({"framework":"synth-ai"})");

  const auto& version = As<schema::SystemVersionRecord>(r[2]);
  EXPECT_EQ(version.version_id, "crafter-react-agent@1.2.0");
  EXPECT_EQ(version.system_id, "crafter-react-agent");
  EXPECT_EQ(version.version_number, "1.2.0");
  EXPECT_EQ(version.commit_hash, "9c1e2f7");
  EXPECT_EQ(version.configuration, R"({"prompt":"v3"})");
  EXPECT_FALSE(version.metadata.has_value());  // null → NULL

  const auto& session = As<schema::SessionRecord>(r[3]);
  EXPECT_EQ(session.session_id, "session_rec_01");
  EXPECT_EQ(session.created_at, "2025-03-04T11:00:00.000000+00:00");
  EXPECT_EQ(session.metadata, R"({"user":"test","nested":{"braces":"}{","quote":"\"q\""}})");
  EXPECT_EQ(session.experiment_id, "exp_3f1a2b4c5d6e");

  const auto& step = As<schema::TimestepRecord>(r[4]);
  EXPECT_EQ(step.session_id, "session_rec_01");
  EXPECT_EQ(step.step_id, "turn_1");
  EXPECT_EQ(step.step_index, 0);
  EXPECT_EQ(step.turn_number, 1);
  EXPECT_EQ(step.started_at, "2025-03-04T11:00:01.000000+00:00");
  EXPECT_EQ(step.completed_at, "2025-03-04T11:00:02.000000+00:00");
  EXPECT_EQ(step.step_metadata, R"({"seed":7})");

  const auto& cais = As<schema::EventRecord>(r[5]);
  EXPECT_EQ(cais.session_id, "session_rec_01");
  EXPECT_EQ(cais.step_id, "turn_1");
  EXPECT_EQ(cais.event_type, EventType::kCais);
  EXPECT_EQ(cais.system_instance_id, "crafter-react-agent");
  EXPECT_EQ(cais.event_time, 1741086001.5);
  EXPECT_EQ(cais.message_time, 0);
  EXPECT_EQ(cais.created_at, "2025-03-04T11:00:01.500000+00:00");
  EXPECT_EQ(cais.model_name, "gpt-4o-mini");
  EXPECT_EQ(cais.provider, "openai");
  EXPECT_EQ(cais.input_tokens, 100);
  EXPECT_EQ(cais.output_tokens, 50);
  EXPECT_EQ(cais.total_tokens, 150);
  EXPECT_EQ(cais.cost_usd, 0.0045);
  EXPECT_EQ(cais.latency_ms, 1200);
  EXPECT_EQ(cais.span_id, "span-1");
  EXPECT_EQ(cais.trace_id, "trace-1");
  ASSERT_TRUE(cais.call_records.has_value());
  EXPECT_EQ(cais.call_records->rfind(R"([{"call_id":"r1","api_type":"chat_completions",)", 0), 0u);
  EXPECT_NE(cais.call_records->find(
                R"("text":"You are a Crafter agent. Reply with JSON {\"action\": ...}.")"),
            std::string::npos);
  EXPECT_NE(cais.call_records->find(
                R"("request_params":{"temperature":0.2,"max_tokens":256,"top_p":null},)"),
            std::string::npos);  // compact
  EXPECT_EQ(cais.call_records->find('\n'), std::string::npos);
  EXPECT_EQ(cais.system_state_before, R"({"a":1})");
  EXPECT_EQ(cais.system_state_after, R"({"a":2})");
  EXPECT_EQ(cais.metadata, R"({"k":"v","step_id":"turn_1"})");
  EXPECT_EQ(cais.event_metadata, R"([{"note":"first"}])");
  EXPECT_FALSE(cais.reward.has_value());

  const auto& env = As<schema::EventRecord>(r[6]);
  EXPECT_EQ(env.event_type, EventType::kEnvironment);
  EXPECT_EQ(env.reward, 1.0);
  EXPECT_EQ(env.terminated, false);
  EXPECT_EQ(env.truncated, false);
  EXPECT_EQ(env.system_state_before, R"({"hp":9})");
  EXPECT_EQ(env.system_state_after, R"({"hp":8})");
  EXPECT_EQ(env.metadata, R"({"step_id":"turn_1"})");
  EXPECT_FALSE(env.message_time.has_value());

  const auto& runtime = As<schema::EventRecord>(r[7]);
  EXPECT_EQ(runtime.event_type, EventType::kRuntime);  // inferred from `actions`
  EXPECT_EQ(runtime.step_id, "turn_1");                // from metadata.step_id
  EXPECT_EQ(runtime.event_time, 1741086001.95);        // top-level event_time
  EXPECT_EQ(runtime.message_time, 1);
  EXPECT_EQ(runtime.metadata, R"({"step_id":"turn_1","actions":[2,5]})");
  EXPECT_FALSE(runtime.created_at.has_value());

  const auto& user = As<schema::MessageRecord>(r[8]);
  EXPECT_EQ(user.session_id, "session_rec_01");
  EXPECT_EQ(user.step_id, "turn_1");
  EXPECT_EQ(user.message_type, MessageType::kUser);
  EXPECT_EQ(user.content, R"(You see a tree. {"hint": "left"})");
  EXPECT_EQ(user.timestamp, "2025-03-04T11:00:01.100000+00:00");
  EXPECT_EQ(user.event_time, 1741086001.1);
  EXPECT_EQ(user.message_time, 0);
  EXPECT_EQ(user.metadata, R"({"boundary_type":"observation","step_id":"turn_1"})");

  const auto& assistant = As<schema::MessageRecord>(r[9]);
  EXPECT_EQ(assistant.message_type, MessageType::kAssistant);
  EXPECT_EQ(assistant.content, R"({"action":"do"})");  // json_payload
  EXPECT_EQ(assistant.metadata, R"({"step_id":"turn_1"})");

  const auto& outcome = As<schema::OutcomeRewardRecord>(r[10]);
  EXPECT_EQ(outcome.session_id, "session_rec_01");
  EXPECT_EQ(outcome.total_reward, 1.5);
  EXPECT_EQ(outcome.achievements_count, 2);
  EXPECT_EQ(outcome.total_steps, 1);
  EXPECT_EQ(outcome.reward_metadata, R"({"achievements":["collect_wood","place_table"]})");
  EXPECT_EQ(outcome.annotation, "good run");
  EXPECT_EQ(outcome.objective_key, "reward");

  const auto& event_reward = As<schema::EventRewardRecord>(r[11]);
  EXPECT_EQ(event_reward.session_id, "session_rec_01");
  EXPECT_FALSE(event_reward.event_id.has_value());
  EXPECT_EQ(event_reward.event_ref, "rec:s1:e2");
  EXPECT_EQ(event_reward.message_ref, "rec:s1:m1");
  EXPECT_EQ(event_reward.turn_number, 1);
  EXPECT_EQ(event_reward.reward_value, 1.0);
  EXPECT_EQ(event_reward.reward_type, "achievement_delta");
  EXPECT_EQ(event_reward.key, "collect_wood");
  EXPECT_EQ(event_reward.annotation, R"({"why":"wood +1"})");
  EXPECT_EQ(event_reward.source, "environment");

  const auto& end = As<schema::SessionEndRecord>(r[12]);
  EXPECT_EQ(end.session_id, "session_rec_01");
  EXPECT_EQ(end.ended_at, "2025-03-04T11:00:03.000000+00:00");
  EXPECT_EQ(end.metadata, R"({"user":"test","finished":true})");
}

TEST(DecodeRecordsTest, BodyFormsDecodeTheSameRecords) {
  DecodedRequest all = Records(ReadTestData("records_all_types.json"));
  DecodedRequest bare = Records(ReadTestData("records_bare_array.json"));
  DecodedRequest single = Records(ReadTestData("records_single.json"));
  DecodedRequest ndjson = Records(ReadTestData("records.ndjson"), {}, BodyFormat::kNdjson);
  ASSERT_EQ(all.records.size(), 13u);
  ASSERT_EQ(bare.records.size(), 7u);
  ASSERT_EQ(single.records.size(), 1u);
  ASSERT_EQ(ndjson.records.size(), 13u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(Describe(bare.records[i]), Describe(all.records[i + 3]));
  EXPECT_EQ(Describe(single.records[0]), Describe(all.records[5]));
  for (size_t i = 0; i < 13; ++i) EXPECT_EQ(Describe(ndjson.records[i]), Describe(all.records[i]));
}

TEST(DecodeRecordsTest, EmptyRecordListIsFine) {
  EXPECT_EQ(Records(R"({"records": []})").total, 0u);
  EXPECT_EQ(Records("[]").total, 0u);
  EXPECT_EQ(Records("\n\n  \r\n", {}, BodyFormat::kNdjson).total, 0u);
}

TEST(DecodeRecordsTest, OtherTopLevelKeysAreIgnored) {
  DecodedRequest request =
      Records(R"({"client":"x","records":[{"type":"session","session_id":"s"}],"v":[1,2]})");
  ASSERT_EQ(request.records.size(), 1u);
  EXPECT_EQ(As<schema::SessionRecord>(request.records[0]).session_id, "s");
}

TEST(DecodeRecordsTest, TypeAndIdMayComeLast) {
  auto record = One(R"({"session_id":"s","metadata":{"a":1},"id":"k1","type":"session"})");
  EXPECT_EQ(record.key, "k1");
  EXPECT_EQ(As<schema::SessionRecord>(record).metadata, R"({"a":1})");
}

TEST(DecodeRecordsTest, WithoutIdTheKeyIsEmpty) {
  DecodedRequest request = Records(R"([{"type":"session","session_id":"s"}])");
  ASSERT_EQ(request.records.size(), 1u);
  EXPECT_EQ(request.records[0].key, "");
  EXPECT_EQ(request.ids[0], "");
}

TEST(DecodeRecordsTest, UnknownFieldsAreIgnored) {
  auto record = One(R"({"type":"event","session_id":"s","future_field":{"x":[1,2,{"y":null}]},
                        "another":"v","model_name":"m"})");
  EXPECT_EQ(As<schema::EventRecord>(record).model_name, "m");
}

struct InferenceCase {
  const char* fields;
  EventType expected;
};

TEST(DecodeRecordsTest, EventTypeInference) {
  const InferenceCase cases[] = {
      {R"("model_name":"gpt")", EventType::kCais},
      {R"("model_name":"")", EventType::kCais},
      {R"("call_records":[])", EventType::kCais},
      {R"("input_tokens":3)", EventType::kCais},
      {R"("provider":null)", EventType::kCais},
      {R"("cost_usd":0.1,"reward":1)", EventType::kCais},
      {R"("reward":0.0)", EventType::kEnvironment},
      {R"("terminated":true)", EventType::kEnvironment},
      {R"("truncated":false)", EventType::kEnvironment},
      {R"("actions":[1])", EventType::kRuntime},
      {R"("actions":[])", EventType::kRuntime},
      {R"("system_state_before":{"a":1})", EventType::kRuntime},
      {R"("metadata":{})", EventType::kRuntime},
      {R"("event_type":"environment","model_name":"gpt")", EventType::kEnvironment},
      {R"("event_type":"cais","reward":1)", EventType::kCais},
      {R"("model_name":"gpt","event_type":"runtime")", EventType::kRuntime},
      {R"("event_type":null,"reward":1)", EventType::kEnvironment},
  };
  for (const auto& c : cases) {
    auto record = One(std::string(R"({"type":"event","session_id":"s",)") + c.fields + "}");
    EXPECT_EQ(As<schema::EventRecord>(record).event_type, c.expected) << c.fields;
  }
}

TEST(DecodeRecordsTest, FieldsOfOtherEventTypesAreDropped) {
  auto cais = As<schema::EventRecord>(One(
      R"({"type":"event","session_id":"s","event_type":"cais","model_name":"m","reward":2,
          "terminated":true,"actions":[1],"system_state_before":{"x":1}})"));
  EXPECT_FALSE(cais.reward.has_value());
  EXPECT_FALSE(cais.terminated.has_value());
  EXPECT_FALSE(cais.metadata.has_value());  // actions are not merged for cais
  EXPECT_EQ(cais.system_state_before, R"({"x":1})");

  auto runtime = As<schema::EventRecord>(One(
      R"({"type":"event","session_id":"s","event_type":"runtime","model_name":"m","reward":2,
          "system_state_after":{"x":1},"actions":[3]})"));
  EXPECT_FALSE(runtime.model_name.has_value());
  EXPECT_FALSE(runtime.reward.has_value());
  EXPECT_FALSE(runtime.system_state_after.has_value());
  EXPECT_EQ(runtime.metadata, R"({"actions":[3]})");
}

TEST(DecodeRecordsTest, StepIdAndActionsMergeIntoMetadata) {
  auto top = As<schema::EventRecord>(
      One(R"({"type":"event","session_id":"s","step_id":"t1","metadata":{"a":1}})"));
  EXPECT_EQ(top.step_id, "t1");
  EXPECT_EQ(top.metadata, R"({"a":1,"step_id":"t1"})");

  auto from_meta = As<schema::EventRecord>(
      One(R"({"type":"event","session_id":"s","metadata":{"step_id":"t2","b":[1]}})"));
  EXPECT_EQ(from_meta.step_id, "t2");
  EXPECT_EQ(from_meta.metadata, R"({"step_id":"t2","b":[1]})");

  // Top-level step_id wins for the association; metadata keeps its own value.
  auto both = As<schema::EventRecord>(
      One(R"({"type":"event","session_id":"s","step_id":"t3","metadata":{"step_id":"t9"}})"));
  EXPECT_EQ(both.step_id, "t3");
  EXPECT_EQ(both.metadata, R"({"step_id":"t9"})");

  auto no_meta =
      As<schema::EventRecord>(One(R"({"type":"event","session_id":"s","step_id":"t4"})"));
  EXPECT_EQ(no_meta.metadata, R"({"step_id":"t4"})");

  auto nothing = As<schema::EventRecord>(One(R"({"type":"event","session_id":"s"})"));
  EXPECT_FALSE(nothing.step_id.has_value());
  EXPECT_FALSE(nothing.metadata.has_value());

  // A runtime event's actions replace a metadata "actions" member (no duplicate keys).
  auto actions = As<schema::EventRecord>(One(
      R"({"type":"event","session_id":"s","step_id":"t5","actions":[ 1 , 2 ],
          "metadata":{"actions":"old","z":{"k":"}"}}})"));
  EXPECT_EQ(actions.metadata, R"({"z":{"k":"}"},"step_id":"t5","actions":[1,2]})");

  auto message = As<schema::MessageRecord>(One(
      R"({"type":"message","session_id":"s","message_type":"user","content":"x",
          "metadata":{"step_id":"t6"}})"));
  EXPECT_EQ(message.step_id, "t6");
  EXPECT_EQ(message.metadata, R"({"step_id":"t6"})");
}

TEST(DecodeRecordsTest, JsonValuedFieldsAreCompactedExactly) {
  // Strings holding braces, brackets, quotes, backslashes, escapes and spaces must survive.
  auto session = As<schema::SessionRecord>(One(R"({"type":"session","session_id":"s",
      "metadata" :  {  "a b" : "x } { ] [ \" \\ \n y" , "nested" : [ 1 , [ 2 , { } ] , [ ] ] ,
                      "u" : "\u00e9\ud83d\ude00" , "n" : -1.5e-3 , "t" : true , "z" : null ,
                      "big" : 123456789012345678901234567890 }  })"));
  EXPECT_EQ(session.metadata,
            R"({"a b":"x } { ] [ \" \\ \n y","nested":[1,[2,{}],[]],"u":"\u00e9\ud83d\ude00",)"
            R"("n":-1.5e-3,"t":true,"z":null,"big":123456789012345678901234567890})");

  // Scalars and arrays are JSON values too.
  EXPECT_EQ(
      As<schema::SessionRecord>(One(R"({"type":"session","session_id":"s","metadata":"str"})"))
          .metadata,
      R"("str")");
  EXPECT_EQ(As<schema::SessionRecord>(One(R"({"type":"session","session_id":"s","metadata": 5 })"))
                .metadata,
            "5");
  EXPECT_EQ(As<schema::SessionRecord>(
                One(R"({"type":"session","session_id":"s","metadata" : " a}{,\" ]" , "x":1})"))
                .metadata,
            R"(" a}{,\" ]")");
  // Event metadata is rebuilt member by member: scalars, escaped keys, nested values.
  EXPECT_EQ(As<schema::EventRecord>(One(R"({"type":"event","session_id":"s","step_id":"t",
                "metadata":{ "n" : -1.5 , "k\"ey" : 1 , "b":true,"z" : null ,
                             "o":{"}":"{"}, "s":"x,y" }})"))
                .metadata,
            R"({"n":-1.5,"k\"ey":1,"b":true,"z":null,"o":{"}":"{"},"s":"x,y","step_id":"t"})");
  EXPECT_EQ(As<schema::OutcomeRewardRecord>(
                One(R"({"type":"outcome_reward","session_id":"s","total_reward":1,
                        "annotation": { "note" : "a } b" } })"))
                .annotation,
            R"({"note":"a } b"})");
  EXPECT_EQ(As<schema::ExperimentRecord>(One(R"({"type":"experiment","experiment_id":"e","name":"n",
                        "configuration":[ {"a" : "]"} , "}" ]})"))
                .configuration,
            R"([{"a":"]"},"}"])");
}

TEST(DecodeRecordsTest, EmptyCallRecordsAreNull) {
  auto event =
      As<schema::EventRecord>(One(R"({"type":"event","session_id":"s","call_records":[ ]})"));
  EXPECT_EQ(event.event_type, EventType::kCais);
  EXPECT_FALSE(event.call_records.has_value());
}

TEST(DecodeRecordsTest, MessageContentForms) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("plain")", "plain"},
      {R"("with {braces} and \"quotes\"")", R"(with {braces} and "quotes")"},
      {R"({"text":"t"})", "t"},
      {R"({"text":"t","json_payload":null})", "t"},
      {R"({"json_payload":"{\"a\":1}","text":"t"})", R"({"a":1})"},
      {R"({"text":null,"json_payload":null})", ""},
      {R"({"json_payload":{"a":[1, 2]}})", R"({"a":[1,2]})"},
      {R"({"text":"t","extra":1})", R"({"text":"t","extra":1})"},
      {R"({ "foo" : [ 1 ] })", R"({"foo":[1]})"},
      {R"({})", "{}"},
      {R"([1, "a"])", R"([1,"a"])"},
      {"42", "42"},
      {"true", "true"},
  };
  for (const auto& [content, expected] : cases) {
    auto message = As<schema::MessageRecord>(
        One(std::string(R"({"type":"message","session_id":"s","message_type":"user","content":)") +
            content + "}"));
    EXPECT_EQ(message.content, expected) << content;
  }
}

TEST(DecodeRecordsTest, MessageTypes) {
  const std::pair<const char*, MessageType> cases[] = {{"user", MessageType::kUser},
                                                       {"assistant", MessageType::kAssistant},
                                                       {"system", MessageType::kSystem},
                                                       {"tool_use", MessageType::kToolUse},
                                                       {"tool_result", MessageType::kToolResult}};
  for (const auto& [name, type] : cases) {
    auto message = As<schema::MessageRecord>(
        One(std::string(R"({"type":"message","session_id":"s","content":"c","message_type":")") +
            name + "\"}"));
    EXPECT_EQ(message.message_type, type);
  }
}

TEST(DecodeRecordsTest, LenientButExactNumbers) {
  auto event = As<schema::EventRecord>(One(
      R"({"type":"event","session_id":"s","input_tokens":100.0,"output_tokens":-0,
          "total_tokens":9223372036854775807,"latency_ms":-9223372036854775808,
          "cost_usd":1e-7,"time_record":{"event_time":1700000000,"message_time":3e2}})"));
  EXPECT_EQ(event.input_tokens, 100);
  EXPECT_EQ(event.output_tokens, 0);
  EXPECT_EQ(event.total_tokens, INT64_MAX);
  EXPECT_EQ(event.latency_ms, INT64_MIN);
  EXPECT_EQ(event.cost_usd, 1e-7);
  EXPECT_EQ(event.event_time, 1700000000.0);
  EXPECT_EQ(event.message_time, 300);
}

TEST(DecodeRecordsTest, NullOptionalsAreAbsentAndDefaultsApply) {
  auto event = As<schema::EventRecord>(One(
      R"({"type":"event","session_id":"s","reward":null,"terminated":null,"metadata":null,
          "system_instance_id":null,"time_record":null,"event_metadata":null})"));
  EXPECT_EQ(event.event_type, EventType::kEnvironment);
  EXPECT_FALSE(event.reward.has_value());
  EXPECT_EQ(event.system_instance_id, "");
  EXPECT_FALSE(event.metadata.has_value());
  EXPECT_FALSE(event.event_time.has_value());

  auto outcome = As<schema::OutcomeRewardRecord>(
      One(R"({"type":"outcome_reward","session_id":"s","total_reward":2,"objective_key":null})"));
  EXPECT_EQ(outcome.objective_key, "reward");
  EXPECT_EQ(outcome.achievements_count, 0);
  EXPECT_EQ(outcome.total_steps, 0);
  EXPECT_FALSE(outcome.annotation.has_value());

  auto reward = As<schema::EventRewardRecord>(One(
      R"({"type":"event_reward","session_id":"s","event_id":7,"message_id":8,"reward_value":-1,
          "objective_key":"speed","annotation":"plain text"})"));
  EXPECT_EQ(reward.event_id, 7);
  EXPECT_EQ(reward.message_id, 8);
  EXPECT_EQ(reward.reward_value, -1.0);
  EXPECT_EQ(reward.objective_key, "speed");
  EXPECT_EQ(reward.annotation, "plain text");
}

TEST(DecodeRecordsTest, AliasesAndConversions) {
  auto step = As<schema::TimestepRecord>(One(
      R"({"type":"timestep","session_id":"s","step_id":"t","timestamp":"2025-01-01T00:00:00",
          "metadata":{"m":1}})"));
  EXPECT_EQ(step.started_at, "2025-01-01T00:00:00");
  EXPECT_EQ(step.step_metadata, R"({"m":1})");
  EXPECT_FALSE(step.step_index.has_value());

  auto session = As<schema::SessionRecord>(
      One(R"({"type":"session","session_id":"s","created_at":1735689600.5})"));
  EXPECT_EQ(session.created_at, "2025-01-01T00:00:00.500000+00:00");
  // Dates beyond what the system clock's nanoseconds can hold (year 2262) are still spelled
  // exactly (a fuzz finding: the conversion overflowed there).
  auto far = As<schema::SessionRecord>(
      One(R"({"type":"session","session_id":"s","created_at":174105086001.5})"));
  EXPECT_EQ(far.created_at, "7487-03-04T03:53:21.500000+00:00");

  auto version = As<schema::SystemVersionRecord>(
      One(R"({"type":"system_version","version_id":"v","system_id":"s","version_number":3})"));
  EXPECT_EQ(version.version_number, "3");
}

TEST(DecodeRecordsTest, NdjsonBrokenLineIsRefusedAlone) {
  DecodedRequest request =
      Records(ReadTestData("records_broken_line.ndjson"), {}, BodyFormat::kNdjson);
  EXPECT_EQ(request.total, 5u);
  ASSERT_EQ(request.records.size(), 4u);
  ASSERT_EQ(request.errors.size(), 1u);
  EXPECT_EQ(request.errors[0].index, 2u);
  EXPECT_NE(request.errors[0].message.find("line 3"), std::string::npos)
      << request.errors[0].message;
  EXPECT_EQ((std::vector<size_t>{0, 1, 3, 4}), request.indexes);
  EXPECT_EQ(request.ids[2], "rec:s1:e1");
  EXPECT_EQ(request.ids[3], "rec:s1:e2");
}

TEST(DecodeRecordsTest, NdjsonLineProblems) {
  std::string body =
      "{\"type\":\"session\",\"session_id\":\"a\"}\n"
      "[1,2]\n"
      "\n"
      "   \t\n"
      "{\"type\":\"session\",\"session_id\":\"b\"} trailing\n"
      "{\"type\":\"session\",\"session_id\":\"\xff\"}\n"
      "{\"type\":\"session\"}\n"
      "{\"type\":\"session\",\"session_id\":\"c\"}";  // no final newline
  DecodedRequest request = Records(body, {}, BodyFormat::kNdjson);
  EXPECT_EQ(request.total, 6u);
  ASSERT_EQ(request.records.size(), 2u);
  EXPECT_EQ((std::vector<size_t>{0, 5}), request.indexes);
  ASSERT_EQ(request.errors.size(), 4u);
  EXPECT_EQ(request.errors[0].index, 1u);
  EXPECT_NE(request.errors[0].message.find("line 2: expected a record object"), std::string::npos)
      << request.errors[0].message;
  EXPECT_EQ(request.errors[1].index, 2u);
  EXPECT_NE(request.errors[1].message.find("line 5"), std::string::npos);
  EXPECT_EQ(request.errors[2].index, 3u);
  EXPECT_NE(request.errors[2].message.find("UTF-8"), std::string::npos)
      << request.errors[2].message;
  EXPECT_EQ(request.errors[3].index, 4u);
  EXPECT_EQ(request.errors[3].field, "session_id");
}

TEST(DecodeRecordsTest, NdjsonLimits) {
  IngestLimits limits;
  limits.max_records_per_request = 2;
  std::string two = "{\"type\":\"session\",\"session_id\":\"a\"}\n\n{\"type\":\"x\"}\n";
  EXPECT_EQ(Records(two, limits, BodyFormat::kNdjson).total, 2u);
  EXPECT_NE(
      RecordsBodyError(two + "{}\n", limits, BodyFormat::kNdjson).find("max_records_per_request"),
      std::string::npos);
  limits = {};
  limits.max_depth = 4;
  std::string deep = "{\"type\":\"session\",\"session_id\":\"a\",\"metadata\":[[[[1]]]]}\n";
  EXPECT_NE(RecordsBodyError(deep, limits, BodyFormat::kNdjson).find("line 1: nesting deeper"),
            std::string::npos);
  // Depth restarts on each line, even after an unbalanced one.
  std::string unbalanced = "[[[[\n{\"type\":\"session\",\"session_id\":\"a\",\"metadata\":[[1]]}\n";
  DecodedRequest request = Records(unbalanced, limits, BodyFormat::kNdjson);
  EXPECT_EQ(request.records.size(), 1u);
  EXPECT_EQ(request.errors.size(), 1u);
}

}  // namespace
}  // namespace tc::ingest
