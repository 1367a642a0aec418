#pragma once

// Bounded multi-producer / single-consumer queue of T, capped both in records and in bytes.
// Producers (HTTP I/O threads) call TryPush; one consumer (the batcher) calls Pop* and, once the
// items are fully processed, Release()s their capacity. Capacity is therefore held from
// admission until the records are written: the caps bound the memory of everything admitted
// and not yet stored, not only what sits in the queue.
//
// Underneath is moodycamel::BlockingConcurrentQueue (lock-free; chosen by bench/queue_bench.cc,
// see docs/performance.md). Admission is two atomic counters reserved before the enqueue, so
// a full queue refuses at once instead of blocking (the caller answers 429).
//
// Under ThreadSanitizer the lock-free queue is replaced by a mutex + condition variable queue with
// the same operations: moodycamel orders its slots with std::atomic_thread_fence, which TSan does
// not model (every handoff would be reported as a race, and g++ refuses the fences under
// -Werror=tsan). The TSan build thus checks everything around the queue, not the library itself
// (docs/testing.md).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define TC_QUEUE_LOCKED 1
#include <condition_variable>
#include <deque>
#include <mutex>
#else
#include <concurrentqueue/blockingconcurrentqueue.h>
#endif

namespace tc::queue {

namespace internal {
#if TC_QUEUE_LOCKED
// The TSan build's stand-in for moodycamel::BlockingConcurrentQueue (the calls used below).
template <typename T>
class LockedQueue {
 public:
  void enqueue(T&& item) {
    {
      std::lock_guard lock(mu_);
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
  }
  template <typename It>
  size_t wait_dequeue_bulk_timed(It out, size_t max, int64_t timeout_us) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::microseconds(timeout_us), [&] { return !items_.empty(); });
    return TakeLocked(out, max);
  }
  template <typename It>
  size_t try_dequeue_bulk(It out, size_t max) {
    std::lock_guard lock(mu_);
    return TakeLocked(out, max);
  }
  size_t size_approx() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  template <typename It>
  size_t TakeLocked(It out, size_t max) {
    size_t n = 0;
    for (; n < max && !items_.empty(); ++n, ++out) {
      *out = std::move(items_.front());
      items_.pop_front();
    }
    return n;
  }
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
};
template <typename T>
using Fifo = LockedQueue<T>;
#else
template <typename T>
using Fifo = moodycamel::BlockingConcurrentQueue<T>;
#endif
}  // namespace internal

struct Capacity {
  uint64_t max_records = 100000;
  uint64_t max_bytes = 16 << 20;
};

template <typename T>
class AdmissionQueue {
 public:
  explicit AdmissionQueue(Capacity capacity) : capacity_(capacity) {}

  AdmissionQueue(const AdmissionQueue&) = delete;
  AdmissionQueue& operator=(const AdmissionQueue&) = delete;

  // Admits `item` weighing `records` records and `bytes` bytes, or refuses it (returns false,
  // item untouched) when either cap would be exceeded. An item larger than the whole capacity
  // is admitted only into an empty queue, so a legal request can never be refused forever.
  // Thread-safe, lock-free.
  bool TryPush(T& item, uint64_t records, uint64_t bytes) {
    uint64_t held_records = records_.fetch_add(records, std::memory_order_acq_rel);
    uint64_t held_bytes = bytes_.fetch_add(bytes, std::memory_order_acq_rel);
    bool fits = (held_records + records <= capacity_.max_records || held_records == 0) &&
                (held_bytes + bytes <= capacity_.max_bytes || held_bytes == 0);
    if (!fits) {
      records_.fetch_sub(records, std::memory_order_acq_rel);
      bytes_.fetch_sub(bytes, std::memory_order_acq_rel);
      return false;
    }
    queue_.enqueue(std::move(item));
    return true;
  }

  // Consumer only. Moves up to `max_items` items into `out` (appending); waits up to `timeout`
  // for the first one. Returns the number taken.
  size_t PopBulk(std::vector<T>& out, size_t max_items, std::chrono::microseconds timeout) {
    size_t old_size = out.size();
    out.resize(old_size + max_items);
    size_t n = queue_.wait_dequeue_bulk_timed(out.begin() + static_cast<std::ptrdiff_t>(old_size),
                                              max_items, timeout.count());
    out.resize(old_size + n);
    return n;
  }

  // Consumer only, non-blocking variant.
  size_t TryPopBulk(std::vector<T>& out, size_t max_items) {
    size_t old_size = out.size();
    out.resize(old_size + max_items);
    size_t n = queue_.try_dequeue_bulk(out.begin() + static_cast<std::ptrdiff_t>(old_size),
                                       max_items);
    out.resize(old_size + n);
    return n;
  }

  // Gives back the capacity of items the consumer has finished with.
  void Release(uint64_t records, uint64_t bytes) {
    records_.fetch_sub(records, std::memory_order_acq_rel);
    bytes_.fetch_sub(bytes, std::memory_order_acq_rel);
  }

  // Admitted and not yet released.
  uint64_t held_records() const { return records_.load(std::memory_order_relaxed); }
  uint64_t held_bytes() const { return bytes_.load(std::memory_order_relaxed); }
  // Items waiting to be popped (approximate under concurrency).
  size_t waiting() const { return queue_.size_approx(); }
  const Capacity& capacity() const { return capacity_; }

 private:
  const Capacity capacity_;
  std::atomic<uint64_t> records_{0};
  std::atomic<uint64_t> bytes_{0};
  internal::Fifo<T> queue_;
};

}  // namespace tc::queue
