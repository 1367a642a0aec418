#include "sqlite_sink.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <utility>

#include "common/log.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "sqlite_sink_util.h"
#include "storage/ddl.h"

// Why a batch is written the way it is (the cheapest correct design we found):
// A record must be committed whole or not at all, and a refused record must not take the rest of
// its batch with it. A SAVEPOINT/RELEASE pair around every record would give that, at the cost of
// two extra statements per record on the hot path, for a failure that is rare (in practice an
// event_reward whose event_ref does not resolve, or a system_version clash). So a batch runs
// optimistically first: BEGIN IMMEDIATE, every plan, COMMIT, no savepoints. Claim conflicts
// (duplicates, existing timesteps) are ordinary there: a failed INSERT changes nothing and
// only skips its guarded steps. If a record is refused, the pass is rolled back and the batch
// runs once more with a savepoint per record, where a refused record is undone alone
// (ROLLBACK TO) and the others commit. The price of a refusal is thus one extra pass over its
// batch, bounded (the second pass never restarts), and the fast path pays nothing.
// Two more savings, both exact within one transaction (we hold the write lock, and nothing in a
// plan reads a counter): a session or timestep already ensured/claimed in the transaction skips
// its kEnsureSession (would do nothing) or kClaimTimestep (would fail: treated as failed), and
// counter increments whose guard passed are summed (storage::CounterBatch) and applied once per
// session / timestep just before COMMIT.
// A keyed record's claim also stores tc_idempotency.row_id, predicted (RowIdPredictor: the
// AUTOINCREMENT rule, then counted along), so the plan's kSetKeyRowId UPDATE only runs when the
// row got another id than predicted: one statement per keyed record less, same rows.
// Busy / I/O / full-disk errors abort the whole batch (rolled back, nothing committed): the
// caller retries it intact.

