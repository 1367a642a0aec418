// POST /v1/traces with an OTLP body (docs/otlp.md): decode and map (otlp/otlp.h), submit like
// any records (durable acknowledgement, spool, idempotency by trace and span id), answer in the
// request's encoding. Split from ingest_handler.cc.

#include <fmt/format.h>

#include <set>

#include "ingest_handler.h"

namespace tc::http {

namespace {

// google.rpc.Code values the answers use.
constexpr int kInvalidArgument = 3;
constexpr int kResourceExhausted = 8;
constexpr int kUnavailable = 14;

std::string_view ContentType(otlp::Encoding encoding) {
  return encoding == otlp::Encoding::kProtobuf ? otlp::kProtobufContentType : kJsonContentType;
}

void SetOtlpError(Response* out, otlp::Encoding encoding, unsigned status, int grpc_code,
                  std::string_view message, bool retry_after) {
  out->status = status;
  out->content_type = ContentType(encoding);
  out->body = otlp::StatusBody(encoding, grpc_code, message);
  out->retry_after = retry_after;
}

void SetOtlpSuccess(Response* out, otlp::Encoding encoding, size_t rejected,
                    std::string_view message) {
  out->status = 200;
  out->content_type = ContentType(encoding);
  out->body = otlp::SuccessBody(encoding, static_cast<int64_t>(rejected), message);
}

}  // namespace

IngestHandler::Outcome IngestHandler::HandleOtlp(otlp::Encoding encoding,
                                                 const RequestData& request, config::AckMode ack,
                                                 CompletionFactory& completions,
                                                 PendingIngest* pending, Response* out) const {
  // The decoded model costs ~150 bytes per value however short its encoding: bounded by the
  // body's size, as the body budget (http.max_body_bytes_in_flight) bounds the bodies.
  otlp::DecodeLimits limits = otlp_limits_;
  limits.max_values = otlp::MaxValuesFor(request.body.size());
  // ... and charged to that budget as it is made, so requests decoded side by side cannot hold
  // more than it together.
  limits.charge = [&completions](size_t bytes) { return completions.ChargeBodyMemory(bytes); };
  otlp::MappingOptions options = otlp_options_;
  options.max_records = otlp::MaxRecordsFor(request.body.size());
  Result<otlp::Conversion> converted = otlp::Convert(request.body, encoding, limits, options);
  if (!converted.has_value() && converted.error().code() == StatusCode::kUnavailable) {
    // (counted with every 429 in http_responses_429; no span was decoded whole)
    SetOtlpError(out, encoding, 429, kResourceExhausted, converted.error().message(), true);
    return Outcome::kAnswered;
  }
  if (converted.has_value()) {
    // The records, until the queue takes them: the body's charge counts them as large as the
    // body; an OTLP span's records weigh more than its bytes on the wire.
    size_t record_bytes = 0;
    for (const schema::Record& record : converted->records) {
      record_bytes += schema::ApproximateSize(record);
    }
    if (record_bytes > request.body.size() &&
        !completions.ChargeBodyMemory(record_bytes - request.body.size())) {
      metrics_.otlp_spans_received.Add(converted->spans);
      metrics_.records_received.Add(converted->records.size());
      metrics_.records_refused_overload.Add(converted->records.size());
      SetOtlpError(out, encoding, 429, kResourceExhausted,
                   "too many request bodies in flight (http.max_body_bytes_in_flight) to queue "
                   "this one's records; retry",
                   true);
      return Outcome::kAnswered;
    }
  }
  if (!converted.has_value()) {
    metrics_.otlp_requests_invalid.Add();
    const bool too_many = converted.error().code() == StatusCode::kResourceExhausted;
    SetOtlpError(out, encoding, too_many ? 413 : 400,
                 too_many ? kResourceExhausted : kInvalidArgument, converted.error().message(),
                 false);
    return Outcome::kAnswered;
  }
  otlp::Conversion& c = *converted;
  metrics_.otlp_spans_received.Add(c.spans);
  metrics_.otlp_spans_rejected.Add(c.rejected_spans);
  metrics_.otlp_spans_dropped.Add(c.dropped_spans);
  const size_t admitted = c.records.size();
  metrics_.records_received.Add(admitted);
  if (admitted == 0) {
    SetOtlpSuccess(out, encoding, c.rejected_spans, c.rejected_message);
    return Outcome::kAnswered;
  }
  const bool durable = ack == config::AckMode::kDurable;
  pipeline::Submission submission;
  submission.records = std::move(c.records);
  if (durable) submission.on_done = completions.MakeCompletion();
  const Status status = submitter_.Submit(submission);
  if (!status.ok()) {
    // OTLP exporters retry 429 and 503 after Retry-After.
    metrics_.records_refused_overload.Add(admitted);
    const bool full = status.code() == StatusCode::kResourceExhausted;
    SetOtlpError(out, encoding, full ? 429 : 503, full ? kResourceExhausted : kUnavailable,
                 status.message(), true);
    return Outcome::kAnswered;
  }
  metrics_.records_accepted.Add(admitted);
  if (!durable) {
    SetOtlpSuccess(out, encoding, c.rejected_spans, c.rejected_message);
    return Outcome::kAnswered;
  }
  pending->otlp = encoding;
  pending->otlp_rejected = c.rejected_spans;
  pending->otlp_message = std::move(c.rejected_message);
  pending->indexes = std::move(c.span_of_record);
  return Outcome::kPending;
}

void IngestHandler::FinishOtlp(const PendingIngest& pending, const Status& status,
                               const std::vector<sink::RecordResult>& results,
                               Response* out) const {
  const otlp::Encoding encoding = *pending.otlp;
  if (!status.ok()) {
    SetOtlpError(out, encoding, 503, kUnavailable,
                 "the spans were not confirmed stored (" + status.ToString() + "); retry", true);
    return;
  }
  if (results.size() != pending.indexes.size()) {
    SetOtlpError(out, encoding, 500, 13 /* INTERNAL */,
                 "the pipeline returned a wrong number of results", false);
    return;
  }
  // A span whose records the database refused is rejected (its other records may be stored:
  // a retry would store nothing new, so it is not one to retry).
  std::set<size_t> refused;
  std::string message = pending.otlp_message;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome != sink::RecordOutcome::kRefused) continue;
    if (refused.insert(pending.indexes[i]).second && message.empty()) {
      message = fmt::format("span {}: {}", pending.indexes[i], results[i].message);
    }
  }
  metrics_.otlp_spans_rejected.Add(refused.size());
  SetOtlpSuccess(out, encoding, pending.otlp_rejected + refused.size(), message);
}

}  // namespace tc::http
