// End-to-end: the real collector binary, real HTTP, the real database (SQLite file or tursodb),
// on both backends.

#include <gtest/gtest.h>

#include <string>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"

namespace tc::testing {
namespace {

// The seed README's quick start as records: a session, a timestep, an LLM call with tokens and
// cost, and a message.
const char* kQuickStart = R"({"records":[
  {"type":"session","id":"qs-session","session_id":"session_quick","metadata":{"user":"test"}},
  {"type":"timestep","id":"qs-step","session_id":"session_quick","step_id":"step1","turn_number":1},
  {"type":"event","id":"qs-event","session_id":"session_quick","step_id":"step1",
   "event_type":"cais","system_instance_id":"gpt-4",
   "time_record":{"event_time":1735732800.5},
   "model_name":"gpt-4","provider":"openai","input_tokens":100,"output_tokens":50,
   "total_tokens":150,"cost_usd":0.0045,"latency_ms":1200},
  {"type":"message","id":"qs-message","session_id":"session_quick","step_id":"step1",
   "message_type":"assistant","content":"Hello, world!"}
]})";

class IngestTest : public CollectorTest {};

TEST_P(IngestTest, QuickStartIsVisibleThroughSynthAiViews) {
  StartCollector();
  auto res = PostRecords(kQuickStart);
  ASSERT_EQ(res.status, 200) << res.body;
  JsonProbe body(res.body);
  EXPECT_EQ(body.Int("/stored"), 4);

  auto db = Db();
  auto summary = db->Rows(
      "SELECT num_timesteps, num_events, num_messages, unique_models_used, total_cost_usd "
      "FROM session_summary WHERE session_id='session_quick'");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0][0], "1");
  EXPECT_EQ(summary[0][1], "1");
  EXPECT_EQ(summary[0][2], "1");
  EXPECT_EQ(summary[0][3], "1");
  EXPECT_NEAR(std::stod(summary[0][4].value()), 0.0045, 1e-12);

  auto usage = db->Rows(
      "SELECT model_name, provider, usage_count, total_input_tokens, total_output_tokens, "
      "total_tokens, total_cost_usd, avg_latency_ms, first_used, last_used "
      "FROM model_usage_stats");
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0][0], "gpt-4");
  EXPECT_EQ(usage[0][1], "openai");
  EXPECT_EQ(usage[0][2], "1");
  EXPECT_EQ(usage[0][3], "100");
  EXPECT_EQ(usage[0][4], "50");
  EXPECT_EQ(usage[0][5], "150");
  EXPECT_NEAR(std::stod(usage[0][6].value()), 0.0045, 1e-12);
  EXPECT_NEAR(std::stod(usage[0][7].value()), 1200, 1e-9);
  EXPECT_TRUE(usage[0][8].has_value()) << "events.created_at is filled";
  EXPECT_TRUE(usage[0][9].has_value());

  // cents with the fraction kept; timestep resolved; message timestamp filled.
  EXPECT_NEAR(db->Real("SELECT cost_usd FROM events"), 0.45, 1e-12);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events e JOIN session_timesteps t ON e.timestep_id=t.id "
                    "WHERE t.step_id='step1'"), 1);
  EXPECT_TRUE(db->Text("SELECT timestamp FROM messages").has_value());
  EXPECT_EQ(db->Text("SELECT content FROM messages"), "Hello, world!");
  EXPECT_EQ(db->Int("SELECT num_events FROM session_timesteps WHERE step_id='step1'"), 1);
  EXPECT_EQ(db->Int("SELECT num_messages FROM session_timesteps WHERE step_id='step1'"), 1);
}

