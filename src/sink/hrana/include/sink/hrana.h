#pragma once

// The sqld backend's public face: a Hrana-over-HTTP server (sqld, Turso, tursodb) written through
// a pool of libcurl connections. What it guarantees and how it writes: hrana_sink.h (internal to
// this stage) and docs/sqld.md.

#include <string>

#include "common/result.h"
#include "config/config.h"
#include "contract/sink.h"
#include "storage/read_store.h"

namespace tc::sink {

// The sink for `url` (the external URL, or the spawned child's http://127.0.0.1:<port>) with the
// [sqld] section's options. Validates the URL (kInvalidArgument); connects to nothing yet.
Result<SinkPtr> CreateHranaSink(const config::SqldConfig& sqld, std::string url);

// The read API's store (storage/read_store.h) for the same server, on a client (connection pool) of
// its own: reads never take the writer's connections. Connects to nothing yet.
Result<std::unique_ptr<storage::ReadStore>> CreateHranaReader(const config::SqldConfig& sqld,
                                                              std::string url);

}  // namespace tc::sink
