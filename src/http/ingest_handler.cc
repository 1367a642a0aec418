#include "ingest_handler.h"

#include <string>
#include <utility>

#include <boost/beast/core/string.hpp>

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
      submitter_(submitter),
      metrics_(metrics) {}

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

  Result<ingest::DecodedRequest> decoded =
      endpoint == IngestEndpoint::kRecords
          ? ingest::DecodeRecords(request.body, format, limits_)
          : ingest::DecodeTraces(request.body, limits_);
  if (!decoded.has_value()) {
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
    BuildIngestResponse(*pending, durable ? &kNoResults : nullptr, out);
    pending->Clear();
    return Outcome::kAnswered;
  }

  // The queue counts sizeof(Record) per record: do not let the vector's growth slack (up to
  // 2x) sit in the queue uncounted.
  if (d.records.capacity() - admitted > admitted / 8) {
    d.records.shrink_to_fit();
  }
  pipeline::Submission submission;
  submission.records = std::move(d.records);
  if (durable) {
    submission.on_done = completions.MakeCompletion();
  }
  const Status status = submitter_.Submit(submission);
  if (!status.ok()) {
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
    BuildIngestResponse(*pending, nullptr, out);
    pending->Clear();
    return Outcome::kAnswered;
  }
  return Outcome::kPending;
}

void IngestHandler::Finish(const PendingIngest& pending, const Status& status,
                           const std::vector<sink::RecordResult>& results, Response* out) const {
  if (!status.ok()) {
    SetRetryLater(out, 503, "unavailable",
                  "the records were not confirmed stored (" + status.ToString() + "); retry");
    return;
  }
  if (results.size() != pending.indexes.size()) {
    SetError(out, 500, "internal", "the pipeline returned a wrong number of results");
    return;
  }
  BuildIngestResponse(pending, &results, out);
}

}  // namespace tc::http
