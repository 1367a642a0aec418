// HranaSink against the real tursodb --sync-server: schema, every record type (same rows as
// SqliteSink), duplicates and exact counters, refusals, split batches, WAL checkpoints, and the
// sqld dialect's request shape through the fault server's sqld emulation.
#include "sink/hrana/hrana_sink.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sink/sqlite/sqlite_sink.h"
#include "storage/ddl.h"
#include "support/fault_server/fault_server.h"
#include "support/temp_dir.h"
#include "unit/sink/hrana/sink_test_util.h"
#include "unit/sink/hrana/tursodb_server.h"

namespace tc::sink {
namespace {

using testing::OpenHranaSink;
using testing::QueryInt;
using testing::TempDir;
using testing::TursodbServer;

std::vector<RecordResult> WriteOk(Sink& sink, const std::vector<schema::Record>& records) {
  std::vector<RecordResult> results;
  Status status = sink.Write(records, &results);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(results.size(), records.size());
  return results;
}

std::vector<RecordOutcome> Outcomes(const std::vector<RecordResult>& results) {
  std::vector<RecordOutcome> out;
  for (const auto& r : results) out.push_back(r.outcome);
  return out;
}

TEST(HranaSinkTest, OpenCreatesTheSchemaIdempotently) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto sink = OpenHranaSink(server.url());
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->dialect().kind, HranaDialect::Kind::kTursoSyncServer);
  EXPECT_EQ(sink->Describe(), "sqld:" + server.url());
  EXPECT_TRUE(sink->Ping().ok());
  HranaClient& client = sink->client();
  EXPECT_EQ(QueryInt(client,
                     "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name "
                     "NOT LIKE 'sqlite_%'"),
            static_cast<int64_t>(storage::TableNames().size()));
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM sqlite_master WHERE type = 'view'"),
            static_cast<int64_t>(storage::ViewNames().size()));
  EXPECT_EQ(QueryInt(client,
                     "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name "
                     "NOT LIKE 'sqlite_%'"),
            static_cast<int64_t>(storage::IndexNames().size()));
  EXPECT_EQ(QueryInt(client, "SELECT MAX(version) FROM tc_schema_version"),
            storage::kSchemaVersion);
  // A second collector (or a restart) opens the same database.
  auto again = OpenHranaSink(server.url());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM tc_schema_version"), 1);
}

// An existing synth-ai G2 database (integer total_reward, no objective_key) is migrated by
// Open() through the same storage::MigrationStatements the embedded sink runs.
TEST(HranaSinkTest, MigratesAG2Database) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  HranaClientOptions client_options;
  client_options.url = server.url();
  auto client = std::move(HranaClient::Create(client_options)).value();
  ASSERT_TRUE(client->DetectDialect().has_value());
  const std::vector<std::string> g2 = {
      "CREATE TABLE outcome_rewards (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id VARCHAR "
      "NOT NULL, total_reward INTEGER NOT NULL, achievements_count INTEGER NOT NULL, "
      "total_steps INTEGER NOT NULL, created_at DATETIME NOT NULL, reward_metadata TEXT)",
      "CREATE INDEX idx_outcome_rewards_session ON outcome_rewards (session_id)",
      "CREATE TABLE event_rewards (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id INTEGER NOT "
      "NULL, session_id VARCHAR NOT NULL, message_id INTEGER, turn_number INTEGER, reward_value "
      "FLOAT NOT NULL, reward_type VARCHAR, \"key\" VARCHAR, annotation TEXT, source VARCHAR, "
      "created_at DATETIME NOT NULL)",
      "INSERT INTO outcome_rewards (session_id, total_reward, achievements_count, total_steps, "
      "created_at) VALUES ('s1', 3, 2, 10, 't')",
      "INSERT INTO event_rewards (event_id, session_id, reward_value, created_at) VALUES (7, "
      "'s1', 0.5, 't')"};
  for (const std::string& sql : g2) {
    ASSERT_TRUE(client->Execute(sql).has_value()) << sql;
  }
  auto sink = OpenHranaSink(server.url());
  ASSERT_NE(sink, nullptr);
  HranaClient& c = sink->client();
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM outcome_rewards WHERE typeof(total_reward) = "
                        "'real' AND objective_key = 'reward'"),
            1);
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM event_rewards WHERE objective_key = 'reward'"), 1);
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM sqlite_master WHERE name = 'outcome_rewards_old'"),
            0);
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT "
                        "LIKE 'sqlite_%'"),
            static_cast<int64_t>(storage::IndexNames().size()));
  std::vector<RecordResult> results = WriteOk(*sink, testing::AllRecordTypes());
  for (const auto& r : results) EXPECT_EQ(r.outcome, RecordOutcome::kStored) << r.message;
}

