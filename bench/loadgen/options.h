#pragma once

// Command line of the load generator (bench/run_bench.sh passes these through):
//   --collector PATH        tracecollector binary (default: the one built with this loadgen)
//   --tursodb PATH          tursodb for the sqld backend ($SQLD_BINARY, $TC_TURSODB, .deps/)
//   --backends LIST         embedded,sqld (default both; sqld is skipped when tursodb is missing)
//   --workloads LIST        1,100,trace,otlp (otlp: OTLP protobuf, 100 spans per request;
//                           with 100 in the same run, a table of the ratio otlp / 100)
//   --acks LIST             durable,queued
//   --duration S            seconds per load run (5)
//   --connections N         keep-alive connections (64)
//   --client-threads N      io_context threads of the load generator (1)
//   --baseline-batch N      records per transaction of the ceiling baseline (4096 =
//                           batch.max_records); each workload also gets a baseline at its load
//                           run's own avg batch (ack=durable, else queued), run after the loads
//   --baseline-duration S   seconds of timed writing per baseline (default: 0.6 x --duration:
//                           four baseline stages per workload instead of two)
//   --latency-fraction F    open-loop rate = F x the measured 1 rec/req durable peak (0.5)
//   --latency-rate R        fixed open-loop rate instead (requests/s); 0 = no latency run
//   --no-baselines, --no-latency
//   --collector-arg ARG     extra collector argument (repeatable), e.g. --set batch.max_delay_ms=2
//   --workdir DIR           where databases and logs go (default: a new /tmp/tc-bench-*)
//   --keep                  keep the workdir
//   --max-records N         stop each load run after about N records (default: no limit)
//   --smoke                 tiny: 0.5 s runs, 8 connections, 0.2 s baselines,
//                           at most 400 records per run (a test, not figures)

#include <string>
#include <vector>

#include "loadgen/workloads.h"

namespace tc::bench {

// Default --baseline-duration as a share of --duration: each workload runs four baseline
// stages (raw/plain client and sink alone, at two transaction sizes) against two load runs.
inline constexpr double kDefaultBaselineShare = 0.6;

struct Options {
  std::string collector;
  std::string tursodb;
  std::vector<std::string> backends = {"embedded", "sqld"};
  std::vector<WorkloadKind> workloads = {WorkloadKind::kEvents1, WorkloadKind::kEvents100,
                                         WorkloadKind::kTraces, WorkloadKind::kOtlp};
  std::vector<std::string> acks = {"durable", "queued"};
  double duration_s = 5;
  uint32_t connections = 64;
  uint32_t client_threads = 1;
  uint64_t baseline_batch = 4096;
  double baseline_duration_s = -1;  // < 0: kDefaultBaselineShare x duration_s
  double latency_fraction = 0.5;
  double latency_rate = -1;  // < 0: from the fraction; 0: no latency run
  bool baselines = true;
  bool latency = true;
  std::vector<std::string> collector_args;
  std::string workdir;
  bool keep = false;
  bool smoke = false;
  uint64_t max_records = 0;  // per load run, 0 = the duration alone decides
};

// False (with *error) on an unknown flag or a bad value. --help sets *help.
bool ParseOptions(int argc, char** argv, Options* out, bool* help, std::string* error);

std::string Usage();

}  // namespace tc::bench
