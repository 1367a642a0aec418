#pragma once

// Process-wide counters, gauges and histograms, rendered as Prometheus text (exposition format
// 0.0.4) at GET /metrics; docs/operations.md lists the rendered names. Every refused or dropped
// record bumps one of these (nothing is lost silently). All members are lock-free atomics and
// fixed-bucket histograms: safe from any thread, no locks on the hot path.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/histogram.h"

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

// The `path` label of the HTTP metrics: the known endpoints, everything else folded into
// "other" (bounded cardinality whatever clients send). Every /v1/sessions/<id> is one path,
// "/v1/sessions/{id}"; the same for events, messages and experiments.
enum class HttpPath : uint8_t {
  kRecords,
  kTraces,
  kHealthz,
  kReadyz,
  kMetrics,
  kSessions,        // /v1/sessions/{id}
  kSessionList,     // /v1/sessions
  kEvents,          // /v1/events/{id}
  kEventList,       // /v1/events
  kMessages,        // /v1/messages/{id}
  kMessageList,     // /v1/messages
  kExperiments,     // /v1/experiments/{id}
  kExperimentList,  // /v1/experiments
  kStatsModels,     // /v1/stats/models
  kStatsUsage,      // /v1/stats/usage
  kStream,          // /v1/stream
  kUi,              // /ui and everything under /ui/ (the viewer's files)
  kOther
};
inline constexpr size_t kHttpPathCount = 18;
// Exact match (or one of the {id} prefixes: /v1/sessions/, ...), query string already removed.
HttpPath HttpPathFrom(std::string_view path);
std::string_view HttpPathName(HttpPath path);

// State of the supervised sqld child (mirrors supervisor::State; kNone: no child supervised).
enum class ChildState : uint8_t {
  kNone, kStarting, kReady, kRestarting, kFailed, kStopping, kStopped
};

