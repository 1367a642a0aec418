#include "metrics/metrics.h"

#include <fmt/format.h>

namespace tc::metrics {
namespace {

void Emit(std::string& out, const char* name, const char* type, const char* help, int64_t value) {
  fmt::format_to(std::back_inserter(out), "# HELP tracecollector_{0} {1}\n# TYPE tracecollector_{0} {2}\n"
                 "tracecollector_{0} {3}\n", name, help, type, value);
}
void C(std::string& out, const char* name, const char* help, const Counter& c) {
  Emit(out, name, "counter", help, static_cast<int64_t>(c.Get()));
}
void G(std::string& out, const char* name, const char* help, const Gauge& g) {
  Emit(out, name, "gauge", help, g.Get());
}

}  // namespace

std::string Metrics::RenderPrometheus() const {
  std::string out;
  out.reserve(4096);
  C(out, "http_requests_total", "HTTP requests answered.", http_requests);
  C(out, "http_responses_2xx_total", "Responses with a 2xx status.", http_responses_2xx);
  C(out, "http_responses_4xx_total", "Responses with a 4xx status.", http_responses_4xx);
  C(out, "http_responses_5xx_total", "Responses with a 5xx status.", http_responses_5xx);
  C(out, "http_responses_429_total", "Requests refused as overload (429).", http_responses_429);
  C(out, "http_responses_503_total", "Requests refused as unavailable (503).", http_responses_503);
  C(out, "http_connections_accepted_total", "TCP connections accepted.", http_connections_accepted);
  C(out, "http_connections_refused_total", "Connections refused over max_connections.",
    http_connections_refused);
  G(out, "http_connections_open", "Open client connections.", http_connections_open);
  C(out, "receiver_received_records_total", "Records decoded from request bodies.", records_received);
  C(out, "receiver_accepted_records_total", "Records admitted into the queue.", records_accepted);
  C(out, "receiver_refused_invalid_records_total", "Records refused by validation.",
    records_refused_invalid);
  C(out, "receiver_refused_overload_records_total", "Records refused by admission (429/503).",
    records_refused_overload);
  C(out, "exporter_refused_database_records_total", "Records refused by the database.",
    records_refused_database);
  C(out, "exporter_stored_records_total", "Records committed to the database.", records_stored);
  C(out, "exporter_duplicate_records_total", "Records already stored (idempotency key seen).",
    records_duplicate);
  G(out, "queue_records", "Records waiting in the queue.", queue_records);
  G(out, "queue_bytes", "Bytes of records waiting in the queue.", queue_bytes);
  G(out, "queue_capacity_records", "Queue capacity in records.", queue_capacity_records);
  G(out, "queue_capacity_bytes", "Queue capacity in bytes.", queue_capacity_bytes);
  C(out, "exporter_batches_committed_total", "Batches committed.", batches_committed);
  C(out, "exporter_batch_failures_total", "Batch writes that failed and were retried.",
    batch_write_failures);
  C(out, "exporter_batch_retries_total", "Batch write retries.", batch_retries);
  C(out, "spool_records_spooled_total", "Records written to the spool and acknowledged from it.",
    records_spooled);
  C(out, "spool_records_replayed_total", "Records replayed from the spool into the store.",
    records_replayed);
  C(out, "spool_refused_full_records_total", "Records refused (503) because the spool was full.",
    records_refused_spool_full);
  C(out, "spool_corrupt_bytes_total", "Spool bytes skipped as corrupt or torn at replay.",
    spool_corrupt_bytes);
  G(out, "spool_bytes", "Spool bytes on disk not yet replayed.", spool_bytes);
  G(out, "spool_capacity_bytes", "Spool capacity in bytes.", spool_capacity_bytes);
  return out;
}

Metrics& Global() {
  static Metrics metrics;
  return metrics;
}

}  // namespace tc::metrics