// A synth-ai SessionTrace exactly as SessionTrace.to_dict() (dataclasses.asdict) produces it:
// events appear both in the steps and in event_history, with no type discriminator.
const char* kSessionTrace = R"({
 "session_id":"session_doc1","created_at":"2025-01-01T12:00:00+00:00",
 "session_time_steps":[
  {"step_id":"step1","step_index":0,"timestamp":"2025-01-01T12:00:01+00:00","turn_number":1,
   "events":[
    {"system_instance_id":"gpt-4","time_record":{"event_time":1735732801.0,"message_time":null},
     "metadata":{"step_id":"step1"},"event_metadata":null,"model_name":"gpt-4",
     "provider":"openai","input_tokens":100,"output_tokens":50,"total_tokens":150,
     "cost_usd":0.0045,"latency_ms":1200,"span_id":null,"trace_id":null,
     "system_state_before":null,"system_state_after":null,"call_records":[]},
    {"system_instance_id":"env","time_record":{"event_time":1735732802.0,"message_time":null},
     "metadata":{"step_id":"step1"},"event_metadata":null,"reward":1.5,"terminated":false,
     "truncated":false,"system_state_before":{"hp":10},"system_state_after":{"hp":9}}],
   "markov_blanket_messages":[
    {"content":{"text":"go north","json_payload":null},"message_type":"user",
     "time_record":{"event_time":1735732801.5,"message_time":1},"metadata":{"step_id":"step1"}}],
   "step_metadata":{},"completed_at":"2025-01-01T12:00:05+00:00"},
  {"step_id":"step2","step_index":1,"timestamp":"2025-01-01T12:00:06+00:00","turn_number":2,
   "events":[
    {"system_instance_id":"agent","time_record":{"event_time":1735732806.0,"message_time":null},
     "metadata":{"step_id":"step2"},"event_metadata":null,"actions":[1,2]}],
   "markov_blanket_messages":[
    {"content":{"text":"moved","json_payload":null},"message_type":"assistant",
     "time_record":{"event_time":1735732806.5,"message_time":2},"metadata":{"step_id":"step2"}}],
   "step_metadata":{},"completed_at":null}],
 "event_history":[
    {"system_instance_id":"gpt-4","time_record":{"event_time":1735732801.0,"message_time":null},
     "metadata":{"step_id":"step1"},"event_metadata":null,"model_name":"gpt-4",
     "provider":"openai","input_tokens":100,"output_tokens":50,"total_tokens":150,
     "cost_usd":0.0045,"latency_ms":1200,"span_id":null,"trace_id":null,
     "system_state_before":null,"system_state_after":null,"call_records":[]},
    {"system_instance_id":"env","time_record":{"event_time":1735732802.0,"message_time":null},
     "metadata":{"step_id":"step1"},"event_metadata":null,"reward":1.5,"terminated":false,
     "truncated":false,"system_state_before":{"hp":10},"system_state_after":{"hp":9}},
    {"system_instance_id":"agent","time_record":{"event_time":1735732806.0,"message_time":null},
     "metadata":{"step_id":"step2"},"event_metadata":null,"actions":[1,2]}],
 "markov_blanket_message_history":[
    {"content":{"text":"go north","json_payload":null},"message_type":"user",
     "time_record":{"event_time":1735732801.5,"message_time":1},"metadata":{"step_id":"step1"}},
    {"content":{"text":"moved","json_payload":null},"message_type":"assistant",
     "time_record":{"event_time":1735732806.5,"message_time":2},"metadata":{"step_id":"step2"}}],
 "metadata":{"user":"test"},"session_metadata":null})";

TEST_P(IngestTest, SessionTraceDocumentStoredOnceWithEveryEventType) {
  StartCollector();
  auto res = client_->Post("/v1/traces", kSessionTrace);
  ASSERT_EQ(res.status, 200) << res.body;

  auto check = [&] {
    auto db = Db();
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM session_traces"), 1);
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM session_timesteps"), 2);
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 3);
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events WHERE event_type='cais'"), 1);
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events WHERE event_type='environment'"), 1);
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events WHERE event_type='runtime'"), 1);
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM messages"), 2);
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM event_rewards"), 1);
    EXPECT_NEAR(db->Real("SELECT reward_value FROM event_rewards"), 1.5, 1e-12);
    EXPECT_EQ(db->Int("SELECT num_timesteps FROM session_traces"), 2);
    EXPECT_EQ(db->Int("SELECT num_events FROM session_traces"), 3);
    EXPECT_EQ(db->Int("SELECT num_messages FROM session_traces"), 2);
    EXPECT_EQ(db->Text("SELECT created_at FROM session_traces"), "2025-01-01T12:00:00+00:00");
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events e JOIN session_timesteps t "
                      "ON e.timestep_id=t.id WHERE t.step_id='step2' AND e.event_type='runtime'"),
              1);
    EXPECT_EQ(db->Text("SELECT json_extract(metadata,'$.actions[1]') FROM events "
                       "WHERE event_type='runtime'"),
              "2");
    EXPECT_EQ(db->Text("SELECT content FROM messages WHERE message_type='user'"), "go north");
    EXPECT_NEAR(db->Real("SELECT reward FROM events WHERE event_type='environment'"), 1.5, 1e-12);
  };
  check();
  // Posting the same document again stores nothing new.
  auto again = client_->Post("/v1/traces", kSessionTrace);
  ASSERT_EQ(again.status, 200) << again.body;
  check();
}

