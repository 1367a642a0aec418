#pragma once

// The fixed catalogue of parameterized statements the write plans use (?1..?N positional
// parameters). Sinks prepare each once (sqlite3_prepare_v3 / Hrana store_sql) and bind per step;
// no SQL is formatted per record. The parameters of each statement are listed in statements.cc
// next to its text; PlanRecord() always binds exactly StatementParamCount(id) values.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tc::storage {

enum class StatementId : uint16_t {
  kClaimKey,                // INSERT tc_idempotency (claim: a conflict = duplicate record)
  kSetKeyRowId,             // tc_idempotency.row_id = last_insert_rowid()
  kEnsureSession,           // session row with zero counters, if missing
  kUpsertSession,           // `session` record: create, or fill created_at/metadata/experiment
  kReplaceSessionMetadata,  // `session_end` with metadata
  kCloseTimesteps,          // `session_end`: completed_at of the session's open timesteps
  kClaimTimestep,           // INSERT session_timesteps (claim: a conflict = it exists)
  kCountSessionTimestep,    // session_traces.num_timesteps + 1 (guarded by kClaimTimestep)
  kFillTimestep,            // `timestep` record: given optional fields override
  kInsertEvent,
  kCountSessionEvent,
  kCountTimestepEvent,
  kInsertEnvironmentReward,  // event_rewards row for an environment event's reward
  kInsertMessage,
  kCountSessionMessage,
  kCountTimestepMessage,
  kUpsertExperiment,
  kUpsertSystem,
  kUpsertSystemVersion,
  kInsertOutcomeReward,
  kInsertEventReward,  // event_id / message_id given or resolved from event_ref / message_ref
  kLinkTrace,          // `trace_link`: INSERT tc_trace_sessions unless the trace has a link
  // `trace_link`: the provisional session's rows into the linked session, in this order.
  kMoveDue,              // claim: fails (skipping the rest) unless there is something to move
  kMoveSessionEnsure,    // the linked session's row, if missing
  kMoveSessionTotals,    // its counters and totals += the provisional session's
  kMoveEventSteps,       // events of a step both sessions have → the linked one's step
  kMoveMessageSteps,     // same for messages
  kMoveStepCounters,     // such a step's counters += the provisional one's
  kMoveDropSharedSteps,  // then the provisional copy of such a step goes
  kMoveSteps,            // the other steps change session
  kMoveEvents,           // events, messages, rewards change session
  kMoveMessages,
  kMoveOutcomeRewards,
  kMoveEventRewards,
  kMoveSessionDrop,  // the provisional session's row goes
  // Not used by plans: a sink may sum the kCount* increments of a transaction (CounterBatch)
  // and apply them with these, once per session / timestep, before COMMIT.
  kAddSessionCounters,  // counters and the read API's totals (a batch with events)
  kAddSessionCounts,    // the three counters only (a batch without events for the session)
  kAddTimestepCounters,
  kCount
};

inline constexpr size_t kStatementCount = static_cast<size_t>(StatementId::kCount);

// What running a statement means beyond its SQL: the facts an executor that keeps state across
// a transaction relies on (which sessions and timesteps exist, counters summed before COMMIT,
// predicted row ids). Executors read these, never a statement id or an argument's position.
enum class StepKind : uint8_t {
  kWrite,          // any other statement: run it as written
  kKeyClaim,       // claims the record's idempotency key; a conflict = the record is a duplicate
  kSetKeyRowId,    // stores in the key's row the id of the row the step before it inserted
  kEnsureSession,  // creates session SessionOf() if missing; does nothing when it exists
  kUpsertSession,  // creates or fills session SessionOf(); it exists afterwards
  kClaimTimestep,  // creates timestep (SessionOf(), TimestepOf()); a conflict = it exists
  kCount,          // adds 1 to a counter of SessionOf() (and TimestepOf() when not empty);
                   // nothing in a plan reads a counter, so increments may be summed
  kInsertRow,      // inserts one row into InsertedTable() (an AUTOINCREMENT id)
  kMoveSession,    // moves rows from one session to another and may delete a session and
                   // timesteps: counter increments not yet applied must be applied before it,
                   // and no session or timestep is known to exist after it
};

// The tables whose rows an idempotency key can name (tc_idempotency.row_id).
enum class RowTable : uint8_t { kEvents, kMessages, kOutcomeRewards, kEventRewards, kNone };
inline constexpr size_t kRowTableCount = 4;  // kNone excluded

// The SQL text; valid for the program's lifetime. `id` must be < kCount.
std::string_view StatementSql(StatementId id);

// Number of parameters (?1..?N) the statement takes.
int StatementParamCount(StatementId id);

StepKind StatementKind(StatementId id);

// For a kInsertRow statement, the table its row goes to; kNone otherwise.
RowTable InsertedTable(StatementId id);

// Short name for logs and metrics ("insert_event").
std::string_view StatementName(StatementId id);

// For a statement whose NOT NULL failure means "a reference the client gave does not resolve",
// the refusal text to report (before the database's own message); empty otherwise.
std::string_view NotNullRefusalHint(StatementId id);

}  // namespace tc::storage
