// WAL checkpoints off the commit path (sink/sqlite_sink_checkpoint.h), on real files.

#include "sink/sqlite/sqlite_sink_checkpoint.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sink/sqlite/sqlite_sink.h"
#include "sqlite_sink_fixture.h"

namespace tc::sink {
namespace {

constexpr int64_t kFrameBytes = 4096 + 24;  // page + WAL frame header

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// Waits (up to 10 s) for the background thread to have finished a checkpoint.
bool WaitForBackgroundRun(const WalCheckpointer& checkpointer) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (checkpointer.background_runs() == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(WalCheckpointerTest, CopiesBesideTheWriterAndKeepsTheWalBounded) {
  tc::testing::TempDir dir;
  const std::string path = dir.File("wal.db");
  TestDb writer(path);
  writer.Exec("PRAGMA journal_mode = WAL");
  writer.Exec("CREATE TABLE t (x BLOB)");
  const uint64_t main_before = FileSize(path);

  WalCheckpointer checkpointer({.start_frames = 8, .max_frames = 40});
  ASSERT_TRUE(checkpointer.Attach(writer.get(), path, 5000).ok());
  for (int i = 0; i < 300; ++i) {  // ~4 pages per commit, 1200 pages in all
    writer.Exec(
        "BEGIN; INSERT INTO t SELECT randomblob(3000) FROM (SELECT 1 UNION ALL SELECT 2 "
        "UNION ALL SELECT 3 UNION ALL SELECT 4); COMMIT");
    // Never more than max_frames plus the commit that crossed it (SQLite's default hook would
    // let it reach 1000 pages).
    ASSERT_LE(FileSize(path + "-wal"), uint64_t{(40 + 8) * kFrameBytes + 32}) << "commit " << i;
  }
  EXPECT_TRUE(WaitForBackgroundRun(checkpointer));
  // The pages reached the database file while the writer was open (no close-time checkpoint).
  EXPECT_GT(FileSize(path), main_before + 1000 * 4096);
  checkpointer.Stop();
  EXPECT_EQ(writer.Int("SELECT count(*) FROM t"), 1200);
  EXPECT_EQ(writer.Text("PRAGMA integrity_check"), "ok");
}

TEST(WalCheckpointerTest, StopIsIdempotentAndDetachesTheHook) {
  tc::testing::TempDir dir;
  const std::string path = dir.File("wal.db");
  TestDb writer(path);
  writer.Exec("PRAGMA journal_mode = WAL");
  writer.Exec("CREATE TABLE t (x BLOB)");
  WalCheckpointer checkpointer({.start_frames = 2, .max_frames = 4});
  ASSERT_TRUE(checkpointer.Attach(writer.get(), path, 5000).ok());
  checkpointer.Stop();
  checkpointer.Stop();
  // Without a hook (and without SQLite's own, which Attach replaced) nothing checkpoints.
  for (int i = 0; i < 20; ++i) {
    writer.Exec("INSERT INTO t VALUES (randomblob(3000))");
  }
  EXPECT_GE(FileSize(path + "-wal"), uint64_t{20 * kFrameBytes});
  EXPECT_EQ(checkpointer.inline_runs(), 0u);
}

TEST(WalCheckpointerTest, AttachFailsOnAMissingDirectory) {
  tc::testing::TempDir dir;
  TestDb writer(dir.File("wal.db"));
  WalCheckpointer checkpointer({});
  EXPECT_FALSE(checkpointer.Attach(writer.get(), dir.File("no/such/dir/wal.db"), 100).ok());
}

TEST_F(SqliteSinkTest, CheckpointOptionsAreValidated) {
  SqliteSinkOptions options{path_, "FULL", 100};
  options.checkpoint = {.start_frames = 0, .max_frames = 10};
  EXPECT_EQ(SqliteSink::Create(options).error().code(), StatusCode::kInvalidArgument);
  options.checkpoint = {.start_frames = 10, .max_frames = 9};
  EXPECT_EQ(SqliteSink::Create(options).error().code(), StatusCode::kInvalidArgument);
}

// Through the sink: many small batches with tiny thresholds; every record is stored, the WAL
// stays bounded, the database file fills while the sink is open.
TEST_F(SqliteSinkTest, WritesWithBackgroundCheckpointsKeepEveryRecord) {
  SqliteSinkOptions options{path_, "NORMAL", 5000};
  options.checkpoint = {.start_frames = 16, .max_frames = 64};
  auto created = SqliteSink::Create(options);
  ASSERT_TRUE(created.has_value());
  std::unique_ptr<SqliteSink> sink = std::move(created).value();
  ASSERT_TRUE(sink->Open().ok());
  const uint64_t main_before = FileSize(path_);
  uint64_t max_wal = 0;
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<Record> records;
    for (int i = 0; i < 20; ++i) {
      records.push_back(Message(fmt::format("m{}-{}", batch, i), fmt::format("s{}", i % 7),
                                fmt::format("step{}", batch % 5), std::string(600, 'x')));
    }
    auto results = Write(*sink, records);
    ASSERT_EQ(results.size(), records.size());
    max_wal = std::max(max_wal, FileSize(path_ + "-wal"));
  }
  // 64 pages plus the batch that crossed it (a 20-message batch dirties well under 64 pages).
  EXPECT_LE(max_wal, uint64_t{128 * kFrameBytes + 32});
  EXPECT_GT(FileSize(path_), main_before + 100 * 4096);
  TestDb db(path_);
  EXPECT_EQ(db.Int("SELECT count(*) FROM messages"), 2000);
  EXPECT_EQ(db.Int("SELECT count(*) FROM tc_idempotency"), 2000);
  EXPECT_EQ(db.Int("SELECT sum(num_messages) FROM session_traces"), 2000);
  EXPECT_EQ(db.Text("PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace tc::sink
