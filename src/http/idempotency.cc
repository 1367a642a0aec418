#include "idempotency.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "schema/records.h"

namespace tc::http {

std::string CheckIdempotencyKey(std::string_view value) {
  if (value.empty()) {
    return "Idempotency-Key is empty";
  }
  if (value.size() > kMaxIdempotencyKeyBytes) {
    return fmt::format("Idempotency-Key is {} bytes long; the limit is {}", value.size(),
                       kMaxIdempotencyKeyBytes);
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x21 || c > 0x7e) {
      return fmt::format(
          "Idempotency-Key has a character other than visible ASCII (0x21-0x7E) at byte {}", i);
    }
  }
  return {};
}

std::string DerivedRecordKey(std::string_view key, size_t index) {
  return fmt::format("{}idem/{}/{}", schema::kDerivedKeyMark, key, index);
}

uint64_t RequestFingerprint(std::string_view endpoint, std::string_view body) {
  const uint64_t h = std::hash<std::string_view>()(body);
  const uint64_t e = std::hash<std::string_view>()(endpoint);
  return h ^ (e + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

IdempotencyKeys::IdempotencyKeys(Clock::duration window, size_t max_keys, metrics::Metrics& metrics)
    : window_(window), max_keys_(max_keys), metrics_(metrics) {}

void IdempotencyKeys::Prune(Clock::time_point now) {
  while (!finished_.empty()) {
    const std::string* key = finished_.front();
    auto it = entries_.find(*key);
    const bool over = finished_.size() > max_keys_;
    if (!over && it->second.expires > now) {
      return;
    }
    if (over && it->second.expires > now) {
      metrics_.idempotency_keys_evicted.Add();
    }
    finished_.pop_front();
    entries_.erase(it);
  }
}

IdempotencyKeys::Begin IdempotencyKeys::TryBegin(const std::string& key, uint64_t fingerprint,
                                                 Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = std::max(latest_, now);
  Prune(latest_);
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  if (inserted) {
    entry.fingerprint = fingerprint;
    entry.in_flight = true;
    return Begin::kNew;
  }
  if (entry.fingerprint != fingerprint) {
    return Begin::kMismatch;
  }
  if (entry.in_flight) {
    return Begin::kInFlight;
  }
  finished_.erase(entry.order);
  entry.in_flight = true;
  return Begin::kReplay;
}

void IdempotencyKeys::End(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = std::max(latest_, now);
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.in_flight) {
    return;
  }
  it->second.in_flight = false;
  it->second.expires = latest_ + window_;
  it->second.order = finished_.insert(finished_.end(), &it->first);
  Prune(latest_);
}

void IdempotencyKeys::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.in_flight) {
    entries_.erase(it);
  }
}

size_t IdempotencyKeys::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

void IdempotencyHold::Finish() {
  if (!done_) {
    done_ = true;
    keys_->End(key_, IdempotencyKeys::Clock::now());
  }
}

void IdempotencyHold::Abandon() {
  if (done_) {
    return;
  }
  done_ = true;
  if (is_new_) {
    keys_->Forget(key_);
  } else {
    keys_->End(key_, IdempotencyKeys::Clock::now());
  }
}

}  // namespace tc::http