TEST(HranaSinkTest, RefusesANewerSchema) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  ASSERT_NE(OpenHranaSink(server.url()), nullptr);
  auto sink = HranaSink::Create({.client = {.url = server.url()}});
  ASSERT_TRUE(sink.has_value());
  ASSERT_TRUE((*sink)->client().DetectDialect().has_value());
  ASSERT_TRUE((*sink)
                  ->client()
                  .Execute("INSERT INTO tc_schema_version (version, applied_at) "
                           "VALUES (99, 'x')")
                  .has_value());
  EXPECT_EQ((*sink)->Open().code(), StatusCode::kFailedPrecondition);
}

// The acceptance test of the backend: the same batches through HranaSink (tursodb) and
// SqliteSink give the same outcomes and the same rows, counters included.
TEST(HranaSinkTest, SameRowsAsSqliteSink) {
  TempDir dir;
  const std::vector<schema::Record> all = testing::AllRecordTypes();
  const size_t half = all.size() / 2;
  std::vector<std::vector<schema::Record>> batches = {
      {all.begin(), all.begin() + half},
      {all.begin() + half, all.end()},
  };
  // Replays: every keyed record is a duplicate; the unkeyed runtime event is stored again.
  batches.push_back(all);

  std::vector<std::vector<RecordOutcome>> hrana_outcomes, sqlite_outcomes;
  {
    TursodbServer server(dir.File("turso.db"));
    auto hrana = OpenHranaSink(server.url());
    ASSERT_NE(hrana, nullptr);
    for (const auto& batch : batches) {
      hrana_outcomes.push_back(Outcomes(WriteOk(*hrana, batch)));
    }
  }  // tursodb stopped: its file can be read
  {
    // Without the message index: tursodb has no FTS5, and the rows are what is compared.
    auto sqlite = SqliteSink::Create({.path = dir.File("embedded.db"), .message_index = false});
    ASSERT_TRUE(sqlite.has_value()) << sqlite.error().ToString();
    ASSERT_TRUE((*sqlite)->Open().ok());
    for (const auto& batch : batches) {
      sqlite_outcomes.push_back(Outcomes(WriteOk(**sqlite, batch)));
    }
  }
  EXPECT_EQ(hrana_outcomes, sqlite_outcomes);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(hrana_outcomes[2][i],
              all[i].key.empty() ? RecordOutcome::kStored : RecordOutcome::kDuplicate)
        << i;
  }
  const testing::Dump turso = testing::DumpDatabase(dir.File("turso.db"));
  const testing::Dump embedded = testing::DumpDatabase(dir.File("embedded.db"));
  ASSERT_EQ(turso.size(), embedded.size());
  for (const auto& [table, rows] : embedded) {
    ASSERT_TRUE(turso.contains(table)) << table;
    EXPECT_EQ(turso.at(table), rows) << table;
  }
  // Spot checks that the comparison compared something.
  EXPECT_EQ(embedded.at("events").size(), 4u);  // cais, environment, runtime twice
  EXPECT_EQ(embedded.at("event_rewards").size(), 3u);
  EXPECT_EQ(embedded.at("session_traces").size(), 1u);
  EXPECT_NE(embedded.at("session_traces")[0].find("i:2 | i:4 | i:1"), std::string::npos)
      << embedded.at("session_traces")[0];
}

