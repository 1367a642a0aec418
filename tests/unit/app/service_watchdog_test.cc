#include "app/service_watchdog.h"

#include <gtest/gtest.h>

#include <memory>

namespace tc::app {
namespace {

using std::chrono::seconds;
using Clock = WriterHealth::Clock;

TEST(WriterHealthTest, IdleWriterIsHealthy) {
  WriterHealth health(seconds(30));
  const auto t0 = Clock::time_point(seconds(100));
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(health.Healthy({.queued_records = 0, .progress = 5}, t0 + seconds(60 * i)));
  }
}

TEST(WriterHealthTest, QueuedRecordsWithoutProgressBecomeAStall) {
  WriterHealth health(seconds(30));
  const auto t0 = Clock::time_point(seconds(100));
  EXPECT_TRUE(health.Healthy({.queued_records = 10, .progress = 1}, t0));
  EXPECT_TRUE(health.Healthy({.queued_records = 10, .progress = 1}, t0 + seconds(1)));
  EXPECT_TRUE(health.Healthy({.queued_records = 10, .progress = 1}, t0 + seconds(31)));
  EXPECT_FALSE(health.Healthy({.queued_records = 10, .progress = 1}, t0 + seconds(32)));
  EXPECT_EQ(health.stalled_for(t0 + seconds(32)), seconds(31));
  // Progress (a commit, a failed attempt, a retry) ends the stall.
  EXPECT_TRUE(health.Healthy({.queued_records = 10, .progress = 2}, t0 + seconds(33)));
  EXPECT_EQ(health.stalled_for(t0 + seconds(33)), Clock::duration::zero());
}

TEST(WriterHealthTest, RetryingAgainstADownDatabaseIsProgress) {
  WriterHealth health(seconds(30));
  const auto t0 = Clock::time_point(seconds(100));
  for (uint64_t i = 0; i < 20; ++i) {
    EXPECT_TRUE(health.Healthy({.queued_records = 500, .progress = i}, t0 + seconds(20 * i)));
  }
}

TEST(WriterHealthTest, SampleSumsTheProgressCounters) {
  auto m = std::make_unique<metrics::Metrics>();
  m->queue_records.Set(4);
  m->batches_committed.Add(1);
  m->sink_errors.Add(2);
  m->batch_retries.Add(3);
  m->records_spooled.Add(4);
  const auto sample = WriterHealth::From(*m);
  EXPECT_EQ(sample.queued_records, 4);
  EXPECT_EQ(sample.progress, 10u);
  EXPECT_EQ(StatusLine(*m), "stored 0 records, queue 4/0 records");
}

}  // namespace
}  // namespace tc::app