struct Metrics {
  // HTTP. http_requests and the class counters are kept for tests; /metrics renders the labeled
  // family tracecollector_http_requests_total{path,code} (CountRequest fills both).
  Counter http_requests;            // every request answered
  Counter http_responses_2xx, http_responses_4xx, http_responses_5xx;
  Counter http_responses_429, http_responses_503;
  // [path][code - 100]: codes 100..599 (anything else counts as 599's neighbour: see .cc).
  std::array<std::array<Counter, 500>, kHttpPathCount> http_requests_by_code;
  // Seconds from a parsed request to its response being ready to write, per path.
  std::array<Histogram, kHttpPathCount> http_request_seconds{
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds),
      Histogram(kRequestSecondsBounds), Histogram(kRequestSecondsBounds)};
  Counter http_connections_accepted, http_connections_refused;  // refused: over max_connections
  Counter http_unauthorized;        // 401: missing, malformed or wrong API key
  Counter http_forbidden;           // 403: a key without the needed scope (or DELETE, no keys)
  // GET /v1/stream: connections streaming now; records sent; records a client fell too far
  // behind to get (reported to it as event: dropped); resumes too old to replay (event: reset).
  Gauge stream_connections;
  Counter stream_records_sent, stream_records_dropped, stream_resets;
  Counter stream_filter_mismatches;  // where= comparisons of values of different types (false)
  // HTTPS connections that never got past the TLS handshake, by reason: it did not finish
  // within tls.handshake_timeout_ms; the client sent cleartext HTTP (answered 400); any other
  // failure (no or wrong client certificate, the client refused ours, protocol mismatch).
  Counter tls_handshake_failures_timeout, tls_handshake_failures_cleartext,
      tls_handshake_failures_error;
  Counter tls_reloads_ok, tls_reloads_failed;  // SIGHUP: certificate files re-read or kept
  Gauge http_connections_open;
  // Records (otel names: receiver_accepted / receiver_refused)
  Counter records_received;         // decoded from bodies, good or bad
  Counter records_accepted;         // admitted into the queue
  Counter records_refused_invalid;  // refused by validation (400/207)
  Counter records_refused_overload; // refused by admission (429/503)
  Counter records_refused_database; // refused by the database (207)
  Counter records_stored;           // committed
  Counter records_duplicate;        // idempotency hits, not stored again
  // OTLP requests on POST /v1/traces (docs/otlp.md): spans decoded; rejected (answered in
  // partial_success: invalid ids, or every record of the span refused by the database); dropped
  // (of no LLM convention, otlp.keep_other_spans off); requests refused whole (400/413).
  Counter otlp_spans_received, otlp_spans_rejected, otlp_spans_dropped, otlp_requests_invalid;
  Counter records_dropped;          // ack=queued records lost: not stored nor spooled by the deadline
  // Idempotency-Key header (requests)
  Counter idempotency_key_invalid;    // 400: malformed or repeated header
  Counter idempotency_key_mismatch;   // 422: key used before with another body
  Counter idempotency_key_in_flight;  // 409: a request with the key is still being written
  Counter idempotency_key_replays;    // requests some of whose records an earlier one stored
  Counter idempotency_keys_evicted;   // remembered keys forgotten early (over max_keys)
  // Queue
  Gauge queue_records, queue_bytes;
  Gauge queue_capacity_records, queue_capacity_bytes;
  // Writer
  Counter batches_committed;
  Counter sink_errors;              // retryable sink failures (batch retried intact)
  Counter batch_retries;
  Histogram commit_seconds{kCommitSecondsBounds};  // one Sink::Write that succeeded, seconds
  Histogram batch_records{kBatchRecordsBounds};    // records per committed batch
  // Spool (local durable queue used while the store is unreachable)
  Counter records_spooled;          // written to the spool and acknowledged from there
  Counter records_replayed;         // taken from the spool and written to the store
  Counter records_refused_spool_full;  // refused (503) because the spool was full
  Counter records_refused_spool_error;  // refused (503): the spool's disk refused the write
  Counter spool_corrupt_bytes;      // bytes skipped as a torn or corrupt tail at replay
  Gauge spool_bytes;                // bytes on disk not yet replayed
  Gauge spool_capacity_bytes;
  Gauge store_reachable;            // 1 while the store takes writes, 0 after a failed one
  // Deleting sessions: retention passes and DELETE /v1/sessions/{id} (docs/operations.md)
  static constexpr std::array<std::string_view, 7> kDeletedTables = {
      "session_traces", "session_timesteps", "events", "messages", "outcome_rewards",
      "event_rewards", "tc_idempotency"};  // storage/retention.h's SessionTableNames()
  Counter sessions_deleted_retention, sessions_deleted_api;
  std::array<Counter, kDeletedTables.size()> session_rows_deleted;  // by kDeletedTables
  Counter retention_errors;           // passes that failed (retried at the next interval)
  Gauge oldest_session_timestamp;     // Unix seconds of the oldest session kept; 0: none
  Gauge database_bytes;               // embedded: data bytes (pages in use); 0: not measured
  Counter vacuumed_bytes;             // bytes given back by incremental vacuum
  // Adds `rows` deleted from `table` (a kDeletedTables name; others are ignored).
  void CountDeletedRows(std::string_view table, uint64_t rows);
  // Supervised sqld child
  Counter child_restarts;           // the child died and a restart began
  std::atomic<ChildState> child_state{ChildState::kNone};

  // One answered request: the labeled counter, the class counters and the latency histogram.
  void CountRequest(HttpPath path, unsigned code, double seconds);
  // One committed batch (the pipeline calls this after a successful Sink::Write).
  void ObserveCommit(double seconds, size_t records) {
    commit_seconds.Observe(seconds);
    batch_records.Observe(static_cast<double>(records));
  }

  // Prometheus text exposition 0.0.4 (names prefixed "tracecollector_").
  std::string RenderPrometheus() const;
};

// Build facts for tracecollector_build_info and --version (from CMake's project(VERSION)).
std::string_view Version();
std::string_view BuildType();
std::string_view Compiler();

// The process's instance. Tests may construct their own Metrics instead.
Metrics& Global();

}  // namespace tc::metrics
