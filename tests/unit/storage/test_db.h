#pragma once

// Test helpers shared by the storage and sink (SQLite) tests: a temp directory, a small reader
// over a real SQLite file, and synth-ai's G2 schema to build an "old" database from.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tc::testing {

// A fresh directory under $TMPDIR, removed with its content at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tc-test-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A connection to a database file for setting up and checking; fails the test on SQL errors.
class TestDb {
 public:
  explicit TestDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~TestDb() { sqlite3_close_v2(db_); }
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  sqlite3* get() const { return db_; }

  void Exec(std::string_view sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
  }

  // Every row, every column as text (NULL → "NULL").
  std::vector<std::vector<std::string>> Rows(std::string_view sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
    if (rc != SQLITE_OK) {
      return rows;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
      }
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return rows;
  }

  // The first column of the only row, as text ("NULL" for NULL, "<no row>" when empty).
  std::string Text(std::string_view sql) {
    auto rows = Rows(sql);
    return rows.empty() ? "<no row>" : rows[0][0];
  }
  int64_t Int(std::string_view sql) { return std::stoll(Text(sql)); }

  // The first column of the only row as a double (sqlite3_column_double).
  double Double(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr),
              SQLITE_OK);
    double value = -1e300;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_double(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

// synth-ai G2's outcome_rewards and event_rewards (tracing_v3/turso/native_manager.py), the two
// tables G3 changed; the other G2 tables are identical to G3's.
inline constexpr std::string_view kG2OutcomeRewards = R"sql(
CREATE TABLE IF NOT EXISTS outcome_rewards (id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id VARCHAR NOT NULL, total_reward INTEGER NOT NULL, achievements_count INTEGER NOT NULL,
  total_steps INTEGER NOT NULL, created_at DATETIME NOT NULL, reward_metadata TEXT,
  FOREIGN KEY(session_id) REFERENCES session_traces(session_id)))sql";
inline constexpr std::string_view kG2EventRewards = R"sql(
CREATE TABLE IF NOT EXISTS event_rewards (id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id INTEGER NOT NULL, session_id VARCHAR NOT NULL, message_id INTEGER,
  turn_number INTEGER, reward_value FLOAT NOT NULL, reward_type VARCHAR, "key" VARCHAR,
  annotation TEXT, source VARCHAR, created_at DATETIME NOT NULL,
  FOREIGN KEY(event_id) REFERENCES events(id),
  FOREIGN KEY(session_id) REFERENCES session_traces(session_id),
  FOREIGN KEY(message_id) REFERENCES messages(id)))sql";
// synth-ai's session_traces (G2 and G3 alike), without the collector's tc_ totals columns.
inline constexpr std::string_view kSynthSessionTraces = R"sql(
CREATE TABLE IF NOT EXISTS session_traces (session_id VARCHAR PRIMARY KEY,
  created_at DATETIME NOT NULL, num_timesteps INTEGER NOT NULL, num_events INTEGER NOT NULL,
  num_messages INTEGER NOT NULL, metadata TEXT, experiment_id VARCHAR, embedding VECTOR,
  FOREIGN KEY(experiment_id) REFERENCES experiments(experiment_id)))sql";
// synth-ai commit 582d448: FLOAT + annotation, no objective_key yet.
inline constexpr std::string_view k582OutcomeRewards = R"sql(
CREATE TABLE IF NOT EXISTS outcome_rewards (id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id VARCHAR NOT NULL, total_reward FLOAT NOT NULL, achievements_count INTEGER NOT NULL,
  total_steps INTEGER NOT NULL, created_at DATETIME NOT NULL, reward_metadata TEXT,
  annotation TEXT, FOREIGN KEY(session_id) REFERENCES session_traces(session_id)))sql";

// The names synth-ai's spec (synth-tracing-v3.md §1.2, §1.3, §1.5) lists, written out here
// independently of storage/ddl.cc.
inline const std::vector<std::string> kSpecTables = {
    "experiments",       "systems", "system_versions", "experimental_systems", "session_traces",
    "session_timesteps", "events",  "messages",        "outcome_rewards",      "event_rewards"};
inline const std::vector<std::string> kSpecIndexes = {"idx_session_created",
                                                      "idx_session_experiment",
                                                      "idx_timestep_session_step",
                                                      "idx_timestep_turn",
                                                      "idx_event_session_step",
                                                      "idx_event_type",
                                                      "idx_event_created",
                                                      "idx_event_model",
                                                      "idx_event_trace",
                                                      "idx_message_session_step",
                                                      "idx_message_type",
                                                      "idx_message_timestamp",
                                                      "idx_experiment_created",
                                                      "idx_experiment_name",
                                                      "idx_system_name",
                                                      "idx_system_type",
                                                      "uq_system_version",
                                                      "idx_version_system",
                                                      "idx_version_created",
                                                      "uq_experiment_system",
                                                      "idx_experimental_system",
                                                      "idx_outcome_rewards_session",
                                                      "idx_outcome_rewards_total",
                                                      "idx_event_rewards_session",
                                                      "idx_event_rewards_event",
                                                      "idx_event_rewards_type",
                                                      "idx_event_rewards_key",
                                                      "idx_outcome_rewards_session_objective",
                                                      "idx_event_rewards_session_event_objective"};
inline const std::vector<std::string> kSpecViews = {"model_usage_stats", "session_summary",
                                                    "experiment_overview"};

// "name:TYPE:notnull:default" for each column of `table`, in order.
inline std::vector<std::string> ColumnLayout(TestDb& db, std::string_view table) {
  std::vector<std::string> out;
  for (const auto& row : db.Rows("PRAGMA table_info(" + std::string(table) + ")")) {
    out.push_back(row[1] + ":" + row[2] + ":" + row[3] + ":" + row[4]);
  }
  return out;
}

}  // namespace tc::testing