TEST_P(IngestTest, RetriedRecordsAreStoredOnceWithExactCounters) {
  StartCollector();
  std::string body = R"({"records":[)";
  for (int i = 0; i < 6; ++i) {
    if (i) body += ",";
    body += R"({"type":"event","id":"ev-)" + std::to_string(i) +
            R"(","session_id":"s-retry","step_id":"step)" + std::to_string(i % 2) +
            R"(","event_type":"runtime","system_instance_id":"agent"},)" +
            R"({"type":"message","id":"msg-)" + std::to_string(i) +
            R"(","session_id":"s-retry","step_id":"step)" + std::to_string(i % 2) +
            R"(","message_type":"user","content":"m"})";
  }
  body += "]}";
  auto first = PostRecords(body);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(JsonProbe(first.body).Int("/stored"), 12);
  for (int retry = 0; retry < 3; ++retry) {
    auto again = PostRecords(body);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(JsonProbe(again.body).Int("/duplicates"), 12);
    EXPECT_EQ(JsonProbe(again.body).Int("/stored"), 0);
  }
  auto db = Db();
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 6);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM messages"), 6);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM session_timesteps"), 2);
  EXPECT_EQ(db->Int("SELECT num_events FROM session_traces WHERE session_id='s-retry'"), 6);
  EXPECT_EQ(db->Int("SELECT num_messages FROM session_traces WHERE session_id='s-retry'"), 6);
  EXPECT_EQ(db->Int("SELECT num_timesteps FROM session_traces WHERE session_id='s-retry'"), 2);
  EXPECT_EQ(db->Int("SELECT SUM(num_events) FROM session_timesteps"), 6);
  EXPECT_EQ(db->Int("SELECT SUM(num_messages) FROM session_timesteps"), 6);
  // Step indexes are 0-based in order of first mention.
  EXPECT_EQ(db->Int("SELECT step_index FROM session_timesteps WHERE step_id='step1'"), 1);
}

TEST_P(IngestTest, MixedGoodAndBadRecordsAnswer207AndStoreOnlyTheGood) {
  StartCollector();
  auto res = PostRecords(R"({"records":[
    {"type":"event","id":"good-1","session_id":"s-mix","event_type":"runtime","system_instance_id":"a"},
    {"type":"event","id":"bad-1","session_id":"s-mix","event_type":"telepathy","system_instance_id":"a"},
    {"type":"message","id":"good-2","session_id":"s-mix","message_type":"user","content":"hi"},
    {"type":"message","id":"bad-2","session_id":"s-mix","message_type":"user"},
    {"type":"event_reward","id":"bad-3","session_id":"s-mix","event_ref":"no-such-event","reward_value":1}
  ]})");
  ASSERT_EQ(res.status, 207) << res.body;
  JsonProbe body(res.body);
  ASSERT_EQ(body.ArraySize("/results"), 5u);
  EXPECT_EQ(body.Str("/results/0/status"), "stored");
  EXPECT_EQ(body.Str("/results/1/status"), "refused");
  EXPECT_EQ(body.Str("/results/1/field"), "event_type");
  EXPECT_EQ(body.Str("/results/2/status"), "stored");
  EXPECT_EQ(body.Str("/results/3/status"), "refused");
  EXPECT_EQ(body.Str("/results/3/field"), "content");
  EXPECT_EQ(body.Str("/results/4/status"), "refused") << "the database refused the reference";
  EXPECT_EQ(body.Int("/stored"), 2);
  EXPECT_EQ(body.Int("/refused"), 3);
  auto db = Db();
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 1);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM messages"), 1);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM event_rewards"), 0);
  EXPECT_EQ(db->Int("SELECT num_events + num_messages FROM session_traces"), 2);
  auto metrics = client_->Get("/metrics");
  EXPECT_NE(metrics.body.find("tracecollector_records_refused_total{reason=\"invalid\"} 2\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("tracecollector_records_refused_total{reason=\"database\"} 1\n"),
            std::string::npos);
}

