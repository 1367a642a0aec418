#pragma once

// A connection over http.max_connections: its first bytes are read (at most 1 KiB, within
// 250 ms); a liveness probe ("GET /healthz") is answered 200 (it is documented as always
// 200), anything else 503 + Retry-After (counted in http_connections_refused); then closed.
// Owns itself through its pending operations.

#include <string_view>

#include "http/connection_types.h"

#include "server_state.h"

namespace tc::http {

// Writes state.refusal_response (or state.healthz_response) on `socket` (whose executor must be a strand), shuts down the
// sending side, drains what the client sends for at most state.linger, then closes.
// `state` must outlive the io_context that runs the socket.
void RefuseConnection(StrandSocket socket, const ServerState& state);

// True if `request_start` begins a GET /healthz request line.
bool IsLivenessProbe(std::string_view request_start);

}  // namespace tc::http