TEST(HranaSinkTest, DuplicatesKeepCountersExact) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto sink = OpenHranaSink(server.url());
  ASSERT_NE(sink, nullptr);
  std::vector<schema::Record> batch;
  for (int i = 0; i < 50; ++i) {
    batch.push_back(
        testing::Event("ev-" + std::to_string(i), "s", "step-" + std::to_string(i % 5)));
  }
  batch.push_back(batch[3]);  // the same key twice in one batch
  std::vector<RecordResult> results = WriteOk(*sink, batch);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(results[i].outcome, RecordOutcome::kStored) << i;
  EXPECT_EQ(results[50].outcome, RecordOutcome::kDuplicate);
  // A retry of the whole batch (e.g. after an ambiguous failure) stores nothing.
  results = WriteOk(*sink, batch);
  for (const auto& r : results) EXPECT_EQ(r.outcome, RecordOutcome::kDuplicate);
  HranaClient& client = sink->client();
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM events"), 50);
  EXPECT_EQ(QueryInt(client, "SELECT num_events FROM session_traces WHERE session_id = 's'"), 50);
  EXPECT_EQ(QueryInt(client, "SELECT num_timesteps FROM session_traces WHERE session_id = 's'"), 5);
  EXPECT_EQ(QueryInt(client, "SELECT sum(num_events) FROM session_timesteps"), 50);
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM tc_idempotency WHERE row_id IS NOT NULL"), 50);
}

TEST(HranaSinkTest, RefusedRecordAloneIsLeftOut) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto sink = OpenHranaSink(server.url());
  ASSERT_NE(sink, nullptr);
  schema::EventRewardRecord dangling;
  dangling.session_id = "s";
  dangling.event_ref = "no-such-event";
  std::vector<schema::Record> batch = {
      testing::Event("a", "s", "st"), {"bad", dangling}, testing::Event("b", "s", "st")};
  const std::vector<RecordResult> results = WriteOk(*sink, batch);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kStored);
  EXPECT_EQ(results[1].outcome, RecordOutcome::kRefused);
  EXPECT_NE(results[1].message.find("event_ref"), std::string::npos) << results[1].message;
  EXPECT_NE(results[1].message.find("NOT NULL"), std::string::npos) << results[1].message;
  EXPECT_EQ(results[2].outcome, RecordOutcome::kStored);
  EXPECT_EQ(sink->stats().resends, 1u);
  HranaClient& client = sink->client();
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM events"), 2);
  EXPECT_EQ(QueryInt(client, "SELECT num_events FROM session_traces"), 2);
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM event_rewards"), 0);
  // Nothing of the refused record: its idempotency key is free, so a fixed retry can store it.
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM tc_idempotency WHERE key = 'bad'"), 0);
  // Every record refused: OK, all reported.
  const std::vector<schema::Record> only_bad = {{"bad", dangling}, {"bad2", dangling}};
  const std::vector<RecordResult> bad_results = WriteOk(*sink, only_bad);
  EXPECT_EQ(bad_results[0].outcome, RecordOutcome::kRefused);
  EXPECT_EQ(bad_results[1].outcome, RecordOutcome::kRefused);
}

