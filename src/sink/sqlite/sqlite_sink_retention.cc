// SqliteSink: deleting sessions (retention, DELETE /v1/sessions/{id}) and giving the space back.

#include <fmt/format.h>
#include <sqlite3.h>

#include "common/log.h"
#include "sqlite_sink.h"
#include "sqlite_sink_util.h"
#include "storage/retention.h"

namespace tc::sink {
namespace {

DeletedRows ToDeletedRows(const storage::DeletedRowCounts& counts) {
  DeletedRows out;
  out.sessions = counts.sessions();
  const auto names = storage::SessionTableNames();
  for (size_t i = 0; i < names.size(); ++i) {
    out.tables.emplace_back(std::string(names[i]), counts.rows[i]);
  }
  return out;
}

}  // namespace

// storage::MaintenanceExecutor over the writer connection. Statements are prepared once and
// kept (their texts are static); a transaction is BEGIN IMMEDIATE ... COMMIT, rolled back on
// the first failure.
class SqliteSink::Maintenance : public storage::MaintenanceExecutor {
 public:
  explicit Maintenance(SqliteSink& sink) : sink_(sink) {}

  Result<storage::QueryRows> Query(std::string_view sql,
                                   std::span<const storage::SqlValue> args) override {
    TC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Statement(sql));
    // Bound SQLITE_STATIC: the values must live until the statement is reset.
    const std::vector<storage::SqlValue> values(args.begin(), args.end());
    int rc = sqlite_util::Bind(stmt, values);
    storage::QueryRows rows;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
      rc = sqlite3_step(stmt);
      if (rc != SQLITE_ROW) {
        break;
      }
      auto& row = rows.emplace_back();
      for (int col = 0; col < sqlite3_column_count(stmt); ++col) {
        const unsigned char* text = sqlite3_column_text(stmt, col);
        row.emplace_back(text == nullptr ? std::optional<std::string>()
                                         : std::string(reinterpret_cast<const char*>(text)));
      }
    }
    std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(sink_.db_.get());
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc != SQLITE_DONE) {
      return sqlite_util::StatusFromSqlite(rc, fmt::format("`{:.60}`", sql), error);
    }
    return rows;
  }

  Status RunTransaction(std::span<const storage::BoundStatement> statements) override {
    TC_RETURN_IF_ERROR(sink_.RunControl(Control::kBegin));
    std::string error;
    for (const storage::BoundStatement& statement : statements) {
      Result<sqlite3_stmt*> stmt = Statement(statement.sql);
      if (!stmt.has_value()) {
        sink_.RollbackIfOpen();
        return stmt.error();
      }
      int rc = sqlite_util::Bind(*stmt, statement.args);
      if (rc == SQLITE_OK) {
        rc = sqlite_util::StepAndReset(sink_.db_.get(), *stmt, &error);
      } else {
        error = sqlite3_errmsg(sink_.db_.get());
      }
      if (rc != SQLITE_DONE) {
        sink_.RollbackIfOpen();
        return sqlite_util::StatusFromSqlite(rc, fmt::format("`{:.60}`", statement.sql), error);
      }
    }
    if (Status status = sink_.RunControl(Control::kCommit); !status.ok()) {
      sink_.RollbackIfOpen();
      return status;
    }
    return Status::Ok();
  }

 private:
  Result<sqlite3_stmt*> Statement(std::string_view sql) {
    StmtPtr& slot = sink_.maintenance_stmts_[sql.data()];
    if (slot == nullptr) {
      sqlite3_stmt* raw = nullptr;
      int rc = sqlite3_prepare_v3(sink_.db_.get(), sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      slot.reset(raw);
      if (rc != SQLITE_OK) {
        return sqlite_util::StatusFromSqlite(rc, fmt::format("prepare `{:.60}`", sql),
                                             sqlite3_errmsg(sink_.db_.get()));
      }
    }
    return slot.get();
  }

  SqliteSink& sink_;
};

