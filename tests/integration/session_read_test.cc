// GET /v1/sessions/{id} against the real binary (docs/api.md §9): the round trip (POST a
// SessionTrace, GET it back, compare as JSON; POST the answer's document to an empty second
// collector and compare both databases table by table), and the error answers.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"

namespace tc::testing {
namespace {

// A realistic synth-ai SessionTrace.to_dict(): two steps; an LM CAIS event with call records,
// an environment event with a reward, a runtime event with actions, one event outside any step;
// messages of several types (one outside any step); metadata; outcome and event rewards.
constexpr const char* kTrace = R"({
  "session_id": "run/42 é",
  "created_at": "2025-03-01T10:00:00.000001+00:00",
  "metadata": {"env": "crafter", "seed": 7, "tags": ["a", "b"]},
  "session_time_steps": [
    {"step_id": "turn-0", "step_index": 0, "timestamp": "2025-03-01T10:00:01+00:00",
     "turn_number": 0, "step_metadata": {"phase": "explore"},
     "completed_at": "2025-03-01T10:00:02+00:00",
     "events": [
       {"system_instance_id": "policy", "time_record": {"event_time": 1740823201.5, "message_time": 0},
        "metadata": {"step_id": "turn-0"}, "event_metadata": null,
        "model_name": "gpt-4o-mini", "provider": "openai", "input_tokens": 812,
        "output_tokens": 64, "total_tokens": 876, "cost_usd": 0.0045, "latency_ms": 930,
        "span_id": "sp1", "trace_id": "tr1", "system_state_before": {"hp": 9},
        "system_state_after": {"hp": 9},
        "call_records": [{"call_id": "c1", "api_type": "chat_completions",
          "model_name": "gpt-4o-mini", "input_messages": [{"role": "user",
          "parts": [{"type": "text", "text": "what now?"}]}],
          "output_messages": [{"role": "assistant", "parts": [{"type": "text",
          "text": "move north"}]}], "usage": {"input_tokens": 812, "output_tokens": 64}}]},
       {"system_instance_id": "crafter-env", "time_record": {"event_time": 1740823201.75, "message_time": 0},
        "metadata": {"step_id": "turn-0"}, "event_metadata": [{"achievement": "wood"}],
        "reward": 1.5, "terminated": false, "truncated": false,
        "system_state_before": {"pos": [1, 2]}, "system_state_after": {"pos": [1, 3]}}
     ],
     "markov_blanket_messages": [
       {"message_type": "user", "content": {"text": "what now?", "json_payload": null},
        "timestamp": "2025-03-01T10:00:01.1+00:00",
        "time_record": {"event_time": 1740823201.1, "message_time": 0},
        "metadata": {"step_id": "turn-0"}},
       {"message_type": "assistant", "content": {"text": "move north", "json_payload": null},
        "timestamp": "2025-03-01T10:00:01.9+00:00",
        "time_record": {"event_time": 1740823201.9, "message_time": 0},
        "metadata": {"step_id": "turn-0"}}
     ]},
    {"step_id": "turn-1", "step_index": 1, "timestamp": "2025-03-01T10:00:03+00:00",
     "turn_number": 1, "step_metadata": null, "completed_at": null,
     "events": [
       {"system_instance_id": "runtime", "time_record": {"event_time": 1740823203.0, "message_time": 1},
        "metadata": {"step_id": "turn-1", "actions": [3, 1]}, "event_metadata": null}
     ],
     "markov_blanket_messages": [
       {"message_type": "tool_result", "content": {"text": "{\"ok\":true}", "json_payload": null},
        "timestamp": "2025-03-01T10:00:03.5+00:00",
        "time_record": {"event_time": 1740823203.5, "message_time": 1},
        "metadata": {"step_id": "turn-1"}}
     ]}
  ],
  "event_history": [
    {"system_instance_id": "policy", "time_record": {"event_time": 1740823201.5, "message_time": 0},
     "metadata": {"step_id": "turn-0"}, "event_metadata": null,
     "model_name": "gpt-4o-mini", "provider": "openai", "input_tokens": 812,
     "output_tokens": 64, "total_tokens": 876, "cost_usd": 0.0045, "latency_ms": 930,
     "span_id": "sp1", "trace_id": "tr1", "system_state_before": {"hp": 9},
     "system_state_after": {"hp": 9},
     "call_records": [{"call_id": "c1", "api_type": "chat_completions",
       "model_name": "gpt-4o-mini", "input_messages": [{"role": "user",
       "parts": [{"type": "text", "text": "what now?"}]}],
       "output_messages": [{"role": "assistant", "parts": [{"type": "text",
       "text": "move north"}]}], "usage": {"input_tokens": 812, "output_tokens": 64}}]},
    {"system_instance_id": "crafter-env", "time_record": {"event_time": 1740823201.75, "message_time": 0},
     "metadata": {"step_id": "turn-0"}, "event_metadata": [{"achievement": "wood"}],
     "reward": 1.5, "terminated": false, "truncated": false,
     "system_state_before": {"pos": [1, 2]}, "system_state_after": {"pos": [1, 3]}},
    {"system_instance_id": "runtime", "time_record": {"event_time": 1740823203.0, "message_time": 1},
     "metadata": {"step_id": "turn-1", "actions": [3, 1]}, "event_metadata": null},
    {"system_instance_id": "watchdog", "time_record": {"event_time": 1740823204.0, "message_time": 2},
     "metadata": {"note": "no step"}, "event_metadata": null,
     "model_name": "claude-3-5-haiku", "provider": "anthropic", "input_tokens": 10,
     "output_tokens": 2, "total_tokens": 12, "cost_usd": 0.0001, "latency_ms": 120,
     "span_id": null, "trace_id": null, "system_state_before": null,
     "system_state_after": null, "call_records": []}
  ],
  "markov_blanket_message_history": [
    {"message_type": "user", "content": {"text": "what now?", "json_payload": null},
     "timestamp": "2025-03-01T10:00:01.1+00:00",
     "time_record": {"event_time": 1740823201.1, "message_time": 0},
     "metadata": {"step_id": "turn-0"}},
    {"message_type": "assistant", "content": {"text": "move north", "json_payload": null},
     "timestamp": "2025-03-01T10:00:01.9+00:00",
     "time_record": {"event_time": 1740823201.9, "message_time": 0},
     "metadata": {"step_id": "turn-0"}},
    {"message_type": "tool_result", "content": {"text": "{\"ok\":true}", "json_payload": null},
     "timestamp": "2025-03-01T10:00:03.5+00:00",
     "time_record": {"event_time": 1740823203.5, "message_time": 1},
     "metadata": {"step_id": "turn-1"}},
    {"message_type": "system", "content": {"text": "episode over", "json_payload": null},
     "timestamp": "2025-03-01T10:00:04+00:00",
     "time_record": {"event_time": 1740823204.0, "message_time": 2},
     "metadata": {}}
  ],
  "outcome_rewards": [
    {"objective_key": "reward", "total_reward": 3.25, "achievements_count": 2, "total_steps": 2,
     "reward_metadata": {"why": "wood+table"}, "annotation": "good run"}
  ],
  "event_rewards": [
    {"event_ref": "trace:run/42 é:event:0", "message_ref": "trace:run/42 é:message:1",
     "turn_number": 0, "objective_key": "quality", "reward_value": 0.5,
     "reward_type": "achievement_delta", "key": "judge-1", "annotation": "concise",
     "source": "judge"}
  ]
})";