TEST(HranaSinkTest, LargeBatchesAreSplitWithoutSplittingRecords) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  HranaSinkOptions options;
  options.max_request_bytes = 64 << 10;
  auto sink = OpenHranaSink(server.url(), options);
  ASSERT_NE(sink, nullptr);
  std::vector<schema::Record> batch;
  for (int i = 0; i < 600; ++i) {
    batch.push_back(testing::Event("ev-" + std::to_string(i), "s" + std::to_string(i % 7),
                                   "step-" + std::to_string(i % 3)));
  }
  const std::vector<RecordResult> results = WriteOk(*sink, batch);
  for (const auto& r : results) EXPECT_EQ(r.outcome, RecordOutcome::kStored);
  EXPECT_EQ(sink->stats().split_batches, 1u);
  EXPECT_GT(sink->stats().requests, 5u);
  HranaClient& client = sink->client();
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM events"), 600);
  EXPECT_EQ(QueryInt(client, "SELECT sum(num_events) FROM session_traces"), 600);
  EXPECT_EQ(QueryInt(client, "SELECT sum(num_timesteps) FROM session_traces"), 21);
  // A step limit splits too.
  options.max_request_bytes = 8 << 20;
  options.max_steps_per_request = 100;
  auto by_steps = OpenHranaSink(server.url(), options);
  ASSERT_NE(by_steps, nullptr);
  for (auto& record : batch) record.key += "-again";
  WriteOk(*by_steps, batch);
  EXPECT_GT(by_steps->stats().requests, 40u);
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM events"), 1200);
}

TEST(HranaSinkTest, RefusalsInASplitBatchAreLeftOutOfTheirPartOnly) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  HranaSinkOptions options;
  options.max_steps_per_request = 60;  // a few records per request
  auto sink = OpenHranaSink(server.url(), options);
  ASSERT_NE(sink, nullptr);
  schema::EventRewardRecord dangling;
  dangling.session_id = "s0";
  dangling.event_ref = "no-such-event";
  const std::vector<size_t> bad = {0, 17, 18, 41, 79};  // first, neighbours, middle, last
  std::vector<schema::Record> batch;
  for (size_t i = 0; i < 80; ++i) {
    if (std::find(bad.begin(), bad.end(), i) != bad.end()) {
      batch.push_back({"bad-" + std::to_string(i), dangling});
    } else {
      batch.push_back(testing::Event("ev-" + std::to_string(i), "s" + std::to_string(i % 3),
                                     "step-" + std::to_string(i % 4)));
    }
  }
  const std::vector<RecordResult> results = WriteOk(*sink, batch);
  for (size_t i = 0; i < batch.size(); ++i) {
    const bool refused = std::find(bad.begin(), bad.end(), i) != bad.end();
    EXPECT_EQ(results[i].outcome, refused ? RecordOutcome::kRefused : RecordOutcome::kStored)
        << "record " << i;
    if (refused) {
      EXPECT_NE(results[i].message.find("event_ref"), std::string::npos) << results[i].message;
    }
  }
  EXPECT_EQ(sink->stats().split_batches, 1u);
  EXPECT_GE(sink->stats().resends, 4u);  // 17 and 18 may share a request
  HranaClient& client = sink->client();
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM events"), 75);
  EXPECT_EQ(QueryInt(client, "SELECT sum(num_events) FROM session_traces"), 75);
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM tc_idempotency WHERE key LIKE 'bad-%'"), 0);
  // The same batch again: every stored record is a duplicate, counters unchanged.
  const std::vector<RecordResult> again = WriteOk(*sink, batch);
  for (size_t i = 0; i < batch.size(); ++i) {
    const bool refused = std::find(bad.begin(), bad.end(), i) != bad.end();
    EXPECT_EQ(again[i].outcome, refused ? RecordOutcome::kRefused : RecordOutcome::kDuplicate)
        << "record " << i;
  }
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM events"), 75);
  EXPECT_EQ(QueryInt(client, "SELECT sum(num_events) FROM session_traces"), 75);
}