Status SqliteSink::ReadyForMaintenance() {
  if (db_ == nullptr) {
    if (!lost_) {
      return Status::FailedPrecondition("embedded sink not open");
    }
    TC_RETURN_IF_ERROR(Reopen());
  }
  return CheckFile();
}

Result<std::pair<uint64_t, uint64_t>> SqliteSink::DataBytesAndFreePages() {
  TC_ASSIGN_OR_RETURN(std::string pages, sqlite_util::QueryText(db_.get(), "PRAGMA page_count"));
  TC_ASSIGN_OR_RETURN(std::string free, sqlite_util::QueryText(db_.get(), "PRAGMA freelist_count"));
  TC_ASSIGN_OR_RETURN(std::string size, sqlite_util::QueryText(db_.get(), "PRAGMA page_size"));
  const uint64_t page_count = std::stoull(pages);
  const uint64_t free_pages = std::stoull(free);
  const uint64_t page_size = std::stoull(size);
  const uint64_t used = page_count > free_pages ? page_count - free_pages : 0;
  return std::pair(used * page_size, free_pages);
}

Status SqliteSink::DeleteSession(std::string_view session_id, DeletedRows* deleted) {
  *deleted = DeletedRows{};
  TC_RETURN_IF_ERROR(ReadyForMaintenance());
  Maintenance db(*this);
  const std::string id(session_id);
  TC_ASSIGN_OR_RETURN(storage::DeletedRowCounts counts,
                      storage::DeleteSessions(db, std::span<const std::string>(&id, 1)));
  TC_RETURN_IF_ERROR(CheckFile());
  if (counts.sessions() == 0) {
    return Status::NotFound(fmt::format("no session '{}'", session_id));
  }
  *deleted = ToDeletedRows(counts);
  return Status::Ok();
}

Status SqliteSink::Retain(const RetentionPolicy& policy, RetentionPass* pass) {
  *pass = RetentionPass{};
  TC_RETURN_IF_ERROR(ReadyForMaintenance());
  Maintenance db(*this);
  bool over_size = false;
  if (policy.max_db_bytes > 0) {
    TC_ASSIGN_OR_RETURN(auto measured, DataBytesAndFreePages());
    over_size = measured.first > policy.max_db_bytes;
  }
  TC_ASSIGN_OR_RETURN(
      storage::RetentionOutcome outcome,
      storage::RunRetentionPass(db, policy.created_before, over_size, policy.max_sessions));
  pass->deleted = ToDeletedRows(outcome.deleted);
  pass->oldest_session_unix = outcome.oldest_session_unix;
  pass->more = outcome.selected >= policy.max_sessions;
  // Give the freed pages back (a database created with auto_vacuum = INCREMENTAL; elsewhere
  // the pragma does nothing and the pages are reused by later inserts).
  TC_ASSIGN_OR_RETURN(auto before, DataBytesAndFreePages());
  if (before.second > 0) {
    TC_ASSIGN_OR_RETURN(std::string pages_before,
                        sqlite_util::QueryText(db_.get(), "PRAGMA page_count"));
    TC_RETURN_IF_ERROR(sqlite_util::Exec(db_.get(), "PRAGMA incremental_vacuum"));
    TC_ASSIGN_OR_RETURN(std::string pages_after,
                        sqlite_util::QueryText(db_.get(), "PRAGMA page_count"));
    TC_ASSIGN_OR_RETURN(std::string size, sqlite_util::QueryText(db_.get(), "PRAGMA page_size"));
    const uint64_t b = std::stoull(pages_before), a = std::stoull(pages_after);
    pass->vacuumed_bytes = b > a ? (b - a) * std::stoull(size) : 0;
  }
  TC_ASSIGN_OR_RETURN(auto after, DataBytesAndFreePages());
  pass->db_bytes = after.first;
  if (policy.max_db_bytes > 0 && after.first > policy.max_db_bytes && outcome.selected > 0) {
    pass->more = true;
  }
  TC_RETURN_IF_ERROR(CheckFile());
  return Status::Ok();
}

}  // namespace tc::sink
