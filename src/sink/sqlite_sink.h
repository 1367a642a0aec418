#pragma once

// The embedded backend: one SQLite file in WAL mode, written by one connection, with the schema
// and statements of storage/ (so rows match what the Hrana sink writes to sqld).

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/result.h"
#include "sink/sink.h"
#include "sink/sqlite_sink_checkpoint.h"
#include "sink/sqlite_sink_rowids.h"
#include "storage/counter_batch.h"
#include "storage/statements.h"
#include "storage/write_plan.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tc::sink {

struct SqliteSinkOptions {
  std::string path;                  // the database file, created if missing (not its directory)
  std::string synchronous = "FULL";  // FULL (an ack survives power loss) | NORMAL | EXTRA | OFF
  uint32_t busy_timeout_ms = 5000;   // how long a write waits for another writer's lock
  CheckpointOptions checkpoint;      // WAL checkpoints off the commit path (see the header)
};

class SqliteSink : public Sink {
  struct PrivateTag {};

 public:
  // Validates the options (kInvalidArgument); opens nothing yet (see Open()).
  static Result<std::unique_ptr<SqliteSink>> Create(const SqliteSinkOptions& options);
  SqliteSink(PrivateTag, SqliteSinkOptions options);  // use Create()
  ~SqliteSink() override;
  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;

  // Opens (creating) the file, sets the pragmas (storage::EmbeddedPragmas), creates the schema /
  // applies synth-ai's G2 -> G3 migrations in one transaction, prepares every catalogue
  // statement, opens the read-only Ping connection and starts the WAL checkpointer (its own
  // connection and thread: checkpoints run beside the writes, not inside COMMIT).
  // Errors: kUnavailable (cannot open or lock the file), kFailedPrecondition (the database has
  // a newer collector schema, or WAL cannot be enabled), kInternal (anything else).
  // Calling it again after success is a no-op.
  [[nodiscard]] Status Open() override;

  // One BEGIN IMMEDIATE ... COMMIT per call. Records are executed with the claim/guard rules of
  // storage/write_plan.h; a record refused by the database (constraint, unresolved reference) is
  // rolled back alone and reported kRefused with SQLite's message; the others commit.
  // On error nothing is committed: kUnavailable (busy/locked, I/O error, read-only file),
  // kResourceExhausted (disk full, out of memory), kFailedPrecondition (not opened),
  // kInternal (corruption, misuse). Not thread-safe (one writer thread).
  [[nodiscard]] Status Write(std::span<const schema::Record> records,
                             std::vector<RecordResult>* results) override;

  // A read on a separate read-only connection; thread-safe (serialized by a mutex).
  [[nodiscard]] Status Ping() override;

  std::string Describe() const override;  // "embedded:<path>"

  // Lowers SQLite's limit on one value / row (SQLITE_LIMIT_LENGTH) so tests can have a record
  // refused (SQLITE_TOOBIG). After Open().
  void SetMaxValueBytesForTest(int bytes);

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
  using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using KeySet = std::unordered_set<std::string, Hash, std::equal_to<>>;
  enum class RecordStatus { kDone, kRefused, kBatchError };
  enum class Control { kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo, kCount };

  Status ApplySchema();
  Status Prepare();   // every catalogue and control statement, once
  Status OpenPing();  // the read-only connection Ping() uses
  // One pass over the batch inside one transaction; per-record savepoints iff `savepoints`.
  // Without savepoints, the first refused record stops the pass (*needs_savepoints = true,
  // transaction rolled back) so the caller can re-run the batch with them.
  Status RunBatch(std::span<const schema::Record> records, bool savepoints,
                  std::vector<RecordResult>* results, bool* needs_savepoints);
  RecordStatus ExecutePlan(RecordResult* result, Status* batch_error);
  // Steps and resets a control statement; on failure returns the error Status (message taken
  // before anything else can overwrite SQLite's error text).
  Status RunControl(Control control);
  void RollbackIfOpen();
  // Executes the summed counter increments of the transaction (before COMMIT).
  Status FlushCounters();
  // For a plan whose idempotency key points to the row it inserts: that row's table
  // (RowIdPredictor::TableOf), else nullopt.
  std::optional<size_t> KeyedRowTable() const;
  // Forgets what the transaction knows (existing sessions / timesteps; counter sums if `all`).
  void ForgetTransactionState(bool all);
  std::string_view TimestepKey(const storage::Step& claim);

  const SqliteSinkOptions options_;
  // Declared before the statements: members are destroyed in reverse order, so statements are
  // finalized before their connection closes.
  DbPtr db_;
  std::array<StmtPtr, storage::kStatementCount> statements_;
  std::array<StmtPtr, static_cast<size_t>(Control::kCount)> control_;
  // kClaimKey with tc_idempotency.row_id as ?4 (the predicted id of the record's row), so the
  // plan's kSetKeyRowId UPDATE is only needed when the prediction was wrong.
  StmtPtr claim_with_row_id_;
  RowIdPredictor row_ids_;
  // After db_: stopped (hook removed, thread joined) before the writer connection closes.
  WalCheckpointer checkpointer_;
  // Scratch reused across records and batches (writer thread only).
  std::string now_;
  storage::RecordPlan plan_;
  std::vector<uint8_t> step_ok_;
  // What the open transaction knows to exist: sessions ensured and timesteps claimed in it (a
  // later kEnsureSession would do nothing, a later kClaimTimestep would fail: both are skipped).
  // Cleared at BEGIN and whenever a record is rolled back.
  KeySet known_sessions_;
  KeySet known_timesteps_;  // session_id + '\0' + step_id
  std::string key_;
  storage::CounterBatch counters_;
  std::vector<storage::Step> flush_steps_;

  std::mutex ping_mutex_;
  DbPtr ping_db_;      // guarded by ping_mutex_
  StmtPtr ping_stmt_;  // guarded by ping_mutex_
};

}  // namespace tc::sink
