#pragma once

// Exponential backoff (otel's retry_sender model: initial × multiplier^n, capped at max), with
// or without jitter. One implementation for every retry loop: the pipeline's batch writes and
// spool replay (full jitter), the supervisor's child restarts (no jitter: one child, nothing to
// spread, and the delays it logs stay exact). Not thread-safe; one per retry loop.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace tc {

struct BackoffPolicy {
  std::chrono::milliseconds initial{50};
  std::chrono::milliseconds max{5000};  // the delays never grow past it
  double multiplier = 2.0;
  // true: each delay is uniform in [d/2, d] (d: initial × multiplier^n, capped); false: d.
  bool jitter = true;
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy) : policy_(policy), next_(policy.initial) {}

  // The delay before the next attempt (see BackoffPolicy::jitter); then the next one grows.
  std::chrono::milliseconds Next() {
    const int64_t ceiling = next_.count();
    std::chrono::milliseconds delay = next_;
    if (policy_.jitter) {
      std::uniform_int_distribution<int64_t> pick(ceiling / 2, std::max<int64_t>(ceiling, 1));
      delay = std::chrono::milliseconds(pick(rng_));
    }
    auto grown = static_cast<int64_t>(static_cast<double>(ceiling) * policy_.multiplier);
    next_ = std::min(std::chrono::milliseconds(std::max<int64_t>(grown, 1)), policy_.max);
    return delay;
  }

  // Back to `initial` (the operation succeeded, or has been healthy long enough).
  void Reset() { next_ = policy_.initial; }

 private:
  BackoffPolicy policy_;
  std::chrono::milliseconds next_;
  std::minstd_rand rng_{std::random_device{}()};
};

}  // namespace tc
