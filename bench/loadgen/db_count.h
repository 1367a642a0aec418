#pragma once

// Counts what a benchmark run left in the database, to check it against what was
// acknowledged: rows of the data tables, tc_idempotency keys, and the session counters.
// Read from an embedded SQLite file (libsqlite3) or from a Hrana server (POST /v2/pipeline).

#include <cstdint>
#include <string>

#include "loadgen/workloads.h"

namespace tc::bench {

struct DbCounts {
  int64_t sessions = 0;
  int64_t timesteps = 0;
  int64_t events = 0;
  int64_t messages = 0;
  int64_t event_rewards = 0;
  int64_t keys = 0;
  // SUM over session_traces of num_timesteps / num_events / num_messages.
  int64_t counted_timesteps = 0;
  int64_t counted_events = 0;
  int64_t counted_messages = 0;
};

// False (with *error) when the database cannot be read.
bool CountSqlite(const std::string& path, DbCounts* out, std::string* error);
bool CountHrana(const std::string& base_url, DbCounts* out, std::string* error);

// "ok", or what differs from `units` acknowledged units of `workload` ("FAIL events 10 != 12").
// The session counters must equal the row counts.
std::string CheckCounts(const Workload& workload, uint64_t units, const DbCounts& counts);

}  // namespace tc::bench
