// What SqliteSink::Write stores: every record type, defaults, counters, idempotency, refusals.

#include <gtest/gtest.h>

#include "sink/sqlite/sqlite_sink.h"
#include "sqlite_sink_fixture.h"

namespace tc::sink {
namespace {

bool IsIsoNow(const std::string& text) {
  // "2025-01-01T12:00:00.123456+00:00"
  return text.size() == 32 && text[4] == '-' && text[10] == 'T' && text.ends_with("+00:00");
}

TEST_F(SqliteSinkTest, StoresEventsWithAllColumns) {
  auto sink = OpenSink();
  schema::EventRecord cais;
  cais.session_id = "s1";
  cais.step_id = "step-a";
  cais.event_type = EventType::kCais;
  cais.system_instance_id = "llm";
  cais.event_time = 1700000000.5;
  cais.message_time = 3;
  cais.model_name = "gpt-x";
  cais.provider = "openai";
  cais.input_tokens = 10;
  cais.output_tokens = 20;
  cais.total_tokens = 30;
  cais.cost_usd = 0.0045;
  cais.latency_ms = 123;
  cais.span_id = "span";
  cais.trace_id = "trace";
  cais.call_records = "[{\"id\":1}]";
  cais.system_state_before = "{\"b\":1}";
  cais.system_state_after = "{\"a\":1}";
  cais.metadata = "{\"step_id\":\"step-a\"}";
  cais.event_metadata = "[1]";
  schema::EventRecord env;
  env.session_id = "s1";
  env.step_id = "step-a";
  env.event_type = EventType::kEnvironment;
  env.system_instance_id = "env";
  env.reward = 2.5;
  env.terminated = true;
  env.truncated = false;
  env.created_at = "2024-05-05T00:00:00+00:00";
  env.event_metadata = "{\"why\":\"goal\"}";
  schema::EventRecord runtime;
  runtime.session_id = "s1";
  runtime.event_type = EventType::kRuntime;
  runtime.system_instance_id = "rt";
  runtime.metadata = "{\"actions\":[1,2]}";
  auto results = Write(*sink, {{"c", cais}, {"e", env}, {"r", runtime}});
  EXPECT_EQ(Outcomes(results), (std::vector<RecordOutcome>{kStored, kStored, kStored}));

  TestDb db(path_);
  const std::string ts_id = db.Text("SELECT id FROM session_timesteps WHERE step_id = 'step-a'");
  EXPECT_EQ(
      db.Rows("SELECT session_id, timestep_id, event_type, system_instance_id, event_time, "
              "message_time, model_name, provider, input_tokens, output_tokens, total_tokens, "
              "typeof(cost_usd), cost_usd, latency_ms, span_id, trace_id, call_records, reward, "
              "terminated, truncated, system_state_before, system_state_after, metadata, "
              "event_metadata FROM events ORDER BY id"),
      (Rows{{"s1",
             ts_id,
             "cais",
             "llm",
             "1700000000.5",
             "3",
             "gpt-x",
             "openai",
             "10",
             "20",
             "30",
             "real",
             "0.45",
             "123",
             "span",
             "trace",
             "[{\"id\":1}]",
             "NULL",
             "NULL",
             "NULL",
             "{\"b\":1}",
             "{\"a\":1}",
             "{\"step_id\":\"step-a\"}",
             "[1]"},
            {"s1",   ts_id,  "environment", "env",  "NULL", "NULL", "NULL", "NULL",
             "NULL", "NULL", "NULL",        "null", "NULL", "NULL", "NULL", "NULL",
             "NULL", "2.5",  "1",           "0",    "NULL", "NULL", "NULL", "{\"why\":\"goal\"}"},
            {"s1",
             "NULL",
             "runtime",
             "rt",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "null",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "NULL",
             "{\"actions\":[1,2]}",
             "NULL"}}));
  // created_at: filled with commit time, or as given.
  EXPECT_TRUE(IsIsoNow(db.Text("SELECT created_at FROM events WHERE event_type = 'cais'")));
  EXPECT_EQ(db.Text("SELECT created_at FROM events WHERE event_type = 'environment'"),
            "2024-05-05T00:00:00+00:00");
  // The environment event's reward also became an event_rewards row, like synth-ai's tracer.
  EXPECT_EQ(db.Rows("SELECT event_id = (SELECT id FROM events WHERE event_type = "
                    "'environment'), session_id, message_id, objective_key, reward_value, "
                    "reward_type, \"key\", annotation, source FROM event_rewards"),
            (Rows{{"1", "s1", "NULL", "reward", "2.5", "sparse", "NULL", "{\"why\":\"goal\"}",
                   "environment"}}));
  EXPECT_TRUE(IsIsoNow(db.Text("SELECT created_at FROM event_rewards")));
  EXPECT_EQ(Counters(db, "s1"), "1,3,0");
  EXPECT_EQ(db.Text("SELECT num_events FROM session_timesteps"), "2");
}

TEST_F(SqliteSinkTest, CostIsCentsAndTheViewsPrintDollars) {
  auto sink = OpenSink();
  schema::EventRecord e;
  e.session_id = "s";
  e.event_type = EventType::kCais;
  e.model_name = "m";
  e.provider = "p";
  e.cost_usd = 0.0045;
  Write(*sink, {{"", e}});
  TestDb db(path_);
  EXPECT_EQ(db.Text("SELECT cost_usd FROM events"), "0.45");
  EXPECT_EQ(db.Text("SELECT total_cost_usd FROM session_summary"), "0.0045");
  EXPECT_EQ(db.Text("SELECT total_cost_usd FROM model_usage_stats"), "0.0045");
  EXPECT_DOUBLE_EQ(db.Double("SELECT total_cost_usd FROM session_summary"), 0.0045);
  EXPECT_EQ(db.Text("SELECT first_used IS NOT NULL FROM model_usage_stats"), "1");
}

TEST_F(SqliteSinkTest, StoresMessages) {
  auto sink = OpenSink();
  schema::MessageRecord m;
  m.session_id = "s";
  m.step_id = "a";
  m.message_type = MessageType::kToolResult;
  m.content = "{\"ok\":true}";
  m.event_time = 12.5;
  m.message_time = 4;
  m.metadata = "{\"step_id\":\"a\"}";
  schema::MessageRecord given = m;
  given.step_id.reset();
  given.timestamp = "2024-01-01T00:00:00+00:00";
  Write(*sink, {{"m1", m}, {"m2", given}});
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT session_id, timestep_id IS NOT NULL, message_type, content, "
                    "event_time, message_time, metadata FROM messages ORDER BY id"),
            (Rows{{"s", "1", "tool_result", "{\"ok\":true}", "12.5", "4", "{\"step_id\":\"a\"}"},
                  {"s", "0", "tool_result", "{\"ok\":true}", "12.5", "4", "{\"step_id\":\"a\"}"}}));
  EXPECT_TRUE(IsIsoNow(db.Text("SELECT timestamp FROM messages WHERE id = 1")));
  EXPECT_EQ(db.Text("SELECT timestamp FROM messages WHERE id = 2"), "2024-01-01T00:00:00+00:00");
  EXPECT_EQ(Counters(db, "s"), "1,0,2");
  EXPECT_EQ(db.Text("SELECT num_messages FROM session_timesteps"), "1");
}

