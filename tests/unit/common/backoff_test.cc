#include "common/backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace tc {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, WithoutJitterTheDelaysGrowByTheMultiplierUpToTheCap) {
  Backoff backoff(
      {.initial = milliseconds(20), .max = milliseconds(100), .multiplier = 2.0, .jitter = false});
  std::vector<int64_t> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(backoff.Next().count());
  EXPECT_EQ(delays, (std::vector<int64_t>{20, 40, 80, 100, 100, 100}));
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), milliseconds(20));
  EXPECT_EQ(backoff.Next(), milliseconds(40));
}

TEST(BackoffTest, AFractionalMultiplierRoundsEachDelayDown) {
  Backoff backoff(
      {.initial = milliseconds(2), .max = milliseconds(10), .multiplier = 1.5, .jitter = false});
  std::vector<int64_t> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(backoff.Next().count());
  EXPECT_EQ(delays, (std::vector<int64_t>{2, 3, 4, 6, 9, 10}));
}

TEST(BackoffTest, WithJitterEachDelayIsBetweenHalfAndAllOfTheCeiling) {
  Backoff backoff({.initial = milliseconds(40), .max = milliseconds(1000), .multiplier = 2.0});
  int64_t ceiling = 40;
  for (int i = 0; i < 10; ++i) {
    const int64_t delay = backoff.Next().count();
    EXPECT_GE(delay, ceiling / 2) << "attempt " << i;
    EXPECT_LE(delay, ceiling) << "attempt " << i;
    ceiling = std::min<int64_t>(ceiling * 2, 1000);
  }
  backoff.Reset();
  const int64_t first = backoff.Next().count();
  EXPECT_GE(first, 20);
  EXPECT_LE(first, 40);
}

TEST(BackoffTest, TheDefaultsAreTheConfigsRetryDefaults) {
  const BackoffPolicy policy;
  EXPECT_EQ(policy.initial, milliseconds(50));
  EXPECT_EQ(policy.max, milliseconds(5000));
  EXPECT_EQ(policy.multiplier, 2.0);
  EXPECT_TRUE(policy.jitter);
}

}  // namespace
}  // namespace tc
