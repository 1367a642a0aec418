// Chooses the admission queue's implementation: moodycamel::ConcurrentQueue vs
// boost::lockfree::queue vs a mutex + deque, under the collector's shape of use
// (several producer threads, one consumer taking items in bulk).
//
//   build/bench/queue_bench [items_per_producer] [producers]
// Prints million items/s per implementation and the ratio to the mutex baseline, measured
// in the same run (this machine is noisy: compare ratios, not absolute figures).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/lockfree/queue.hpp>
#include <concurrentqueue/concurrentqueue.h>

namespace {

// Stand-in for a submission: the queue moves a pointer-sized handle.
struct Payload {
  uint64_t value;
};

template <typename PushFn, typename PopBulkFn>
double Run(int producers, uint64_t per_producer, PushFn push, PopBulkFn pop_bulk) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load()) {
      }
      for (uint64_t i = 0; i < per_producer; ++i) push(p, Payload{i});
    });
  }
  const uint64_t total = per_producer * static_cast<uint64_t>(producers);
  uint64_t sum = 0;
  auto start = std::chrono::steady_clock::now();
  go = true;
  uint64_t taken = 0;
  std::vector<Payload> buffer(256);
  while (taken < total) {
    size_t n = pop_bulk(buffer);
    for (size_t i = 0; i < n; ++i) sum += buffer[i].value;
    taken += n;
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& t : threads) t.join();
  if (sum == 42) std::puts("");  // keep `sum` alive
  return static_cast<double>(total) / secs / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t per_producer = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  int producers = argc > 2 ? std::atoi(argv[2]) : 2;

  double mutex_rate = 0;
  {
    std::mutex mu;
    std::deque<Payload> q;
    mutex_rate = Run(
        producers, per_producer,
        [&](int, Payload p) {
          std::lock_guard<std::mutex> lock(mu);
          q.push_back(p);
        },
        [&](std::vector<Payload>& out) {
          std::lock_guard<std::mutex> lock(mu);
          size_t n = 0;
          while (n < out.size() && !q.empty()) {
            out[n++] = q.front();
            q.pop_front();
          }
          return n;
        });
  }
  double boost_rate = 0;
  {
    boost::lockfree::queue<Payload> q(1024);
    boost_rate = Run(
        producers, per_producer, [&](int, Payload p) { while (!q.push(p)) {} },
        [&](std::vector<Payload>& out) {
          size_t n = 0;
          while (n < out.size() && q.pop(out[n])) ++n;
          return n;
        });
  }
  double moody_rate = 0;
  {
    moodycamel::ConcurrentQueue<Payload> q;
    std::vector<std::unique_ptr<moodycamel::ProducerToken>> tokens;
    for (int p = 0; p < producers; ++p) {
      tokens.push_back(std::make_unique<moodycamel::ProducerToken>(q));
    }
    moody_rate = Run(
        producers, per_producer, [&](int p, Payload v) { q.enqueue(*tokens[p], v); },
        [&](std::vector<Payload>& out) { return q.try_dequeue_bulk(out.begin(), out.size()); });
  }
  double moody_notoken_rate = 0;
  {
    moodycamel::ConcurrentQueue<Payload> q;
    moody_notoken_rate = Run(
        producers, per_producer, [&](int, Payload v) { q.enqueue(v); },
        [&](std::vector<Payload>& out) { return q.try_dequeue_bulk(out.begin(), out.size()); });
  }
  std::printf("queue micro-benchmark: %d producers x %llu items, 1 consumer (bulk 256)\n",
              producers, static_cast<unsigned long long>(per_producer));
  std::printf("%-36s %10s %10s\n", "implementation", "M items/s", "vs mutex");
  auto row = [&](const char* name, double rate) {
    std::printf("%-36s %10.1f %9.2fx\n", name, rate, rate / mutex_rate);
  };
  row("std::mutex + std::deque", mutex_rate);
  row("boost::lockfree::queue", boost_rate);
  row("moodycamel::ConcurrentQueue (tokens)", moody_rate);
  row("moodycamel::ConcurrentQueue (no token)", moody_notoken_rate);
  return 0;
}
