#pragma once

// Schema application, written once for every backend: the steps of ddl.h, in its order, with the
// version check and the migrations, run through a small executor each sink implements over its
// own connection (SQLite C API, Hrana pipeline requests, ...).
//
//   1. RunTransaction(TableStatements())
//   2. Query: the two reward tables' columns, the newest schema version recorded, the views that
//      exist. A database of a newer collector is refused (kFailedPrecondition), untouched.
//   3. RunTransaction(migrations (maybe none), indexes, the views that do not exist yet, the
//      schema version)
// Views that exist are left out of step 3 because tursodb fails "CREATE VIEW IF NOT EXISTS" on
// an existing view; elsewhere that statement would do nothing anyway.
// An executor that can hold one transaction across all three steps should (the SQLite sink
// does: its transactions are savepoints inside one BEGIN IMMEDIATE), so that two processes
// opening one old database at once cannot both migrate it. Over Hrana each step is its own
// request; the migrations are idempotent only against the columns they were planned from.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace tc::storage {

// Rows of one query; each value as text (integers in decimal), NULL as nullopt.
using QueryRows = std::vector<std::vector<std::optional<std::string>>>;

class SchemaExecutor {
 public:
  virtual ~SchemaExecutor() = default;
  // Runs `statements` in one transaction: all of them commit, or none (the error names the
  // statement that failed). Errors keep the backend's classification (retryable or not).
  [[nodiscard]] virtual Status RunTransaction(std::span<const std::string_view> statements) = 0;
  // Runs read-only queries, in order, and returns the rows of each.
  [[nodiscard]] virtual Result<std::vector<QueryRows>> Query(
      std::span<const std::string_view> queries) = 0;
  // For messages: "sqlite /path/tc.db", "sqld at http://...".
  virtual std::string Describe() const = 0;
};

// What ApplySchema did, for the sink's log line.
struct SchemaApplied {
  size_t migration_statements = 0;  // 0: the reward tables were already synth-ai's G3
  // The message index (ddl.h, kMessageIndexTable) exists now; `message_index_error` says why
  // not when it was wanted and the backend has no FTS5.
  bool message_index = false;
  bool message_index_created = false;  // created (and filled) by this call
  std::string message_index_error;
};

struct SchemaOptions {
  // Keep the full-text message index (created when missing; dropped when present and false).
  bool message_index = true;
};

// 4. (after the version) the message index per `options`, in a transaction of its own: a
//    backend without FTS5 ("no such module") is not an error, the others are.
[[nodiscard]] Result<SchemaApplied> ApplySchema(SchemaExecutor& db,
                                                const SchemaOptions& options = {});

}  // namespace tc::storage
