#pragma once

// GET /v1/sessions/{id} (docs/api.md): one session's whole trace in synth-ai's
// SessionTrace.to_dict() form plus its totals, read in one snapshot from a storage::ReadStore.
// The six SELECTs (one per table, ?1 = the session id) and the rendering are shared by every
// backend; the rendering is pure (tests feed it rows).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/read_store.h"

namespace tc::query {

// How much of each event the document carries.
struct TraceOptions {
  // false (`?bodies=false`, for viewing a large session): each event leaves out call_records,
  // system_state_before and system_state_after (not even read) and carries its row "id"
  // instead, to fetch them with GET /v1/events/{id}, and its "event_type". Such a document is
  // for reading, not for posting back.
  bool bodies = true;
};

// The query string of GET /v1/sessions/{id}: `bodies` (true/false) and nothing else;
// kInvalidArgument (params.h BadParameter) otherwise.
Result<TraceOptions> ParseTraceOptions(std::string_view query);

// {"trace":{...},"totals":{...}}. kNotFound: no such session; the store's errors as they are.
Result<std::string> ReadSessionTrace(storage::ReadStore& store, std::string_view session_id,
                                     TraceOptions options = {});

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

// The SELECT of `q`; one parameter, ?1 = session_id. Valid for the program's lifetime. Without
// bodies, the events query selects NULL in place of the three body columns.
std::string_view SessionQuerySql(SessionQuery q, TraceOptions options = {});

using SessionRows = std::array<storage::SqlRows, kSessionQueryCount>;

// {"trace":{...SessionTrace.to_dict()...},"totals":{...}} from the rows of the six queries.
// kNotFound when the session query gave no row; kInternal when a row does not have the columns
// its query selects (a backend bug).
Result<std::string> RenderSessionTrace(const SessionRows& rows, TraceOptions options = {});

// The dollars to print for `cents` (events.cost_usd): the shortest value d with d * 100 == cents
// in double arithmetic when one is within a few ulps of cents / 100 (so posting the document
// again stores the same REAL), else cents / 100.
double CentsToDollars(double cents);

}  // namespace tc::query
