#pragma once

// The Idempotency-Key request header (docs/api.md §1.5), internal to src/http/.
//
// Durable part: every record of such a request that has no `id` of its own gets the key
// DerivedRecordKey(header, request position), claimed in tc_idempotency like a client id, so a
// retry stores nothing twice even across restarts and kill -9 between batches.
// In-memory part (IdempotencyKeys): which body each header value was last used with (a retry
// with another body is refused 422) and whether a request with it is still being written (a
// concurrent retry is refused 409), for a bounded window and a bounded number of keys.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "metrics/metrics.h"

namespace tc::http {

// A header value is 1..kMaxIdempotencyKeyBytes visible ASCII characters (0x21..0x7E).
inline constexpr size_t kMaxIdempotencyKeyBytes = 255;

// Empty if `value` is a usable key; else what is wrong with it (for the 400's message).
std::string CheckIdempotencyKey(std::string_view value);

// "~idem/<key>/<index>": the record key of the record at request position `index` of a request
// sent with Idempotency-Key `key`. Never equal to a client id (schema::kDerivedKeyMark), to a
// /v1/traces key, or to the key of another (key, index) pair: the index is the part after the
// last '/', and a key cannot hold the mark at that position.
std::string DerivedRecordKey(std::string_view key, size_t index);

// What a request is compared by: its endpoint and its exact body bytes (64-bit hash).
uint64_t RequestFingerprint(std::string_view endpoint, std::string_view body);

// The remembered keys. Thread-safe (one mutex; each call is O(1) amortized).
class IdempotencyKeys {
 public:
  using Clock = std::chrono::steady_clock;

  // A key is remembered for `window` after the request that used it finished; at most
  // `max_keys` finished keys are remembered (the oldest is forgotten first, and counted in
  // metrics.idempotency_keys_evicted). Keys of requests in flight are never forgotten.
  IdempotencyKeys(Clock::duration window, size_t max_keys, metrics::Metrics& metrics);

  enum class Begin {
    kNew,       // not remembered: the caller owns the key until it calls End/Forget
    kReplay,    // remembered with the same fingerprint: ditto
    kMismatch,  // remembered with another fingerprint: answer 422
    kInFlight,  // a request with it is still being written: answer 409
  };
  Begin TryBegin(const std::string& key, uint64_t fingerprint, Clock::time_point now);
  // The request that began (kNew/kReplay) is finished: remember the key for the window.
  void End(const std::string& key, Clock::time_point now);
  // The request that began with kNew stored nothing: forget the key as if it had never come.
  void Forget(const std::string& key);

  size_t size() const;  // keys remembered or in flight

 private:
  struct Entry {
    uint64_t fingerprint = 0;
    bool in_flight = true;
    Clock::time_point expires;
    std::list<const std::string*>::iterator order;  // valid when !in_flight
  };
  // Forgets finished keys that expired or are over max_keys_. Requires mu_.
  void Prune(Clock::time_point now);

  const Clock::duration window_;
  const size_t max_keys_;
  metrics::Metrics& metrics_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
  // Finished keys, oldest expiry first (points at entries_' keys, which do not move).
  std::list<const std::string*> finished_;  // guarded by mu_
  Clock::time_point latest_;                // guarded by mu_: `now` never goes back
};

// One request's hold on a key from TryBegin (kNew/kReplay) on: Finish() remembers the key,
// Abandon() gives it back as it was (a new key is forgotten). Destroyed without either, it
// finishes (a completion dropped uncalled: the outcome is unknown, so the body is kept).
// Thread-safe for one caller at a time; shared by the request's completion closure.
class IdempotencyHold {
 public:
  IdempotencyHold(std::shared_ptr<IdempotencyKeys> keys, std::string key, bool is_new)
      : keys_(std::move(keys)), key_(std::move(key)), is_new_(is_new) {}
  ~IdempotencyHold() { Finish(); }
  IdempotencyHold(const IdempotencyHold&) = delete;
  IdempotencyHold& operator=(const IdempotencyHold&) = delete;

  void Finish();
  void Abandon();
  const std::string& key() const { return key_; }

 private:
  std::shared_ptr<IdempotencyKeys> keys_;
  std::string key_;
  bool is_new_;
  bool done_ = false;
};

}  // namespace tc::http
