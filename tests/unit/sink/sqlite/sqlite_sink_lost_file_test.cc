// A database file deleted or replaced under an open SqliteSink (issue 21, item 5): nothing is
// reported stored into a file that is gone from its path; the sink reopens the file once the
// path names one again, and never creates one itself. Real files in a temp dir.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sink/sqlite/sqlite_sink.h"
#include "sqlite_sink_fixture.h"
#include "storage/ddl.h"

namespace tc::sink {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Descriptors of this process on a deleted file whose name starts with `path` (the database,
// its -wal or -shm): the kernel shows them as "<path> (deleted)".
int DeletedDescriptors(const std::string& path) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = fs::read_symlink(entry.path(), ec).string();
    if (!ec && target.rfind(path, 0) == 0 && target.find(" (deleted)") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

class SqliteSinkLostFileTest : public SqliteSinkTest {
 protected:
  // What `rm tc.db tc.db-wal tc.db-shm` does.
  void RemoveDatabaseFiles() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((path_ + suffix).c_str());
    }
    ASSERT_FALSE(fs::exists(path_));
  }
  Status TryWrite(SqliteSink& sink, const std::vector<Record>& records,
                  std::vector<RecordResult>* results) {
    results->assign(1, RecordResult{});  // must be cleared on failure
    return sink.Write(records, results);
  }
  std::vector<std::string> Keys() {
    TestDb db(path_);
    std::vector<std::string> keys;
    for (const auto& row : db.Rows("SELECT key FROM tc_idempotency ORDER BY key")) {
      keys.push_back(row[0]);
    }
    return keys;
  }
};

using KeyList = std::vector<std::string>;

TEST_F(SqliteSinkLostFileTest, DeletedFileFailsWritesRetryablyAndIsNotRecreated) {
  auto sink = OpenSink();
  Write(*sink, {Event("e1", "s", "a")});
  EXPECT_TRUE(sink->Health().ok());
  RemoveDatabaseFiles();

  Status health = sink->Health();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_NE(health.message().find(path_ + " is missing"), std::string::npos) << health.ToString();

  std::vector<RecordResult> results;
  Status status = TryWrite(*sink, {Event("e2", "s", "a")}, &results);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_TRUE(IsRetryable(status));
  EXPECT_NE(status.message().find(path_ + " is missing"), std::string::npos) << status.ToString();
  EXPECT_TRUE(results.empty());
  // Detected: every connection (writer, Ping, checkpointer) let go of the deleted file.
  EXPECT_EQ(DeletedDescriptors(path_), 0);
  EXPECT_EQ(sink->Ping().code(), StatusCode::kUnavailable);

  // Still missing: still unavailable, and the sink does not create a new database there.
  status = TryWrite(*sink, {Event("e2", "s", "a")}, &results);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("waiting for it to be restored or recreated"), std::string::npos)
      << status.ToString();
  EXPECT_TRUE(results.empty());
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_EQ(sink->Open().code(), StatusCode::kUnavailable) << "Open() does not create it either";
  EXPECT_FALSE(fs::exists(path_));
  health = sink->Health();
  EXPECT_NE(health.message().find(path_ + " is missing"), std::string::npos) << health.ToString();
}

TEST_F(SqliteSinkLostFileTest, RecreatedFileIsReopenedWithTheSchema) {
  auto sink = OpenSink();
  Write(*sink, {Event("e1", "s", "a")});
  RemoveDatabaseFiles();
  std::vector<RecordResult> results;
  ASSERT_EQ(TryWrite(*sink, {Event("e2", "s", "a")}, &results).code(), StatusCode::kUnavailable);

  std::ofstream(path_).close();  // the operator recreates it (an empty file is an empty database)
  Status health = sink->Health();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_NE(health.message().find("is being reopened"), std::string::npos) << health.ToString();

  EXPECT_EQ(Outcomes(Write(*sink, {Event("e2", "s", "a"), Message("m2", "s", "a")})),
            (std::vector<RecordOutcome>{kStored, kStored}));
  EXPECT_TRUE(sink->Health().ok()) << sink->Health().ToString();
  EXPECT_TRUE(sink->Ping().ok());
  EXPECT_EQ(Keys(), (KeyList{"e2", "m2"}));
  TestDb db(path_);
  EXPECT_EQ(db.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Counters(db, "s"), "1,1,1");
}

TEST_F(SqliteSinkLostFileTest, ReplacedFileIsReopenedAndTheOldWalIsNotAppliedToIt) {
  auto sink = OpenSink();
  for (int i = 0; i < 20; ++i) {  // WAL frames that belong to the old file only
    Write(*sink, {Event("old-" + std::to_string(i), "s", "a")});
  }
  const std::string restored = dir_.File("restored.db");
  {
    auto other = SqliteSink::Create({restored, "NORMAL", 5000});
    ASSERT_TRUE(other.has_value());
    ASSERT_TRUE((*other)->Open().ok());
    std::vector<RecordResult> results;
    ASSERT_TRUE((*other)->Write(std::vector<Record>{Event("b1", "s", "a")}, &results).ok());
  }
  // An atomic restore over the live file; its -wal (ours, full of old frames) stays.
  ASSERT_EQ(std::rename(restored.c_str(), path_.c_str()), 0);
  ASSERT_TRUE(fs::exists(path_ + "-wal"));
  Status health = sink->Health();
  EXPECT_NE(health.message().find("replaced by another file"), std::string::npos)
      << health.ToString();

  std::vector<RecordResult> results;
  Status status = TryWrite(*sink, {Event("e2", "s", "a")}, &results);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("replaced by another file"), std::string::npos);
  EXPECT_TRUE(results.empty());

  EXPECT_EQ(Outcomes(Write(*sink, {Event("e2", "s", "a")})), (std::vector<RecordOutcome>{kStored}));
  EXPECT_TRUE(sink->Health().ok());
  EXPECT_EQ(Keys(), (KeyList{"b1", "e2"}));
  TestDb db(path_);
  EXPECT_EQ(db.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(Counters(db, "s"), "1,2,0");
}