TEST(HranaSinkTest, CheckpointsTursodbWal) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  HranaSinkOptions options;
  options.checkpoint_every_batches = 3;
  auto sink = OpenHranaSink(server.url(), options);
  ASSERT_NE(sink, nullptr);
  for (int b = 0; b < 3; ++b) {
    std::vector<schema::Record> batch;
    for (int i = 0; i < 100; ++i) {
      batch.push_back(testing::Event(fmt::format("ev-{}-{}", b, i), "s", "st"));
    }
    WriteOk(*sink, batch);
    if (b < 2) {
      EXPECT_GT(std::filesystem::file_size(dir.File("db.sqlite-wal")), 0u);
    }
  }
  EXPECT_EQ(sink->stats().checkpoints, 1u);
  EXPECT_EQ(std::filesystem::file_size(dir.File("db.sqlite-wal")), 0u);
  EXPECT_EQ(QueryInt(sink->client(), "SELECT count(*) FROM events"), 300);
}

TEST(HranaSinkTest, SqldDialectShape) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  testing::FaultServer sqld(server.port(), /*emulate_sqld=*/true);
  auto sink = OpenHranaSink(sqld.url());
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->dialect().pipeline_path, "/v3/pipeline");
  const std::vector<schema::Record> records = testing::AllRecordTypes();
  std::vector<RecordResult> results = WriteOk(*sink, records);
  for (const auto& r : results) EXPECT_EQ(r.outcome, RecordOutcome::kStored) << r.message;
  EXPECT_TRUE(sqld.LastBody().ends_with(R"(,{"type":"close"}]})"));
  EXPECT_TRUE(sink->Ping().ok());
  EXPECT_EQ(QueryInt(sink->client(), "SELECT count(*) FROM events"), 3);
}

TEST(HranaSinkTest, PingIsThreadSafeWhileWriting) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  HranaSinkOptions options;
  options.echo_sql = true;  // logs every statement; must not disturb anything
  options.client.pool.size = 3;
  auto sink = OpenHranaSink(server.url(), options);
  ASSERT_NE(sink, nullptr);
  std::atomic<int> pings{0};
  std::atomic<int> failures{0};
  std::vector<std::jthread> pingers;
  std::atomic<bool> stop{false};
  for (int t = 0; t < 4; ++t) {
    pingers.emplace_back([&] {
      while (!stop.load()) {
        if (sink->Ping().ok()) {
          pings.fetch_add(1);
        } else {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (int b = 0; b < 5; ++b) {
    std::vector<schema::Record> batch;
    for (int i = 0; i < 20; ++i) {
      batch.push_back(testing::Event(fmt::format("ev-{}-{}", b, i), "s", "st"));
    }
    WriteOk(*sink, batch);
  }
  stop = true;
  pingers.clear();
  EXPECT_GT(pings.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(QueryInt(sink->client(), "SELECT num_events FROM session_traces"), 100);
}

TEST(HranaSinkTest, OptionsFromConfig) {
  config::SqldConfig sqld;
  sqld.auth_token = "t";
  sqld.pool_size = 3;
  sqld.echo_sql = true;
  sqld.timeout_ms = 1234;
  sqld.tls_verify = false;
  const HranaSinkOptions options = HranaSinkOptionsFromConfig(sqld, "libsql://db.example");
  EXPECT_EQ(options.client.url, "libsql://db.example");
  EXPECT_EQ(options.client.pool.auth_token, "t");
  EXPECT_EQ(options.client.pool.size, 3u);
  EXPECT_TRUE(options.echo_sql);
  EXPECT_EQ(options.client.pool.timeout_ms, 1234u);
  EXPECT_FALSE(options.client.pool.tls_verify);
}

TEST(HranaSinkTest, WriteBeforeOpenFails) {
  auto sink = HranaSink::Create({.client = {.url = "http://127.0.0.1:1"}});
  ASSERT_TRUE(sink.has_value());
  std::vector<RecordResult> results;
  EXPECT_EQ((*sink)->Write(testing::AllRecordTypes(), &results).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*sink)->Ping().code(), StatusCode::kUnavailable);
  EXPECT_EQ(HranaSink::Create({.client = {.url = "ftp://x"}}).error().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tc::sink
