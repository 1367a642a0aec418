#include "queue/admission_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tc::queue {
namespace {

TEST(AdmissionQueueTest, RefusesWhenRecordCapWouldBeExceeded) {
  AdmissionQueue<int> q({.max_records = 10, .max_bytes = 1000});
  int a = 1, b = 2, c = 3;
  EXPECT_TRUE(q.TryPush(a, 6, 10));
  EXPECT_FALSE(q.TryPush(b, 5, 10));
  EXPECT_TRUE(q.TryPush(c, 4, 10));
  EXPECT_EQ(q.held_records(), 10u);
  EXPECT_EQ(b, 2);  // refused item untouched
}

TEST(AdmissionQueueTest, RefusesWhenByteCapWouldBeExceeded) {
  AdmissionQueue<int> q({.max_records = 100, .max_bytes = 100});
  int a = 1, b = 2;
  EXPECT_TRUE(q.TryPush(a, 1, 80));
  EXPECT_FALSE(q.TryPush(b, 1, 30));
  EXPECT_EQ(q.held_bytes(), 80u);
}

TEST(AdmissionQueueTest, CapacityHeldUntilReleasedNotUntilPopped) {
  AdmissionQueue<int> q({.max_records = 2, .max_bytes = 100});
  int a = 1, b = 2;
  ASSERT_TRUE(q.TryPush(a, 2, 10));
  std::vector<int> out;
  ASSERT_EQ(q.TryPopBulk(out, 10), 1u);
  EXPECT_FALSE(q.TryPush(b, 1, 10)) << "popped but unwritten records still hold capacity";
  q.Release(2, 10);
  EXPECT_TRUE(q.TryPush(b, 1, 10));
}

TEST(AdmissionQueueTest, OversizeItemAdmittedOnlyIntoEmptyQueue) {
  AdmissionQueue<int> q({.max_records = 5, .max_bytes = 100});
  int a = 1, big = 2;
  ASSERT_TRUE(q.TryPush(a, 1, 1));
  EXPECT_FALSE(q.TryPush(big, 50, 1));
  std::vector<int> out;
  q.TryPopBulk(out, 10);
  q.Release(1, 1);
  EXPECT_TRUE(q.TryPush(big, 50, 1));
}

TEST(AdmissionQueueTest, ConcurrentProducersNeverExceedCapacity) {
  constexpr uint64_t kCap = 1000;
  AdmissionQueue<int> q({.max_records = kCap, .max_bytes = 1 << 30});
  std::atomic<uint64_t> admitted{0};
  std::atomic<uint64_t> max_seen{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        int item = i;
        if (q.TryPush(item, 3, 1)) {
          admitted += 3;
          uint64_t held = q.held_records();
          uint64_t prev = max_seen.load();
          while (held > prev && !max_seen.compare_exchange_weak(prev, held)) {
          }
        }
      }
    });
  }
  for (auto& p : producers) p.join();
  EXPECT_LE(max_seen.load(), kCap + 3 * 4) << "transient overshoot bounded by in-flight pushes";
  EXPECT_LE(q.held_records(), kCap);
  EXPECT_EQ(q.held_records(), admitted.load());
  std::vector<int> out;
  size_t popped = 0;
  while (q.TryPopBulk(out, 1000) > 0) popped = out.size();
  EXPECT_EQ(popped * 3, admitted.load());
}

TEST(AdmissionQueueTest, PopBulkWaitsForFirstItemWithinTimeout) {
  AdmissionQueue<int> q({.max_records = 10, .max_bytes = 100});
  std::vector<int> out;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(q.PopBulk(out, 4, std::chrono::milliseconds(30)), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(25));
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    int item = 7;
    q.TryPush(item, 1, 1);
  });
  EXPECT_EQ(q.PopBulk(out, 4, std::chrono::seconds(5)), 1u);
  EXPECT_EQ(out.at(0), 7);
  producer.join();
}

}  // namespace
}  // namespace tc::queue