namespace tc::sink {
namespace {

using storage::StatementId;
using storage::StepKind;
using sqlite_util::Bind;
using sqlite_util::Exec;
using sqlite_util::FileId;
using sqlite_util::IsClaimConflict;
using sqlite_util::IsRecordRefusal;
using sqlite_util::QueryText;
using sqlite_util::StatusFromSqlite;
using sqlite_util::StepAndReset;
using sqlite_util::QueryAll;

// kClaimKey plus the row id (see claim_with_row_id_). Same columns, same conflict.
constexpr std::string_view kClaimKeyWithRowIdSql =
    "INSERT INTO tc_idempotency (\"key\", record_type, created_at, row_id) VALUES (?1, ?2, ?3, "
    "?4)";

constexpr std::string_view kControlSql[] = {
    "BEGIN IMMEDIATE",       "COMMIT", "ROLLBACK", "SAVEPOINT tc_record", "RELEASE tc_record",
    "ROLLBACK TO tc_record",
};

}  // namespace

void SqliteSink::DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void SqliteSink::StmtFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Result<std::unique_ptr<SqliteSink>> SqliteSink::Create(const SqliteSinkOptions& options) {
  // SQLite's memory statistics take a global mutex on every allocation (~8% of a record's
  // cost); nothing reads them. Only possible before SQLite initializes (the first open), so
  // best effort: once, at the first sink of the process.
  static const bool kMemStatusOff = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  static_cast<void>(kMemStatusOff);
  if (options.path.empty()) {
    return Status::InvalidArgument("embedded sink: empty database path");
  }
  const std::string sync = AsciiUpper(options.synchronous);
  if (sync != "FULL" && sync != "NORMAL" && sync != "EXTRA" && sync != "OFF") {
    return Status::InvalidArgument(
        fmt::format("embedded sink: synchronous must be FULL, NORMAL, EXTRA or OFF, not '{}'",
                    options.synchronous));
  }
  if (options.checkpoint.start_frames < 1 ||
      options.checkpoint.max_frames < options.checkpoint.start_frames) {
    return Status::InvalidArgument(
        fmt::format("embedded sink: checkpoint frames must be 1 <= start ({}) <= max ({})",
                    options.checkpoint.start_frames, options.checkpoint.max_frames));
  }
  SqliteSinkOptions normalized = options;
  normalized.synchronous = sync;
  return std::make_unique<SqliteSink>(PrivateTag{}, std::move(normalized));
}

Result<std::unique_ptr<EmbeddedSink>> CreateSqliteSink(const SqliteSinkOptions& options) {
  TC_ASSIGN_OR_RETURN(std::unique_ptr<SqliteSink> sink, SqliteSink::Create(options));
  return std::unique_ptr<EmbeddedSink>(std::move(sink));
}

SqliteSink::SqliteSink(PrivateTag, SqliteSinkOptions options)
    : options_(std::move(options)), checkpointer_(options_.checkpoint) {}

SqliteSink::~SqliteSink() {
  // A file lost since the last batch is closed the way LoseFile does it (its WAL emptied
  // through our descriptors; nothing at the path touched).
  if (db_ != nullptr && CheckFile().ok()) {
    checkpointer_.Stop();
    TC_LOG(kInfo, "sink",
           "embedded database {} closing ({} background and {} inline WAL checkpoints)",
           options_.path, checkpointer_.background_runs(), checkpointer_.inline_runs());
  }
  CloseConnections();
}

std::string SqliteSink::Describe() const { return "embedded:" + options_.path; }

void SqliteSink::SetMaxValueBytesForTest(int bytes) {
  sqlite3_limit(db_.get(), SQLITE_LIMIT_LENGTH, bytes);
}

Status SqliteSink::Open() {
  if (db_ != nullptr) {
    return Status::Ok();
  }
  return lost_ ? Reopen() : OpenFile(/*create=*/true);
}

Status SqliteSink::OpenFile(bool create) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(options_.path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, "open " + options_.path,
                            raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
  }
  // SQLite opens a file it may not write read-only rather than failing: that can never work.
  if (sqlite3_db_readonly(db.get(), "main") == 1) {
    return Status::FailedPrecondition(
        fmt::format("sqlite open {}: the file can only be opened read-only", options_.path));
  }
  // The identity of the file just opened (SQLite opens it in sqlite3_open_v2): what the path
  // names now, confirmed against SQLite's own descriptor (SQLITE_FCNTL_HAS_MOVED), so a rename
  // between the two is not taken for our file.
  Result<FileId> file = sqlite_util::StatFileId(options_.path);
  int moved = 0;
  if (file.has_value() &&
      sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK &&
      moved != 0) {
    file = Status::Unavailable(fmt::format("{} was replaced while being opened", options_.path));
  }
  if (!file.has_value()) {
    return Status::Unavailable(fmt::format("sqlite open {}: {}", options_.path,
                                           file.error().message()));
  }
  open_file_ = *file;
  sqlite3_extended_result_codes(db.get(), 1);
  for (const std::string& pragma :
       storage::EmbeddedPragmas(options_.synchronous, options_.busy_timeout_ms)) {
    TC_ASSIGN_OR_RETURN(std::string answer, QueryText(db.get(), pragma));
    if (pragma.find("journal_mode") != std::string::npos && AsciiUpper(answer) != "WAL") {
      return Status::FailedPrecondition(
          fmt::format("sqlite {}: cannot use WAL journal mode (got '{}')", options_.path, answer));
    }
  }
  db_ = std::move(db);
  Status status = ApplySchema();
  if (status.ok()) {
    status = Prepare();
  }
  if (status.ok()) {
    status = OpenPing();
  }
  if (status.ok()) {
    status = checkpointer_.Attach(db_.get(), options_.path, options_.busy_timeout_ms);
  }
  if (status.ok()) {
    // The Ping and checkpoint connections opened the path too: still the same file?
    if (std::string change = sqlite_util::DescribeFileChange(options_.path, open_file_);
        !change.empty()) {
      status = Status::Unavailable(change);
    }
  }
  if (!status.ok()) {
    CloseConnections();
    return status;
  }
  {
    std::lock_guard<std::mutex> lock(file_mu_);
    published_file_ = open_file_;
  }
  TC_LOG(kInfo, "sink", "embedded database {} open (synchronous={})", options_.path,
         options_.synchronous);
  return Status::Ok();
}

void SqliteSink::CloseConnections() {
  checkpointer_.Stop();
  {
    std::lock_guard<std::mutex> lock(ping_mutex_);
    ping_stmt_.reset();
    ping_db_.reset();
  }
  for (StmtPtr& stmt : statements_) {
    stmt.reset();
  }
  for (StmtPtr& stmt : control_) {
    stmt.reset();
  }
  claim_with_row_id_.reset();
  maintenance_stmts_.clear();
  row_ids_.Close();
  db_.reset();
}

