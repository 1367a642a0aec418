#include "metrics/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "prometheus_text.h"

#ifndef TC_VERSION
#define TC_VERSION "unknown"
#endif
#ifndef TC_BUILD_TYPE
#define TC_BUILD_TYPE "unknown"
#endif
#ifndef TC_COMPILER
#define TC_COMPILER "unknown"
#endif

namespace tc::metrics {
namespace {

constexpr std::string_view kPathNames[kHttpPathCount] = {
    "/v1/records",     "/v1/traces",        "/healthz",        "/readyz",
    "/metrics",        "/v1/sessions/{id}", "/v1/sessions",    "/v1/events/{id}",
    "/v1/events",      "/v1/messages/{id}", "/v1/messages",    "/v1/experiments/{id}",
    "/v1/experiments", "/v1/stats/models",  "/v1/stats/usage", "/v1/stream",
    "/ui",             "other"};

constexpr std::string_view kChildStateNames[] = {"starting", "ready",    "restarting",
                                                 "failed",   "stopping", "stopped"};

size_t CodeIndex(unsigned code) { return std::clamp<unsigned>(code, 100, 599) - 100; }

void RenderHttp(const Metrics& m, TextWriter& w) {
  w.Family("http_requests_total", "counter",
           "HTTP requests answered, by path (unknown paths: \"other\") and status code.");
  for (size_t p = 0; p < kHttpPathCount; ++p) {
    for (size_t c = 0; c < m.http_requests_by_code[p].size(); ++c) {
      const uint64_t n = m.http_requests_by_code[p][c].Get();
      if (n != 0) {
        w.Sample("http_requests_total",
                 {{"path", kPathNames[p]}, {"code", fmt::to_string(c + 100)}},
                 static_cast<double>(n));
      }
    }
  }
  w.Family("http_request_duration_seconds", "histogram",
           "Seconds from a parsed request to its response being ready to write, by path.");
  for (size_t p = 0; p < kHttpPathCount; ++p) {
    w.HistogramSamples("http_request_duration_seconds", {{"path", kPathNames[p]}},
                       m.http_request_seconds[p]);
  }
  w.Counter("http_connections_accepted_total", "TCP connections accepted.",
            m.http_connections_accepted.Get());
  w.Counter("http_connections_refused_total", "Connections refused over http.max_connections.",
            m.http_connections_refused.Get());
  w.Counter("http_unauthorized_total",
            "Requests refused 401 for a missing, malformed or wrong API key.",
            m.http_unauthorized.Get());
  w.Counter("http_forbidden_total",
            "Requests refused 403: a valid API key without the scope the request needs, or "
            "DELETE /v1/sessions/{id} with no key configured.",
            m.http_forbidden.Get());
  w.Gauge("http_connections_open", "Open client connections.", m.http_connections_open.Get());
  w.Gauge("stream_connections", "GET /v1/stream connections streaming committed records.",
          m.stream_connections.Get());
  w.Counter("stream_records_sent_total", "Records sent to GET /v1/stream clients.",
            m.stream_records_sent.Get());
  w.Counter("stream_records_dropped_total",
            "Records GET /v1/stream clients missed because they fell behind the buffer "
            "(stream.buffer_records / buffer_bytes); each client was told with event: dropped.",
            m.stream_records_dropped.Get());
  w.Counter("stream_resets_total",
            "GET /v1/stream resumes from a position too old to replay (answered event: reset).",
            m.stream_resets.Get());
  w.Counter("stream_filter_mismatches_total",
            "GET /v1/stream where= comparisons whose values had types the operator cannot "
            "compare (a number against a string, ...): false, and counted here.",
            m.stream_filter_mismatches.Get());
  w.Family("tls_handshake_failures_total", "counter",
           "HTTPS connections closed before their TLS handshake completed, by reason: timeout "
           "(tls.handshake_timeout_ms), cleartext (plain HTTP sent to the HTTPS port, answered "
           "400), error (no or wrong client certificate, certificate refused by the client, no "
           "common protocol version or cipher).");
  w.Sample("tls_handshake_failures_total", {{"reason", "timeout"}},
           static_cast<double>(m.tls_handshake_failures_timeout.Get()));
  w.Sample("tls_handshake_failures_total", {{"reason", "cleartext"}},
           static_cast<double>(m.tls_handshake_failures_cleartext.Get()));
  w.Sample("tls_handshake_failures_total", {{"reason", "error"}},
           static_cast<double>(m.tls_handshake_failures_error.Get()));
  w.Family("tls_reloads_total", "counter",
           "SIGHUP reloads of the TLS certificate, key and client CA files, by result: ok (new "
           "connections use them), failed (the files were unusable; the previous ones stay).");
  w.Sample("tls_reloads_total", {{"result", "ok"}}, static_cast<double>(m.tls_reloads_ok.Get()));
  w.Sample("tls_reloads_total", {{"result", "failed"}},
           static_cast<double>(m.tls_reloads_failed.Get()));
}

void RenderRecords(const Metrics& m, TextWriter& w) {
  w.Counter("records_received_total",
            "Records decoded from request bodies, valid or not (a body refused as a whole, e.g. "
            "400 invalid_body, counts only in http_requests_total).",
            m.records_received.Get());
  w.Counter("records_accepted_total", "Records admitted into the queue.",
            m.records_accepted.Get());
  w.Family("records_refused_total", "counter",
           "Records refused, by reason: invalid (validation), overload (queue full, 429/503), "
           "spool_full (503), spool_error (the spool's disk refused the write: 503), database "
           "(the database refused the row, 207).");
  w.Sample("records_refused_total", {{"reason", "invalid"}},
           static_cast<double>(m.records_refused_invalid.Get()));
  w.Sample("records_refused_total", {{"reason", "overload"}},
           static_cast<double>(m.records_refused_overload.Get()));
  w.Sample("records_refused_total", {{"reason", "spool_full"}},
           static_cast<double>(m.records_refused_spool_full.Get()));
  w.Sample("records_refused_total", {{"reason", "spool_error"}},
           static_cast<double>(m.records_refused_spool_error.Get()));
  w.Sample("records_refused_total", {{"reason", "database"}},
           static_cast<double>(m.records_refused_database.Get()));
  w.Counter("records_stored_total", "Records committed to the database.", m.records_stored.Get());
  w.Counter("records_duplicate_total", "Records already stored (idempotency key seen).",
            m.records_duplicate.Get());
  w.Counter("otlp_spans_received_total", "OTLP spans decoded from POST /v1/traces.",
            m.otlp_spans_received.Get());
  w.Counter("otlp_spans_rejected_total",
            "OTLP spans answered as rejected in partial_success (invalid ids, or refused by the "
            "database).",
            m.otlp_spans_rejected.Get());
  w.Counter("otlp_spans_dropped_total",
            "OTLP spans of no LLM convention, dropped (otlp.keep_other_spans = false).",
            m.otlp_spans_dropped.Get());
  w.Counter("otlp_requests_invalid_total",
            "OTLP requests refused whole: malformed (400) or over otlp.max_spans (413).",
            m.otlp_requests_invalid.Get());
  w.Counter("records_spooled_total", "Records written to the spool and acknowledged from it.",
            m.records_spooled.Get());
  w.Counter("records_replayed_total", "Records replayed from the spool into the database.",
            m.records_replayed.Get());
  w.Counter("records_dropped_total",
            "Records acknowledged with ack=queued and then lost: neither stored nor spooled by the "
            "shutdown deadline.",
            m.records_dropped.Get());
  w.Family("idempotency_key_refused_total", "counter",
           "Requests refused for their Idempotency-Key header, by reason: invalid (400: "
           "malformed or repeated), mismatch (422: used before with another body), in_flight "
           "(409: a request with the key is still being written).");
  w.Sample("idempotency_key_refused_total", {{"reason", "invalid"}},
           static_cast<double>(m.idempotency_key_invalid.Get()));
  w.Sample("idempotency_key_refused_total", {{"reason", "mismatch"}},
           static_cast<double>(m.idempotency_key_mismatch.Get()));
  w.Sample("idempotency_key_refused_total", {{"reason", "in_flight"}},
           static_cast<double>(m.idempotency_key_in_flight.Get()));
  w.Counter("idempotency_key_replays_total",
            "Requests with an Idempotency-Key some of whose records were already stored by an "
            "earlier request with that key (answered as stored, not stored again).",
            m.idempotency_key_replays.Get());
  w.Counter("idempotency_keys_evicted_total",
            "Idempotency keys forgotten before their window ended because "
            "ingest.idempotency_max_keys were remembered (a retry with another body is then not "
            "detected; duplicates are still prevented).",
            m.idempotency_keys_evicted.Get());
}

void RenderWriter(const Metrics& m, TextWriter& w) {
  w.Gauge("queue_records", "Records admitted and not yet written.", m.queue_records.Get());
  w.Gauge("queue_bytes", "Bytes of records admitted and not yet written.", m.queue_bytes.Get());
  w.Gauge("queue_capacity_records", "Queue capacity in records.", m.queue_capacity_records.Get());
  w.Gauge("queue_capacity_bytes", "Queue capacity in bytes.", m.queue_capacity_bytes.Get());
  w.Counter("batches_committed_total", "Batches committed to the database.",
            m.batches_committed.Get());
  w.Counter("sink_errors_total", "Batch writes that failed with a retryable error.",
            m.sink_errors.Get());
  w.Counter("sink_retries_total",
            "Batch writes tried again after a backoff, the spool replay's included.",
            m.batch_retries.Get());
  w.Family("commit_duration_seconds", "histogram", "Seconds per successful batch write.");
  w.HistogramSamples("commit_duration_seconds", {}, m.commit_seconds);
  w.Family("batch_size_records", "histogram", "Records per committed batch.");
  w.HistogramSamples("batch_size_records", {}, m.batch_records);
  w.Counter("spool_corrupt_bytes_total", "Spool bytes skipped as corrupt or torn at replay.",
            m.spool_corrupt_bytes.Get());
  w.Gauge("spool_bytes", "Spool bytes on disk not yet replayed.", m.spool_bytes.Get());
  w.Gauge("spool_capacity_bytes", "Spool capacity in bytes.", m.spool_capacity_bytes.Get());
  w.Gauge("store_reachable",
          "1 while the database takes writes; 0 from a failed write (records go to the spool) "
          "until one succeeds.",
          m.store_reachable.Get());
}

void RenderRetention(const Metrics& m, TextWriter& w) {
  w.Family("sessions_deleted_total", "counter",
           "Sessions deleted whole, by reason: retention (max_age / max_db_bytes) or api "
           "(DELETE /v1/sessions/{id}).");
  w.Sample("sessions_deleted_total", {{"reason", "retention"}},
           static_cast<double>(m.sessions_deleted_retention.Get()));
  w.Sample("sessions_deleted_total", {{"reason", "api"}},
           static_cast<double>(m.sessions_deleted_api.Get()));
  w.Family("session_rows_deleted_total", "counter",
           "Rows deleted with their sessions, by table.");
  for (size_t i = 0; i < Metrics::kDeletedTables.size(); ++i) {
    w.Sample("session_rows_deleted_total", {{"table", Metrics::kDeletedTables[i]}},
             static_cast<double>(m.session_rows_deleted[i].Get()));
  }
  w.Counter("retention_errors_total", "Retention passes that failed (tried again later).",
            m.retention_errors.Get());
  w.Gauge("oldest_session_timestamp_seconds",
          "created_at of the oldest session kept, Unix seconds (0: none, or not known yet).",
          m.oldest_session_timestamp.Get());
  w.Gauge("database_bytes",
          "Embedded database: bytes of pages in use, as of the last retention pass (0: not "
          "measured).",
          m.database_bytes.Get());
  w.Counter("vacuumed_bytes_total", "Bytes given back to the file system by incremental vacuum.",
            m.vacuumed_bytes.Get());
}

void RenderProcess(const Metrics& m, TextWriter& w) {
  const ChildState state = m.child_state.load(std::memory_order_relaxed);
  if (state != ChildState::kNone) {
    w.Counter("sqld_child_restarts_total", "Restarts of the supervised sqld child.",
              m.child_restarts.Get());
    w.Family("sqld_child_state", "gauge",
             "State of the supervised sqld child: 1 for the current state, 0 for the others.");
    for (size_t i = 0; i < std::size(kChildStateNames); ++i) {
      const bool current = static_cast<size_t>(state) == i + 1;
      w.Sample("sqld_child_state", {{"state", kChildStateNames[i]}}, current ? 1 : 0);
    }
  }
  w.Family("build_info", "gauge", "Always 1; the labels describe the build.");
  w.Sample("build_info",
           {{"version", Version()}, {"build_type", BuildType()}, {"compiler", Compiler()}}, 1);
}

}  // namespace

HttpPath HttpPathFrom(std::string_view path) {
  if (path.starts_with("/v1/sessions/")) {
    return HttpPath::kSessions;
  }
  if (path.starts_with("/v1/events/")) {
    return HttpPath::kEvents;
  }
  if (path.starts_with("/v1/messages/")) {
    return HttpPath::kMessages;
  }
  if (path.starts_with("/v1/experiments/")) {
    return HttpPath::kExperiments;
  }
  if (path.starts_with("/ui/")) {
    return HttpPath::kUi;
  }
  for (size_t i = 0; i + 1 < kHttpPathCount; ++i) {
    if (kPathNames[i] == path) {
      return static_cast<HttpPath>(i);
    }
  }
  return HttpPath::kOther;
}

std::string_view HttpPathName(HttpPath path) { return kPathNames[static_cast<size_t>(path)]; }

void Metrics::CountRequest(HttpPath path, unsigned code, double seconds) {
  const size_t p = static_cast<size_t>(path);
  http_requests_by_code[p][CodeIndex(code)].Add();
  http_request_seconds[p].Observe(seconds);
  http_requests.Add();
  if (code >= 200 && code < 300) {
    http_responses_2xx.Add();
  } else if (code >= 400 && code < 500) {
    http_responses_4xx.Add();
    if (code == 429) {
      http_responses_429.Add();
    }
  } else if (code >= 500) {
    http_responses_5xx.Add();
    if (code == 503) {
      http_responses_503.Add();
    }
  }
}

void Metrics::CountDeletedRows(std::string_view table, uint64_t rows) {
  for (size_t i = 0; i < kDeletedTables.size(); ++i) {
    if (kDeletedTables[i] == table) {
      session_rows_deleted[i].Add(rows);
      return;
    }
  }
}

std::string Metrics::RenderPrometheus() const {
  TextWriter w("tracecollector_");
  RenderHttp(*this, w);
  RenderRecords(*this, w);
  RenderWriter(*this, w);
  RenderRetention(*this, w);
  RenderProcess(*this, w);
  return w.Take();
}

std::string_view Version() { return TC_VERSION; }
std::string_view BuildType() { return TC_BUILD_TYPE; }
std::string_view Compiler() { return TC_COMPILER; }

Metrics& Global() {
  static Metrics metrics;
  return metrics;
}

}  // namespace tc::metrics
