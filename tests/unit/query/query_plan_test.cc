// The read API's SELECTs use the schema's indexes (docs/api.md §11-§14, "Cost"): each request's
// queries, as src/query/ sends them to a real SQLite ReadStore on a database with the
// collector's schema, are planned by EXPLAIN QUERY PLAN. A filtered list walks an index already
// in id order (no sort), or one session's index range (sorted: bounded by the session), or a
// time range of idx_event_created; a stats query only ever uses the time range; nothing scans a
// whole table to find a few rows. Without ANALYZE, like the collector's own databases.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "query/cursor.h"
#include "query/records_read.h"
#include "sink/sqlite.h"
#include "storage/ddl.h"

namespace tc::query {
namespace {

// Passes the queries on to a real store and keeps them.
class RecordingStore : public storage::ReadStore {
 public:
  explicit RecordingStore(storage::ReadStore& inner) : inner_(inner) {}
  Result<std::vector<storage::SqlRows>> Read(std::span<const storage::ReadQuery> queries) override {
    for (const storage::ReadQuery& q : queries) recorded.push_back({std::string(q.sql), q.params});
    return inner_.Read(queries);
  }
  struct Query {
    std::string sql;
    std::vector<storage::SqlValue> params;
  };
  std::vector<Query> recorded;

 private:
  storage::ReadStore& inner_;
};

class QueryPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("query_plan_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "plan.db").string();
    std::filesystem::remove(path_);
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db_, "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr), SQLITE_OK);
    for (std::string_view statement : storage::SchemaStatements()) {
      char* err = nullptr;
      ASSERT_EQ(sqlite3_exec(db_, std::string(statement).c_str(), nullptr, nullptr, &err),
                SQLITE_OK)
          << (err != nullptr ? err : "") << "\n"
          << statement;
    }
    reader_ = sink::CreateSqliteReader({path_, 1, 1000});
  }
  void TearDown() override {
    reader_.reset();
    sqlite3_close(db_);
    std::filesystem::remove_all(dir_);
  }

