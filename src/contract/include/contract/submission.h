#pragma once

// What the HTTP layer hands to the pipeline: the accepted records of one request and the
// callback that answers it.

#include <functional>
#include <vector>

#include "common/status.h"
#include "schema/records.h"
#include "contract/sink.h"

namespace tc::pipeline {

// Called exactly once per submission that Submit() accepted, from the writer thread (never
// from inside Submit). `status` OK: `results` has one entry per submitted record, in order.
// `status` not OK (shutdown deadline passed before the records were written): nothing is
// known to be stored; the request must be answered 503 so the client retries.
// Must not block: post the response to the connection's executor.
using CompletionFn = std::function<void(const Status& status, std::vector<sink::RecordResult> results)>;

struct Submission {
  std::vector<schema::Record> records;
  CompletionFn on_done;  // may be empty (ack=queued: nobody waits)
};

class Submitter {
 public:
  virtual ~Submitter() = default;
  // Admits all records or none. kResourceExhausted: queue full (answer 429 + Retry-After).
  // kUnavailable: shutting down or the sink is down with no room left (answer 503 + Retry-After).
  // On OK ownership of the submission passed to the pipeline; on error it is left untouched.
  // The caller counts admitted and refused records (receiver_* metrics); the pipeline counts
  // what happens to them afterwards (exporter_* metrics).
  [[nodiscard]] virtual Status Submit(Submission& submission) = 0;
};

}  // namespace tc::pipeline
