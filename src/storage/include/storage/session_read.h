#pragma once

// The read side's SQL and rendering for GET /v1/sessions/{id} (docs/api.md §9), shared by both
// backends: a backend runs SessionQuerySql(q) for every q, each with ?1 = the session id, in one
// read transaction (so all six see the same commit), and hands the typed rows to
// RenderSessionTrace, which builds synth-ai's SessionTrace.to_dict() document plus the totals.
// Pure: no I/O.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/sql_value.h"

namespace tc::storage {

enum class SessionQuery : uint8_t {
  kSession,         // session_traces: at most one row
  kTimesteps,       // session_timesteps, by id
  kEvents,          // events, by id
  kMessages,        // messages, by id
  kOutcomeRewards,  // outcome_rewards, by id
  kEventRewards,    // event_rewards, by id
  kCount
};
inline constexpr size_t kSessionQueryCount = static_cast<size_t>(SessionQuery::kCount);

// The SELECT of `q`; one parameter, ?1 = session_id. Valid for the program's lifetime.
std::string_view SessionQuerySql(SessionQuery q);

using SqlRow = std::vector<SqlValue>;
using SqlRows = std::vector<SqlRow>;
using SessionRows = std::array<SqlRows, kSessionQueryCount>;

// {"trace":{...SessionTrace.to_dict()...},"totals":{...}} from the rows of the six queries.
// kNotFound when the session query gave no row; kInternal when a row does not have the columns
// its query selects (a backend bug).
Result<std::string> RenderSessionTrace(const SessionRows& rows);

// The dollars to print for `cents` (events.cost_usd): the shortest value d with d * 100 == cents
// in double arithmetic when one is within a few ulps of cents / 100 (so posting the document
// again stores the same REAL), else cents / 100.
double CentsToDollars(double cents);

}  // namespace tc::storage
