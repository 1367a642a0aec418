#include "sink/sqlite/sqlite_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "sqlite_sink_fixture.h"
#include "storage/ddl.h"

namespace tc::sink {
namespace {

TEST_F(SqliteSinkTest, CreateValidatesOptions) {
  EXPECT_EQ(SqliteSink::Create({"", "FULL", 10}).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteSink::Create({path_, "SOMETIMES", 10}).error().code(),
            StatusCode::kInvalidArgument);
  auto sink = SqliteSink::Create({path_, "full", 10});
  ASSERT_TRUE(sink.has_value());
  EXPECT_EQ((*sink)->Describe(), "embedded:" + path_);
}

TEST_F(SqliteSinkTest, NotOpenRefusesWriteAndPing) {
  auto sink = MakeSink();
  std::vector<RecordResult> results;
  EXPECT_EQ(sink->Write(std::vector<Record>{Event("", "s", {})}, &results).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(sink->Ping().code(), StatusCode::kUnavailable);
}

TEST_F(SqliteSinkTest, OpenCreatesTheSchemaInWalMode) {
  auto sink = OpenSink();
  EXPECT_TRUE(sink->Ping().ok());
  TestDb db(path_);
  std::map<std::string, std::string> objects;
  for (const auto& row : db.Rows("SELECT name, type FROM sqlite_master")) {
    objects[row[0]] = row[1];
  }
  for (const auto& name : tc::testing::kSpecTables) {
    EXPECT_EQ(objects[name], "table") << name;
  }
  for (const auto& name : tc::testing::kSpecIndexes) {
    EXPECT_EQ(objects[name], "index") << name;
  }
  for (const auto& name : tc::testing::kSpecViews) {
    EXPECT_EQ(objects[name], "view") << name;
  }
  EXPECT_EQ(objects["tc_idempotency"], "table");
  EXPECT_EQ(db.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(db.Int("SELECT MAX(version) FROM tc_schema_version"), storage::kSchemaVersion);
}

TEST_F(SqliteSinkTest, ReopenIsIdempotentAndKeepsData) {
  {
    auto sink = OpenSink();
    Write(*sink, {Event("e1", "s1", "a")});
  }
  TestDb db(path_);
  auto schema_before = db.Rows("SELECT type, name, sql FROM sqlite_master ORDER BY name");
  {
    auto sink = OpenSink();
    EXPECT_TRUE(sink->Open().ok());  // a second Open() on the same sink is a no-op
    auto results = Write(*sink, {Event("e1", "s1", "a"), Event("e2", "s1", "a")});
    EXPECT_EQ(Outcomes(results), (std::vector<RecordOutcome>{kDuplicate, kStored}));
  }
  EXPECT_EQ(db.Rows("SELECT type, name, sql FROM sqlite_master ORDER BY name"), schema_before);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM tc_schema_version"), 1);
  EXPECT_EQ(Counters(db, "s1"), "1,2,0");
}

TEST_F(SqliteSinkTest, MigratesAG2DatabaseOnOpen) {
  {
    TestDb old(path_);
    old.Exec("PRAGMA synchronous = OFF");
    old.Exec("BEGIN");
    old.Exec(tc::testing::kG2OutcomeRewards);
    old.Exec(tc::testing::kG2EventRewards);
    old.Exec(tc::testing::kSynthSessionTraces);
    for (std::string_view sql : storage::TableStatements()) {
      if (sql.find("tc_") == std::string_view::npos) {
        old.Exec(sql);
      }
    }
    for (std::string_view sql : storage::IndexAndViewStatements()) {
      if (sql.find("objective") == std::string_view::npos &&
          sql.find("tc_") == std::string_view::npos) {
        old.Exec(sql);
      }
    }
    old.Exec(
        "INSERT INTO session_traces VALUES ('old', '2024-01-01', 0, 1, 0, '{}', NULL, "
        "NULL)");
    old.Exec(
        "INSERT INTO events (session_id, event_type, cost_usd, model_name, input_tokens, "
        "event_time) VALUES ('old', 'cais', 1, 'm1', 7, 100.0), ('old', 'cais', 2, 'm2', 3, "
        "101.5), ('old', 'runtime', NULL, NULL, NULL, NULL)");
    old.Exec(
        "INSERT INTO outcome_rewards (session_id, total_reward, achievements_count, "
        "total_steps, created_at) VALUES ('old', 7, 3, 12, '2024-01-01')");
    old.Exec(
        "INSERT INTO event_rewards (event_id, session_id, reward_value, created_at) "
        "VALUES (1, 'old', 0.5, '2024-01-01')");
    old.Exec("COMMIT");
  }
  auto sink = OpenSink();
  TestDb db(path_);
  EXPECT_EQ(db.Rows("SELECT name, type FROM pragma_table_info('outcome_rewards')"),
            (Rows{{"id", "INTEGER"},
                  {"session_id", "VARCHAR"},
                  {"objective_key", "TEXT"},
                  {"total_reward", "FLOAT"},
                  {"achievements_count", "INTEGER"},
                  {"total_steps", "INTEGER"},
                  {"created_at", "DATETIME"},
                  {"reward_metadata", "TEXT"},
                  {"annotation", "TEXT"}}));
  EXPECT_EQ(db.Rows("SELECT id, objective_key, typeof(total_reward), total_reward, annotation "
                    "FROM outcome_rewards"),
            (Rows{{"1", "reward", "real", "7.0", "NULL"}}));
  EXPECT_EQ(db.Text("SELECT objective_key FROM event_rewards WHERE id = 1"), "reward");
  EXPECT_EQ(db.Text("SELECT type FROM sqlite_master WHERE name = "
                    "'idx_event_rewards_session_event_objective'"),
            "index");
  // New rewards land in the migrated tables, with fractional totals and objectives.
  schema::OutcomeRewardRecord outcome;
  outcome.session_id = "old";
  outcome.objective_key = "accuracy";
  outcome.total_reward = 0.75;
  outcome.annotation = "good";
  Write(*sink, {{"o1", outcome}});
  EXPECT_EQ(db.Rows("SELECT id, objective_key, total_reward, annotation FROM outcome_rewards "
                    "WHERE id = 2"),
            (Rows{{"2", "accuracy", "0.75", "good"}}));
  EXPECT_EQ(Counters(db, "old"), "0,1,0");
  // session_traces gained the read API's totals, computed from the events it already had.
  EXPECT_EQ(db.Rows("SELECT tc_llm_calls, tc_input_tokens, tc_cost_cents, tc_duration_ms, "
                    "tc_models, tc_errors FROM session_traces WHERE session_id = 'old'"),
            (Rows{{"2", "10", "3.0", "1500.0", "[\"m1\",\"m2\"]", "0"}}));
  EXPECT_EQ(db.Int("SELECT MAX(version) FROM tc_schema_version"), storage::kSchemaVersion);
}

TEST_F(SqliteSinkTest, RefusesADatabaseWithANewerCollectorSchema) {
  { auto sink = OpenSink(); }
  {
    TestDb db(path_);
    db.Exec("INSERT INTO tc_schema_version VALUES (99, 'later')");
  }
  auto sink = MakeSink();
  Status status = sink->Open();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
}

TEST_F(SqliteSinkTest, WriteFailsRetryablyWhileAnotherWriterHoldsTheLock) {
  auto sink = OpenSink(/*busy_timeout_ms=*/50);
  Write(*sink, {Event("e0", "s1", "a")});
  TestDb other(path_);
  other.Exec("BEGIN IMMEDIATE");  // holds the write lock
  const std::vector<Record> batch = {Event("e1", "s1", "a"), Message("m1", "s2", "b"),
                                     EventRewardByRef("r1", "s1", "e0")};
  std::vector<RecordResult> results;
  Status status = sink->Write(batch, &results);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_TRUE(IsRetryable(status));
  EXPECT_TRUE(results.empty());
  other.Exec("COMMIT");
  // Nothing of the failed batch was committed...
  EXPECT_EQ(other.Int("SELECT COUNT(*) FROM events"), 1);
  EXPECT_EQ(other.Int("SELECT COUNT(*) FROM tc_idempotency"), 1);
  EXPECT_EQ(other.Int("SELECT COUNT(*) FROM session_traces"), 1);
  EXPECT_EQ(Counters(other, "s1"), "1,1,0");
  // ... so the retried batch is stored, once.
  results = Write(*sink, batch);
  EXPECT_EQ(Outcomes(results), (std::vector<RecordOutcome>{kStored, kStored, kStored}));
  EXPECT_EQ(Counters(other, "s1"), "1,2,0");
  EXPECT_EQ(Counters(other, "s2"), "1,0,1");
  EXPECT_TRUE(sink->Ping().ok());  // readers are not blocked by the writer
}

TEST_F(SqliteSinkTest, OpenFailsRetryablyWhileTheDatabaseIsLocked) {
  { auto sink = OpenSink(); }
  TestDb other(path_);
  other.Exec("BEGIN EXCLUSIVE");
  auto sink = MakeSink(/*busy_timeout_ms=*/50);
  Status status = sink->Open();
  EXPECT_TRUE(IsRetryable(status)) << status.ToString();
  other.Exec("COMMIT");
  EXPECT_TRUE(sink->Open().ok());
}

TEST_F(SqliteSinkTest, PingIsSafeFromOtherThreadsDuringWrites) {
  auto sink = OpenSink();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> pingers;
  for (int t = 0; t < 2; ++t) {
    pingers.emplace_back([&] {
      while (!stop.load()) {
        if (!sink->Ping().ok()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    Write(*sink, {Event("", "s", "a"), Message("", "s", "a")});
  }
  stop = true;
  for (auto& t : pingers) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace tc::sink

namespace tc::sink {
namespace {

// The full-text index of messages (storage/ddl.h) on a real file: filled at creation with the
// messages already there, kept in step by the writer's inserts and by deletes, dropped when
// turned off.
class SqliteMessageIndexTest : public SqliteSinkTest {
 protected:
  std::unique_ptr<SqliteSink> OpenWithIndex(bool message_index) {
    SqliteSinkOptions options{path_, "NORMAL", 5000};
    options.message_index = message_index;
    auto sink = SqliteSink::Create(options);
    EXPECT_TRUE(sink.has_value());
    EXPECT_TRUE((*sink)->Open().ok());
    return std::move(*sink);
  }
  std::vector<std::string> SessionsMatching(const std::string& match) {
    std::vector<std::string> out;
    for (const auto& row : TestDb(path_).Rows(
             "SELECT m.session_id FROM tc_messages_fts f JOIN messages m ON m.id = f.rowid WHERE "
             "tc_messages_fts MATCH '" +
             match + "' ORDER BY m.id")) {
      out.push_back(row[0]);
    }
    return out;
  }
  int64_t IndexTables() {
    return TestDb(path_).Int(
        "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'tc_messages_fts%'");
  }
};

TEST_F(SqliteMessageIndexTest, FollowsInsertsAndDeletesAndGoesWhenTurnedOff) {
  {
    auto off = OpenWithIndex(false);
    Write(*off, {Message("m1", "a", std::nullopt, "the giraffe eats leaves")});
  }
  EXPECT_EQ(IndexTables(), 0);
  auto sink = OpenWithIndex(true);  // created, with the message already stored
  EXPECT_EQ(SessionsMatching("giraffe"), (std::vector<std::string>{"a"}));
  Write(*sink, {Message("m2", "b", std::nullopt, "a Giraffe in the rain"),
                Message("m3", "c", std::nullopt, "no such animal")});
  EXPECT_EQ(SessionsMatching("giraffe"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SessionsMatching("rain giraffe"), (std::vector<std::string>{"b"}));
  DeletedRows deleted;
  ASSERT_TRUE(sink->DeleteSession("a", &deleted).ok());
  EXPECT_EQ(SessionsMatching("giraffe"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(TestDb(path_).Text("SELECT COUNT(*) FROM tc_messages_fts WHERE tc_messages_fts "
                               "MATCH 'leaves'"),
            "0");
  sink.reset();
  auto off = OpenWithIndex(false);
  EXPECT_EQ(IndexTables(), 0);
  EXPECT_EQ(TestDb(path_).Int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"), 0);
  Write(*off, {Message("m4", "d", std::nullopt, "giraffe again")});  // no trigger, no index
}

}  // namespace
}  // namespace tc::sink