Status SqliteSink::ApplySchema() {
  // storage::ApplySchema over this sink's writer connection, all of it inside one BEGIN
  // IMMEDIATE ... COMMIT: another process opening the same file at the same time waits for the
  // write lock and then sees the finished schema (it never runs a migration on columns it read
  // before ours committed). Each of ApplySchema's transactions is a savepoint inside it.
  class Executor : public storage::SchemaExecutor {
   public:
    Executor(sqlite3* db, std::string describe) : db_(db), describe_(std::move(describe)) {}
    Status RunTransaction(std::span<const std::string_view> statements) override {
      TC_RETURN_IF_ERROR(Exec(db_, "SAVEPOINT tc_schema"));
      for (std::string_view sql : statements) {
        if (Status status = Exec(db_, sql); !status.ok()) {
          // Best effort: the outer ROLLBACK undoes it anyway; `status` is the error.
          static_cast<void>(Exec(db_, "ROLLBACK TO tc_schema"));
          return status;
        }
      }
      return Exec(db_, "RELEASE tc_schema");
    }
    Result<std::vector<storage::QueryRows>> Query(
        std::span<const std::string_view> queries) override {
      std::vector<storage::QueryRows> out;
      for (std::string_view sql : queries) {
        TC_ASSIGN_OR_RETURN(storage::QueryRows rows, QueryAll(db_, sql));
        out.push_back(std::move(rows));
      }
      return out;
    }
    std::string Describe() const override { return describe_; }

   private:
    sqlite3* db_;
    std::string describe_;
  };
  sqlite3* db = db_.get();
  TC_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Executor executor(db, "sqlite " + options_.path);
  Result<storage::SchemaApplied> applied =
      storage::ApplySchema(executor, {.message_index = options_.message_index});
  if (!applied.has_value()) {
    static_cast<void>(Exec(db, "ROLLBACK"));  // best effort; the error to report is ApplySchema's
    return applied.error();
  }
  TC_RETURN_IF_ERROR(Exec(db, "COMMIT"));
  if (applied->migration_statements > 0) {
    TC_LOG(kInfo, "sink", "migrated the reward tables of {} to synth-ai's G3 schema ({} steps)",
           options_.path, applied->migration_statements);
  }
  if (applied->message_index_created) {
    TC_LOG(kInfo, "sink", "{}: created the full-text index of messages (q= of the read API)",
           options_.path);
  }
  return Status::Ok();
}

Status SqliteSink::Prepare() {
  auto prepare = [&](std::string_view sql, StmtPtr* out) -> Status {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    out->reset(raw);
    if (rc != SQLITE_OK) {
      return StatusFromSqlite(rc, fmt::format("prepare `{}`", sql), sqlite3_errmsg(db_.get()));
    }
    return Status::Ok();
  };
  for (size_t i = 0; i < storage::kStatementCount; ++i) {
    const auto id = static_cast<StatementId>(i);
    TC_RETURN_IF_ERROR(prepare(storage::StatementSql(id), &statements_[i]));
    if (sqlite3_bind_parameter_count(statements_[i].get()) != storage::StatementParamCount(id)) {
      return Status::Internal(fmt::format(
          "statement {} has {} parameters, catalogue says {}", storage::StatementName(id),
          sqlite3_bind_parameter_count(statements_[i].get()), storage::StatementParamCount(id)));
    }
  }
  for (size_t i = 0; i < control_.size(); ++i) {
    TC_RETURN_IF_ERROR(prepare(kControlSql[i], &control_[i]));
  }
  TC_RETURN_IF_ERROR(prepare(kClaimKeyWithRowIdSql, &claim_with_row_id_));
  return row_ids_.Prepare(db_.get());
}

Status SqliteSink::OpenPing() {
  std::lock_guard<std::mutex> lock(ping_mutex_);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(options_.path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  ping_db_.reset(raw);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, "open (read-only) " + options_.path,
                            raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
  }
  sqlite3_busy_timeout(raw, static_cast<int>(options_.busy_timeout_ms));
  constexpr std::string_view kPingSql = "SELECT 1 FROM tc_schema_version LIMIT 1";
  sqlite3_stmt* stmt = nullptr;
  rc = sqlite3_prepare_v3(raw, kPingSql.data(), static_cast<int>(kPingSql.size()),
                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  ping_stmt_.reset(stmt);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, "prepare ping", sqlite3_errmsg(raw));
  }
  return Status::Ok();
}

Status SqliteSink::Ping() {
  std::lock_guard<std::mutex> lock(ping_mutex_);
  if (ping_stmt_ == nullptr) {
    return Status::Unavailable("embedded sink not open");
  }
  std::string error;
  int rc = StepAndReset(ping_db_.get(), ping_stmt_.get(), &error);
  if (rc != SQLITE_DONE) {
    return StatusFromSqlite(rc, "ping", error);
  }
  return Status::Ok();
}

Status SqliteSink::RunControl(Control control) {
  std::string error;
  int rc = StepAndReset(db_.get(), control_[static_cast<size_t>(control)].get(), &error);
  if (rc != SQLITE_DONE) {
    return StatusFromSqlite(rc, kControlSql[static_cast<size_t>(control)], error);
  }
  return Status::Ok();
}