TEST_F(SqliteSinkTest, CreatesSessionsAndTimestepsOnFirstMention) {
  auto sink = OpenSink();
  Write(*sink, {Event("", "s", "a"), Message("", "s", "b"), Event("", "s", "a"),
                Message("", "s", "c"), Event("", "t", "x")});
  Write(*sink, {Event("", "s", "d")});
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT step_id, step_index, num_events, num_messages, started_at IS NOT "
                    "NULL FROM session_timesteps WHERE session_id = 's' ORDER BY id"),
            (Rows{{"a", "0", "2", "0", "1"},
                  {"b", "1", "0", "1", "1"},
                  {"c", "2", "0", "1", "1"},
                  {"d", "3", "1", "0", "1"}}));
  EXPECT_EQ(db.Text("SELECT step_index FROM session_timesteps WHERE session_id = 't'"), "0");
  EXPECT_EQ(Counters(db, "s"), "4,3,2");
  EXPECT_EQ(Counters(db, "t"), "1,1,0");
  EXPECT_TRUE(IsIsoNow(db.Text("SELECT created_at FROM session_traces WHERE session_id = 's'")));
  // Every event / message points at its step.
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events ev JOIN session_timesteps ts ON ev.timestep_id "
                   "= ts.id WHERE ev.session_id = ts.session_id"),
            4);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM messages m JOIN session_timesteps ts ON m.timestep_id "
                   "= ts.id"),
            2);
}

