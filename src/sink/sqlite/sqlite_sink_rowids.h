#pragma once

// Knows, inside one write transaction, the id the next INSERT into each table that idempotency
// keys point to (events, messages, outcome_rewards, event_rewards) will get, so SqliteSink can
// store tc_idempotency.row_id with the key's claim instead of claiming first and setting the
// row id with a second statement after the row's INSERT.
//
// These tables are AUTOINCREMENT: SQLite gives a new row max(largest id in the table, the
// table's sqlite_sequence value) + 1. The first Next() of a table in a transaction asks the
// database exactly that; after that the sink reports every row it inserts (Inserted()), so
// the next id is known without a query. A prediction is only a prediction: the sink compares
// it with the id the row really got and falls back to the UPDATE when they differ.
// Reset() whenever rows may have been rolled back (BEGIN, ROLLBACK TO, a failed statement).
// Not thread-safe (the writer thread only).

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <optional>

#include "common/result.h"
#include "storage/statements.h"

namespace tc::sink {

class RowIdPredictor {
 public:
  RowIdPredictor() = default;
  ~RowIdPredictor();
  RowIdPredictor(const RowIdPredictor&) = delete;
  RowIdPredictor& operator=(const RowIdPredictor&) = delete;

  // Prepares the queries on `db` (which must outlive this object, or Close() first).
  [[nodiscard]] Status Prepare(sqlite3* db);
  void Close();  // finalizes the queries

  // The table the rows of `insert` go to, as an index for Next/Inserted; nullopt when the
  // statement inserts into none of the keyed tables.
  static std::optional<size_t> TableOf(storage::StatementId insert);

  // The id the next row inserted into `table` gets (queries the database at most once per
  // table between Reset()s). Errors: the query failed (as a Status from SQLite's code).
  [[nodiscard]] Result<int64_t> Next(size_t table);

  // A row with id `row_id` was just inserted into `table`.
  void Inserted(size_t table, int64_t row_id) { next_[table] = row_id + 1; }

  void Reset() { next_.fill(0); }

 private:
  static constexpr size_t kTables = storage::kRowTableCount;
  sqlite3* db_ = nullptr;
  std::array<sqlite3_stmt*, kTables> query_{};
  std::array<int64_t, kTables> next_{};  // 0 = not known
};

}  // namespace tc::sink
