#include "sqlite_sink_rowids.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "sqlite_sink_util.h"

namespace tc::sink {
namespace {

using storage::StatementId;

// In storage::RowTable's order (TableOf() returns a RowTable as the index).
constexpr std::string_view kTableNames[] = {"events", "messages", "outcome_rewards",
                                            "event_rewards"};
static_assert(std::size(kTableNames) == storage::kRowTableCount);

// SQLite's AUTOINCREMENT rule for the next id (sqlite_sequence has no row before the first
// insert, and its value may lag a row inserted with an explicit id).
std::string NextIdSql(std::string_view table) {
  return fmt::format(
      "SELECT max(coalesce((SELECT max(id) FROM {0}), 0), coalesce((SELECT seq FROM "
      "sqlite_sequence WHERE name = '{0}'), 0)) + 1",
      table);
}

}  // namespace

RowIdPredictor::~RowIdPredictor() { Close(); }

void RowIdPredictor::Close() {
  for (sqlite3_stmt*& stmt : query_) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
  }
  db_ = nullptr;
  Reset();
}

Status RowIdPredictor::Prepare(sqlite3* db) {
  Close();
  db_ = db;
  for (size_t i = 0; i < kTables; ++i) {
    const std::string sql = NextIdSql(kTableNames[i]);
    int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &query_[i], nullptr);
    if (rc != SQLITE_OK) {
      Status status = sqlite_util::StatusFromSqlite(rc, "prepare " + sql, sqlite3_errmsg(db));
      Close();
      return status;
    }
  }
  return Status::Ok();
}

std::optional<size_t> RowIdPredictor::TableOf(StatementId insert) {
  const storage::RowTable table = storage::InsertedTable(insert);
  if (table == storage::RowTable::kNone) {
    return std::nullopt;
  }
  return static_cast<size_t>(table);  // query_'s order is RowTable's (see Prepare)
}

Result<int64_t> RowIdPredictor::Next(size_t table) {
  if (next_[table] != 0) {
    return next_[table];
  }
  sqlite3_stmt* stmt = query_[table];
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    next_[table] = sqlite3_column_int64(stmt, 0);
    rc = sqlite3_step(stmt);
  }
  std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    next_[table] = 0;
    return sqlite_util::StatusFromSqlite(rc, fmt::format("next id of {}", kTableNames[table]),
                                         error);
  }
  return next_[table];
}

}  // namespace tc::sink
