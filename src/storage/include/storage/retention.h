#pragma once

// Deleting sessions whole (retention and DELETE /v1/sessions/{id}), written once for every
// backend, the way schema_apply.h is: the statements are here, each sink runs them through a
// small executor over its own connection (SQLite C API, Hrana pipeline requests).
//
// A session is deleted with everything that belongs to it: its event_rewards, outcome_rewards,
// events, messages, session_timesteps, its session_traces row, and the tc_idempotency keys of
// its events, messages and rewards (found through tc_idempotency.row_id, which the index
// tc_idx_idempotency_row makes a lookup). The keys of `session`, `session_end` and `timestep`
// records name no row (row_id NULL), so nothing maps them to a session: they stay (one small
// row per such record; docs/operations.md). Re-sending such a record after its session was
// deleted is then a duplicate; re-sending an event or message stores it again.
// No counter outside the deleted rows refers to a session (session and timestep counters live
// in the rows deleted; the views are computed), so every counter and view stays exact.
//
// Ages are compared with julianday(created_at), so ISO texts with any UTC offset ("Z",
// "+00:00", "+05:30") and Unix-seconds values the decoder turned into ISO compare as instants;
// a created_at SQLite cannot parse is never expired by age (it is by size: oldest first in
// text order).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "storage/schema_apply.h"  // QueryRows
#include "storage/sql_value.h"

namespace tc::storage {

// One statement and its arguments (?1..?N).
struct BoundStatement {
  std::string_view sql;
  std::vector<SqlValue> args;
};

class MaintenanceExecutor {
 public:
  virtual ~MaintenanceExecutor() = default;
  // Runs one read query with arguments and returns its rows (each value as text).
  [[nodiscard]] virtual Result<QueryRows> Query(std::string_view sql,
                                                std::span<const SqlValue> args) = 0;
  // Runs `statements` in one transaction: all commit or none. Errors keep the backend's
  // classification (retryable or not).
  [[nodiscard]] virtual Status RunTransaction(std::span<const BoundStatement> statements) = 0;
};

// The tables a session's rows are deleted from, in the order of DeletedRowCounts.
inline constexpr size_t kSessionTableCount = 7;
// "session_traces", "session_timesteps", "events", "messages", "outcome_rewards",
// "event_rewards", "tc_idempotency".
std::span<const std::string_view, kSessionTableCount> SessionTableNames();

struct DeletedRowCounts {
  std::array<uint64_t, kSessionTableCount> rows{};  // indexed like SessionTableNames()
  uint64_t sessions() const { return rows[0]; }
  uint64_t total() const;
  void Add(const DeletedRowCounts& other);
};

// ?1 session_id. One row: the rows of each table (SessionTableNames order) the session has.
std::string_view CountSessionRowsSql();
// ?1 session_id, each. The statements that delete one session whole, in order (keys first:
// they are found through the rows deleted after them).
std::span<const std::string_view> DeleteSessionStatements();
// ?1 cutoff (ISO text), ?2 limit: sessions created before the cutoff, oldest first.
std::string_view SelectExpiredSessionsSql();
// ?1 limit: the oldest sessions (text order of created_at, which the index serves).
std::string_view SelectOldestSessionsSql();
// No arguments. One row: the oldest session's created_at as Unix seconds (REAL), or NULL when
// there is no session (or its created_at cannot be parsed).
std::string_view OldestSessionSql();

// Counts the rows of each session, then deletes all of them in one transaction. Sessions that
// do not exist count nothing. The counts are read just before the transaction: exact unless
// another writer (another collector) adds to these sessions in between (the rows it adds are
// deleted too, just not counted).
[[nodiscard]] Result<DeletedRowCounts> DeleteSessions(MaintenanceExecutor& db,
                                                      std::span<const std::string> session_ids);

// Up to `limit` session ids created before `cutoff_iso`, oldest first.
[[nodiscard]] Result<std::vector<std::string>> SelectExpiredSessions(MaintenanceExecutor& db,
                                                                     std::string_view cutoff_iso,
                                                                     uint32_t limit);
// Up to `limit` of the oldest session ids.
[[nodiscard]] Result<std::vector<std::string>> SelectOldestSessions(MaintenanceExecutor& db,
                                                                    uint32_t limit);
// The oldest session's created_at (Unix seconds), nullopt when none.
[[nodiscard]] Result<std::optional<double>> OldestSessionUnixSeconds(MaintenanceExecutor& db);

// One retention pass, the same on every backend: the sessions created before `cutoff_iso`
// (none when empty), or, when there are none and `over_size` (the data is larger than the
// configured maximum), the oldest; at most `max_sessions` of them, deleted in one transaction;
// then the oldest session left.
struct RetentionOutcome {
  DeletedRowCounts deleted;
  size_t selected = 0;  // sessions selected (== max_sessions: there may be more)
  std::optional<double> oldest_session_unix;
};
[[nodiscard]] Result<RetentionOutcome> RunRetentionPass(MaintenanceExecutor& db,
                                                        std::string_view cutoff_iso, bool over_size,
                                                        uint32_t max_sessions);

}  // namespace tc::storage
