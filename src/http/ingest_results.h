#pragma once

// The answer to an ingest request, built from what the decoder refused and what the sink
// reported, one result per request position ("index": a record of /v1/records, a document of
// /v1/traces). Pure functions; no I/O.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "contract/sink.h"
#include "ingest/decoder.h"
#include "otlp/otlp.h"
#include "responses.h"

namespace tc::http {

// A 207 is bounded whatever the request: its results list request positions in order until
// kMaxRefusedListed refused ones are listed or the list would pass kMaxResultsBytes; the
// positions after that are only counted ("results_truncated":true, "results_omitted":n).
inline constexpr size_t kMaxRefusedListed = ingest::kMaxRecordErrors;
inline constexpr size_t kMaxResultsBytes = 64 << 10;

// What the handler keeps of a decoded request while its records are in the pipeline.
// indexes/ids describe the submitted records (in submission order), errors the refused ones;
// both are in request order, as the decoder produces them.
struct PendingIngest {
  bool traces = false;  // positions are documents: several records may share an index
  // An OTLP request (otlp_ingest.cc): answered as an ExportTraceServiceResponse in this
  // encoding; `indexes` are span positions; spans rejected before submission and why.
  std::optional<otlp::Encoding> otlp;
  size_t otlp_rejected = 0;
  std::string otlp_message;
  // Sent with an Idempotency-Key: a record without a client id (ids[i] empty) had a derived
  // key, and a duplicate of it is what an earlier attempt of this request stored ("stored").
  bool derived_keys = false;
  std::vector<size_t> indexes;
  std::vector<std::string> ids;
  std::vector<ingest::RecordError> errors;  // the first kMaxRefusedListed of them
  size_t errors_dropped = 0;                // refused by the decoder after those
  // Clears for the next request; vectors grown past a few hundred entries are freed (one slot
  // per pipelined request of every connection keeps what it holds).
  void Clear() {
    traces = false;
    otlp.reset();
    otlp_rejected = 0;
    otlp_message.clear();
    derived_keys = false;
    ClearSmall(indexes);
    ClearSmall(ids);
    ClearSmall(errors);
    errors_dropped = 0;
  }

 private:
  template <typename T>
  static void ClearSmall(std::vector<T>& v) {
    if (v.capacity() > 256) {
      std::vector<T>().swap(v);
    } else {
      v.clear();
    }
  }
};

// Fills `out` with the final answer (docs/api.md §1.2):
//   {"status":"ok"|"queued"|"partial","ack":"durable"|"queued","total":T,"accepted":A,
//    "stored":S,"duplicates":D (durable) | "queued":Q (queued),"refused":R,
//    "results":[{"index":i,"id":..,"status":..,"code":..,"field":..,"error":".."}] (207 only),
//    "results_truncated":true,"results_omitted":n (207, when the list is cut; see above)}
// 200 (durable) / 202 (queued) when nothing was refused, else 207 — also when every record was
// refused. `results` null means ack=queued: submitted records are "queued". Otherwise one entry
// per submitted record (the caller checks the length). For /v1/traces a document is refused if
// any of its records was, duplicate if all were, else stored. With derived_keys a duplicate of
// a record without a client id counts as stored (the answer of the attempt that stored it).
void BuildIngestResponse(const PendingIngest& pending,
                         const std::vector<sink::RecordResult>* results, Response* out);

}  // namespace tc::http
