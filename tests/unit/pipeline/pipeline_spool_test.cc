// The pipeline with a spool (a real spool directory, a fake sink to make the store fail):
// a retryable failure spools the batch and acknowledges it "spooled"; later batches queue up
// behind it in the spool; replay writes them in order once the store is back; a full spool
// answers kUnavailable; a spool left by an earlier run is replayed before anything new.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <future>
#include <thread>

#include "fakes/fake_sink.h"
#include "pipeline/pipeline.h"
#include "support/temp_dir.h"
#include "unit/pipeline/pipeline_test_util.h"

namespace tc::pipeline {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Submits `keys` as one request, which must be admitted.
std::future<Outcome> Submit(Pipeline& p, std::vector<std::string> keys) {
  Status admit;
  auto future = SubmitKeys(p, std::move(keys), &admit);
  EXPECT_TRUE(admit.ok());
  return future;
}

class PipelineSpoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<spool::Spool> OpenSpool(uint64_t max_bytes = 1 << 20) {
    auto opened = spool::Spool::Open({dir_.path() + "/spool", max_bytes, 1 << 16}, metrics_);
    EXPECT_TRUE(opened.has_value()) << opened.status().ToString();
    return std::move(*opened);
  }
  ::tc::testing::TempDir dir_;
  ::tc::testing::FakeSink sink_;
  metrics::Metrics metrics_;
};

TEST_F(PipelineSpoolTest, StoreDownSpoolsAcknowledgesAndReplaysInOrder) {
  auto spool = OpenSpool();
  Pipeline p(SmallOptions(), sink_, metrics_, spool.get());
  sink_.FailNext(1000000, Status::Unavailable("down"));
  p.Start();
  auto a = Submit(p, {"a1", "a2"}).get();
  ASSERT_TRUE(a.status.ok());
  ASSERT_EQ(a.results.size(), 2u);
  EXPECT_EQ(a.results[0].outcome, sink::RecordOutcome::kSpooled);
  auto b = Submit(p, {"b1"}).get();
  EXPECT_EQ(b.results.at(0).outcome, sink::RecordOutcome::kSpooled);
  const Readiness spooling = p.Ready();
  EXPECT_TRUE(spooling.status.ok()) << "ready while the spool has room";
  EXPECT_FALSE(spooling.store_ok) << "but it says the store is away";
  EXPECT_EQ(spooling.store_error, "UNAVAILABLE: down");
  EXPECT_GT(spooling.spool_bytes, 0u);
  EXPECT_EQ(metrics_.store_reachable.Get(), 0);
  EXPECT_EQ(metrics_.records_spooled.Get(), 3u);
  EXPECT_FALSE(spool->Empty());
  sink_.FailNext(0, Status::Ok());  // the store is back
  // The spool is emptied a moment before writes switch back to the store: wait for both.
  ASSERT_TRUE(Eventually([&] { return spool->Empty() && !p.spooling(); }));
  auto c = Submit(p, {"c1"}).get();
  EXPECT_EQ(c.results.at(0).outcome, sink::RecordOutcome::kStored) << "direct writes again";
  EXPECT_EQ(sink_.stored(), (std::vector<std::string>{"a1", "a2", "b1", "c1"}));
  EXPECT_EQ(metrics_.records_replayed.Get(), 3u);
  EXPECT_EQ(metrics_.records_stored.Get(), 4u);
  EXPECT_TRUE(p.Ready().store_ok);
  EXPECT_EQ(metrics_.store_reachable.Get(), 1);
  p.Shutdown(Clock::now() + milliseconds(500));
}

