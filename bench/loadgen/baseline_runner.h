#pragma once

// Runs one baseline (or one collector stage alone) over the same records the load would send:
// bodies from the workload's template (connection numbers rotating like the load's
// connections), decoded with the collector's own decoder (timed separately: that is the
// decode stage's cost on one thread), grouped into transactions of whole requests of about
// `batch_records` records, and written by one of:
//   kRawSqlite   baseline (i): RawSqliteWriter, hand-written inserts (bench/baseline)
//   kPlainHrana  baseline (ii): PlainHranaClient, the sink's request bodies POSTed by libcurl
//   kSqliteSink  the collector's SqliteSink::Write alone (no HTTP, no queue)
//   kHranaSink   the collector's HranaSink::Write alone
// Only the writes are timed (Encode for kPlainHrana is not), in wall and thread CPU time.
// Afterwards the database is counted and checked like a load run.

#include <cstdint>
#include <string>

#include "loadgen/workloads.h"

namespace tc::bench {

enum class StageKind { kRawSqlite, kPlainHrana, kSqliteSink, kHranaSink };

struct StageSpec {
  StageKind kind = StageKind::kRawSqlite;
  const Workload* workload = nullptr;
  std::string db_path;        // kRawSqlite, kSqliteSink: a new file
  std::string base_url;       // kPlainHrana, kHranaSink: http://127.0.0.1:<port> of a fresh tursodb
  uint32_t connections = 64;  // connection numbers used in the ids
  uint64_t batch_records = 4096;  // records per transaction (whole requests)
  double duration_s = 5;          // of timed writing
  std::string synchronous = "FULL";
};

struct StageResult {
  std::string error;   // empty = ran
  uint64_t units = 0;  // acknowledged units written
  uint64_t records = 0;
  uint64_t transactions = 0;
  double write_s = 0;      // timed
  double write_cpu_s = 0;  // CPU time of the writing thread during the timed writes (the
                           // cost independent of how busy the machine is; sqld: client side)
  double decode_s = 0;     // decoding the bodies (one thread)
  std::string check;       // CheckCounts() of the database afterwards
};

StageResult RunStage(const StageSpec& spec);

const char* StageName(StageKind kind);

}  // namespace tc::bench