constexpr const char* kSessionPath = "/v1/sessions/run%2F42%20%C3%A9";

// `want` is contained in `got`: every member of an object of `want` is in `got` with a
// contained value; arrays have the same length and contained elements; numbers are equal within
// 1e-12 relative (cost_usd is stored in cents, docs/api.md §9). The one normalisation ingest
// makes that is not containment: none in this document (actions are sent inside metadata).
::testing::AssertionResult Contains(simdjson::dom::element want, simdjson::dom::element got,
                                    const std::string& path) {
  using simdjson::dom::element_type;
  const element_type wt = want.type(), gt = got.type();
  auto is_number = [](element_type t) {
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  };
  if (is_number(wt) && is_number(gt)) {
    double w = 0, g = 0;
    if (want.get(w) || got.get(g)) return ::testing::AssertionFailure() << path << ": numbers";
    if (std::fabs(w - g) <= 1e-12 * std::max(std::fabs(w), 1.0)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << path << ": " << w << " != " << g;
  }
  if (wt != gt) {
    return ::testing::AssertionFailure()
           << path << ": " << simdjson::minify(want) << " vs " << simdjson::minify(got);
  }
  if (wt == element_type::OBJECT) {
    simdjson::dom::object want_object, got_object;
    if (want.get(want_object) || got.get(got_object)) {
      return ::testing::AssertionFailure() << path << ": not objects";
    }
    for (auto [key, value] : want_object) {
      simdjson::dom::element other;
      if (got_object[key].get(other)) {
        return ::testing::AssertionFailure() << path << "." << key << " is missing";
      }
      auto r = Contains(value, other, path + "." + std::string(key));
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  if (wt == element_type::ARRAY) {
    simdjson::dom::array wa, ga;
    if (want.get(wa) || got.get(ga)) return ::testing::AssertionFailure() << path << ": not arrays";
    if (wa.size() != ga.size()) {
      return ::testing::AssertionFailure()
             << path << ": " << wa.size() << " elements vs " << ga.size();
    }
    for (size_t i = 0; i < wa.size(); ++i) {
      simdjson::dom::element we, ge;
      if (wa.at(i).get(we) || ga.at(i).get(ge)) return ::testing::AssertionFailure() << path;
      auto r = Contains(we, ge, path + "[" + std::to_string(i) + "]");
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  if (simdjson::minify(want) == simdjson::minify(got)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << path << ": " << simdjson::minify(want) << " vs " << simdjson::minify(got);
}

// Every table a trace writes, each row in id order; the columns the writer fills with its
// commit time (docs/schema.md §5) left out.
const std::map<std::string, std::string> kTables = {
    {"session_traces", "SELECT * FROM session_traces ORDER BY session_id"},
    {"session_timesteps", "SELECT * FROM session_timesteps ORDER BY id"},
    {"events", "SELECT * FROM events ORDER BY id"},
    {"messages", "SELECT * FROM messages ORDER BY id"},
    {"outcome_rewards",
     "SELECT id, session_id, objective_key, total_reward, achievements_count, total_steps, "
     "reward_metadata, annotation FROM outcome_rewards ORDER BY id"},
    {"event_rewards",
     "SELECT id, event_id, session_id, message_id, turn_number, objective_key, reward_value, "
     "reward_type, \"key\", annotation, source FROM event_rewards ORDER BY id"},
    {"tc_idempotency", "SELECT \"key\", record_type, row_id FROM tc_idempotency ORDER BY 1"},
};

// The rows with every cell that is a number written the same way: the sqld backend's reader
// prints REALs as "1.500000", the SQLite one as "1.5".
std::vector<Row> Normalized(std::vector<Row> rows) {
  for (Row& row : rows) {
    for (std::optional<std::string>& cell : row) {
      if (!cell || cell->empty()) continue;
      char* end = nullptr;
      const double value = std::strtod(cell->c_str(), &end);
      if (end == cell->c_str() + cell->size()) {
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", value);
        *cell = text;
      }
    }
  }
  return rows;
}

class SessionReadTest : public CollectorTest {};

TEST_P(SessionReadTest, RoundTripGivesTheSameDocumentAndTheSameRows) {
  StartCollector();
  auto posted = client_->Post("/v1/traces?ack=durable", kTrace);
  ASSERT_EQ(posted.status, 200) << posted.body;

  auto got = client_->Get(kSessionPath);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.headers["content-type"], "application/json");
  simdjson::dom::parser want_parser, got_parser;
  simdjson::dom::element want, answer, trace;
  ASSERT_EQ(want_parser.parse(std::string(kTrace)).get(want), simdjson::SUCCESS);
  ASSERT_EQ(got_parser.parse(got.body).get(answer), simdjson::SUCCESS) << got.body;
  ASSERT_EQ(answer.at_pointer("/trace").get(trace), simdjson::SUCCESS);
  EXPECT_TRUE(Contains(want, trace, "trace"));
  JsonProbe totals(got.body);
  EXPECT_EQ(totals.Int("/totals/timesteps"), 2);
  EXPECT_EQ(totals.Int("/totals/events"), 4);
  EXPECT_EQ(totals.Int("/totals/lm_calls"), 2);
  EXPECT_EQ(totals.Int("/totals/messages"), 4);
  EXPECT_EQ(totals.Int("/totals/total_tokens"), 888);
  double cost = 0;
  EXPECT_EQ(answer.at_pointer("/totals/cost_usd").get(cost), simdjson::SUCCESS);
  EXPECT_NEAR(cost, 0.0046, 1e-12);

  // The document alone, posted to an empty collector, makes the same rows.
  const std::string document(simdjson::minify(trace));
  TempDir second_dir;
  const std::string second_db = second_dir.File("second.db");
  CollectorProcess second({"--backend", "embedded", "--db", second_db}, {},
                          second_dir.File("collector.log"));
  HttpClient second_client("127.0.0.1", second.port());
  auto reposted = second_client.Post("/v1/traces?ack=durable", document);
  ASSERT_EQ(reposted.status, 200) << reposted.body;
  auto first_db = Db();
  auto second_reader = MakeSqliteReader(second_db);
  for (const auto& [table, sql] : kTables) {
    const auto first_rows = first_db->Rows(sql);
    EXPECT_FALSE(first_rows.empty()) << table;
    EXPECT_EQ(Normalized(first_rows), Normalized(second_reader->Rows(sql))) << table;
  }
  // And GET on the second collector answers the same document.
  auto again = second_client.Get(kSessionPath);
  ASSERT_EQ(again.status, 200) << again.body;
  simdjson::dom::parser again_parser;
  simdjson::dom::element again_answer;
  ASSERT_EQ(again_parser.parse(again.body).get(again_answer), simdjson::SUCCESS);
  EXPECT_EQ(std::string(simdjson::minify(again_answer)), std::string(simdjson::minify(answer)));
}

// ?bodies=false (what the viewer loads): the same events without their three body columns,
// each with the id GET /v1/events/{id} answers them under, with the bodies.
TEST_P(SessionReadTest, WithoutBodiesEventsCarryTheIdThatReadsTheirBodies) {
  StartCollector();
  auto posted = client_->Post("/v1/traces?ack=durable", kTrace);
  ASSERT_EQ(posted.status, 200) << posted.body;
  auto full = client_->Get(kSessionPath);
  auto light = client_->Get(std::string(kSessionPath) + "?bodies=false");
  ASSERT_EQ(full.status, 200) << full.body;
  ASSERT_EQ(light.status, 200) << light.body;
  EXPECT_LT(light.body.size(), full.body.size());
  JsonProbe whole(full.body), outline(light.body);
  EXPECT_EQ(outline.Int("/totals/events"), 4);
  EXPECT_EQ(outline.Str("/totals/models/0"), whole.Str("/totals/models/0"));
  int with_calls = 0;
  for (int i = 0; i < 4; ++i) {
    const std::string event = "/trace/event_history/" + std::to_string(i);
    auto at = [&](const char* member) { return event + member; };
    EXPECT_FALSE(outline.Has(at("/call_records").c_str())) << event;
    EXPECT_FALSE(outline.Has(at("/system_state_before").c_str())) << event;
    EXPECT_EQ(outline.Str(at("/created_at").c_str()), whole.Str(at("/created_at").c_str()));
    const std::optional<int64_t> id = outline.Int(at("/id").c_str());
    ASSERT_TRUE(id.has_value()) << light.body;
    auto one = client_->Get("/v1/events/" + std::to_string(*id));
    ASSERT_EQ(one.status, 200) << one.body;
    JsonProbe row(one.body);
    EXPECT_EQ(row.Str("/session_id"), whole.Str("/trace/session_id")) << event;
    EXPECT_EQ(row.Str("/created_at"), whole.Str(at("/created_at").c_str())) << event;
    if (whole.Has(at("/call_records/0").c_str())) {
      ++with_calls;
      EXPECT_TRUE(row.Has("/call_records/0")) << one.body;
    }
  }
  EXPECT_GT(with_calls, 0) << "the test trace has call records to leave out";
  auto bad = client_->Get(std::string(kSessionPath) + "?bodies=no");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find(R"("parameter":"bodies")"), std::string::npos) << bad.body;
}

TEST_P(SessionReadTest, ErrorsAreJsonWithTheIngestShape) {
  StartCollector();
  auto missing = client_->Get("/v1/sessions/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            R"({"error":{"code":"not_found","message":"no session with id \"nope\""}})");
  auto bad = client_->Get("/v1/sessions/a%zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find(R"("code":"bad_session_id")"), std::string::npos) << bad.body;
  auto empty = client_->Get("/v1/sessions/");
  EXPECT_EQ(empty.status, 400) << empty.body;
  auto put = client_->Post("/v1/sessions/s1", "{}");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.headers["allow"], "GET, DELETE");
}

TEST_P(SessionReadTest, WithKeysReadingNeedsTheReadScope) {
  StartCollector({"--set", "auth.api_keys=ingest-key", "--set", "auth.read_keys=read-key", "--set",
                  "auth.admin_keys=admin-key"});
  auto posted = client_->Post("/v1/traces?ack=durable", kTrace, "application/json",
                              {{"Authorization", "Bearer ingest-key"}});
  ASSERT_EQ(posted.status, 200) << posted.body;
  auto anonymous = client_->Get(kSessionPath);
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  auto wrong = client_->Get(kSessionPath, {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  // An agent's ingest key does not read other agents' traces.
  auto ingest = client_->Get(kSessionPath, {{"Authorization", "Bearer ingest-key"}});
  EXPECT_EQ(ingest.status, 403) << ingest.body;
  EXPECT_NE(ingest.body.find(R"("code":"forbidden")"), std::string::npos) << ingest.body;
  EXPECT_NE(ingest.body.find("needs the read scope"), std::string::npos) << ingest.body;
  auto reader = client_->Get(kSessionPath, {{"Authorization", "Bearer read-key"}});
  EXPECT_EQ(reader.status, 200) << reader.body;
  auto admin = client_->Get(kSessionPath, {{"Authorization", "Bearer admin-key"}});
  EXPECT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.body, reader.body);
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(SessionReadTest);

}  // namespace
}  // namespace tc::testing
