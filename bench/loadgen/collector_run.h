#pragma once

// One load run against a collector the benchmark starts itself (so it knows the pid for the
// memory figures): start it on a fresh database, wait for its "listening on" line, drive the
// load, then check the database holds exactly what was acknowledged.
//   ack=durable: counted while the collector still runs (an answer means committed), then
//                SIGTERM.
//   ack=queued:  SIGTERM first (the collector drains its queue before it exits), then counted.
// The peak RSS is the largest VmHWM/VmRSS of the collector process (its own, not tursodb's).

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/http_load.h"

namespace tc::bench {

struct CollectorSpec {
  std::string binary;                   // the tracecollector executable
  std::string db_path;                  // embedded: the SQLite file (new)
  std::string sqld_url;                 // sqld: http://127.0.0.1:<port> of a running tursodb
  std::vector<std::string> extra_args;  // appended to the command line
  std::string log_path;
  pid_t server_pid = 0;  // sqld: the tursodb process, for its CPU time
};

struct RunResult {
  std::string error;  // empty = ran (the check may still have failed)
  LoadResult load;
  uint64_t peak_rss_kib = 0;
  double avg_batch = 0;      // records committed per batch, from /metrics (before SIGTERM)
  double stop_s = 0;         // SIGTERM to exit (ack=queued: the drain)
  double collector_cpu = 0;  // CPU seconds of the collector during the load
  double server_cpu = 0;     // CPU seconds of tursodb during the load (sqld)
  std::string check;         // CheckCounts()
};

// `load.port` is filled in; `queued` selects when the database is counted (above).
RunResult RunAgainstCollector(const CollectorSpec& collector, LoadSpec load, bool queued);

}  // namespace tc::bench