TEST_F(SqliteSinkTest, KeyedRecordsAreStoredOnceWithExactCounters) {
  auto sink = OpenSink();
  const std::vector<Record> batch = {Event("e1", "s", "a"), Message("m1", "s", "a"),
                                     Event("e2", "s", "b"), EventRewardByRef("r1", "s", "e1")};
  // Twice in one batch...
  std::vector<Record> doubled = batch;
  doubled.insert(doubled.end(), batch.begin(), batch.end());
  auto results = Write(*sink, doubled);
  EXPECT_EQ(Outcomes(results),
            (std::vector<RecordOutcome>{kStored, kStored, kStored, kStored, kDuplicate, kDuplicate,
                                        kDuplicate, kDuplicate}));
  // ... and again across batches.
  results = Write(*sink, batch);
  EXPECT_EQ(Outcomes(results),
            (std::vector<RecordOutcome>{kDuplicate, kDuplicate, kDuplicate, kDuplicate}));
  TestDb db(path_);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events"), 2);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM messages"), 1);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM event_rewards"), 1);
  EXPECT_EQ(Counters(db, "s"), "2,2,1");
  EXPECT_EQ(db.Rows("SELECT step_id, num_events, num_messages FROM session_timesteps ORDER BY "
                    "id"),
            (Rows{{"a", "1", "1"}, {"b", "1", "0"}}));
  EXPECT_EQ(db.Rows("SELECT \"key\", record_type, row_id IS NOT NULL FROM tc_idempotency ORDER "
                    "BY \"key\""),
            (Rows{{"e1", "event", "1"},
                  {"e2", "event", "1"},
                  {"m1", "message", "1"},
                  {"r1", "event_reward", "1"}}));
}

TEST_F(SqliteSinkTest, UnkeyedRecordsAreStoredEveryTime) {
  auto sink = OpenSink();
  Write(*sink, {Event("", "s", "a"), Event("", "s", "a")});
  Write(*sink, {Event("", "s", "a")});
  TestDb db(path_);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events"), 3);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM tc_idempotency"), 0);
  EXPECT_EQ(Counters(db, "s"), "1,3,0");
}

TEST_F(SqliteSinkTest, ResolvesEventAndMessageRefs) {
  auto sink = OpenSink();
  Write(*sink, {Event("", "s", "a"), Event("ev-A", "s", "a"), Message("msg-A", "s", "a")});
  schema::EventRewardRecord both;
  both.session_id = "s";
  both.event_ref = "ev-A";
  both.message_ref = "msg-A";
  both.reward_value = 0.5;
  both.turn_number = 2;
  both.objective_key = "speed";
  both.reward_type = "dense";
  both.key = "k";
  both.annotation = "{\"n\":1}";
  both.source = "judge";
  schema::EventRewardRecord by_id;
  by_id.session_id = "s";
  by_id.event_id = 1;
  by_id.reward_value = -1;
  // In a later batch, and in the same batch as the event it names.
  Write(*sink, {{"r1", both},
                {"r2", by_id},
                Event("ev-B", "s", "b"),
                EventRewardByRef("r3", "s", "ev-B", 3)});
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT event_id, session_id, message_id, turn_number, objective_key, "
                    "reward_value, reward_type, \"key\", annotation, source FROM event_rewards "
                    "ORDER BY id"),
            (Rows{{"2", "s", "1", "2", "speed", "0.5", "dense", "k", "{\"n\":1}", "judge"},
                  {"1", "s", "NULL", "NULL", "reward", "-1.0", "NULL", "NULL", "NULL", "NULL"},
                  {"3", "s", "NULL", "NULL", "reward", "3.0", "NULL", "NULL", "NULL", "NULL"}}));
}

TEST_F(SqliteSinkTest, RefusedRecordLeavesNothingAndTheOthersCommit) {
  auto sink = OpenSink();
  schema::EventRewardRecord bad_message_ref;
  bad_message_ref.session_id = "s-bad2";
  bad_message_ref.event_id = 1;
  bad_message_ref.message_ref = "nope";
  const std::vector<Record> batch = {Event("e1", "s", "a"),
                                     EventRewardByRef("bad", "s-bad", "missing-event"),
                                     Message("m1", "s", "a"),
                                     {"bad2", bad_message_ref},
                                     EventRewardByRef("r1", "s", "e1")};
  auto results = Write(*sink, batch);
  EXPECT_EQ(Outcomes(results),
            (std::vector<RecordOutcome>{kStored, kRefused, kStored, kRefused, kStored}));
  EXPECT_NE(results[1].message.find("event_ref"), std::string::npos) << results[1].message;
  EXPECT_NE(results[1].message.find("NOT NULL constraint failed"), std::string::npos);
  EXPECT_NE(results[3].message.find("message_ref"), std::string::npos) << results[3].message;
  TestDb db(path_);
  // Nothing of the refused records: no session they named, no key, no reward row.
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_traces WHERE session_id LIKE 's-bad%'"), 0);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM tc_idempotency WHERE \"key\" LIKE 'bad%'"), 0);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM event_rewards"), 1);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events"), 1);
  EXPECT_EQ(Counters(db, "s"), "1,1,1");
  // A refused record was not stored, so its key stays free: sent again (now resolvable) it
  // is stored.
  results = Write(*sink, {Event("missing-event", "s-bad", {}),
                          EventRewardByRef("bad", "s-bad", "missing-event")});
  EXPECT_EQ(Outcomes(results), (std::vector<RecordOutcome>{kStored, kStored}));
}

