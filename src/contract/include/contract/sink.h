#pragma once

// The storage backend behind the batcher: embedded SQLite (SqliteSink) or Hrana/sqld
// (HranaSink). Both execute storage::PlanRecord() plans, so results are identical.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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

// What deleting sessions removed (DeleteSession, Retain).
struct DeletedRows {
  uint64_t sessions = 0;
  // Rows per table, every table a session has rows in (storage/retention.h), in a fixed order;
  // empty when nothing was deleted.
  std::vector<std::pair<std::string, uint64_t>> tables;
  void Add(const DeletedRows& other) {
    sessions += other.sessions;
    if (tables.empty()) {
      tables = other.tables;
      return;
    }
    for (size_t i = 0; i < tables.size() && i < other.tables.size(); ++i) {
      tables[i].second += other.tables[i].second;
    }
  }
};

// One retention pass: which sessions are past their time (docs/operations.md, "Retention").
struct RetentionPolicy {
  std::string created_before;  // ISO UTC: sessions created before it go; empty = no age limit
  uint64_t max_db_bytes = 0;   // oldest sessions go while the data is larger; 0 = no limit
  uint32_t max_sessions = 100;  // sessions deleted in one transaction (one pass)
};

struct RetentionPass {
  DeletedRows deleted;
  bool more = false;  // a limit is still exceeded: run another pass soon
  std::optional<double> oldest_session_unix;  // created_at of the oldest session kept
  std::optional<uint64_t> db_bytes;           // data size, when the backend can tell (embedded)
  uint64_t vacuumed_bytes = 0;                // space given back to the file system
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

  // Deletes one session whole (its rows in every table, the idempotency keys of its rows) in
  // one transaction; *deleted says what went. kNotFound when there is no such session;
  // retryable errors as for Write. Not thread-safe: the thread that calls Write.
  [[nodiscard]] virtual Status DeleteSession(std::string_view session_id, DeletedRows* deleted) {
    static_cast<void>(session_id);
    static_cast<void>(deleted);
    return Status::FailedPrecondition("this sink cannot delete sessions");
  }

  // One retention pass (small: at most policy.max_sessions sessions, one transaction), then
  // whatever the backend does to give space back. Not thread-safe: the thread that calls Write.
  [[nodiscard]] virtual Status Retain(const RetentionPolicy& policy, RetentionPass* pass) {
    static_cast<void>(policy);
    static_cast<void>(pass);
    return Status::FailedPrecondition("this sink has no retention");
  }

  // Cheap liveness check of the database (used by /readyz). Thread-safe.
  [[nodiscard]] virtual Status Ping() = 0;

  // "embedded:/path/file.db", "sqld:http://127.0.0.1:8080" — for logs.
  virtual std::string Describe() const = 0;
};

using SinkPtr = std::unique_ptr<Sink>;

}  // namespace tc::sink
