#include "ingest_handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "common/strings.h"
#include "router.h"

namespace tc::http {

namespace {

constexpr std::string_view kSpaceAndTab = " \t";  // HTTP's optional whitespace

void SetRetryLater(Response* out, unsigned status, std::string_view code,
                   std::string_view message) {
  SetError(out, status, code, message);
  out->retry_after = true;
}

}  // namespace

bool ParseBodyFormat(std::string_view content_type, IngestEndpoint endpoint,
                     ingest::BodyFormat* format) {
  const size_t semi = content_type.find(';');
  const std::string_view media = Trim(content_type.substr(0, semi), kSpaceAndTab);
  if (media.empty() || boost::beast::iequals(media, "application/json")) {
    *format = ingest::BodyFormat::kJson;
    return true;
  }
  if (endpoint == IngestEndpoint::kRecords) {
    for (std::string_view ndjson : {"application/x-ndjson", "application/ndjson",
                                    "application/jsonl", "application/x-jsonlines"}) {
      if (boost::beast::iequals(media, ndjson)) {
        *format = ingest::BodyFormat::kNdjson;
        return true;
      }
    }
  }
  return false;
}

IngestHandler::IngestHandler(const ServerOptions& options, pipeline::Submitter& submitter,
                             metrics::Metrics& metrics)
    : limits_(options.Limits()),
      default_ack_(options.ingest.ack),
      idempotency_keys_(std::make_shared<IdempotencyKeys>(
          std::chrono::seconds(options.ingest.idempotency_window_s),
          options.ingest.idempotency_max_keys, metrics)),
      submitter_(submitter),
      metrics_(metrics) {
  otlp_limits_.max_spans = options.otlp.max_spans;
  otlp_limits_.max_string_bytes = limits_.max_string_bytes;
  otlp_limits_.max_depth = std::min<size_t>(limits_.max_depth, otlp_limits_.max_depth);
  otlp_options_.keep_other_spans = options.otlp.keep_other_spans;
  // Empty: the default list MappingOptions comes with.
  if (!options.otlp.session_attributes.empty()) otlp_options_.session_attributes.clear();
  for (std::string_view rest = options.otlp.session_attributes; !rest.empty();) {
    const size_t comma = rest.find(',');
    const std::string_view key = Trim(rest.substr(0, comma), kSpaceAndTab);
    if (!key.empty()) otlp_options_.session_attributes.emplace_back(key);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
}

IngestHandler::Outcome IngestHandler::Handle(IngestEndpoint endpoint, const RequestData& request,
                                             std::string_view query,
                                             CompletionFactory& completions,
                                             PendingIngest* pending, Response* out) const {
  pending->Clear();
  config::AckMode ack = default_ack_;
  std::string_view ack_text;
  if (FindQueryParam(query, "ack", &ack_text)) {
    if (ack_text == "durable") {
      ack = config::AckMode::kDurable;
    } else if (ack_text == "queued") {
      ack = config::AckMode::kQueued;
    } else {
      SetError(out, 400, "invalid_argument", "ack must be \"durable\" or \"queued\"");
      return Outcome::kAnswered;
    }
  }
  ingest::BodyFormat format = ingest::BodyFormat::kJson;
  if (endpoint == IngestEndpoint::kTraces && !request.encoded) {
    // OTLP (docs/otlp.md, "Which body is which"): protobuf by its media type; JSON when the
    // top-level object has "resourceSpans", which no SessionTrace document has.
    const std::string_view media =
        Trim(std::string_view(request.content_type).substr(0, request.content_type.find(';')),
             kSpaceAndTab);
    if (boost::beast::iequals(media, otlp::kProtobufContentType)) {
      return HandleOtlp(otlp::Encoding::kProtobuf, request, ack, completions, pending, out);
    }
    if (ParseBodyFormat(request.content_type, endpoint, &format) &&
        otlp::IsOtlpJson(request.body)) {
      return HandleOtlp(otlp::Encoding::kJson, request, ack, completions, pending, out);
    }
  }
  if (!ParseBodyFormat(request.content_type, endpoint, &format)) {
    std::string message = endpoint == IngestEndpoint::kRecords
                              ? "use Content-Type application/json or application/x-ndjson"
                              : "use Content-Type application/json";
    const std::string_view media =
        Trim(std::string_view(request.content_type).substr(0, request.content_type.find(';')),
             kSpaceAndTab);
    if (boost::beast::iequals(media, "application/x-www-form-urlencoded")) {
      // What `curl -d` sends unless told otherwise: say how to tell it.
      message += " (got application/x-www-form-urlencoded, curl's default for -d: add "
                 "-H 'Content-Type: application/json')";
    }
    SetError(out, 415, "unsupported_media_type", message);
    return Outcome::kAnswered;
  }
  if (request.encoded) {
    SetError(out, 415, "unsupported_media_type",
             "Content-Encoding is not supported; send the body uncompressed");
    return Outcome::kAnswered;
  }

  const std::string_view idempotency_key = request.idempotency_key;
  if (request.idempotency_keys > 1) {
    metrics_.idempotency_key_invalid.Add();
    SetError(out, 400, "invalid_idempotency_key",
             fmt::format("send one Idempotency-Key header, not {}", request.idempotency_keys));
    return Outcome::kAnswered;
  }
  if (request.idempotency_keys == 1) {
    const std::string problem = CheckIdempotencyKey(idempotency_key);
    if (!problem.empty()) {
      metrics_.idempotency_key_invalid.Add();
      SetError(out, 400, "invalid_idempotency_key", problem);
      return Outcome::kAnswered;
    }
  }
  // Checked before the body is decoded: another body under a known key is a 422 whatever it
  // holds. From here on every answer that stores nothing gives the key back (Abandon).
  std::shared_ptr<IdempotencyHold> hold;
  if (request.idempotency_keys == 1) {
    std::string key(idempotency_key);
    const IdempotencyKeys::Begin begun = idempotency_keys_->TryBegin(
        key,
        RequestFingerprint(endpoint == IngestEndpoint::kRecords ? "/v1/records" : "/v1/traces",
                           request.body),
        IdempotencyKeys::Clock::now());
    if (begun == IdempotencyKeys::Begin::kMismatch) {
      metrics_.idempotency_key_mismatch.Add();
      SetError(out, 422, "idempotency_key_reused",
               "this Idempotency-Key was used with a different request body (or endpoint); "
               "send a new key for a new request");
      return Outcome::kAnswered;
    }
    if (begun == IdempotencyKeys::Begin::kInFlight) {
      metrics_.idempotency_key_in_flight.Add();
      SetRetryLater(out, 409, "idempotency_key_in_flight",
                    "a request with this Idempotency-Key is still being written; retry after it "
                    "is answered");
      return Outcome::kAnswered;
    }
    hold = std::make_shared<IdempotencyHold>(idempotency_keys_, std::move(key),
                                             begun == IdempotencyKeys::Begin::kNew);
  }

  Result<ingest::DecodedRequest> decoded =
      endpoint == IngestEndpoint::kRecords
          ? ingest::DecodeRecords(request.body, format, limits_)
          : ingest::DecodeTraces(request.body, limits_);
  if (!decoded.has_value()) {
    if (hold != nullptr) {
      hold->Abandon();
    }
    SetError(out, 400, "invalid_body", decoded.error().message());
    return Outcome::kAnswered;
  }
  ingest::DecodedRequest& d = *decoded;
  const size_t admitted = d.records.size();
  const size_t invalid = d.errors.size() + d.errors_dropped;
  metrics_.records_received.Add(admitted + invalid);
  metrics_.records_refused_invalid.Add(invalid);
  pending->traces = endpoint == IngestEndpoint::kTraces;
  pending->errors = std::move(d.errors);
  pending->errors_dropped = d.errors_dropped;
  const bool durable = ack == config::AckMode::kDurable;

  if (admitted == 0) {
    // Nothing to submit: every record refused (400), or an empty request (200/202).
    static const std::vector<sink::RecordResult> kNoResults;
    if (hold != nullptr) {
      hold->Abandon();
    }
    BuildIngestResponse(*pending, durable ? &kNoResults : nullptr, out);
    pending->Clear();
    return Outcome::kAnswered;
  }

  // The queue counts sizeof(Record) per record: do not let the vector's growth slack (up to
  // 2x) sit in the queue uncounted.
  if (d.records.capacity() - admitted > admitted / 8) {
    d.records.shrink_to_fit();
  }
  if (hold != nullptr) {
    for (size_t i = 0; i < admitted; ++i) {
      if (d.records[i].key.empty()) {
        d.records[i].key = DerivedRecordKey(hold->key(), d.indexes[i]);
        pending->derived_keys = true;
      }
    }
  }

  pipeline::Submission submission;
  submission.records = std::move(d.records);
  if (durable) {
    submission.on_done = completions.MakeCompletion();
    if (hold != nullptr) {
      // The key is released before the answer is posted, so a retry sent after the answer
      // never meets it in flight.
      submission.on_done = [hold, inner = std::move(submission.on_done)](
                               const Status& done, std::vector<sink::RecordResult> results) {
        hold->Finish();
        inner(done, std::move(results));
      };
    }
  }
  const Status status = submitter_.Submit(submission);
  if (!status.ok()) {
    if (hold != nullptr) {
      hold->Abandon();
    }
    metrics_.records_refused_overload.Add(admitted);
    pending->Clear();
    if (status.code() == StatusCode::kResourceExhausted) {
      SetRetryLater(out, 429, "overloaded", status.message());
    } else {
      SetRetryLater(out, 503, "unavailable", status.message());
    }
    return Outcome::kAnswered;
  }
  metrics_.records_accepted.Add(admitted);
  pending->indexes = std::move(d.indexes);
  pending->ids = std::move(d.ids);
  if (!durable) {
    if (hold != nullptr) {
      hold->Finish();  // admitted: the records will be stored under their derived keys
    }
    BuildIngestResponse(*pending, nullptr, out);
    pending->Clear();
    return Outcome::kAnswered;
  }
  return Outcome::kPending;
}

void IngestHandler::Finish(const PendingIngest& pending, const Status& status,
                           const std::vector<sink::RecordResult>& results, Response* out) const {
  if (pending.otlp) {
    FinishOtlp(pending, status, results, out);
    return;
  }
  if (!status.ok()) {
    SetRetryLater(out, 503, "unavailable",
                  "the records were not confirmed stored (" + status.ToString() + "); retry");
    return;
  }
  if (results.size() != pending.indexes.size()) {
    SetError(out, 500, "internal", "the pipeline returned a wrong number of results");
    return;
  }
  if (pending.derived_keys) {
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].outcome == sink::RecordOutcome::kDuplicate && pending.ids[i].empty()) {
        metrics_.idempotency_key_replays.Add();
        break;
      }
    }
  }
  BuildIngestResponse(pending, &results, out);
}

}  // namespace tc::http