TEST_F(SqliteSinkTest, SessionUpsertAndSessionEnd) {
  auto sink = OpenSink();
  Write(*sink, {Event("", "s", "a"), Event("", "s", "b")});
  schema::SessionRecord session;
  session.session_id = "s";
  session.created_at = "2020-01-01T00:00:00+00:00";
  session.metadata = "{\"user\":\"u\"}";
  session.experiment_id = "exp";
  schema::SessionRecord empty;
  empty.session_id = "s";  // fills nothing: keeps what is there
  schema::TimestepRecord done;
  done.session_id = "s";
  done.step_id = "b";
  done.completed_at = "2020-01-01T00:00:05+00:00";
  schema::SessionEndRecord end;
  end.session_id = "s";
  end.ended_at = "2020-01-01T00:01:00+00:00";
  end.metadata = "{\"final\":true}";
  Write(*sink, {{"", session}, {"", empty}, {"", done}, {"", end}});
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT created_at, metadata, experiment_id, num_timesteps, num_events FROM "
                    "session_traces"),
            (Rows{{"2020-01-01T00:00:00+00:00", "{\"final\":true}", "exp", "2", "2"}}));
  EXPECT_EQ(db.Rows("SELECT step_id, completed_at FROM session_timesteps ORDER BY id"),
            (Rows{{"a", "2020-01-01T00:01:00+00:00"}, {"b", "2020-01-01T00:00:05+00:00"}}));
  // session_end of an unknown session creates it; a session record creates one too.
  schema::SessionEndRecord end_new;
  end_new.session_id = "fresh";
  schema::SessionRecord new_session;
  new_session.session_id = "new";
  Write(*sink, {{"", end_new}, {"", new_session}});
  EXPECT_EQ(Counters(db, "fresh"), "0,0,0");
  EXPECT_TRUE(
      IsIsoNow(db.Text("SELECT created_at FROM session_traces WHERE session_id = "
                       "'new'")));
}

TEST_F(SqliteSinkTest, TimestepRecordCreatesOrFills) {
  auto sink = OpenSink();
  schema::TimestepRecord first;
  first.session_id = "s";
  first.step_id = "one";
  first.turn_number = 1;
  first.step_metadata = "{\"m\":1}";
  first.started_at = "2020-01-01T00:00:00+00:00";
  schema::TimestepRecord indexed;
  indexed.session_id = "s";
  indexed.step_id = "seven";
  indexed.step_index = 7;
  Write(*sink, {{"t1", first}, Event("", "s", "one"), {"", indexed}});
  schema::TimestepRecord fill;
  fill.session_id = "s";
  fill.step_id = "one";
  fill.completed_at = "2020-01-01T00:00:09+00:00";
  Write(*sink, {{"t1", first}, {"", fill}});
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT step_id, step_index, turn_number, completed_at, num_events, "
                    "step_metadata FROM session_timesteps ORDER BY id"),
            (Rows{{"one", "0", "1", "2020-01-01T00:00:09+00:00", "1", "{\"m\":1}"},
                  {"seven", "7", "NULL", "NULL", "0", "NULL"}}));
  EXPECT_EQ(db.Text("SELECT started_at FROM session_timesteps WHERE step_id = 'one'"),
            "2020-01-01T00:00:00+00:00");
  EXPECT_TRUE(
      IsIsoNow(db.Text("SELECT started_at FROM session_timesteps WHERE step_id = "
                       "'seven'")));
  EXPECT_EQ(Counters(db, "s"), "2,1,0");
}