void SqliteSink::RollbackIfOpen() {
  if (sqlite3_get_autocommit(db_.get()) == 0) {
    Status status = RunControl(Control::kRollback);
    if (!status.ok()) {
      TC_LOG(kError, "sink", "rollback failed: {}", status.ToString());
    }
  }
}

Status SqliteSink::Write(std::span<const schema::Record> records,
                         std::vector<RecordResult>* results) {
  results->clear();
  if (db_ == nullptr) {
    if (!lost_) {
      return Status::FailedPrecondition("embedded sink not open");
    }
    TC_RETURN_IF_ERROR(Reopen());
  }
  if (records.empty()) {
    return Status::Ok();
  }
  // Not even attempted into a file that is gone from its path.
  TC_RETURN_IF_ERROR(CheckFile());
  now_ = NowIsoUtc();
  bool needs_savepoints = false;
  Status status = RunBatch(records, /*savepoints=*/false, results, &needs_savepoints);
  if (status.ok() && needs_savepoints) {
    status = RunBatch(records, /*savepoints=*/true, results, &needs_savepoints);
  }
  // After the COMMIT and before anything is reported stored: a file deleted or replaced while
  // the batch ran took the batch with it (whatever the batch's own outcome: retry it).
  if (Status file = CheckFile(); !file.ok()) {
    status = std::move(file);
  }
  if (!status.ok()) {
    results->clear();
  }
  return status;
}

Status SqliteSink::RunBatch(std::span<const schema::Record> records, bool savepoints,
                            std::vector<RecordResult>* results, bool* needs_savepoints) {
  *needs_savepoints = false;
  results->resize(records.size());
  TC_RETURN_IF_ERROR(RunControl(Control::kBegin));
  ForgetTransactionState(/*all=*/true);
  auto fail = [&](Status status) {
    RollbackIfOpen();
    return status;
  };
  for (size_t i = 0; i < records.size(); ++i) {
    storage::PlanRecordInto(records[i], now_, &plan_);
    if (plan_.moves_sessions) {
      // The move adds the provisional session's stored counters to another session and
      // deletes it: what this transaction summed so far must be in the rows first.
      if (Status s = FlushCounters(); !s.ok()) {
        return fail(std::move(s));
      }
      counters_.Clear();
    }
    RecordResult& result = (*results)[i];
    result.outcome = RecordOutcome::kStored;
    result.message.clear();
    if (savepoints) {
      if (Status s = RunControl(Control::kSavepoint); !s.ok()) {
        return fail(std::move(s));
      }
    }
    Status batch_error;
    switch (ExecutePlan(&result, &batch_error)) {
      case RecordStatus::kDone:
        counters_.CommitPending();
        if (plan_.moves_sessions) {
          known_sessions_.clear();  // a session or timestep known to exist may be gone
          known_timesteps_.clear();
        }
        break;
      case RecordStatus::kRefused:
        counters_.DropPending();
        if (!savepoints) {
          *needs_savepoints = true;
          return fail(Status::Ok());
        }
        if (Status s = RunControl(Control::kRollbackTo); !s.ok()) {
          return fail(std::move(s));
        }
        ForgetTransactionState(/*all=*/false);
        break;
      case RecordStatus::kBatchError:
        return fail(std::move(batch_error));
    }
    if (savepoints) {
      if (Status s = RunControl(Control::kRelease); !s.ok()) {
        return fail(std::move(s));
      }
    }
  }
  if (Status s = FlushCounters(); !s.ok()) {
    return fail(std::move(s));
  }
  if (Status s = RunControl(Control::kCommit); !s.ok()) {
    return fail(std::move(s));
  }
  return Status::Ok();
}

void SqliteSink::ForgetTransactionState(bool all) {
  known_sessions_.clear();
  known_timesteps_.clear();
  row_ids_.Reset();
  if (all) {
    counters_.Clear();
  }
}

std::string_view SqliteSink::TimestepKey(const storage::Step& claim) {
  key_.assign(storage::SessionOf(claim));
  key_.push_back('\0');
  key_.append(storage::TimestepOf(claim));
  return key_;
}

Status SqliteSink::FlushCounters() {
  counters_.MakeFlushSteps(&flush_steps_);
  std::string error;
  for (const storage::Step& step : flush_steps_) {
    sqlite3_stmt* stmt = statements_[static_cast<size_t>(step.statement)].get();
    int rc = Bind(stmt, step.args);
    if (rc == SQLITE_OK) {
      rc = StepAndReset(db_.get(), stmt, &error);
    } else {
      error = sqlite3_errmsg(db_.get());
    }
    if (rc != SQLITE_DONE) {
      return StatusFromSqlite(rc, storage::StatementName(step.statement), error);
    }
  }
  return Status::Ok();
}

