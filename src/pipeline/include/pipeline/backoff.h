#pragma once

// Exponential backoff with full jitter for retrying a failed batch write (otel's retry_sender
// model: initial × multiplier^n, capped). Not thread-safe; one per retry loop.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace tc::pipeline {

struct BackoffPolicy {
  std::chrono::milliseconds initial{50};
  std::chrono::milliseconds max{5000};
  double multiplier = 2.0;
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy) : policy_(policy), next_(policy.initial) {}

  // The delay before the next attempt: uniform in [next/2, next], then next grows.
  std::chrono::milliseconds Next() {
    auto ceiling = next_.count();
    std::uniform_int_distribution<int64_t> pick(ceiling / 2, std::max<int64_t>(ceiling, 1));
    auto delay = std::chrono::milliseconds(pick(rng_));
    auto grown = static_cast<int64_t>(static_cast<double>(ceiling) * policy_.multiplier);
    next_ = std::min(std::chrono::milliseconds(std::max<int64_t>(grown, 1)), policy_.max);
    return delay;
  }

  void Reset() { next_ = policy_.initial; }

 private:
  BackoffPolicy policy_;
  std::chrono::milliseconds next_;
  std::minstd_rand rng_{std::random_device{}()};
};

}  // namespace tc::pipeline
