#pragma once

// The embedded backend: one SQLite file in WAL mode, written by one connection, with the schema
// and statements of storage/ (so rows match what the Hrana sink writes to sqld).
//
// A deleted or replaced database file. SQLite goes on committing into a file that was unlinked
// (rm of the file and its -wal/-shm) or renamed away while open: those commits are gone from
// the path, so acknowledging them as stored would lose them. The sink remembers the identity
// (st_dev, st_ino) of the file it opened and stat()s the path before and after every batch
// (after the COMMIT, before reporting success): a path that is missing or names another file
// fails the batch with kUnavailable (retryable: the pipeline spools it or retries it), logs an
// error once, and closes every connection (writer, Ping, checkpointer) after emptying the WAL
// into the lost file (so a -wal left at the path cannot be applied to a file put there later).
// While lost, Health() is kUnavailable (/readyz 503) and nothing is written; once the path
// names a file again (restored or recreated by an operator) the next Write (or Idle) reopens
// it like Open() does (schema applied) — but never creates one: a missing file stays missing
// until it is put back or the collector restarts (whose Open creates a new, empty database).

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/result.h"
#include "contract/sink.h"
#include "sink/sqlite.h"
#include "sqlite_sink_checkpoint.h"
#include "sqlite_sink_rowids.h"
#include "sqlite_sink_util.h"
#include "storage/counter_batch.h"
#include "storage/statements.h"
#include "storage/write_plan.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tc::sink {


class SqliteSink : public EmbeddedSink {
  struct PrivateTag {};

 public:
  // Validates the options (kInvalidArgument); opens nothing yet (see Open()).
  static Result<std::unique_ptr<SqliteSink>> Create(const SqliteSinkOptions& options);
  SqliteSink(PrivateTag, SqliteSinkOptions options);  // use Create()
  ~SqliteSink() override;
  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;

  // Opens (creating) the file, sets the pragmas (storage::EmbeddedPragmas), creates the schema /
  // applies synth-ai's G2 -> G3 migrations (storage::ApplySchema), prepares every catalogue
  // statement, opens the read-only Ping connection and starts the WAL checkpointer (its own
  // connection and thread: checkpoints run beside the writes, not inside COMMIT).
  // Errors: kUnavailable (cannot open or lock the file), kFailedPrecondition (the database has
  // a newer collector schema, or WAL cannot be enabled), kInternal (anything else).
  // Calling it again after success is a no-op; after the file was lost (see the top of this
  // header) it reopens the file if the path names one, without creating it (kUnavailable).
  [[nodiscard]] Status Open() override;

  // One BEGIN IMMEDIATE ... COMMIT per call. Records are executed with the claim/guard rules of
  // storage/write_plan.h; a record refused by the database (constraint, unresolved reference) is
  // rolled back alone and reported kRefused with SQLite's message; the others commit.
  // On error nothing is committed (or, if the file was deleted or replaced while the batch ran,
  // it was committed into the lost file only): kUnavailable (busy/locked, I/O error, read-only
  // file, the database file deleted or replaced — until a file is back at the path and could be
  // reopened), kResourceExhausted (disk full, out of memory), kFailedPrecondition (not opened),
  // kInternal (corruption, misuse). Not thread-safe (one writer thread).
  [[nodiscard]] Status Write(std::span<const schema::Record> records,
                             std::vector<RecordResult>* results) override;

  // For /readyz, thread-safe, one stat(2): kUnavailable (with why, naming the path) while the
  // database file is lost or the path no longer names the open file; OK otherwise, and before
  // the first successful Open().
  [[nodiscard]] Status Health() const override;

  // Housekeeping for the writer thread while it has nothing to write (the pipeline calls it
  // every few tens of milliseconds; it acts at most once per kIdleCheckInterval, by `now`):
  // notices a lost file without waiting for the next batch (and closes it, so an unlinked file
  // is not kept alive), and reopens the file once the path names one again. Not thread-safe:
  // only from the thread that calls Write.
  static constexpr std::chrono::seconds kIdleCheckInterval{1};
  void Idle(std::chrono::steady_clock::time_point now) override;
  void Idle() { Idle(std::chrono::steady_clock::now()); }

