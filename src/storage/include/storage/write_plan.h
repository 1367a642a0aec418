#pragma once

// The statements that store one record, shared by every sink (embedded SQLite and Hrana), so
// both backends write the same rows with the same idempotency and counter rules.
//
// A plan is a list of steps executed in order inside the batch's transaction:
//   - A *claim* step is an INSERT that fails with a UNIQUE/PRIMARY KEY conflict when its row
//     already exists (an idempotency key already seen, a timestep already created). A failed
//     claim is not an error: it only skips the steps guarded by it.
//   - A step with guard >= 0 runs only if the step at that index (within the same plan) ran
//     and succeeded. Guards always point to an earlier step.
//   - Any other failure of a step is a refusal of the whole record: its effects must be rolled
//     back (SAVEPOINT per record, or the batch re-run without it) and the record reported.
// The outcome of the record is kDuplicate when its idempotency claim (always step 0 when the
// record has a key) failed, else kStored.
// Each step also carries its kind (statements.h): what running it means to an executor that
// keeps state across a transaction (SqliteSink: sessions and timesteps known to exist, counters
// summed, row ids predicted). An executor that runs every step as written (HranaSink) needs
// only statement, args, guard and claim. Either way, executors learn a step's meaning here,
// never from its statement id or its arguments' positions.
//
// Statement texts are fixed (a small catalogue, see StatementSql), so sinks can prepare them
// once (sqlite3_prepare / Hrana store_sql) and bind per step.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "schema/records.h"
#include "storage/sql_value.h"
#include "storage/statements.h"

namespace tc::storage {

struct Step {
  StatementId statement;
  std::vector<SqlValue> args;  // positional, ?1..?N
  int32_t guard = -1;          // index of the step that must have succeeded; -1 = none
  bool claim = false;          // a conflict failure here is expected and skips dependents
  StepKind kind = StepKind::kWrite;  // StatementKind(statement)
};

struct RecordPlan {
  std::vector<Step> steps;
  bool has_key_claim = false;  // steps[0] is the idempotency claim (kind kKeyClaim)
  // The kInsertRow step whose row the record's key names (tc_idempotency.row_id): the step
  // right before the plan's kSetKeyRowId. -1 when the record has no key or its type no row id.
  int32_t keyed_row = -1;
  // Some step is of kind kMoveSession (a trace_link): an executor that sums counters applies
  // the sums before the plan runs (outside the record's savepoint, so a rolled-back record
  // cannot take them along) and forgets the sessions and timesteps it knows after it.
  bool moves_sessions = false;
};

// The session_id a kEnsureSession, kUpsertSession, kClaimTimestep or kCount step concerns.
std::string_view SessionOf(const Step& step);
// The step_id a kClaimTimestep step, or a kCount step of a timestep counter, concerns; empty
// for a session counter.
std::string_view TimestepOf(const Step& step);

// What one event adds to its session's totals: the values of its kCountSessionEvent step.
struct EventTotals {
  int64_t llm_calls = 0;  // 1 for an LLM call (event_type cais)
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t total_tokens = 0;
  double cost_cents = 0;
  std::optional<double> event_time;
  int64_t errors = 0;           // 1 when EventMarksError
  std::string_view model_json;  // the model name as a JSON string; empty when none
};
EventTotals EventTotalsOf(const Step& step);

// Whether an event marks an error (the read API's has_error and error counts): its metadata, or
// one of its call_records, has an "error" member that is not null, false, "" or 0, or a
// "status" / "outcome" member "error", "failed", "failure" or "timeout" (in any case).
bool EventMarksError(const schema::EventRecord& event);

// Builds the plan for one record. `now_iso` is the commit-time default for created_at /
// timestamp / started_at columns the client did not give (ISO text, see common/time_format.h).
RecordPlan PlanRecord(const schema::Record& record, std::string_view now_iso);

// Same as PlanRecord, but overwrites `*plan` reusing its storage (steps, argument strings), so a
// sink planning record after record allocates next to nothing in the steady state.
void PlanRecordInto(const schema::Record& record, std::string_view now_iso, RecordPlan* plan);

// events.cost_usd's unit: cents with the fraction kept (0.0045 USD -> 0.45), synth-ai's unit
// without its truncation. Picks, among the doubles nearest usd * 100, one whose / 100.0 gives
// `usd` back exactly when there is one, so the views (SUM(cost_usd) / 100.0) print the dollars.
double UsdToCents(double usd);

}  // namespace tc::storage
