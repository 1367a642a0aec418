#pragma once

// A connection over http.max_connections: answered 503 + Retry-After at once and closed,
// without reading a request. Owns itself through its pending operations.

#include "http/connection_types.h"

#include "http/server_state.h"

namespace tc::http {

// Writes state.refusal_response on `socket` (whose executor must be a strand), shuts down the
// sending side, drains what the client sends for at most state.linger, then closes.
// `state` must outlive the io_context that runs the socket.
void RefuseConnection(StrandSocket socket, const ServerState& state);

}  // namespace tc::http
