#pragma once

// A fixed-bucket Prometheus histogram: Observe() is lock-free (two relaxed atomic adds and a
// CAS loop on the sum) and safe from any thread. The bucket bounds are fixed at construction
// (a static array the histogram points at, ascending); values above the last bound land in the
// implicit +Inf bucket. Snapshot() is consistent enough for scraping: `count` is the sum of the
// bucket counts it read, so the +Inf bucket always equals _count; _sum may lag by in-flight
// observations.

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace tc::metrics {

class Histogram {
 public:
  static constexpr size_t kMaxBounds = 24;

  // `bounds` must outlive the histogram (use a static constexpr array), ascending, at most
  // kMaxBounds entries.
  explicit Histogram(std::span<const double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound: observations <= bound
    uint64_t count = 0;                // all observations (the +Inf bucket)
    double sum = 0;
  };
  Snapshot Take() const;
  std::span<const double> bounds() const { return bounds_; }

 private:
  std::span<const double> bounds_;
  std::array<std::atomic<uint64_t>, kMaxBounds + 1> counts_{};  // last: above every bound
  std::atomic<double> sum_{0};
};

// Bucket bounds used by the collector (base units: seconds, records).
inline constexpr double kRequestSecondsBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1,    2.5,
                                                   5,      10,    30};
inline constexpr double kCommitSecondsBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,   0.1,   0.25,   0.5,   1,    2.5,
                                                  5,      10,    30};
inline constexpr double kBatchRecordsBounds[] = {1,   2,    5,    10,   20,    50,   100,
                                                 200, 500,  1000, 2000, 5000, 10000};

}  // namespace tc::metrics
