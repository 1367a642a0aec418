#pragma once

// Process-wide counters and gauges, rendered as Prometheus text at GET /metrics.
// Every refused or dropped record bumps one of these (nothing is lost silently).
// All members are lock-free atomics: safe from any thread.

#include <atomic>
#include <cstdint>
#include <string>

namespace tc::metrics {

struct Counter {
  std::atomic<uint64_t> value{0};
  void Add(uint64_t n = 1) { value.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Get() const { return value.load(std::memory_order_relaxed); }
};

struct Gauge {
  std::atomic<int64_t> value{0};
  void Set(int64_t v) { value.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value.fetch_add(n, std::memory_order_relaxed); }
  int64_t Get() const { return value.load(std::memory_order_relaxed); }
};

struct Metrics {
  // HTTP
  Counter http_requests;            // every request answered
  Counter http_responses_2xx, http_responses_4xx, http_responses_5xx;
  Counter http_responses_429, http_responses_503;
  Counter http_connections_accepted, http_connections_refused;  // refused: over max_connections
  Gauge http_connections_open;
  // Records (otel names: receiver_accepted / receiver_refused)
  Counter records_received;         // decoded from bodies, good or bad
  Counter records_accepted;         // admitted into the queue
  Counter records_refused_invalid;  // refused by validation (400/207)
  Counter records_refused_overload; // refused by admission (429/503)
  Counter records_refused_database; // refused by the database (207)
  Counter records_stored;           // committed
  Counter records_duplicate;        // idempotency hits, not stored again
  // Queue
  Gauge queue_records, queue_bytes;
  Gauge queue_capacity_records, queue_capacity_bytes;
  // Writer
  Counter batches_committed;
  Counter batch_write_failures;     // retryable sink failures (batch retried intact)
  Counter batch_retries;
  // Spool (local durable queue used while the store is unreachable)
  Counter records_spooled;          // written to the spool and acknowledged from there
  Counter records_replayed;         // taken from the spool and written to the store
  Counter records_refused_spool_full;  // refused (503) because the spool was full
  Counter spool_corrupt_bytes;      // bytes skipped as a torn or corrupt tail at replay
  Gauge spool_bytes;                // bytes on disk not yet replayed
  Gauge spool_capacity_bytes;

  // Prometheus text exposition (names prefixed "tracecollector_").
  std::string RenderPrometheus() const;
};

// The process's instance. Tests may construct their own Metrics instead.
Metrics& Global();

}  // namespace tc::metrics
