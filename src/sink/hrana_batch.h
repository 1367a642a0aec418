#pragma once

// One Hrana request = one transaction over a run of records (pure functions, no I/O):
//   step 0            BEGIN IMMEDIATE
//   record steps      a step with guard g: ok(g); without: BEGIN ok; and, where the server
//                     evaluates it, "not is_autocommit" on every step, so that a failure which
//                     makes SQLite roll the transaction back (I/O error, disk full) can never
//                     let later steps autocommit
//   COMMIT            if BEGIN succeeded and no non-claim step errored (claims may fail)
//   ROLLBACK          if COMMIT did not succeed
//   {"type":"close"}  (sqld only)
// A record's steps never straddle two requests.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "sink/hrana_response.h"
#include "sink/sink.h"
#include "storage/write_plan.h"

namespace tc::sink {

struct HranaBatchLimits {
  size_t max_request_bytes = 8 << 20;  // a single record larger than this is still sent alone
  uint32_t max_steps = 50000;          // per request, BEGIN/COMMIT/ROLLBACK included
  bool autocommit_cond = true;         // add "not is_autocommit" (sqld v3, tursodb)
  bool send_close = false;             // end the pipeline with "close" (sqld)
};

struct EncodedBatch {
  std::string body;                  // the pipeline request
  std::vector<size_t> records;       // indexes into the plans, in batch order
  std::vector<uint32_t> first_step;  // batch step of each record's plan step 0
  uint32_t commit_step = 0;
  uint32_t rollback_step = 0;
  uint32_t step_count = 0;
};

// Encodes as many of `pending` (indexes into `plans`, in order) as fit the limits, at least
// one, into `*out`. Returns how many were taken.
size_t EncodeTransaction(std::span<const storage::RecordPlan> plans,
                         std::span<const size_t> pending, const HranaBatchLimits& limits,
                         EncodedBatch* out);

struct BatchVerdict {
  bool committed = false;
  // committed: one result per batch record (kStored / kDuplicate; kRefused only for a claim
  // that failed for another reason than a conflict — logged, see hrana_sink.h).
  std::vector<RecordResult> results;
  // !committed: records the database refused (index into plans, message). The transaction was
  // rolled back: re-send the batch without them.
  std::vector<std::pair<size_t, std::string>> refused;
  // !committed and refused is empty: why nothing committed (retryable or permanent).
  Status status;
};

// Reads the batch request's result (results[0] of the pipeline response).
BatchVerdict InterpretTransaction(const EncodedBatch& batch,
                                  std::span<const storage::RecordPlan> plans,
                                  const hrana::StreamResult& result);

}  // namespace tc::sink