  // The plan lines of every query `request` sends, joined by '\n'.
  std::string PlanOf(const std::function<Result<std::string>(storage::ReadStore&)>& request) {
    RecordingStore store(*reader_);
    Result<std::string> answer = request(store);
    EXPECT_TRUE(answer.has_value() || answer.error().code() == StatusCode::kNotFound)
        << answer.error().ToString();
    std::string plan;
    for (const RecordingStore::Query& q : store.recorded) {
      sqlite3_stmt* stmt = nullptr;
      const std::string sql = "EXPLAIN QUERY PLAN " + q.sql;
      EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
          << sqlite3_errmsg(db_) << ": " << q.sql;
      for (size_t i = 0; i < q.params.size(); ++i) {
        const int at = static_cast<int>(i) + 1;
        if (const auto* n = std::get_if<int64_t>(&q.params[i])) {
          sqlite3_bind_int64(stmt, at, *n);
        } else if (const auto* d = std::get_if<double>(&q.params[i])) {
          sqlite3_bind_double(stmt, at, *d);
        } else if (const auto* s = std::get_if<std::string>(&q.params[i])) {
          sqlite3_bind_text(stmt, at, s->c_str(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
        }
      }
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
        plan += '\n';
      }
      sqlite3_finalize(stmt);
      plan += "--\n";
    }
    return plan;
  }

  std::filesystem::path dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<storage::ReadStore> reader_;
};

bool Has(const std::string& plan, std::string_view text) {
  return plan.find(text) != std::string::npos;
}

constexpr std::string_view kSort = "USE TEMP B-TREE FOR ORDER BY";

TEST_F(QueryPlanTest, EventListsWalkAnIndexInIdOrderOrOneSessionOrOneTimeRange) {
  const auto events = [&](std::string query) {
    return PlanOf([&](storage::ReadStore& s) { return ListEvents(s, query); });
  };
  std::string plan = events("");
  EXPECT_TRUE(Has(plan, "SCAN e\n")) << plan;  // the rowid, newest first, stops at the limit
  EXPECT_FALSE(Has(plan, kSort)) << plan;
  // The step id: one rowid lookup per row, never a scan of session_timesteps.
  EXPECT_TRUE(Has(plan, "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)")) << plan;

  const std::string cursor = EncodeCursor(Cursor{"events", "desc", int64_t{100}, ""});
  plan = events("cursor=" + cursor);
  EXPECT_TRUE(Has(plan, "SEARCH e USING INTEGER PRIMARY KEY (rowid<?)")) << plan;
  EXPECT_FALSE(Has(plan, kSort)) << plan;

  plan = events("event_type=cais&include=bodies&cursor=" + cursor);
  EXPECT_TRUE(Has(plan, "SEARCH e USING INDEX idx_event_type (event_type=? AND rowid<?)")) << plan;
  EXPECT_FALSE(Has(plan, kSort)) << plan;

  const std::string asc = EncodeCursor(Cursor{"events", "asc", int64_t{100}, ""});
  plan = events("model=gpt-4o&order=asc&cursor=" + asc);
  EXPECT_TRUE(Has(plan, "SEARCH e USING INDEX idx_event_model (model_name=? AND rowid>?)")) << plan;
  EXPECT_FALSE(Has(plan, kSort)) << plan;

  // With a session, its index whatever else is given (sorted: one session's events).
  plan = events("session_id=s1&event_type=cais&model=gpt-4o&from=2026-01-01&to=2026-02-01");
  EXPECT_TRUE(Has(plan, "SEARCH e USING INDEX idx_event_session_step (session_id=?)")) << plan;

  plan = events("from=2026-01-01&to=2026-02-01");
  EXPECT_TRUE(Has(plan, "SEARCH e USING INDEX idx_event_created (created_at>? AND created_at<?)"))
      << plan;

  plan = PlanOf([](storage::ReadStore& s) { return ReadEvent(s, "7"); });
  EXPECT_TRUE(Has(plan, "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)")) << plan;
}

TEST_F(QueryPlanTest, MessageListsLikeEventLists) {
  const auto messages = [&](std::string query) {
    return PlanOf([&](storage::ReadStore& s) { return ListMessages(s, query); });
  };
  std::string plan = messages("message_type=user");
  EXPECT_TRUE(Has(plan, "SEARCH m USING INDEX idx_message_type (message_type=?)")) << plan;
  EXPECT_FALSE(Has(plan, kSort)) << plan;
  EXPECT_TRUE(Has(plan, "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)")) << plan;

  plan = messages("session_id=s1&message_type=user&from=2026-01-01");
  EXPECT_TRUE(Has(plan, "SEARCH m USING INDEX idx_message_session_step (session_id=?)")) << plan;

  plan = messages("from=2026-01-01&to=2026-02-01");
  EXPECT_TRUE(Has(plan, "SEARCH m USING INDEX idx_message_timestamp (timestamp>? AND timestamp<?)"))
      << plan;

  plan = PlanOf([](storage::ReadStore& s) { return ReadMessage(s, "7"); });
  EXPECT_TRUE(Has(plan, "SEARCH m USING INTEGER PRIMARY KEY (rowid=?)")) << plan;
}

TEST_F(QueryPlanTest, ExperimentsPageAlongCreatedAtAndReadOneByItsIndexes) {
  const std::string cursor =
      EncodeCursor(Cursor{"experiments", "desc", std::string("2026-01-01"), "exp-1"});
  std::string plan = PlanOf(
      [&](storage::ReadStore& s) { return ListExperiments(s, "limit=10&cursor=" + cursor); });
  // The dated part: the index in order, only ties sorted; the undated part: the NULL range.
  EXPECT_TRUE(Has(plan,
                  "SEARCH x USING INDEX idx_experiment_created (created_at>? AND "
                  "created_at<?)\nUSE TEMP B-TREE FOR RIGHT PART OF ORDER BY"))
      << plan;
  EXPECT_TRUE(Has(plan, "SEARCH x USING INDEX idx_experiment_created (created_at=?)")) << plan;
  EXPECT_FALSE(Has(plan, "SCAN")) << plan;

  plan = PlanOf([](storage::ReadStore& s) { return ReadExperiment(s, "exp-1"); });
  EXPECT_TRUE(Has(plan, "SEARCH x USING INDEX")) << plan;  // experimental_systems
  EXPECT_TRUE(Has(plan, "(experiment_id=?)")) << plan;
  EXPECT_TRUE(Has(plan,
                  "SEARCH session_traces USING INDEX idx_session_experiment "
                  "(experiment_id=?)"))
      << plan;
  EXPECT_FALSE(Has(plan, "SCAN")) << plan;
}

TEST_F(QueryPlanTest, StatsReadTheEventsOfTheirTimeRangeOnly) {
  const std::string range = "from=2026-01-01&to=2026-02-01";
  std::string plan = PlanOf([&](storage::ReadStore& s) { return ModelStats(s, range); });
  EXPECT_TRUE(Has(plan, "SEARCH e USING INDEX idx_event_created (created_at>? AND created_at<?)"))
      << plan;
  EXPECT_FALSE(Has(plan, "idx_event_type") || Has(plan, "idx_event_model")) << plan;
  for (std::string group : {"model", "day", "experiment"}) {
    plan = PlanOf([&](storage::ReadStore& s) {
      return UsageStats(s, "group_by=" + group + "&from=2026-01-01");
    });
    EXPECT_TRUE(Has(plan, "USING INDEX idx_event_created (created_at>?)")) << group << plan;
    EXPECT_FALSE(Has(plan, "SCAN")) << group << plan;
  }
  // Without a range: one scan of the table, not a walk of every LM call through an index.
  plan = PlanOf([](storage::ReadStore& s) { return ModelStats(s, ""); });
  EXPECT_TRUE(Has(plan, "SCAN e\n")) << plan;
}

}  // namespace
}  // namespace tc::query
