#include "storage/retention.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace tc::storage {
namespace {

constexpr std::string_view kTableNames[kSessionTableCount] = {
    "session_traces",  "session_timesteps", "events",        "messages",
    "outcome_rewards", "event_rewards",     "tc_idempotency"};

// The keys of a session's rows: row_id names a row of the table of its record type (the
// record_type test keeps an event key from matching a message with the same id).
#define TC_SESSION_KEYS(table, type)                                                   \
  "tc_idempotency WHERE record_type = '" type "' AND row_id IN (SELECT id FROM " table \
  " WHERE session_id = ?1)"

constexpr std::string_view kCountSessionRows =
    "SELECT (SELECT COUNT(*) FROM session_traces WHERE session_id = ?1), "
    "(SELECT COUNT(*) FROM session_timesteps WHERE session_id = ?1), "
    "(SELECT COUNT(*) FROM events WHERE session_id = ?1), "
    "(SELECT COUNT(*) FROM messages WHERE session_id = ?1), "
    "(SELECT COUNT(*) FROM outcome_rewards WHERE session_id = ?1), "
    "(SELECT COUNT(*) FROM event_rewards WHERE session_id = ?1), "
    "(SELECT COUNT(*) FROM " TC_SESSION_KEYS("events", "event") ") + "
    "(SELECT COUNT(*) FROM " TC_SESSION_KEYS("messages", "message") ") + "
    "(SELECT COUNT(*) FROM " TC_SESSION_KEYS("outcome_rewards", "outcome_reward") ") + "
    "(SELECT COUNT(*) FROM " TC_SESSION_KEYS("event_rewards", "event_reward") ")";

constexpr std::string_view kDeleteSession[] = {
    "DELETE FROM " TC_SESSION_KEYS("events", "event"),
    "DELETE FROM " TC_SESSION_KEYS("messages", "message"),
    "DELETE FROM " TC_SESSION_KEYS("outcome_rewards", "outcome_reward"),
    "DELETE FROM " TC_SESSION_KEYS("event_rewards", "event_reward"),
    "DELETE FROM event_rewards WHERE session_id = ?1",
    "DELETE FROM outcome_rewards WHERE session_id = ?1",
    "DELETE FROM events WHERE session_id = ?1",
    "DELETE FROM messages WHERE session_id = ?1",
    "DELETE FROM session_timesteps WHERE session_id = ?1",
    "DELETE FROM session_traces WHERE session_id = ?1",
    // Not counted (DeletedRowCounts): the session's OTLP trace links (a span of such a trace
    // that arrives later starts the trace's provisional session again).
    "DELETE FROM tc_trace_sessions WHERE session_id = ?1",
};

#undef TC_SESSION_KEYS

constexpr std::string_view kSelectExpired =
    "SELECT session_id FROM session_traces WHERE julianday(created_at) < julianday(?1) "
    "ORDER BY created_at LIMIT ?2";

constexpr std::string_view kSelectOldest =
    "SELECT session_id FROM session_traces ORDER BY created_at LIMIT ?1";

// MIN(created_at) is read from idx_session_created; julianday makes it Unix seconds.
constexpr std::string_view kOldestSession =
    "SELECT (julianday(MIN(created_at)) - 2440587.5) * 86400.0 FROM session_traces";

std::vector<std::string> FirstColumn(const QueryRows& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    if (!row.empty() && row[0].has_value()) {
      out.push_back(*row[0]);
    }
  }
  return out;
}

Result<uint64_t> ParseCount(const std::optional<std::string>& text) {
  uint64_t value = 0;
  if (!text.has_value()) {
    return Status::Internal("row count query answered NULL");
  }
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return Status::Internal(fmt::format("row count query answered '{}'", *text));
  }
  return value;
}

}  // namespace

std::span<const std::string_view, kSessionTableCount> SessionTableNames() { return kTableNames; }