// sink_retries_total counts every batch write tried again after a backoff, the spool replay's
// included: one failed write by the batcher (spooled, not retried), two failed replays, then
// the third replay stores the batch.
TEST_F(PipelineSpoolTest, ReplayRetriesAreCountedAsSinkRetries) {
  auto spool = OpenSpool();
  Pipeline p(SmallOptions(), sink_, metrics_, spool.get());
  sink_.FailNext(3, Status::Unavailable("down"));
  p.Start();
  auto a = Submit(p, {"a1"}).get();
  ASSERT_EQ(a.results.at(0).outcome, sink::RecordOutcome::kSpooled);
  ASSERT_TRUE(Eventually([&] { return spool->Empty() && !p.spooling(); }));
  EXPECT_EQ(sink_.stored(), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(metrics_.sink_errors.Get(), 3u);
  EXPECT_EQ(metrics_.batch_retries.Get(), 2u);
  p.Shutdown(Clock::now() + milliseconds(500));
}

TEST_F(PipelineSpoolTest, FullSpoolAnswersUnavailableAndCounts) {
  auto spool = OpenSpool(/*max_bytes=*/150);
  Pipeline p(SmallOptions(), sink_, metrics_, spool.get());
  sink_.FailNext(1000000, Status::Unavailable("down"));
  p.Start();
  auto first = Submit(p, {"a"}).get();
  ASSERT_EQ(first.results.at(0).outcome, sink::RecordOutcome::kSpooled);
  Outcome refused;
  for (int i = 0; i < 10; ++i) {
    refused = Submit(p, {"x" + std::to_string(i)}).get();
    if (!refused.status.ok()) break;
  }
  EXPECT_EQ(refused.status.code(), StatusCode::kUnavailable) << refused.status.ToString();
  EXPECT_NE(refused.status.message().find("spool is full"), std::string::npos);
  EXPECT_GE(metrics_.records_refused_spool_full.Get(), 1u);
  // /readyz says what the next POST would meet, though the spool holds less than its cap.
  const Readiness full = p.Ready();
  EXPECT_EQ(full.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(full.status.message().find("spool is full"), std::string::npos);
  EXPECT_LT(full.spool_bytes, full.spool_max_bytes);
  sink_.FailNext(0, Status::Ok());
  ASSERT_TRUE(Eventually([&] { return spool->Empty(); }));
  EXPECT_TRUE(Eventually([&] { return p.Ready().status.ok(); }));
  p.Shutdown(Clock::now() + milliseconds(500));
}

// The spool's disk refuses the write (a full disk; here the file-size limit): the requests are
// answered 503, the records counted as spool_error, and /readyz says what the next POST meets.
TEST_F(PipelineSpoolTest, ASpoolWriteTheDiskRefusesIsCountedAndMakesItUnready) {
  auto spool = OpenSpool();
  Pipeline p(SmallOptions(), sink_, metrics_, spool.get());
  sink_.FailNext(1000000, Status::Unavailable("down"));
  p.Start();
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit none = saved;
  none.rlim_cur = 0;  // no file may grow: the spool's first segment cannot be written
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &none), 0);
  auto refused = Submit(p, {"a", "b"}).get();
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(refused.status.code(), StatusCode::kUnavailable) << refused.status.ToString();
  EXPECT_EQ(metrics_.records_refused_spool_error.Get(), 2u);
  EXPECT_EQ(metrics_.records_refused_spool_full.Get(), 0u);
  const Readiness ready = p.Ready();
  EXPECT_EQ(ready.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(ready.status.message().find("cannot be written"), std::string::npos);
  auto later = Submit(p, {"c"}).get();  // the disk has room again
  ASSERT_TRUE(later.status.ok()) << later.status.ToString();
  EXPECT_EQ(later.results.at(0).outcome, sink::RecordOutcome::kSpooled);
  EXPECT_TRUE(p.Ready().status.ok());
  p.Shutdown(Clock::now());
}

TEST_F(PipelineSpoolTest, AStoreNotReachableAtStartIsReportedBeforeTheFirstWrite) {
  auto spool = OpenSpool();
  PipelineOptions options = SmallOptions();
  options.sink_open = false;
  options.sink_open_error = "UNAVAILABLE: connection refused";
  sink_.FailNext(1000000, Status::Unavailable("connection refused"));
  Pipeline p(options, sink_, metrics_, spool.get());
  const Readiness before = p.Ready();
  EXPECT_TRUE(before.status.ok()) << "the spool takes records";
  EXPECT_FALSE(before.store_ok);
  EXPECT_EQ(before.store_error, "UNAVAILABLE: connection refused");
  EXPECT_EQ(metrics_.store_reachable.Get(), 0);
  p.Shutdown(Clock::now());
}

TEST_F(PipelineSpoolTest, SpoolLeftByAnEarlierRunIsReplayedBeforeNewRecords) {
  {
    auto spool = OpenSpool();
    ASSERT_TRUE(spool->Append(std::vector<schema::Record>{
                                  {"old1", schema::EventRecord{.session_id = "s1"}},
                                  {"", schema::EventRecord{.session_id = "s1"}}})
                    .ok());
  }
  auto spool = OpenSpool();
  Pipeline p(SmallOptions(), sink_, metrics_, spool.get());
  p.Start();
  auto fresh = Submit(p, {"new1"}).get();
  ASSERT_TRUE(fresh.status.ok());
  ASSERT_TRUE(Eventually([&] { return spool->Empty() && sink_.stored().size() == 3; }));
  auto stored = sink_.stored();
  EXPECT_EQ(stored[0], "old1");
  EXPECT_EQ(stored[1].rfind("~spool/", 0), 0u) << "a keyless record got a spool key";
  EXPECT_EQ(stored[2], "new1");
  p.Shutdown(Clock::now() + milliseconds(500));
}

TEST_F(PipelineSpoolTest, ShutdownDeadlineSendsWhatIsLeftToTheSpool) {
  auto spool = OpenSpool();
  Pipeline p(SmallOptions(), sink_, metrics_, spool.get());
  p.Start();
  sink_.Block();  // a store that is slow, not failing
  auto a = Submit(p, {"a"});
  ASSERT_TRUE(Eventually([&] { return sink_.waiting() == 1; }));  // `a` is being written
  auto b = Submit(p, {"b"});
  // The slow write of `a` ends only after the shutdown deadline: what is still queued then
  // (`b`) must go to the spool, not wait for the slow store.
  const auto deadline = Clock::now() + milliseconds(100);
  std::atomic<bool> shutting_down{false};
  std::thread unblock([&] {
    EXPECT_TRUE(Eventually([&] { return shutting_down.load() && Clock::now() > deadline; }));
    sink_.Unblock();
  });
  shutting_down = true;  // set just before Shutdown, so the deadline is known to the batcher
  p.Shutdown(deadline);
  unblock.join();
  EXPECT_EQ(a.get().results.at(0).outcome, sink::RecordOutcome::kStored);
  EXPECT_EQ(b.get().results.at(0).outcome, sink::RecordOutcome::kSpooled)
      << "past the deadline the rest goes to the spool, not to the slow store";
  EXPECT_FALSE(spool->Empty());
}

// on_idle (SqliteSink::Idle in the collector) runs on the batcher while it owns the sink, and
// not while batches are spooled: then the replay thread writes to the sink.
TEST_F(PipelineSpoolTest, IdleHookRunsOnlyWhileTheBatcherOwnsTheSink) {
  auto spool = OpenSpool();
  std::atomic<int> idle_calls{0};
  PipelineOptions options = SmallOptions();
  options.on_idle = [&] { idle_calls.fetch_add(1); };
  Pipeline p(options, sink_, metrics_, spool.get());
  sink_.FailNext(1000000, Status::Unavailable("down"));
  p.Start();
  ASSERT_TRUE(Eventually([&] { return idle_calls.load() > 0; })) << "called while idle";
  auto a = Submit(p, {"a"}).get();
  ASSERT_EQ(a.results.at(0).outcome, sink::RecordOutcome::kSpooled);
  const int calls_when_spooling = idle_calls.load();
  // The replay thread retries every 2.5-5 ms: 40 more attempts span a few of the batcher's
  // 50 ms idle wakes.
  const int writes = sink_.write_calls();
  ASSERT_TRUE(Eventually([&] { return sink_.write_calls() > writes + 40; }));
  EXPECT_EQ(idle_calls.load(), calls_when_spooling) << "the replay thread owns the sink";
  sink_.FailNext(0, Status::Ok());
  ASSERT_TRUE(Eventually([&] { return spool->Empty(); }));
  EXPECT_TRUE(Eventually([&] { return idle_calls.load() > calls_when_spooling; }))
      << "the batcher owns the sink again";
  p.Shutdown(Clock::now() + milliseconds(500));
}

}  // namespace
}  // namespace tc::pipeline
