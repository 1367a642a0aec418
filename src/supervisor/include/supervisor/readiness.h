#pragma once

// Readiness of a spawned Hrana server, probed over HTTP on loopback with libcurl.
// sqld: GET /health -> 200. tursodb --sync-server (no /health): POST /v2/pipeline with
// SELECT 1 -> 200. Every probe uses a fresh connection that is closed at once (tursodb serves
// one connection at a time, so an idle kept-alive probe connection would block real clients).

#include <chrono>
#include <string>

#include "common/status.h"
#include "supervisor/child_process.h"
#include "supervisor/stop_latch.h"

namespace tc::supervisor {

struct ProbeSpec {
  std::string url;   // e.g. "http://127.0.0.1:8080/health"
  std::string body;  // empty: GET; else POST with Content-Type: application/json
};

struct ReadyOptions {
  std::chrono::milliseconds timeout{10000};        // overall budget (SqldConfig::ready_timeout_ms)
  std::chrono::milliseconds interval{50};          // between probes
  std::chrono::milliseconds probe_timeout{1000};   // one HTTP request
};

// Output text that identifies a child that failed because its port is taken.
inline constexpr std::string_view kAddressInUse = "Address already in use";

// One probe: OK on HTTP 200; kUnavailable (connection refused, other status, timeout) otherwise.
// Thread-safe (no shared state besides libcurl's one-time global init). Never uses a proxy.
Status ProbeOnce(const ProbeSpec& probe, std::chrono::milliseconds timeout);

// Probes every options.interval until OK. Errors:
// - the child exits first: kFailedPrecondition "... already in use ..." when its output
//   contained kAddressInUse (put it in SpawnSpec::watch_for), else kUnavailable; both name the
//   exit status and the child's last output lines;
// - options.timeout passes: kDeadlineExceeded with the last probe error and last output lines;
// - `stop` (may be null) triggers: kCancelled.
// The child is left as it is (running or reaped); the caller stops it.
Status WaitUntilReady(ChildProcess& child, const ProbeSpec& probe, const ReadyOptions& options,
                      const StopLatch* stop);

}  // namespace tc::supervisor
