#pragma once

// The storage backend behind the batcher: embedded SQLite (SqliteSink) or Hrana/sqld
// (HranaSink). Both execute storage::PlanRecord() plans, so results are identical.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "schema/records.h"

namespace tc::sink {

enum class RecordOutcome : uint8_t {
  kStored,     // committed now
  kDuplicate,  // its idempotency key was already stored: nothing written, counters unchanged
  kRefused,    // the database refused it (constraint, unknown reference): nothing of it written
  kSpooled,    // set by the pipeline, never by a sink: durably in the local spool, written to
               // the store when it is back (spool/spool.h)
};

struct RecordResult {
  RecordOutcome outcome = RecordOutcome::kStored;
  std::string message;  // why, for kRefused
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Connects and creates the schema if missing (idempotent: safe on an existing database).
  [[nodiscard]] virtual Status Open() = 0;

  // Writes `records` so that each one is either fully committed or not at all, and the batch as
  // a whole commits atomically (one transaction, or for a remote server transactions that never
  // leave a record half-written). On OK, `results` has one entry per record. On error nothing
  // of the batch is committed: kUnavailable / kDeadlineExceeded / kResourceExhausted mean retry
  // later with the batch intact; anything else is permanent.
  // Not thread-safe: one batcher thread calls it.
  [[nodiscard]] virtual Status Write(std::span<const schema::Record> records,
                                     std::vector<RecordResult>* results) = 0;

  // Cheap liveness check of the database (used by /readyz). Thread-safe.
  [[nodiscard]] virtual Status Ping() = 0;

  // "embedded:/path/file.db", "sqld:http://127.0.0.1:8080" — for logs.
  virtual std::string Describe() const = 0;
};

using SinkPtr = std::unique_ptr<Sink>;

}  // namespace tc::sink
