#pragma once

// POST /v1/records and POST /v1/traces: content type → decode (on the calling I/O thread) →
// Submit() the valid records → answer now (errors, overload, ack=queued) or later, when the
// pipeline's completion arrives (ack=durable).

#include <memory>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "idempotency.h"
#include "ingest_results.h"
#include "request_parser.h"
#include "responses.h"
#include "http/server_options.h"
#include "metrics/metrics.h"
#include "contract/submission.h"

namespace tc::http {

enum class IngestEndpoint { kRecords, kTraces };

// Makes the CompletionFn of a durable submission; asked only when one is needed, so ack=queued
// and refused requests allocate none.
class CompletionFactory {
 public:
  virtual pipeline::CompletionFn MakeCompletion() = 0;
  // Charges `bytes` more to the request's share of http.max_body_bytes_in_flight, given back
  // with its body's (what a decoder holds beyond the body's own charge); false when the budget
  // cannot take them (answer 429).
  virtual bool ChargeBodyMemory(uint64_t bytes) = 0;

 protected:
  ~CompletionFactory() = default;
};

// Media type of `content_type` → body format; false → 415. Empty means JSON; parameters
// (charset) are ignored. NDJSON (x-ndjson, ndjson, jsonl, x-jsonlines) only for /v1/records.
bool ParseBodyFormat(std::string_view content_type, IngestEndpoint endpoint,
                     ingest::BodyFormat* format);

// Thread-safe: immutable after construction; Submitter and Metrics are thread-safe.
class IngestHandler {
 public:
  // `submitter` and `metrics` must outlive the handler.
  IngestHandler(const ServerOptions& options, pipeline::Submitter& submitter,
                metrics::Metrics& metrics);

  enum class Outcome {
    kAnswered,  // `out` holds the response
    kPending,   // admitted with ack=durable: answer with Finish() when the completion fires
  };

  // `request.body` must carry kBodyPadding readable bytes after its end. On kPending, `pending`
  // holds what Finish() needs; otherwise it is left cleared. With an Idempotency-Key header
  // (idempotency.h): 400 if it is malformed or repeated, 422 if the key came with another body,
  // 409 + Retry-After while a request with it is in flight; records without an id get derived
  // keys.
  Outcome Handle(IngestEndpoint endpoint, const RequestData& request, std::string_view query,
                 CompletionFactory& completions, PendingIngest* pending, Response* out) const;

  // The durable answer of an OTLP request (otlp_ingest.cc), and of any other: status not OK → 503 +
  // Retry-After (nothing known stored); results of the wrong length → 500; else 200/207 from
  // BuildIngestResponse().
  void Finish(const PendingIngest& pending, const Status& status,
              const std::vector<sink::RecordResult>& results, Response* out) const;

 private:
  // POST /v1/traces with an OTLP body (otlp_ingest.cc): decode, map, submit; answered in the
  // request's encoding (200 ExportTraceServiceResponse, 400/413/429/503 google.rpc.Status).
  Outcome HandleOtlp(otlp::Encoding encoding, const RequestData& request, config::AckMode ack,
                     CompletionFactory& completions, PendingIngest* pending, Response* out) const;
  void FinishOtlp(const PendingIngest& pending, const Status& status,
                  const std::vector<sink::RecordResult>& results, Response* out) const;

  ingest::IngestLimits limits_;
  otlp::DecodeLimits otlp_limits_;
  otlp::MappingOptions otlp_options_;
  config::AckMode default_ack_;
  std::shared_ptr<IdempotencyKeys> idempotency_keys_;  // shared with pending completions
  pipeline::Submitter& submitter_;
  metrics::Metrics& metrics_;
};

}  // namespace tc::http
