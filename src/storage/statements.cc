#include "storage/statements.h"

#include "common/check.h"

namespace tc::storage {
namespace {

struct Entry {
  StatementId id;
  std::string_view name;
  int params;
  std::string_view sql;
  StepKind kind = StepKind::kWrite;
  RowTable table = RowTable::kNone;  // kInsertRow only
};

using K = StepKind;
using T = RowTable;

// The session's counters and the read API's totals (the tc_ columns of session_traces,
// ddl.h), added by one event (kCountSessionEvent) or summed over a batch (kAddSessionCounters):
// ?1 session_id, ?2 timesteps, ?3 events, ?4 messages, ?5 LLM calls, ?6 input, ?7 output and ?8
// total tokens, ?9 cost in cents, ?10 earliest and ?11 latest event_time (or NULL), ?12 error
// events, ?13 one model name as a JSON string (or NULL), added to the tc_models array unless
// it is there already (or the array has reached 4,000 bytes).
#define TC_FIRST_TIME \
  "CASE WHEN ?10 IS NULL OR tc_first_time <= ?10 THEN tc_first_time ELSE ?10 END"
#define TC_LAST_TIME "CASE WHEN ?11 IS NULL OR tc_last_time >= ?11 THEN tc_last_time ELSE ?11 END"
constexpr std::string_view kAddSessionTotalsSql =
    "UPDATE session_traces SET num_timesteps = num_timesteps + ?2, num_events = num_events + ?3, "
    "num_messages = num_messages + ?4, tc_llm_calls = tc_llm_calls + ?5, tc_input_tokens = "
    "tc_input_tokens + ?6, tc_output_tokens = tc_output_tokens + ?7, tc_total_tokens = "
    "tc_total_tokens + ?8, tc_cost_cents = tc_cost_cents + ?9, tc_first_time = " TC_FIRST_TIME
    ", tc_last_time = " TC_LAST_TIME ", tc_duration_ms = COALESCE((" TC_LAST_TIME
    " - " TC_FIRST_TIME
    ") * 1000.0, 0), tc_errors = tc_errors + ?12, tc_models = CASE WHEN ?13 IS "
    "NULL OR instr(tc_models, '[' || ?13) > 0 OR instr(tc_models, ',' || ?13) > 0 OR "
    "length(tc_models) > 4000 THEN tc_models WHEN tc_models IS NULL OR tc_models = '[]' THEN '[' "
    "|| ?13 || ']' ELSE substr(tc_models, 1, length(tc_models) - 1) || ',' || ?13 || ']' END "
    "WHERE session_id = ?1";
#undef TC_FIRST_TIME
#undef TC_LAST_TIME

// A trace_link's move (schema::TraceLinkRecord): ?1 trace_id, ?2 the provisional session.
// TC_TARGET is the session the trace is linked to; TC_DUE holds while the provisional session
// exists and the trace is linked elsewhere (both subqueries run once per statement). Once the
// provisional session is gone every move statement changes nothing, so a trace_link is cheap
// when there is nothing to move, and running one twice is harmless.
#define TC_TARGET "(SELECT session_id FROM tc_trace_sessions WHERE trace_id = ?1)"
#define TC_DUE                                                                           \
  "EXISTS (SELECT 1 FROM session_traces WHERE session_id = ?2) AND " TC_TARGET " IS NOT " \
  "NULL AND " TC_TARGET " <> ?2"
#define TC_FROM(column) "(SELECT " column " FROM session_traces p WHERE p.session_id = ?2)"
// The earlier / later of a column and the provisional session's (NULL only if both are).
#define TC_EARLIER(column)                                                               \
  "MIN(COALESCE(" column ", " TC_FROM(column) "), COALESCE(" TC_FROM(column) ", " column \
  "))"
#define TC_LATER(column)                                                                 \
  "MAX(COALESCE(" column ", " TC_FROM(column) "), COALESCE(" TC_FROM(column) ", " column \
  "))"
// Steps (session_timesteps) of the provisional session whose step_id the target also has.
#define TC_SHARED_STEP_IDS                                                              \
  "(SELECT p.id FROM session_timesteps p JOIN session_timesteps t ON t.step_id = "        \
  "p.step_id AND t.session_id = " TC_TARGET " WHERE p.session_id = ?2)"
#define TC_TARGET_STEP_OF(table)                                                          \
  "(SELECT t.id FROM session_timesteps p JOIN session_timesteps t ON t.step_id = "         \
  "p.step_id WHERE p.id = " table ".timestep_id AND t.session_id = " TC_TARGET ")"
#define TC_FROM_STEP(column)                                                              \
  "(SELECT p." column " FROM session_timesteps p WHERE p.session_id = ?2 AND p.step_id = " \
  "session_timesteps.step_id)"

constexpr std::string_view kMoveSessionTotalsSql =
    "UPDATE session_traces SET num_timesteps = num_timesteps + (SELECT COUNT(*) FROM "
    "session_timesteps p WHERE p.session_id = ?2 AND NOT EXISTS (SELECT 1 FROM "
    "session_timesteps t WHERE t.session_id = session_traces.session_id AND t.step_id = "
    "p.step_id)), num_events = num_events + " TC_FROM("num_events") ", num_messages = "
    "num_messages + " TC_FROM("num_messages") ", tc_llm_calls = tc_llm_calls + " TC_FROM(
        "tc_llm_calls") ", tc_input_tokens = tc_input_tokens + " TC_FROM("tc_input_tokens")
    ", tc_output_tokens = tc_output_tokens + " TC_FROM("tc_output_tokens")
    ", tc_total_tokens = tc_total_tokens + " TC_FROM("tc_total_tokens")
    ", tc_cost_cents = tc_cost_cents + " TC_FROM("tc_cost_cents")
    ", tc_errors = tc_errors + " TC_FROM("tc_errors") ", tc_first_time = " TC_EARLIER(
        "tc_first_time") ", tc_last_time = " TC_LATER("tc_last_time")
    ", tc_duration_ms = COALESCE((" TC_LATER("tc_last_time") " - " TC_EARLIER("tc_first_time")
    ") * 1000.0, 0), tc_models = (SELECT '[' || group_concat(json_quote(model_name), ',') || "
    "']' FROM (SELECT DISTINCT model_name FROM events e WHERE e.session_id IN (?2, "
    "session_traces.session_id) AND model_name IS NOT NULL AND model_name <> '')), "
    "created_at = " TC_EARLIER("created_at") ", metadata = COALESCE(metadata, " TC_FROM(
        "metadata") ") WHERE session_id = " TC_TARGET " AND " TC_DUE;

// Parameters are listed after each text. "now" is the batch's commit-time ISO text.
constexpr Entry kCatalogue[] = {
    // ?1 key, ?2 record type, ?3 now. Plain INSERT: a conflict fails = already stored.
    {StatementId::kClaimKey, "claim_key", 3,
     R"sql(INSERT INTO tc_idempotency ("key", record_type, created_at) VALUES (?1, ?2, ?3))sql",
     K::kKeyClaim},
    // ?1 key. Runs right after the insert of the record's row (UPDATE keeps last_insert_rowid).
    {StatementId::kSetKeyRowId, "set_key_row_id", 1,
     R"sql(UPDATE tc_idempotency SET row_id = last_insert_rowid() WHERE "key" = ?1)sql",
     K::kSetKeyRowId},
    // ?1 session_id, ?2 now.
    {StatementId::kEnsureSession, "ensure_session", 2,
     "INSERT INTO session_traces (session_id, created_at, num_timesteps, num_events, "
     "num_messages) VALUES (?1, ?2, 0, 0, 0) ON CONFLICT (session_id) DO NOTHING",
     K::kEnsureSession},
    // ?1 session_id, ?2 created_at or NULL, ?3 metadata, ?4 experiment_id, ?5 now.
    {StatementId::kUpsertSession, "upsert_session", 5,
     "INSERT INTO session_traces (session_id, created_at, num_timesteps, num_events, "
     "num_messages, metadata, experiment_id) VALUES (?1, COALESCE(?2, ?5), 0, 0, 0, ?3, ?4) "
     "ON CONFLICT (session_id) DO UPDATE SET created_at = COALESCE(?2, created_at), "
     "metadata = COALESCE(?3, metadata), experiment_id = COALESCE(?4, experiment_id)",
     K::kUpsertSession},
    // ?1 session_id, ?2 metadata.
    {StatementId::kReplaceSessionMetadata, "replace_session_metadata", 2,
     "UPDATE session_traces SET metadata = ?2 WHERE session_id = ?1"},
    // ?1 session_id, ?2 ended_at (given or now).
    {StatementId::kCloseTimesteps, "close_timesteps", 2,
     "UPDATE session_timesteps SET completed_at = ?2 WHERE session_id = ?1 AND completed_at IS "
     "NULL"},
    // ?1 session_id, ?2 step_id, ?3 step_index or NULL (→ the session's step count), ?4
    // started_at (given or now). Plain INSERT: a conflict on UNIQUE(session_id, step_id) fails =
    // the step exists. The EXISTS test only spares the COUNT(*) scan when it does (the insert
    // fails anyway), so the usual case, one more event of a known step, stays O(log n).
    {StatementId::kClaimTimestep, "claim_timestep", 4,
     "INSERT INTO session_timesteps (session_id, step_id, step_index, started_at, num_events, "
     "num_messages) VALUES (?1, ?2, CASE WHEN EXISTS (SELECT 1 FROM session_timesteps WHERE "
     "session_id = ?1 AND step_id = ?2) THEN -1 ELSE COALESCE(?3, (SELECT COUNT(*) FROM "
     "session_timesteps WHERE session_id = ?1)) END, ?4, 0, 0)",
     K::kClaimTimestep},
    // ?1 session_id.
    {StatementId::kCountSessionTimestep, "count_session_timestep", 1,
     "UPDATE session_traces SET num_timesteps = num_timesteps + 1 WHERE session_id = ?1",
     K::kCount},
    // ?1 session_id, ?2 step_id, ?3 turn_number, ?4 started_at, ?5 completed_at,
    // ?6 step_metadata, ?7 step_index (each NULL = keep).
    {StatementId::kFillTimestep, "fill_timestep", 7,
     "UPDATE session_timesteps SET turn_number = COALESCE(?3, turn_number), started_at = "
     "COALESCE(?4, started_at), completed_at = COALESCE(?5, completed_at), step_metadata = "
     "COALESCE(?6, step_metadata), step_index = COALESCE(?7, step_index) WHERE session_id = ?1 "
     "AND step_id = ?2"},
    // ?1 session_id, ?2 step_id or NULL, ?3 event_type, ?4 system_instance_id, ?5 event_time,
    // ?6 message_time, ?7 created_at, ?8 model_name, ?9 provider, ?10 input_tokens,
    // ?11 output_tokens, ?12 total_tokens, ?13 cost (REAL cents), ?14 latency_ms, ?15 span_id,
    // ?16 trace_id, ?17 call_records, ?18 reward, ?19 terminated, ?20 truncated,
    // ?21 system_state_before, ?22 system_state_after, ?23 metadata, ?24 event_metadata.
    {StatementId::kInsertEvent, "insert_event", 24,
     "INSERT INTO events (session_id, timestep_id, event_type, system_instance_id, event_time, "
     "message_time, created_at, model_name, provider, input_tokens, output_tokens, "
     "total_tokens, cost_usd, latency_ms, span_id, trace_id, call_records, reward, terminated, "
     "truncated, system_state_before, system_state_after, metadata, event_metadata) VALUES "
     "(?1, (SELECT id FROM session_timesteps WHERE session_id = ?1 AND step_id = ?2), ?3, ?4, "
     "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
     "?23, ?24)",
     K::kInsertRow, T::kEvents},
    // kAddSessionTotalsSql with one event's values (?3 = 1; ?2 = ?4 = 0).
    {StatementId::kCountSessionEvent, "count_session_event", 13, kAddSessionTotalsSql, K::kCount},
    // ?1 session_id, ?2 step_id.
    {StatementId::kCountTimestepEvent, "count_timestep_event", 2,
     "UPDATE session_timesteps SET num_events = COALESCE(num_events, 0) + 1 WHERE session_id = "
     "?1 AND step_id = ?2",
     K::kCount},
    // ?1 session_id, ?2 step_id or NULL, ?3 reward, ?4 annotation (event_metadata), ?5 now.
    // Runs right after kInsertEvent (and kSetKeyRowId): event_id = last_insert_rowid().
    {StatementId::kInsertEnvironmentReward, "insert_environment_reward", 5,
     "INSERT INTO event_rewards (event_id, session_id, turn_number, objective_key, "
     "reward_value, reward_type, annotation, source, created_at) VALUES (last_insert_rowid(), "
     "?1, (SELECT turn_number FROM session_timesteps WHERE session_id = ?1 AND step_id = ?2), "
     "'reward', ?3, 'sparse', ?4, 'environment', ?5)",
     K::kInsertRow, T::kEventRewards},
    // ?1 session_id, ?2 step_id or NULL, ?3 message_type, ?4 content, ?5 timestamp,
    // ?6 event_time, ?7 message_time, ?8 metadata.
    {StatementId::kInsertMessage, "insert_message", 8,
     "INSERT INTO messages (session_id, timestep_id, message_type, content, timestamp, "
     "event_time, message_time, metadata) VALUES (?1, (SELECT id FROM session_timesteps WHERE "
     "session_id = ?1 AND step_id = ?2), ?3, ?4, ?5, ?6, ?7, ?8)",
     K::kInsertRow, T::kMessages},
    // ?1 session_id.
    {StatementId::kCountSessionMessage, "count_session_message", 1,
     "UPDATE session_traces SET num_messages = num_messages + 1 WHERE session_id = ?1", K::kCount},
    // ?1 session_id, ?2 step_id.
    {StatementId::kCountTimestepMessage, "count_timestep_message", 2,
     "UPDATE session_timesteps SET num_messages = COALESCE(num_messages, 0) + 1 WHERE "
     "session_id = ?1 AND step_id = ?2",
     K::kCount},
    // ?1 experiment_id, ?2 name, ?3 description, ?4 configuration, ?5 metadata, ?6 now.
    {StatementId::kUpsertExperiment, "upsert_experiment", 6,
     "INSERT INTO experiments (experiment_id, name, description, created_at, updated_at, "
     "configuration, metadata) VALUES (?1, ?2, ?3, ?6, ?6, ?4, ?5) ON CONFLICT (experiment_id) "
     "DO UPDATE SET name = ?2, description = COALESCE(?3, description), configuration = "
     "COALESCE(?4, configuration), metadata = COALESCE(?5, metadata), updated_at = ?6"},
    // ?1 system_id, ?2 name, ?3 system_type, ?4 description, ?5 metadata, ?6 now.
    {StatementId::kUpsertSystem, "upsert_system", 6,
     "INSERT INTO systems (system_id, name, system_type, description, created_at, metadata) "
     "VALUES (?1, ?2, ?3, ?4, ?6, ?5) ON CONFLICT (system_id) DO UPDATE SET name = ?2, "
     "system_type = COALESCE(?3, system_type), description = COALESCE(?4, description), "
     "metadata = COALESCE(?5, metadata)"},
    // ?1 version_id, ?2 system_id, ?3 version_number, ?4 commit_hash, ?5 configuration,
    // ?6 metadata, ?7 now.
    {StatementId::kUpsertSystemVersion, "upsert_system_version", 7,
     "INSERT INTO system_versions (version_id, system_id, version_number, commit_hash, "
     "created_at, configuration, metadata) VALUES (?1, ?2, ?3, ?4, ?7, ?5, ?6) ON CONFLICT "
     "(version_id) DO UPDATE SET system_id = ?2, version_number = ?3, commit_hash = "
     "COALESCE(?4, commit_hash), configuration = COALESCE(?5, configuration), metadata = "
     "COALESCE(?6, metadata)"},
    // ?1 session_id, ?2 objective_key ('' → 'reward'), ?3 total_reward, ?4 achievements_count,
    // ?5 total_steps, ?6 now, ?7 reward_metadata, ?8 annotation.
    {StatementId::kInsertOutcomeReward, "insert_outcome_reward", 8,
     "INSERT INTO outcome_rewards (session_id, objective_key, total_reward, achievements_count, "
     "total_steps, created_at, reward_metadata, annotation) VALUES (?1, COALESCE(NULLIF(?2, "
     "''), 'reward'), ?3, ?4, ?5, ?6, ?7, ?8)",
     K::kInsertRow, T::kOutcomeRewards},
    // ?1 session_id, ?2 event_id, ?3 event_ref, ?4 message_id, ?5 message_ref, ?6 turn_number,
    // ?7 objective_key ('' → 'reward'), ?8 reward_value, ?9 reward_type, ?10 key,
    // ?11 annotation, ?12 source, ?13 now. A ref resolves through tc_idempotency.row_id of the
    // record of that type; an event_ref or message_ref that does not resolve makes event_id NULL,
    // so the NOT NULL constraint refuses the record.
    {StatementId::kInsertEventReward, "insert_event_reward", 13,
     "INSERT INTO event_rewards (event_id, session_id, message_id, turn_number, objective_key, "
     "reward_value, reward_type, \"key\", annotation, source, created_at) VALUES (CASE WHEN ?5 "
     "IS NOT NULL AND (SELECT row_id FROM tc_idempotency WHERE \"key\" = ?5 AND record_type = "
     "'message') IS NULL THEN NULL ELSE COALESCE(?2, (SELECT row_id FROM tc_idempotency WHERE "
     "\"key\" = ?3 AND record_type = 'event')) END, ?1, COALESCE(?4, (SELECT row_id FROM "
     "tc_idempotency WHERE \"key\" = ?5 AND record_type = 'message')), ?6, "
     "COALESCE(NULLIF(?7, ''), 'reward'), ?8, ?9, ?10, ?11, ?12, ?13)",
     K::kInsertRow, T::kEventRewards},
    // ?1 trace_id, ?2 session_id, ?3 now. The first link of a trace stays.
    {StatementId::kLinkTrace, "link_trace", 3,
     "INSERT INTO tc_trace_sessions (trace_id, session_id, created_at) VALUES (?1, ?2, ?3) ON "
     "CONFLICT (trace_id) DO NOTHING"},
    // The move of a trace_link, each ?1 trace_id, ?2 the provisional session (TC_DUE above).
    // First a claim that fails with a PRIMARY KEY conflict unless the move is due, so that the
    // usual trace_link (nothing to move) costs one statement: it re-inserts an existing
    // tc_schema_version row (there is always one) exactly when TC_DUE is false.
    {StatementId::kMoveDue, "move_due", 2,
     "INSERT INTO tc_schema_version (version, applied_at) SELECT version, '' FROM "
     "tc_schema_version WHERE NOT (" TC_DUE ") LIMIT 1",
     K::kMoveSession},
    {StatementId::kMoveSessionEnsure, "move_session_ensure", 2,
     "INSERT INTO session_traces (session_id, created_at, num_timesteps, num_events, "
     "num_messages) SELECT " TC_TARGET ", created_at, 0, 0, 0 FROM session_traces WHERE "
     "session_id = ?2 AND " TC_DUE " ON CONFLICT (session_id) DO NOTHING",
     K::kMoveSession},
    {StatementId::kMoveSessionTotals, "move_session_totals", 2, kMoveSessionTotalsSql,
     K::kMoveSession},
    {StatementId::kMoveEventSteps, "move_event_steps", 2,
     "UPDATE events SET timestep_id = " TC_TARGET_STEP_OF("events") " WHERE session_id = ?2 "
     "AND " TC_DUE " AND timestep_id IN " TC_SHARED_STEP_IDS,
     K::kMoveSession},
    {StatementId::kMoveMessageSteps, "move_message_steps", 2,
     "UPDATE messages SET timestep_id = " TC_TARGET_STEP_OF("messages") " WHERE session_id = "
     "?2 AND " TC_DUE " AND timestep_id IN " TC_SHARED_STEP_IDS,
     K::kMoveSession},
    {StatementId::kMoveStepCounters, "move_step_counters", 2,
     "UPDATE session_timesteps SET num_events = COALESCE(num_events, 0) + COALESCE(" TC_FROM_STEP(
         "num_events") ", 0), num_messages = COALESCE(num_messages, 0) + COALESCE(" TC_FROM_STEP(
         "num_messages") ", 0), started_at = MIN(COALESCE(started_at, " TC_FROM_STEP(
         "started_at") "), COALESCE(" TC_FROM_STEP("started_at") ", started_at)), completed_at "
     "= COALESCE(completed_at, " TC_FROM_STEP("completed_at") "), turn_number = "
     "COALESCE(turn_number, " TC_FROM_STEP("turn_number") "), step_metadata = "
     "COALESCE(step_metadata, " TC_FROM_STEP("step_metadata") ") WHERE session_id = " TC_TARGET
     " AND " TC_DUE " AND step_id IN (SELECT step_id FROM session_timesteps WHERE session_id = "
     "?2)",
     K::kMoveSession},
    {StatementId::kMoveDropSharedSteps, "move_drop_shared_steps", 2,
     "DELETE FROM session_timesteps WHERE session_id = ?2 AND " TC_DUE " AND step_id IN "
     "(SELECT step_id FROM session_timesteps WHERE session_id = " TC_TARGET ")",
     K::kMoveSession},
    // Their step_index after the target's own (order among them kept).
    {StatementId::kMoveSteps, "move_steps", 2,
     "UPDATE session_timesteps SET step_index = step_index + (SELECT COUNT(*) FROM "
     "session_timesteps t WHERE t.session_id = " TC_TARGET "), session_id = " TC_TARGET
     " WHERE session_id = ?2 AND " TC_DUE,
     K::kMoveSession},
    {StatementId::kMoveEvents, "move_events", 2,
     "UPDATE events SET session_id = " TC_TARGET " WHERE session_id = ?2 AND " TC_DUE,
     K::kMoveSession},
    {StatementId::kMoveMessages, "move_messages", 2,
     "UPDATE messages SET session_id = " TC_TARGET " WHERE session_id = ?2 AND " TC_DUE,
     K::kMoveSession},
    {StatementId::kMoveOutcomeRewards, "move_outcome_rewards", 2,
     "UPDATE outcome_rewards SET session_id = " TC_TARGET " WHERE session_id = ?2 AND " TC_DUE,
     K::kMoveSession},
    {StatementId::kMoveEventRewards, "move_event_rewards", 2,
     "UPDATE event_rewards SET session_id = " TC_TARGET " WHERE session_id = ?2 AND " TC_DUE,
     K::kMoveSession},
    {StatementId::kMoveSessionDrop, "move_session_drop", 2,
     "DELETE FROM session_traces WHERE session_id = ?2 AND " TC_DUE, K::kMoveSession},
    // kAddSessionTotalsSql with a batch's sums for one session.
    {StatementId::kAddSessionCounters, "add_session_counters", 13, kAddSessionTotalsSql},
    // ?1 session_id, ?2 timesteps, ?3 events (0), ?4 messages to add: leaves the totals, and
    // their indexes, alone.
    {StatementId::kAddSessionCounts, "add_session_counts", 4,
     "UPDATE session_traces SET num_timesteps = num_timesteps + ?2, num_events = num_events + "
     "?3, num_messages = num_messages + ?4 WHERE session_id = ?1"},
    // ?1 session_id, ?2 step_id, ?3 events, ?4 messages to add (a NULL counter is only touched
    // when its increment is not 0, like the per-record statements).
    {StatementId::kAddTimestepCounters, "add_timestep_counters", 4,
     "UPDATE session_timesteps SET num_events = CASE WHEN ?3 = 0 THEN num_events ELSE "
     "COALESCE(num_events, 0) + ?3 END, num_messages = CASE WHEN ?4 = 0 THEN num_messages ELSE "
     "COALESCE(num_messages, 0) + ?4 END WHERE session_id = ?1 AND step_id = ?2"},
};

#undef TC_TARGET
#undef TC_DUE
#undef TC_FROM
#undef TC_EARLIER
#undef TC_LATER
#undef TC_SHARED_STEP_IDS
#undef TC_TARGET_STEP_OF
#undef TC_FROM_STEP

static_assert(std::size(kCatalogue) == kStatementCount, "one catalogue entry per StatementId");

constexpr bool CatalogueInOrder() {
  for (size_t i = 0; i < std::size(kCatalogue); ++i) {
    if (static_cast<size_t>(kCatalogue[i].id) != i) {
      return false;
    }
  }
  return true;
}
static_assert(CatalogueInOrder(), "kCatalogue must be in StatementId order");

// The kinds' promises that the catalogue must keep: SessionOf() / TimestepOf() read ?1 and ?2,
// and a kInsertRow names its table.
constexpr bool KindsConsistent() {
  for (const Entry& e : kCatalogue) {
    const bool session_first = e.kind == K::kEnsureSession || e.kind == K::kUpsertSession ||
                               e.kind == K::kClaimTimestep || e.kind == K::kCount;
    if (session_first && e.params < 1) return false;
    if (e.kind == K::kClaimTimestep && e.params < 2) return false;
    if ((e.kind == K::kInsertRow) != (e.table != T::kNone)) return false;
  }
  return true;
}
static_assert(KindsConsistent(), "a statement's kind and its parameters disagree");

const Entry& Get(StatementId id) {
  const auto index = static_cast<size_t>(id);
  TC_CHECK(index < kStatementCount);
  return kCatalogue[index];
}

}  // namespace

std::string_view StatementSql(StatementId id) { return Get(id).sql; }

int StatementParamCount(StatementId id) { return Get(id).params; }

std::string_view StatementName(StatementId id) { return Get(id).name; }

StepKind StatementKind(StatementId id) { return Get(id).kind; }

RowTable InsertedTable(StatementId id) { return Get(id).table; }

std::string_view NotNullRefusalHint(StatementId id) {
  if (id == StatementId::kInsertEventReward) {
    return "event_reward: event_ref/message_ref does not name a stored event/message";
  }
  return {};
}

}  // namespace tc::storage
