#include "storage/ddl.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "schema/records.h"
#include "storage/test_db.h"

namespace tc::storage {
namespace {

using tc::testing::ColumnLayout;
using tc::testing::TempDir;
using tc::testing::TestDb;

std::map<std::string, std::string> SchemaObjects(TestDb& db) {
  std::map<std::string, std::string> out;
  for (const auto& row : db.Rows("SELECT name, type FROM sqlite_master WHERE name NOT LIKE "
                                 "'sqlite_%'")) {
    out[row[0]] = row[1];
  }
  return out;
}

void ApplyFresh(TestDb& db) {
  db.Exec("BEGIN");
  for (std::string_view sql : SchemaStatements()) {
    db.Exec(sql);
  }
  db.Exec("COMMIT");
}

std::vector<ColumnInfo> Columns(TestDb& db, std::string_view table) {
  std::vector<ColumnInfo> out;
  for (const auto& row : db.Rows(TableInfoSql(table))) {
    out.push_back({row[1], row[2]});
  }
  return out;
}

void Migrate(TestDb& db) {
  db.Exec("BEGIN");
  for (const std::string& sql :
       MigrationStatements(Columns(db, "outcome_rewards"), Columns(db, "event_rewards"),
                           Columns(db, "session_traces"))) {
    db.Exec(sql);
  }
  db.Exec("COMMIT");
}

const std::vector<std::string> kG3OutcomeLayout = {"id:INTEGER:0:NULL",
                                                   "session_id:VARCHAR:1:NULL",
                                                   "objective_key:TEXT:1:'reward'",
                                                   "total_reward:FLOAT:1:NULL",
                                                   "achievements_count:INTEGER:1:NULL",
                                                   "total_steps:INTEGER:1:NULL",
                                                   "created_at:DATETIME:1:NULL",
                                                   "reward_metadata:TEXT:0:NULL",
                                                   "annotation:TEXT:0:NULL"};
const std::vector<std::string> kG3EventRewardLayout = {
    "id:INTEGER:0:NULL",         "event_id:INTEGER:1:NULL",    "session_id:VARCHAR:1:NULL",
    "message_id:INTEGER:0:NULL", "turn_number:INTEGER:0:NULL", "objective_key:TEXT:1:'reward'",
    "reward_value:FLOAT:1:NULL", "reward_type:VARCHAR:0:NULL", "key:VARCHAR:0:NULL",
    "annotation:TEXT:0:NULL",    "source:VARCHAR:0:NULL",      "created_at:DATETIME:1:NULL"};

TEST(DdlTest, FreshSchemaHasEveryTableIndexAndViewOfTheSpec) {
  TempDir dir;
  TestDb db(dir.File("fresh.db"));
  ApplyFresh(db);
  auto objects = SchemaObjects(db);
  for (const std::string& name : tc::testing::kSpecTables) {
    EXPECT_EQ(objects[name], "table") << name;
  }
  for (const std::string& name : tc::testing::kSpecIndexes) {
    EXPECT_EQ(objects[name], "index") << name;
  }
  for (const std::string& name : tc::testing::kSpecViews) {
    EXPECT_EQ(objects[name], "view") << name;
  }
  EXPECT_EQ(objects["tc_idempotency"], "table");
  EXPECT_EQ(objects["tc_schema_version"], "table");
  EXPECT_EQ(objects["tc_trace_sessions"], "table");
  EXPECT_EQ(objects["tc_idx_idempotency_row"], "index");
  for (const char* name :
       {"tc_idx_trace_sessions_session", "tc_idx_session_created_id", "tc_idx_session_cost",
        "tc_idx_session_duration", "tc_idx_session_events"}) {
    EXPECT_EQ(objects[name], "index") << name;
  }
  // Nothing beyond the spec and our three tables and six indexes.
  EXPECT_EQ(objects.size(), tc::testing::kSpecTables.size() + tc::testing::kSpecIndexes.size() +
                                tc::testing::kSpecViews.size() + 9);
  // The name lists the header exposes agree with the database.
  EXPECT_EQ(TableNames().size(), tc::testing::kSpecTables.size() + 3);
  EXPECT_EQ(IndexNames().size(), tc::testing::kSpecIndexes.size() + 6);
  for (std::string_view name : IndexNames()) {
    EXPECT_EQ(objects[std::string(name)], "index") << name;
  }
  EXPECT_EQ(ViewNames().size(), 3u);
}

TEST(DdlTest, KeepsSynthAiConstraintsAndG3RewardColumns) {
  TempDir dir;
  TestDb db(dir.File("fresh.db"));
  ApplyFresh(db);
  EXPECT_EQ(ColumnLayout(db, "outcome_rewards"), kG3OutcomeLayout);
  EXPECT_EQ(ColumnLayout(db, "event_rewards"), kG3EventRewardLayout);
  std::string events_sql = db.Text("SELECT sql FROM sqlite_master WHERE name = 'events'");
  EXPECT_NE(events_sql.find("id INTEGER PRIMARY KEY AUTOINCREMENT"), std::string::npos);
  EXPECT_NE(events_sql.find("CHECK (event_type IN ('cais', 'environment', 'runtime'))"),
            std::string::npos);
  EXPECT_NE(events_sql.find("cost_usd INTEGER"), std::string::npos);
  EXPECT_NE(db.Text("SELECT sql FROM sqlite_master WHERE name = 'session_timesteps'")
                .find("UNIQUE(session_id, step_id)"),
            std::string::npos);
  EXPECT_NE(db.Text("SELECT sql FROM sqlite_master WHERE name = 'outcome_rewards'")
                .find("id INTEGER PRIMARY KEY AUTOINCREMENT"),
            std::string::npos);
  // The CHECK constraints are enforced.
  db.Exec(
      "INSERT INTO session_traces (session_id, created_at, num_timesteps, num_events, "
      "num_messages) VALUES ('s', 'now', 0, 0, 0)");
  char* error = nullptr;
  EXPECT_NE(sqlite3_exec(db.get(),
                         "INSERT INTO messages (session_id, message_type, content) VALUES "
                         "('s', 'observation', 'x')",
                         nullptr, nullptr, &error),
            SQLITE_OK);
  sqlite3_free(error);
}

TEST(DdlTest, ApplyingTwiceChangesNothing) {
  TempDir dir;
  TestDb db(dir.File("twice.db"));
  ApplyFresh(db);
  auto before = db.Rows("SELECT type, name, sql FROM sqlite_master ORDER BY name");
  ApplyFresh(db);
  EXPECT_TRUE(MigrationStatements(Columns(db, "outcome_rewards"), Columns(db, "event_rewards"),
                                  Columns(db, "session_traces"))
                  .empty());
  EXPECT_EQ(db.Rows("SELECT type, name, sql FROM sqlite_master ORDER BY name"), before);
}

TEST(DdlTest, MigratesG2RewardTablesToG3) {
  TempDir dir;
  TestDb db(dir.File("g2.db"));
  db.Exec("PRAGMA synchronous = OFF");
  db.Exec(tc::testing::kG2OutcomeRewards);
  db.Exec(tc::testing::kG2EventRewards);
  for (std::string_view sql : TableStatements()) {
    db.Exec(sql);  // the other tables; the two reward tables exist and are kept
  }
  // G2's indexes and views (the G3 objective_key indexes cannot exist yet).
  for (std::string_view sql : IndexAndViewStatements()) {
    if (sql.find("objective") == std::string_view::npos) {
      db.Exec(sql);
    }
  }
  db.Exec(
      "INSERT INTO outcome_rewards (session_id, total_reward, achievements_count, "
      "total_steps, created_at, reward_metadata) VALUES ('s1', 3, 2, 10, 't', '{\"a\":1}'), "
      "('s2', 5, 1, 4, 't', NULL)");
  db.Exec(
      "INSERT INTO event_rewards (event_id, session_id, reward_value, reward_type, "
      "created_at) VALUES (7, 's1', 0.5, 'sparse', 't')");

  auto migrations = MigrationStatements(
      Columns(db, "outcome_rewards"), Columns(db, "event_rewards"), Columns(db, "session_traces"));
  ASSERT_FALSE(migrations.empty());
  EXPECT_NE(migrations[0].find("RENAME TO outcome_rewards_old"), std::string::npos);
  Migrate(db);
  for (std::string_view sql : IndexAndViewStatements()) {
    db.Exec(sql);
  }

  EXPECT_EQ(ColumnLayout(db, "outcome_rewards"), kG3OutcomeLayout);
  EXPECT_EQ(db.Rows("SELECT id, session_id, objective_key, typeof(total_reward), total_reward, "
                    "achievements_count, total_steps, reward_metadata, annotation FROM "
                    "outcome_rewards ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"1", "s1", "reward", "real", "3.0", "2", "10", "{\"a\":1}", "NULL"},
                {"2", "s2", "reward", "real", "5.0", "1", "4", "NULL", "NULL"}}));
  // event_rewards gets objective_key (added at the end, as synth-ai's ALTER does), set to
  // 'reward' on the old rows.
  EXPECT_EQ(db.Text("SELECT objective_key FROM event_rewards"), "reward");
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'outcome_rewards_old'"), 0);
  EXPECT_EQ(db.Text("SELECT type FROM sqlite_master WHERE name = "
                    "'idx_outcome_rewards_session_objective'"),
            "index");
  // Ids keep counting after the copied ones.
  db.Exec(
      "INSERT INTO outcome_rewards (session_id, total_reward, achievements_count, "
      "total_steps, created_at) VALUES ('s3', 1.5, 0, 0, 't')");
  EXPECT_EQ(db.Int("SELECT MAX(id) FROM outcome_rewards"), 3);
  // A second look finds nothing left to do.
  EXPECT_TRUE(MigrationStatements(Columns(db, "outcome_rewards"), Columns(db, "event_rewards"),
                                  Columns(db, "session_traces"))
                  .empty());
}

TEST(DdlTest, Migrates582dRewardTableByAddingObjectiveKey) {
  TempDir dir;
  TestDb db(dir.File("582d.db"));
  db.Exec(tc::testing::k582OutcomeRewards);
  db.Exec(
      "INSERT INTO outcome_rewards (session_id, total_reward, achievements_count, "
      "total_steps, created_at, annotation) VALUES ('s1', 2.5, 0, 0, 't', 'note')");
  auto migrations = MigrationStatements(Columns(db, "outcome_rewards"), {}, {});
  ASSERT_EQ(migrations.size(), 2u);  // ALTER ADD objective_key + fill; no rebuild
  EXPECT_NE(migrations[0].find("ADD COLUMN objective_key"), std::string::npos);
  Migrate(db);
  EXPECT_EQ(db.Rows("SELECT total_reward, annotation, objective_key FROM outcome_rewards"),
            (std::vector<std::vector<std::string>>{{"2.5", "note", "reward"}}));
}

TEST(DdlTest, NoMigrationForMissingTables) { EXPECT_TRUE(MigrationStatements({}, {}, {}).empty()); }

TEST(DdlTest, EmbeddedPragmas) {
  auto pragmas = EmbeddedPragmas("normal", 250);
  ASSERT_EQ(pragmas.size(), 6u);
  EXPECT_EQ(pragmas[0], "PRAGMA busy_timeout = 250");
  EXPECT_EQ(pragmas[1], "PRAGMA auto_vacuum = INCREMENTAL");
  EXPECT_EQ(pragmas[2], "PRAGMA journal_mode = WAL");
  EXPECT_EQ(pragmas[3], "PRAGMA synchronous = NORMAL");
  EXPECT_EQ(pragmas[4], "PRAGMA foreign_keys = OFF");
  EXPECT_EQ(pragmas[5], "PRAGMA ignore_check_constraints = ON");
}

// The embedded sink skips CHECK constraints (EmbeddedPragmas): exact only while the schema's
// CHECKs are the two type lists and every name the collector writes passes them.
TEST(DdlTest, ChecksAreOnlyTheTypeListsAndEveryEnumNamePasses) {
  size_t checks = 0;
  for (std::string_view ddl : TableStatements()) {
    for (size_t at = ddl.find("CHECK"); at != std::string_view::npos;
         at = ddl.find("CHECK", at + 1)) {
      ++checks;
      EXPECT_TRUE(ddl.substr(at).starts_with("CHECK (event_type IN (") ||
                  ddl.substr(at).starts_with("CHECK (message_type IN ("))
          << ddl.substr(at, 80);
    }
  }
  EXPECT_EQ(checks, 2u);

  TempDir dir;
  TestDb db(dir.File("checks.db"));  // CHECK constraints enforced on this connection
  ApplyFresh(db);
  for (auto type :
       {schema::EventType::kCais, schema::EventType::kEnvironment, schema::EventType::kRuntime}) {
    db.Exec(fmt::format("INSERT INTO events (session_id, event_type) VALUES ('s', '{}')",
                        schema::EventTypeName(type)));
  }
  for (auto type :
       {schema::MessageType::kUser, schema::MessageType::kAssistant, schema::MessageType::kSystem,
        schema::MessageType::kToolUse, schema::MessageType::kToolResult}) {
    db.Exec(fmt::format(
        "INSERT INTO messages (session_id, message_type, content) VALUES ('s', '{}', '')",
        schema::MessageTypeName(type)));
  }
  EXPECT_EQ(db.Int("SELECT count(*) FROM events"), 3);
  EXPECT_EQ(db.Int("SELECT count(*) FROM messages"), 5);
  // And the constraint is live on such a connection: a name outside the list is refused.
  EXPECT_NE(sqlite3_exec(db.get(), "INSERT INTO events (session_id, event_type) VALUES ('s', 'x')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
}

TEST(DdlTest, RecordsSchemaVersion) {
  TempDir dir;
  TestDb db(dir.File("v.db"));
  ApplyFresh(db);
  EXPECT_EQ(db.Text(kMaxSchemaVersionSql), "NULL");
  db.Exec(RecordSchemaVersionSql());
  db.Exec(RecordSchemaVersionSql());
  EXPECT_EQ(db.Int(kMaxSchemaVersionSql), kSchemaVersion);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM tc_schema_version"), 1);
}

}  // namespace
}  // namespace tc::storage
