// CreateSqliteReader (sink/sqlite.h): the read API's queries on read-only WAL connections.

#include <fmt/format.h>
#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "sink/sqlite.h"
#include "sqlite_sink_util.h"

namespace tc::sink {
namespace {

using sqlite_util::StatusFromSqlite;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// The read API builds its SELECTs from fixed parts, so a connection sees few distinct texts;
// past this many prepared statements the cache starts again (a bound, not a tuning knob).
constexpr size_t kMaxCachedStatements = 128;

// One read-only connection and the statements prepared on it, by SQL text.
struct ReadConnection {
  std::unique_ptr<sqlite3, DbCloser> db;
  std::unordered_map<std::string, StmtPtr> statements;
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

int Bind(sqlite3_stmt* stmt, int index, const storage::SqlValue& value) {
  return std::visit(
      [&](const auto& v) -> int {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return sqlite3_bind_null(stmt, index);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return sqlite3_bind_int64(stmt, index, v);
        } else if constexpr (std::is_same_v<T, double>) {
          return sqlite3_bind_double(stmt, index, v);
        } else {
          return sqlite3_bind_text(stmt, index, v.data(), static_cast<int>(v.size()),
                                   SQLITE_STATIC);
        }
      },
      value);
}

class SqliteReader final : public storage::ReadStore {
 public:
  explicit SqliteReader(SqliteReaderOptions options) : options_(std::move(options)) {}

  Result<std::vector<storage::SqlRows>> Read(std::span<const storage::ReadQuery> queries) override {
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
    Result<std::vector<storage::SqlRows>> rows = Run(*conn, queries);
    Release(rows.has_value() || !IsRetryable(rows.error()) ? std::move(conn) : nullptr);
    return rows;
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
    return conn;
  }

  Result<sqlite3_stmt*> Prepare(ReadConnection& conn, std::string_view sql) {
    auto it = conn.statements.find(std::string(sql));
    if (it != conn.statements.end()) return it->second.get();
    if (conn.statements.size() >= kMaxCachedStatements) conn.statements.clear();
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(conn.db.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    StmtPtr owned(stmt);
    if (rc != SQLITE_OK) {
      return StatusFromSqlite(rc, "prepare a read query on " + options_.path,
                              sqlite3_errmsg(conn.db.get()));
    }
    return conn.statements.emplace(std::string(sql), std::move(owned)).first->second.get();
  }

  // All the queries in one read transaction: one snapshot of committed data.
  Result<std::vector<storage::SqlRows>> Run(ReadConnection& conn,
                                            std::span<const storage::ReadQuery> queries) {
    sqlite3* db = conn.db.get();
    if (Status begun = sqlite_util::Exec(db, "BEGIN"); !begun.ok()) return begun;
    std::vector<storage::SqlRows> rows(queries.size());
    Status status;
    for (size_t q = 0; q < queries.size() && status.ok(); ++q) {
      Result<sqlite3_stmt*> prepared = Prepare(conn, queries[q].sql);
      if (!prepared.has_value()) {
        status = prepared.error();
        break;
      }
      sqlite3_stmt* stmt = *prepared;
      for (size_t p = 0; p < queries[q].params.size() && status.ok(); ++p) {
        if (int rc = Bind(stmt, static_cast<int>(p + 1), queries[q].params[p]); rc != SQLITE_OK) {
          status = StatusFromSqlite(rc, "bind a read parameter", sqlite3_errmsg(db));
        }
      }
      const int columns = sqlite3_column_count(stmt);
      int rc = SQLITE_DONE;
      while (status.ok() && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        storage::SqlRow& row = rows[q].emplace_back();
        row.reserve(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(ColumnValue(stmt, c));
      }
      if (status.ok() && rc != SQLITE_DONE) {
        status = StatusFromSqlite(rc, "run a read query", sqlite3_errmsg(db));
      }
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      if (status.ok() && queries[q].stop_if_empty && rows[q].empty()) break;
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

std::unique_ptr<storage::ReadStore> CreateSqliteReader(const SqliteReaderOptions& options) {
  SqliteReaderOptions o = options;
  if (o.connections == 0) o.connections = 1;
  return std::make_unique<SqliteReader>(std::move(o));
}

}  // namespace tc::sink
