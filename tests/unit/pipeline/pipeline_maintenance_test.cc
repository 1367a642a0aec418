// The batcher's maintenance step (pipeline_maintenance.cc) with a FakeSink: session deletions
// run by the writer thread between batches and answered after the sink returned; retention
// passes run when due (at once again while the sink says there is more, else an interval
// later), between batches under a steady load, counted in the metrics.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "common/time_format.h"
#include "fakes/fake_sink.h"
#include "pipeline/pipeline.h"
#include "unit/pipeline/pipeline_test_util.h"

namespace tc::pipeline {
namespace {

using std::chrono::milliseconds;

struct Deleted {
  Status status;
  sink::DeletedRows rows;
  std::thread::id thread;
};

std::future<Deleted> Delete(Pipeline& p, const std::string& id, Status* queued) {
  auto promise = std::make_shared<std::promise<Deleted>>();
  auto future = promise->get_future();
  *queued = p.DeleteSession(id, [promise](const Status& s, const sink::DeletedRows& rows) {
    promise->set_value(Deleted{s, rows, std::this_thread::get_id()});
  });
  return future;
}

// The thread that ran the sink's writes (the writer), from the FakeSink's log.
std::thread::id WriterThread(testing::FakeSink& sink) {
  for (const auto& call : sink.log()) {
    if (call.what.rfind("write:", 0) == 0) return call.thread;
  }
  return {};
}

size_t Count(const std::vector<testing::FakeSink::Call>& log, const std::string& what) {
  size_t n = 0;
  for (const auto& call : log) n += call.what == what ? 1 : 0;
  return n;
}

class PipelineMaintenanceTest : public ::testing::Test {
 protected:
  testing::FakeSink sink_;
  metrics::Metrics metrics_;
};

TEST_F(PipelineMaintenanceTest, DeleteRunsOnTheWriterAndIsAnsweredWithTheRows) {
  sink_.AddSession("s-old");
  Pipeline p(SmallOptions(), sink_, metrics_);
  p.Start();
  Status admit;
  ASSERT_EQ(SubmitKeys(p, {"k1"}, &admit).get().status.code(), StatusCode::kOk);

  Status queued;
  Deleted done = Delete(p, "s-old", &queued).get();
  ASSERT_TRUE(queued.ok()) << queued.ToString();
  ASSERT_TRUE(done.status.ok()) << done.status.ToString();
  EXPECT_EQ(done.rows.sessions, 1u);
  ASSERT_EQ(done.rows.tables.size(), 3u);
  EXPECT_EQ(done.rows.tables[1], (std::pair<std::string, uint64_t>{"events", 3}));
  // Called on the writer, after the sink's DeleteSession (which ran there too).
  EXPECT_EQ(done.thread, WriterThread(sink_));
  const auto log = sink_.log();
  ASSERT_EQ(Count(log, "delete:s-old"), 1u);
  for (const auto& call : log) {
    if (call.what == "delete:s-old") {
      EXPECT_EQ(call.thread, done.thread);
    }
  }
  EXPECT_EQ(metrics_.sessions_deleted_api.Get(), 1u);
  EXPECT_EQ(metrics_.session_rows_deleted[0].Get(), 1u);  // "session_traces"
  EXPECT_EQ(metrics_.session_rows_deleted[1].Get(), 0u);  // "session_timesteps": none
  EXPECT_EQ(metrics_.session_rows_deleted[2].Get(), 3u);  // "events"
  EXPECT_EQ(metrics_.session_rows_deleted[6].Get(), 3u);  // "tc_idempotency"

  // Again: nothing left to delete.
  Deleted again = Delete(p, "s-old", &queued).get();
  EXPECT_EQ(again.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(metrics_.sessions_deleted_api.Get(), 1u);
  p.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

TEST_F(PipelineMaintenanceTest, DeleteQueuedDuringABatchRunsRightAfterItNotBefore) {
  sink_.AddSession("s1");
  Pipeline p(SmallOptions(), sink_, metrics_);
  p.Start();
  sink_.Block();
  Status admit;
  auto written = SubmitKeys(p, {"a", "b"}, &admit);
  ASSERT_TRUE(admit.ok());
  ASSERT_TRUE(Eventually([&] { return sink_.waiting() == 1; }));  // the writer is in Write()
  Status queued;
  auto deleted = Delete(p, "s1", &queued);
  ASSERT_TRUE(queued.ok());
  // More records queue behind the deletion; the writer is still busy with the first batch.
  auto later = SubmitKeys(p, {"c"}, &admit);
  ASSERT_TRUE(admit.ok());
  EXPECT_EQ(deleted.wait_for(milliseconds(0)), std::future_status::timeout);
  sink_.Unblock();
  ASSERT_TRUE(deleted.get().status.ok());
  ASSERT_TRUE(written.get().status.ok());
  ASSERT_TRUE(later.get().status.ok());
  std::vector<std::string> order;
  for (const auto& call : sink_.log()) order.push_back(call.what);
  EXPECT_EQ(order, (std::vector<std::string>{"write:2", "delete:s1", "write:1"}));
  p.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

TEST_F(PipelineMaintenanceTest, DeleteAfterShutdownIsRefusedUnavailable) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  p.Start();
  p.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  bool called = false;
  Status queued =
      p.DeleteSession("s1", [&](const Status&, const sink::DeletedRows&) { called = true; });
  EXPECT_EQ(queued.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(called);
  EXPECT_EQ(Count(sink_.log(), "delete:s1"), 0u);
}

TEST_F(PipelineMaintenanceTest, WithoutRetentionConfiguredNoPassRuns) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  p.Start();
  Status admit;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(SubmitKeys(p, {"k" + std::to_string(i)}, &admit).get().status.ok());
  }
  p.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_TRUE(sink_.policies().empty());
}

TEST_F(PipelineMaintenanceTest, PassesRunAgainWhileMoreIsLeftThenWaitForTheInterval) {
  PipelineOptions options = SmallOptions();
  options.retention.max_age = std::chrono::hours(1);
  options.retention.batch_sessions = 7;
  options.retention.interval = std::chrono::hours(1);  // never twice in this test but for "more"
  sink::RetentionPass more;
  more.deleted.sessions = 7;
  more.deleted.tables = {{"session_traces", 7}, {"events", 40}};
  more.more = true;
  sink::RetentionPass last;
  last.deleted.sessions = 2;
  last.deleted.tables = {{"session_traces", 2}, {"events", 5}};
  last.oldest_session_unix = 1700000000.0;
  last.db_bytes = 4096;
  sink_.QueuePass(more);
  sink_.QueuePass(last);
  const std::string before_start =
      FormatIsoUtc(std::chrono::system_clock::now() - std::chrono::hours(1));
  Pipeline p(options, sink_, metrics_);
  p.Start();
  ASSERT_TRUE(Eventually([&] { return sink_.policies().size() >= 2; }));
  // Batches afterwards: the maintenance after each of them finds no pass due.
  Status admit;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(SubmitKeys(p, {"k" + std::to_string(i)}, &admit).get().status.ok());
  }
  p.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  const auto policies = sink_.policies();
  ASSERT_EQ(policies.size(), 2u);
  for (const auto& policy : policies) {
    EXPECT_EQ(policy.max_sessions, 7u);
    EXPECT_EQ(policy.max_db_bytes, 0u);
    // An hour before the pass: not before the hour before the test started, not after now.
    EXPECT_GE(policy.created_before, before_start);
    EXPECT_LE(policy.created_before, FormatIsoUtc(std::chrono::system_clock::now()));
  }
  EXPECT_EQ(metrics_.sessions_deleted_retention.Get(), 9u);
  EXPECT_EQ(metrics_.sessions_deleted_api.Get(), 0u);
  EXPECT_EQ(metrics_.session_rows_deleted[0].Get(), 9u);
  EXPECT_EQ(metrics_.session_rows_deleted[2].Get(), 45u);
  EXPECT_EQ(metrics_.oldest_session_timestamp.Get(), 1700000000);
  EXPECT_EQ(metrics_.database_bytes.Get(), 4096);
}

TEST_F(PipelineMaintenanceTest, AFailedPassIsCountedAndTriedAgainAfterTheInterval) {
  PipelineOptions options = SmallOptions();
  options.retention.max_age = std::chrono::hours(1);
  options.retention.interval = milliseconds(20);
  sink_.FailRetain(1);
  Pipeline p(options, sink_, metrics_);
  p.Start();
  ASSERT_TRUE(Eventually([&] { return sink_.policies().size() >= 2; }));
  p.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(metrics_.retention_errors.Get(), 1u);
}

TEST_F(PipelineMaintenanceTest, UnderASteadyLoadPassesRunBetweenBatchesOnTheWriter) {
  PipelineOptions options = SmallOptions();
  options.retention.max_age = std::chrono::hours(1);
  options.retention.interval = milliseconds(1);
  Pipeline p(options, sink_, metrics_);
  p.Start();
  std::atomic<bool> stop{false};
  std::atomic<int> completed{0};
  std::thread load([&] {
    for (int i = 0; !stop.load(); ++i) {
      Status admit;
      auto done = SubmitKeys(p, {"load" + std::to_string(i)}, &admit);
      if (admit.ok() && done.get().status.ok()) ++completed;
    }
  });
  const bool passes = Eventually([&] {
    const auto log = sink_.log();
    return Count(log, "retain") >= 5 && completed.load() >= 20;
  });
  stop = true;
  load.join();
  p.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(passes);
  const auto log = sink_.log();
  const std::thread::id writer = WriterThread(sink_);
  size_t retains_between_writes = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].thread, writer) << log[i].what;  // one thread owns the sink
    if (log[i].what == "retain" && i > 0 && i + 1 < log.size() &&
        log[i - 1].what.rfind("write:", 0) == 0 && log[i + 1].what.rfind("write:", 0) == 0) {
      ++retains_between_writes;
    }
  }
  EXPECT_GE(retains_between_writes, 1u);
}

}  // namespace
}  // namespace tc::pipeline