struct BadBody {
  const char* name;
  const char* path;
  std::string body;
  const char* content_type;
  int status;
  const char* code;
};

TEST_P(IngestTest, BadBodiesGetA4xxJsonErrorAndStoreNothing) {
  StartCollector({"--set", "http.max_body_bytes=4096", "--set",
                  "ingest.max_records_per_request=3", "--set", "ingest.max_depth=8"});
  std::string deep = R"({"type":"session","session_id":"s","metadata":)";
  for (int i = 0; i < 20; ++i) deep += "[";
  for (int i = 0; i < 20; ++i) deep += "]";
  deep += "}";
  const std::string rec = R"({"type":"session","session_id":"s"})";
  std::vector<BadBody> cases = {
      {"not json", "/v1/records", "{\"records\": [", "application/json", 400, "invalid_body"},
      {"empty", "/v1/records", "", "application/json", 400, "invalid_body"},
      {"scalar", "/v1/records", "42", "application/json", 400, "invalid_body"},
      {"binary", "/v1/records", std::string("\x00\xff\xfe{", 4), "application/json", 400,
       "invalid_body"},
      {"too deep", "/v1/records", deep, "application/json", 400, "invalid_body"},
      {"too many", "/v1/records", "[" + rec + "," + rec + "," + rec + "," + rec + "]",
       "application/json", 400, "invalid_body"},
      {"too large", "/v1/records", "[" + std::string(5000, ' ') + "]", "application/json", 413,
       "payload_too_large"},
      {"wrong type", "/v1/records", rec, "text/plain", 415, "unsupported_media_type"},
      {"bad ack", "/v1/records?ack=sometimes", rec, "application/json", 400, "invalid_argument"},
      {"trace not json", "/v1/traces", "{]", "application/json", 400, "invalid_body"},
  };
  for (const auto& c : cases) {
    HttpClient client("127.0.0.1", collector_->port());
    auto res = client.Post(c.path, c.body, c.content_type);
    EXPECT_EQ(res.status, c.status) << c.name << ": " << res.body;
    JsonProbe body(res.body);
    EXPECT_TRUE(body.valid()) << c.name << ": body is not JSON: " << res.body;
    EXPECT_EQ(body.Str("/error/code"), c.code) << c.name << ": " << res.body;
    EXPECT_TRUE(body.Str("/error/message").has_value()) << c.name;
  }
  auto health = client_->Get("/healthz");
  EXPECT_EQ(health.status, 200) << "still alive after bad bodies";
  auto db = Db();
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM session_traces"), 0);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM tc_idempotency"), 0);
}

TEST_P(IngestTest, NdjsonBrokenLineRefusedAlone) {
  StartCollector();
  std::string body =
      "{\"type\":\"session\",\"id\":\"n1\",\"session_id\":\"s-nd\"}\n"
      "{\"type\":\"event\",\"id\":\"n2\",\"session_id\":\"s-nd\",\"event_type\":\"runtime\"\n"
      "{\"type\":\"message\",\"id\":\"n3\",\"session_id\":\"s-nd\",\"message_type\":\"user\","
      "\"content\":\"x\"}\n";
  auto res = client_->Post("/v1/records", body, "application/x-ndjson");
  ASSERT_EQ(res.status, 207) << res.body;
  JsonProbe probe(res.body);
  EXPECT_EQ(probe.Str("/results/1/status"), "refused");
  auto db = Db();
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM messages"), 1);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 0);
}

TEST_P(IngestTest, HealthReadinessAndMetricsEndpoints) {
  StartCollector();
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  EXPECT_EQ(client_->Get("/readyz").status, 200);
  auto metrics = client_->Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tracecollector_queue_capacity_records"), std::string::npos);
  EXPECT_EQ(client_->Get("/nope").status, 404);
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(IngestTest);

}  // namespace
}  // namespace tc::testing