std::optional<size_t> SqliteSink::KeyedRowTable() const {
  if (plan_.keyed_row < 0) {
    return std::nullopt;
  }
  return RowIdPredictor::TableOf(plan_.steps[static_cast<size_t>(plan_.keyed_row)].statement);
}

SqliteSink::RecordStatus SqliteSink::ExecutePlan(RecordResult* result, Status* batch_error) {
  const std::vector<storage::Step>& steps = plan_.steps;
  step_ok_.assign(steps.size(), 0);
  counters_.DropPending();
  std::string error;
  int64_t predicted_row_id = 0;  // stored by the key's claim; 0 = none (kSetKeyRowId sets it)
  for (size_t j = 0; j < steps.size(); ++j) {
    const storage::Step& step = steps[j];
    if (step.guard >= 0 && step_ok_[static_cast<size_t>(step.guard)] == 0) {
      continue;
    }
    const StatementId id = step.statement;
    const StepKind kind = step.kind;
    if (kind == StepKind::kCount) {
      counters_.AddPending(step);  // applied at COMMIT if the record is kept
      step_ok_[j] = 1;
      continue;
    }
    if (kind == StepKind::kEnsureSession && known_sessions_.contains(storage::SessionOf(step))) {
      step_ok_[j] = 1;  // exists: the INSERT ... DO NOTHING would do nothing
      continue;
    }
    if (kind == StepKind::kClaimTimestep && known_timesteps_.contains(TimestepKey(step))) {
      continue;  // exists: the claim would fail
    }
    if (kind == StepKind::kSetKeyRowId && predicted_row_id != 0 &&
        sqlite3_last_insert_rowid(db_.get()) == predicted_row_id) {
      step_ok_[j] = 1;  // the claim stored the right row id already
      continue;
    }
    sqlite3_stmt* stmt = statements_[static_cast<size_t>(id)].get();
    if (kind == StepKind::kKeyClaim) {
      if (std::optional<size_t> table = KeyedRowTable()) {
        Result<int64_t> next = row_ids_.Next(*table);
        if (!next.has_value()) {
          *batch_error = next.error();
          return RecordStatus::kBatchError;
        }
        predicted_row_id = *next;
        stmt = claim_with_row_id_.get();
      }
    }
    int rc = Bind(stmt, step.args);
    if (rc == SQLITE_OK && stmt == claim_with_row_id_.get()) {
      rc = sqlite3_bind_int64(stmt, 4, predicted_row_id);
    }
    if (rc == SQLITE_OK) {
      rc = StepAndReset(db_.get(), stmt, &error);
    } else {
      error = sqlite3_errmsg(db_.get());
    }
    if (rc == SQLITE_DONE && kind == StepKind::kInsertRow) {
      if (std::optional<size_t> table = RowIdPredictor::TableOf(id)) {
        row_ids_.Inserted(*table, sqlite3_last_insert_rowid(db_.get()));
      }
    }
    const bool claim_conflict = rc != SQLITE_DONE && step.claim && IsClaimConflict(rc);
    if (rc == SQLITE_DONE || claim_conflict) {
      if (kind == StepKind::kEnsureSession || kind == StepKind::kUpsertSession) {
        const std::string_view session_id = storage::SessionOf(step);
        if (!known_sessions_.contains(session_id)) {
          known_sessions_.emplace(session_id);
        }
      } else if (kind == StepKind::kClaimTimestep) {
        known_timesteps_.emplace(TimestepKey(step));
      }
      step_ok_[j] = claim_conflict ? 0 : 1;  // a failed claim skips its guarded steps
      continue;
    }
    if (IsRecordRefusal(rc)) {
      result->outcome = RecordOutcome::kRefused;
      std::string_view hint = storage::NotNullRefusalHint(id);
      result->message = rc == SQLITE_CONSTRAINT_NOTNULL && !hint.empty()
                            ? fmt::format("{} ({})", hint, error)
                            : error;
      return RecordStatus::kRefused;
    }
    *batch_error = StatusFromSqlite(rc, storage::StatementName(id), error);
    return RecordStatus::kBatchError;
  }
  result->outcome =
      plan_.has_key_claim && step_ok_[0] == 0 ? RecordOutcome::kDuplicate : RecordOutcome::kStored;
  return RecordStatus::kDone;
}

}  // namespace tc::sink
