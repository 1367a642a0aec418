#pragma once

// How to run and probe each supported Hrana server binary on loopback:
//   sqld:    sqld --db-path DIR --http-listen-addr 127.0.0.1:PORT --no-welcome   (GET /health)
//   tursodb: tursodb FILE --sync-server 127.0.0.1:PORT            (POST /v2/pipeline SELECT 1)
// Pure functions except for the port checks (which bind a socket) and FindExecutable (stat).
// Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "supervisor/child_process.h"
#include "supervisor/readiness.h"

namespace tc::supervisor {

enum class ServerKind { kSqld, kTursodb };

const char* ServerKindName(ServerKind kind);  // "sqld" / "tursodb"

// From the executable's file name: "tursodb..." -> kTursodb; anything else (sqld,
// libsql-server, a wrapper script) -> kSqld.
ServerKind KindFromBinary(std::string_view binary);

// Binds 127.0.0.1:0, reads the port, releases it. kInternal if no socket can be bound.
Result<uint16_t> PickFreeLoopbackPort();
// OK if 127.0.0.1:port can be bound right now (SO_REUSEADDR, as the Rust servers bind);
// kFailedPrecondition "127.0.0.1:PORT is already in use" otherwise.
Status CheckLoopbackPortFree(uint16_t port);

struct ServerPlan {
  ServerKind kind = ServerKind::kSqld;
  std::string binary;    // resolved absolute path
  std::string db_path;   // absolute: sqld's data directory or tursodb's database file
  uint16_t port = 0;     // fixed for the plan's lifetime (restarts reuse it)
  std::string base_url;  // "http://127.0.0.1:PORT"
  SpawnSpec spawn;       // argv as above + extra args; log prefix = kind name
  ProbeSpec probe;
};

// Builds the plan from config.binary (empty: "sqld", then "libsql-server", on PATH),
// config.db_path and config.http_port (0: a free port picked now). `kind` overrides the
// name-based choice. Errors: binary not found / not executable (kNotFound /
// kFailedPrecondition, naming the PATH searched), configured port busy (kFailedPrecondition),
// empty db_path (kInvalidArgument). Does not create directories.
Result<ServerPlan> BuildServerPlan(const config::SqldConfig& config,
                                   std::optional<ServerKind> kind = std::nullopt,
                                   const std::vector<std::string>& extra_args = {});

// The argv after the binary for a kind (exposed for tests and --check-config output).
std::vector<std::string> ServerArgs(ServerKind kind, const std::string& db_path, uint16_t port);

}  // namespace tc::supervisor
