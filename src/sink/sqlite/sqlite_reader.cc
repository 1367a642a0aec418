// CreateSqliteReader (sink/sqlite.h): GET /v1/sessions/{id} on read-only WAL connections.

#include <fmt/format.h>
#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "sink/sqlite.h"
#include "sqlite_sink_util.h"
#include "storage/session_read.h"

namespace tc::sink {
namespace {

using sqlite_util::StatusFromSqlite;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// One read-only connection and its prepared session queries.
struct ReadConnection {
  std::unique_ptr<sqlite3, DbCloser> db;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> queries[storage::kSessionQueryCount];
};

storage::SqlValue ColumnValue(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, col);
    case SQLITE_NULL:
      return std::monostate{};
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      return std::string(text != nullptr ? text : "",
                         static_cast<size_t>(sqlite3_column_bytes(stmt, col)));
    }
  }
}

class SqliteReader final : public pipeline::TraceReader {
 public:
  explicit SqliteReader(SqliteReaderOptions options) : options_(std::move(options)) {}

  Result<std::string> SessionTraceJson(std::string_view session_id) override {
    std::unique_ptr<ReadConnection> conn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !idle_.empty() || open_ < options_.connections; });
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_;
      }
    }
    if (conn == nullptr) {
      Result<std::unique_ptr<ReadConnection>> opened = Open();
      if (!opened.has_value()) {
        Release(nullptr);
        return opened.error();
      }
      conn = std::move(*opened);
    }
    Result<storage::SessionRows> rows = Read(*conn, session_id);
    Release(rows.has_value() || !IsRetryable(rows.error()) ? std::move(conn) : nullptr);
    if (!rows.has_value()) return rows.error();
    return storage::RenderSessionTrace(*rows);
  }

 private:
  // Gives a connection back (null: it was dropped, another may be opened in its place).
  void Release(std::unique_ptr<ReadConnection> conn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (conn != nullptr) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
      }
    }
    cv_.notify_one();
  }

  Result<std::unique_ptr<ReadConnection>> Open() {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(options_.path.c_str(), &raw,
                                   SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    auto conn = std::make_unique<ReadConnection>();
    conn->db.reset(raw);
    if (rc != SQLITE_OK) {
      return StatusFromSqlite(rc, "open (read-only) " + options_.path,
                              raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
    }
    sqlite3_busy_timeout(raw, static_cast<int>(options_.busy_timeout_ms));
    for (size_t q = 0; q < storage::kSessionQueryCount; ++q) {
      const std::string_view sql = storage::SessionQuerySql(static_cast<storage::SessionQuery>(q));
      sqlite3_stmt* stmt = nullptr;
      const int prc = sqlite3_prepare_v3(raw, sql.data(), static_cast<int>(sql.size()),
                                         SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      conn->queries[q].reset(stmt);
      if (prc != SQLITE_OK) {
        return StatusFromSqlite(prc, "prepare a session query on " + options_.path,
                                sqlite3_errmsg(raw));
      }
    }
    return conn;
  }

  // The six queries in one read transaction: one snapshot of committed data.
  Result<storage::SessionRows> Read(ReadConnection& conn, std::string_view session_id) {
    sqlite3* db = conn.db.get();
    if (Status begun = sqlite_util::Exec(db, "BEGIN"); !begun.ok()) return begun;
    storage::SessionRows rows;
    Status status;
    for (size_t q = 0; q < storage::kSessionQueryCount && status.ok(); ++q) {
      sqlite3_stmt* stmt = conn.queries[q].get();
      sqlite3_bind_text(stmt, 1, session_id.data(), static_cast<int>(session_id.size()),
                        SQLITE_STATIC);
      const int columns = sqlite3_column_count(stmt);
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        storage::SqlRow& row = rows[q].emplace_back();
        row.reserve(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(ColumnValue(stmt, c));
      }
      if (rc != SQLITE_DONE) status = StatusFromSqlite(rc, "read a session", sqlite3_errmsg(db));
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      if (q == 0 && status.ok() && rows[q].empty()) break;  // no such session
    }
    (void)sqlite_util::Exec(db, "COMMIT");
    if (!status.ok()) return status;
    return rows;
  }

  const SqliteReaderOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<ReadConnection>> idle_;  // guarded by mu_
  uint32_t open_ = 0;                                  // guarded by mu_: idle + in use
};

}  // namespace

std::unique_ptr<pipeline::TraceReader> CreateSqliteReader(const SqliteReaderOptions& options) {
  SqliteReaderOptions o = options;
  if (o.connections == 0) o.connections = 1;
  return std::make_unique<SqliteReader>(std::move(o));
}

}  // namespace tc::sink
