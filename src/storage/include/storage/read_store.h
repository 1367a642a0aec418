#pragma once

// What the read API (src/query/) asks of a backend: run a few SELECTs, written by the collector
// (never by a client), in one read transaction, so they all see the same commit, without going
// through (or waiting for) the writer. The embedded backend answers on read-only SQLite
// connections (WAL readers), sqld on a Hrana client of its own (sink/sqlite.h, sink/hrana.h).

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/sql_value.h"

namespace tc::storage {

using SqlRow = std::vector<SqlValue>;
using SqlRows = std::vector<SqlRow>;

struct ReadQuery {
  std::string_view sql;  // must stay alive for the call; ?1..?N are `params`
  std::vector<SqlValue> params;
  // When this query gives no row, the queries after it need not run (their rows are then empty):
  // "no such session" ends a trace read after its first query. A backend may run them anyway.
  bool stop_if_empty = false;
};

class ReadStore {
 public:
  virtual ~ReadStore() = default;
  // The rows of each query, in order. Errors: kUnavailable (or another retryable code) when the
  // store cannot answer now; other codes for a bad statement or a damaged database.
  // Thread-safe; blocks the calling thread for the queries.
  [[nodiscard]] virtual Result<std::vector<SqlRows>> Read(std::span<const ReadQuery> queries) = 0;
};

}  // namespace tc::storage
