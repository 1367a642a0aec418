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
#include "hrana_encoder.h"
#include "hrana_response.h"
#include "contract/sink.h"
#include "storage/statements.h"
#include "storage/write_plan.h"

namespace tc::sink {

struct HranaBatchLimits {
  size_t max_request_bytes = 8 << 20;  // a single record larger than this is still sent alone
  uint32_t max_steps = 50000;          // per request, BEGIN/COMMIT/ROLLBACK included
  bool autocommit_cond = true;         // add "not is_autocommit" (sqld v3, tursodb)
  bool send_close = false;             // end the pipeline with "close" (sqld)
};

// What InterpretTransaction needs of one record step (the plan itself is not kept).
struct BatchStep {
  storage::StatementId statement{};
  bool claim = false;
  bool key_claim = false;  // the record's idempotency claim (its step 0)
};

struct EncodedBatch {
  std::string body;                  // the pipeline request (its storage is reused)
  std::vector<size_t> records;       // the caller's record indexes, in batch order
  std::vector<uint32_t> first_step;  // batch step of each record's plan step 0
  std::vector<BatchStep> steps;      // per batch step; BEGIN, COMMIT, ROLLBACK entries unused
  uint32_t commit_step = 0;
  uint32_t rollback_step = 0;
  uint32_t step_count = 0;

  // Batch steps [begin, end) of batch record r.
  uint32_t StepEnd(size_t r) const {
    return r + 1 < first_step.size() ? first_step[r + 1] : commit_step;
  }
};

// Encodes one transaction record by record, so a caller can plan each record into one reused
// plan just before adding it. The constructor clears `*out` (keeping the body's storage,
// reserving `reserve_bytes` more if it has less) and writes BEGIN; Finish() writes COMMIT,
// ROLLBACK and "close". `*out` must outlive the encoder and is complete only after Finish().
class TransactionEncoder {
 public:
  TransactionEncoder(const HranaBatchLimits& limits, size_t reserve_bytes, EncodedBatch* out);
  TransactionEncoder(const TransactionEncoder&) = delete;
  TransactionEncoder& operator=(const TransactionEncoder&) = delete;

  // Appends `plan` as record `index`. Returns false, appending nothing, when the transaction
  // already holds a record and this one would cross a limit (a record alone is always taken).
  bool Add(size_t index, const storage::RecordPlan& plan);
  void Finish();
  size_t taken() const { return out_->records.size(); }

 private:
  const HranaBatchLimits& limits_;
  EncodedBatch* out_;
  hrana::PipelineBuilder builder_;
  std::string in_txn_;
  std::string begin_ok_;
  std::string cond_;
  std::string commit_cond_;
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
  // !committed: records the database refused (the caller's index, message). The transaction
  // was rolled back: re-send the batch without them.
  std::vector<std::pair<size_t, std::string>> refused;
  // !committed and refused is empty: why nothing committed (retryable or permanent).
  Status status;
};

// Reads the batch request's result (results[0] of the pipeline response).
BatchVerdict InterpretTransaction(const EncodedBatch& batch, const hrana::StreamResult& result);

}  // namespace tc::sink