TEST_F(SqliteSinkTest, ExperimentsSystemsAndVersionsUpsert) {
  auto sink = OpenSink();
  schema::ExperimentRecord exp{"e1", "first", "desc", "{\"c\":1}", std::nullopt};
  schema::SystemRecord sys{"sys", "agent", "agent", std::nullopt, "{}"};
  schema::SystemVersionRecord v1{"v1", "sys", "1.0", "abc", std::nullopt, std::nullopt};
  Write(*sink, {{"", exp}, {"", sys}, {"", v1}});
  schema::ExperimentRecord rename{"e1", "second", std::nullopt, std::nullopt, "{\"m\":2}"};
  schema::SystemVersionRecord clash{"v2", "sys", "1.0", std::nullopt, std::nullopt, std::nullopt};
  auto results = Write(*sink, {{"", rename}, {"", clash}});
  EXPECT_EQ(Outcomes(results), (std::vector<RecordOutcome>{kStored, kRefused}));
  EXPECT_NE(results[1].message.find("UNIQUE"), std::string::npos) << results[1].message;
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT experiment_id, name, description, configuration, metadata, "
                    "created_at < updated_at FROM experiments"),
            (Rows{{"e1", "second", "desc", "{\"c\":1}", "{\"m\":2}", "1"}}));
  EXPECT_EQ(db.Rows("SELECT system_id, name, system_type, metadata FROM systems"),
            (Rows{{"sys", "agent", "agent", "{}"}}));
  EXPECT_EQ(db.Rows("SELECT version_id, version_number, commit_hash FROM system_versions"),
            (Rows{{"v1", "1.0", "abc"}}));
}

TEST_F(SqliteSinkTest, StoresOutcomeRewards) {
  auto sink = OpenSink();
  schema::OutcomeRewardRecord r;
  r.session_id = "s";
  r.total_reward = 1.25;
  r.achievements_count = 3;
  r.total_steps = 40;
  r.reward_metadata = "{\"a\":[1]}";
  schema::OutcomeRewardRecord other = r;
  other.objective_key = "cost";
  Write(*sink, {{"o1", r}, {"o2", other}, {"o1", r}});
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT session_id, objective_key, total_reward, achievements_count, "
                    "total_steps, reward_metadata, annotation FROM outcome_rewards ORDER BY id"),
            (Rows{{"s", "reward", "1.25", "3", "40", "{\"a\":[1]}", "NULL"},
                  {"s", "cost", "1.25", "3", "40", "{\"a\":[1]}", "NULL"}}));
  EXPECT_TRUE(IsIsoNow(db.Text("SELECT created_at FROM outcome_rewards WHERE id = 1")));
  EXPECT_EQ(db.Text("SELECT row_id FROM tc_idempotency WHERE \"key\" = 'o2'"), "2");
}

// A refused record is undone with its savepoint, including the session and timestep it created:
// records after it in the same batch must create them again, and the batch's counters count
// only kept records.
TEST_F(SqliteSinkTest, RecordsAfterARefusalRecreateWhatItRolledBack) {
  auto sink = OpenSink();
  auto results = Write(*sink, {Event("", "x", "a"), EventRewardByRef("bad", "y", "missing"),
                               Message("", "y", "b"), Event("", "x", "a"), Message("", "y", "b")});
  EXPECT_EQ(Outcomes(results),
            (std::vector<RecordOutcome>{kStored, kRefused, kStored, kStored, kStored}));
  TestDb db(path_);
  EXPECT_EQ(Counters(db, "x"), "1,2,0");
  EXPECT_EQ(Counters(db, "y"), "1,0,2");
  EXPECT_EQ(db.Rows("SELECT session_id, step_id, step_index, num_events, num_messages FROM "
                    "session_timesteps ORDER BY id"),
            (Rows{{"x", "a", "0", "2", "0"}, {"y", "b", "0", "0", "2"}}));
}

// Any record can be refused (here: a value over SQLite's length limit); its counters are not
// counted, whichever pass refused it.
TEST_F(SqliteSinkTest, RefusedEventsAndMessagesLeaveCountersExact) {
  auto sink = OpenSink();
  sink->SetMaxValueBytesForTest(1000);
  Record big_event = Event("big-e", "s", "a");
  std::get<schema::EventRecord>(big_event.body).metadata = std::string(2000, 'x');
  Record big_message = Message("big-m", "s", "b", std::string(2000, 'y'));
  auto results = Write(*sink, {Event("", "s", "a"), big_event, Message("", "s", "a"), big_message,
                               Event("", "s", "a")});
  EXPECT_EQ(Outcomes(results),
            (std::vector<RecordOutcome>{kStored, kRefused, kStored, kRefused, kStored}));
  EXPECT_FALSE(results[1].message.empty());
  TestDb db(path_);
  EXPECT_EQ(Counters(db, "s"), "1,2,1");
  EXPECT_EQ(db.Rows("SELECT step_id, num_events, num_messages FROM session_timesteps"),
            (Rows{{"a", "2", "1"}}));
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM tc_idempotency"), 0);
}

}  // namespace
}  // namespace tc::sink
