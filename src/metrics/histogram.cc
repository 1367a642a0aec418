#include "metrics/histogram.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"

namespace tc::metrics {

Histogram::Histogram(std::span<const double> bounds) : bounds_(bounds) {
  TC_CHECK(bounds.size() <= kMaxBounds);
  TC_CHECK(std::is_sorted(bounds.begin(), bounds.end()));
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) {
    return;
  }
  // First bound >= value ("le" semantics); past the end is the +Inf bucket.
  const size_t index = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Take() const {
  Snapshot snap;
  snap.cumulative.reserve(bounds_.size());
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snap.cumulative.push_back(running);
  }
  snap.count = running + counts_[bounds_.size()].load(std::memory_order_relaxed);
  snap.sum = sum_.load(std::memory_order_relaxed);
  return snap;
}

}  // namespace tc::metrics
