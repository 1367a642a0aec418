#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "fakes/fake_sink.h"
#include "unit/pipeline/pipeline_test_util.h"

namespace tc::pipeline {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class PipelineTest : public ::testing::Test {
 protected:
  testing::FakeSink sink_;
  metrics::Metrics metrics_;
};

TEST_F(PipelineTest, CompletesEachSubmissionWithItsOwnResults) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  p.Start();
  Status a1, a2;
  auto f1 = SubmitKeys(p, {"a", "b"}, &a1);
  auto f2 = SubmitKeys(p, {"c", "bad1", "a"}, &a2);
  ASSERT_TRUE(a1.ok());
  ASSERT_TRUE(a2.ok());
  auto o1 = f1.get();
  auto o2 = f2.get();
  ASSERT_TRUE(o1.status.ok());
  ASSERT_EQ(o1.results.size(), 2u);
  ASSERT_EQ(o2.results.size(), 3u);
  EXPECT_EQ(o2.results[0].outcome, sink::RecordOutcome::kStored);
  EXPECT_EQ(o2.results[1].outcome, sink::RecordOutcome::kRefused);
  EXPECT_EQ(o2.results[2].outcome, sink::RecordOutcome::kDuplicate);
  p.Shutdown(Clock::now() + milliseconds(500));
  EXPECT_EQ(metrics_.records_stored.Get(), 3u);
  EXPECT_EQ(metrics_.records_duplicate.Get(), 1u);
  EXPECT_EQ(metrics_.records_refused_database.Get(), 1u);
  EXPECT_EQ(p.held_records(), 0u);
}

TEST_F(PipelineTest, RecordsQueuedDuringACommitFormTheNextBatch) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  p.Start();
  sink_.Block();
  Status st;
  auto first = SubmitKeys(p, {"k0"}, &st);
  // Wait until the batcher is inside Write with k0, then queue 25 more.
  ASSERT_TRUE(Eventually([&] { return sink_.waiting() == 1; }));
  std::vector<std::future<Outcome>> rest;
  for (int i = 1; i <= 25; ++i) rest.push_back(SubmitKeys(p, {"k" + std::to_string(i)}, &st));
  sink_.Unblock();
  first.get();
  for (auto& f : rest) ASSERT_TRUE(f.get().status.ok());
  auto sizes = sink_.batch_sizes();
  // k0 alone, then the 25 queued ones in batches capped at max_records (10).
  ASSERT_GE(sizes.size(), 3u);
  EXPECT_EQ(sizes[0], 1u);
  EXPECT_EQ(sizes[1], 10u);
  EXPECT_EQ(sizes[2], 10u);
  p.Shutdown(Clock::now());
}

TEST_F(PipelineTest, RetryableFailuresRetryTheBatchIntact) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  sink_.FailNext(3, Status::Unavailable("server down"));
  p.Start();
  Status st;
  auto f = SubmitKeys(p, {"x", "y"}, &st);
  auto o = f.get();
  ASSERT_TRUE(o.status.ok());
  EXPECT_EQ(sink_.stored(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(metrics_.sink_errors.Get(), 3u);
  p.Shutdown(Clock::now());
}

TEST_F(PipelineTest, PermanentBatchFailureIsolatesTheCulpritRecord) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  p.Start();
  Status st;
  auto f = SubmitKeys(p, {"ok1", "poison", "ok2"}, &st);
  auto o = f.get();
  ASSERT_TRUE(o.status.ok());
  ASSERT_EQ(o.results.size(), 3u);
  EXPECT_EQ(o.results[0].outcome, sink::RecordOutcome::kStored);
  EXPECT_EQ(o.results[1].outcome, sink::RecordOutcome::kRefused);
  EXPECT_EQ(o.results[2].outcome, sink::RecordOutcome::kStored);
  p.Shutdown(Clock::now());
}

TEST_F(PipelineTest, FullQueueRefusesWithResourceExhaustedAndCounts) {
  auto options = SmallOptions();
  options.capacity.max_records = 5;
  Pipeline p(options, sink_, metrics_);
  sink_.Block();
  p.Start();
  Status a, b, c;
  auto f1 = SubmitKeys(p, {"1", "2", "3"}, &a);
  auto f2 = SubmitKeys(p, {"4", "5"}, &b);
  auto f3 = SubmitKeys(p, {"6"}, &c);
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(c.code(), StatusCode::kResourceExhausted);
  sink_.Unblock();
  f1.get();
  f2.get();
  // Capacity came back once written.
  Status d;
  auto f4 = SubmitKeys(p, {"7", "8", "9", "10", "11"}, &d);
  EXPECT_TRUE(d.ok());
  f4.get();
  p.Shutdown(Clock::now());
}

TEST_F(PipelineTest, ShutdownDrainsEverythingAdmitted) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  sink_.Block();
  p.Start();
  std::vector<std::future<Outcome>> futures;
  Status st;
  for (int i = 0; i < 40; ++i) {
    futures.push_back(SubmitKeys(p, {"d" + std::to_string(i)}, &st));
    ASSERT_TRUE(st.ok());
  }
  // The store stays blocked until the batcher is inside Write: Shutdown must wait for it.
  std::thread unblock([&] {
    EXPECT_TRUE(Eventually([&] { return sink_.waiting() == 1; }));
    sink_.Unblock();
  });
  p.Shutdown(Clock::now() + std::chrono::seconds(5));
  unblock.join();
  for (auto& f : futures) EXPECT_TRUE(f.get().status.ok());
  EXPECT_EQ(sink_.stored().size(), 40u);
  Status after;
  SubmitKeys(p, {"late"}, &after);
  EXPECT_EQ(after.code(), StatusCode::kUnavailable);
}

TEST_F(PipelineTest, ShutdownDeadlineWithSinkDownFailsPendingWithUnavailable) {
  Pipeline p(SmallOptions(), sink_, metrics_);
  sink_.FailNext(1000000, Status::Unavailable("down"));
  p.Start();
  Status st;
  auto f = SubmitKeys(p, {"z"}, &st);
  EXPECT_TRUE(Eventually([&] { return !p.Ready().status.ok(); }))
      << "readiness reports the failing database";
  auto start = Clock::now();
  p.Shutdown(Clock::now() + milliseconds(100));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  auto o = f.get();
  EXPECT_EQ(o.status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(sink_.stored().empty());
}

TEST_F(PipelineTest, ConcurrentSubmittersAllCompletedExactlyOnce) {
  auto options = SmallOptions();
  options.capacity = {.max_records = 100000, .max_bytes = 1ull << 30};
  options.batch_max_records = 256;
  Pipeline p(options, sink_, metrics_);
  p.Start();
  std::atomic<int> completed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        Submission s;
        s.records.push_back(MakeRecord("t" + std::to_string(t) + "-" + std::to_string(i)));
        s.on_done = [&](const Status& status, std::vector<sink::RecordResult>) {
          if (status.ok()) completed++;
        };
        ASSERT_TRUE(p.Submit(s).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  p.Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(completed.load(), 2000);
  EXPECT_EQ(sink_.stored().size(), 2000u);
}

}  // namespace
}  // namespace tc::pipeline