TEST_F(SqliteSinkLostFileTest, FileDeletedWhileABatchCommitsIsNotReportedStored) {
  auto sink = OpenSink();
  Write(*sink, {Event("e1", "s", "a")});
  sink->SetCommitHookForTest([&] { RemoveDatabaseFiles(); });
  std::vector<RecordResult> results;
  // The check before the batch passes; the file goes during its COMMIT.
  Status status = TryWrite(*sink, {Event("e2", "s", "a"), Event("e3", "s", "a")}, &results);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find(path_ + " is missing"), std::string::npos) << status.ToString();
  EXPECT_TRUE(results.empty()) << "nothing may be reported stored into the deleted file";

  std::ofstream(path_).close();
  EXPECT_EQ(Outcomes(Write(*sink, {Event("e2", "s", "a"), Event("e3", "s", "a")})),
            (std::vector<RecordOutcome>{kStored, kStored}));
  EXPECT_EQ(Keys(), (KeyList{"e2", "e3"}));
}

TEST_F(SqliteSinkLostFileTest, IdleClosesALostFileWithinTheIntervalAndReopensItWhenBack) {
  auto sink = OpenSink();
  Write(*sink, {Event("e1", "s", "a")});
  const auto t0 = std::chrono::steady_clock::now();
  sink->Idle(t0);  // checks: the file is there
  RemoveDatabaseFiles();
  EXPECT_GT(DeletedDescriptors(path_), 0) << "the sink still has the deleted file open";
  sink->Idle(t0 + milliseconds(500));  // within the interval: no check yet
  EXPECT_GT(DeletedDescriptors(path_), 0);
  sink->Idle(t0 + SqliteSink::kIdleCheckInterval);
  EXPECT_EQ(DeletedDescriptors(path_), 0) << "noticed without a write, and let go of";
  EXPECT_NE(sink->Health().message().find(path_ + " is missing"), std::string::npos);

  sink->Idle(t0 + 2 * SqliteSink::kIdleCheckInterval);
  EXPECT_FALSE(fs::exists(path_));
  std::ofstream(path_).close();
  sink->Idle(t0 + 3 * SqliteSink::kIdleCheckInterval);
  EXPECT_TRUE(sink->Health().ok()) << "reopened without waiting for a write";
  EXPECT_EQ(Keys(), (KeyList{})) << "the schema is there";
  EXPECT_EQ(Outcomes(Write(*sink, {Event("e2", "s", "a")})), (std::vector<RecordOutcome>{kStored}));
}

TEST_F(SqliteSinkLostFileTest, TheCheckpointerFollowsTheReopenedFile) {
  auto created = SqliteSink::Create(
      {path_, "NORMAL", 5000, CheckpointOptions{.start_frames = 8, .max_frames = 40}});
  ASSERT_TRUE(created.has_value());
  auto& sink = *created;
  ASSERT_TRUE(sink->Open().ok());
  Write(*sink, {Event("e1", "s", "a")});
  RemoveDatabaseFiles();
  std::vector<RecordResult> results;
  ASSERT_EQ(TryWrite(*sink, {Event("e2", "s", "a")}, &results).code(), StatusCode::kUnavailable);
  std::ofstream(path_).close();
  // ~1500 pages into the reopened file: without the checkpointer's hook on the new writer
  // connection the WAL would grow to SQLite's 1000-page auto-checkpoint and beyond.
  constexpr uint64_t kFrameBytes = 4096 + 24;
  for (int i = 0; i < 150; ++i) {
    std::vector<Record> batch;
    for (int j = 0; j < 4; ++j) {
      batch.push_back(Message(fmt::format("m{}-{}", i, j), "s", "a", std::string(9000, 'x')));
    }
    Write(*sink, batch);
    std::error_code ec;
    const uint64_t wal = fs::file_size(path_ + "-wal", ec);
    // max_frames + one batch's pages: ~40 of data, and the pointer-map page a database with
    // auto_vacuum = INCREMENTAL updates with them. The first batch also creates the new file's
    // schema, a root page per table and index, and the WAL file keeps its largest size.
    const uint64_t schema_pages = storage::TableNames().size() + storage::IndexNames().size();
    ASSERT_LE(wal, (40 + 41 + schema_pages) * kFrameBytes + 32) << "batch " << i;
  }
  EXPECT_EQ(TestDb(path_).Int("SELECT COUNT(*) FROM messages"), 600);
}

}  // namespace
}  // namespace tc::sink