  // Deleting sessions (storage/retention.h), on the writer connection, one BEGIN IMMEDIATE per
  // call; errors as for Write. Retain also gives the freed pages back (PRAGMA
  // incremental_vacuum) when the database was created with auto_vacuum = INCREMENTAL, and
  // measures the data as (page_count - freelist_count) * page_size. Writer thread only.
  [[nodiscard]] Status DeleteSession(std::string_view session_id, DeletedRows* deleted) override;
  [[nodiscard]] Status Retain(const RetentionPolicy& policy, RetentionPass* pass) override;

  // A read on a separate read-only connection; thread-safe (serialized by a mutex).
  [[nodiscard]] Status Ping() override;

  std::string Describe() const override;  // "embedded:<path>"

  // Lowers SQLite's limit on one value / row (SQLITE_LIMIT_LENGTH) so tests can have a record
  // refused (SQLITE_TOOBIG). After Open().
  void SetMaxValueBytesForTest(int bytes);
  // Runs `hook` inside every COMMIT of the writer connection (sqlite3_commit_hook), e.g. to
  // delete the file while a batch commits. After Open(); dropped when the file is reopened.
  void SetCommitHookForTest(std::function<void()> hook);

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

  // Opens the file (creating it iff `create`) and everything Open() describes; on failure
  // leaves the sink closed.
  Status OpenFile(bool create);
  // Finalizes every statement and closes every connection (checkpointer first).
  void CloseConnections();
  // Writer thread, while open: OK if the path still names the open file, else LoseFile().
  Status CheckFile();
  // The file is gone (`why`): logs it, marks the sink lost (Health() fails), empties the WAL
  // into the lost file, closes everything. Returns the kUnavailable a Write reports.
  Status LoseFile(const std::string& why);
  // While lost: reopens the file if the path names one (kUnavailable while it does not, or if
  // it cannot be opened).
  Status Reopen();
  static int CommitHookForTest(void* self);  // sqlite3_commit_hook → commit_hook_for_test_
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
  // The writer connection, open and still naming the path (reopened if it was lost).
  Status ReadyForMaintenance();
  // (page_count - freelist_count) * page_size, and the free pages.
  Result<std::pair<uint64_t, uint64_t>> DataBytesAndFreePages();
  class Maintenance;  // storage::MaintenanceExecutor over db_ (sqlite_sink_retention.cc)

  const SqliteSinkOptions options_;
  // Declared before the statements: members are destroyed in reverse order, so statements are
  // finalized before their connection closes.
  DbPtr db_;
  std::array<StmtPtr, storage::kStatementCount> statements_;
  std::array<StmtPtr, static_cast<size_t>(Control::kCount)> control_;
  // kClaimKey with tc_idempotency.row_id as ?4 (the predicted id of the record's row), so the
  // plan's kSetKeyRowId UPDATE is only needed when the prediction was wrong.
  StmtPtr claim_with_row_id_;
  // Retention's statements, prepared on first use (keyed by their static text's address).
  std::unordered_map<const char*, StmtPtr> maintenance_stmts_;
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

  // The database file (see the top of this header). Writer thread only: the open file's
  // identity, whether the file was lost (connections closed until Reopen succeeds), when Idle
  // checks next, the test commit hook.
  sqlite_util::FileId open_file_;
  bool lost_ = false;
  std::chrono::steady_clock::time_point next_idle_check_{};
  std::function<void()> commit_hook_for_test_;
  // What Health() reads from other threads.
  mutable std::mutex file_mu_;
  std::optional<sqlite_util::FileId> published_file_;  // guarded by file_mu_; set by Open
  std::string lost_why_;  // guarded by file_mu_; why the file was lost, while lost_
};

}  // namespace tc::sink