uint64_t DeletedRowCounts::total() const {
  uint64_t sum = 0;
  for (uint64_t n : rows) {
    sum += n;
  }
  return sum;
}

void DeletedRowCounts::Add(const DeletedRowCounts& other) {
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i] += other.rows[i];
  }
}

std::string_view CountSessionRowsSql() { return kCountSessionRows; }
std::span<const std::string_view> DeleteSessionStatements() { return kDeleteSession; }
std::string_view SelectExpiredSessionsSql() { return kSelectExpired; }
std::string_view SelectOldestSessionsSql() { return kSelectOldest; }
std::string_view OldestSessionSql() { return kOldestSession; }

Result<DeletedRowCounts> DeleteSessions(MaintenanceExecutor& db,
                                        std::span<const std::string> session_ids) {
  DeletedRowCounts counts;
  std::vector<BoundStatement> statements;
  statements.reserve(session_ids.size() * std::size(kDeleteSession));
  for (const std::string& id : session_ids) {
    const SqlValue arg[] = {id};
    TC_ASSIGN_OR_RETURN(QueryRows rows, db.Query(kCountSessionRows, arg));
    if (rows.size() != 1 || rows[0].size() != kSessionTableCount) {
      return Status::Internal("row count query: unexpected shape");
    }
    for (size_t t = 0; t < kSessionTableCount; ++t) {
      TC_ASSIGN_OR_RETURN(uint64_t n, ParseCount(rows[0][t]));
      counts.rows[t] += n;
    }
    for (std::string_view sql : kDeleteSession) {
      statements.push_back(BoundStatement{sql, {SqlValue(id)}});
    }
  }
  if (!statements.empty()) {
    TC_RETURN_IF_ERROR(db.RunTransaction(statements));
  }
  return counts;
}

Result<std::vector<std::string>> SelectExpiredSessions(MaintenanceExecutor& db,
                                                       std::string_view cutoff_iso,
                                                       uint32_t limit) {
  const SqlValue args[] = {std::string(cutoff_iso), static_cast<int64_t>(limit)};
  TC_ASSIGN_OR_RETURN(QueryRows rows, db.Query(kSelectExpired, args));
  return FirstColumn(rows);
}

Result<std::vector<std::string>> SelectOldestSessions(MaintenanceExecutor& db, uint32_t limit) {
  const SqlValue args[] = {static_cast<int64_t>(limit)};
  TC_ASSIGN_OR_RETURN(QueryRows rows, db.Query(kSelectOldest, args));
  return FirstColumn(rows);
}

Result<std::optional<double>> OldestSessionUnixSeconds(MaintenanceExecutor& db) {
  TC_ASSIGN_OR_RETURN(QueryRows rows, db.Query(kOldestSession, {}));
  if (rows.empty() || rows[0].empty() || !rows[0][0].has_value()) {
    return std::optional<double>();
  }
  char* end = nullptr;
  const double seconds = std::strtod(rows[0][0]->c_str(), &end);
  if (end == rows[0][0]->c_str()) {
    return std::optional<double>();
  }
  return std::optional<double>(seconds);
}

Result<RetentionOutcome> RunRetentionPass(MaintenanceExecutor& db, std::string_view cutoff_iso,
                                          bool over_size, uint32_t max_sessions) {
  RetentionOutcome outcome;
  std::vector<std::string> ids;
  if (!cutoff_iso.empty()) {
    TC_ASSIGN_OR_RETURN(ids, SelectExpiredSessions(db, cutoff_iso, max_sessions));
  }
  if (ids.empty() && over_size) {
    TC_ASSIGN_OR_RETURN(ids, SelectOldestSessions(db, max_sessions));
  }
  outcome.selected = ids.size();
  TC_ASSIGN_OR_RETURN(outcome.deleted, DeleteSessions(db, ids));
  TC_ASSIGN_OR_RETURN(outcome.oldest_session_unix, OldestSessionUnixSeconds(db));
  return outcome;
}

}  // namespace tc::storage
