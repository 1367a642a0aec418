#pragma once

// The embedded backend's public face: one SQLite file written by the collector itself. What it
// guarantees and how it writes: sqlite_sink.h (internal to this stage).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/status.h"
#include "contract/sink.h"
#include "storage/read_store.h"

namespace tc::sink {

// WAL checkpoints off the commit path (sqlite_sink_checkpoint.h).
struct CheckpointOptions {
  int64_t start_frames = 1000;  // WAL pages that wake the background checkpoint (SQLite's 1000)
  int64_t max_frames = 16000;   // WAL pages at which the writer completes it inline (64 MiB)
};

struct SqliteSinkOptions {
  std::string path;                  // the database file, created if missing (not its directory)
  std::string synchronous = "FULL";  // FULL (an ack survives power loss) | NORMAL | EXTRA | OFF
  uint32_t busy_timeout_ms = 5000;   // how long a write waits for another writer's lock
  CheckpointOptions checkpoint;      // WAL checkpoints off the commit path (see the header)
  bool message_index = false;        // the full-text index of messages (storage/ddl.h)
};

// A Sink whose database file can be deleted or replaced under it.
class EmbeddedSink : public Sink {
 public:
  // For /readyz, thread-safe: kUnavailable (naming the path) while the database file is lost.
  [[nodiscard]] virtual Status Health() const = 0;
  // Housekeeping the writer thread runs while it has nothing to write (notices a lost file,
  // reopens it once it is back). Only from the thread that calls Write.
  virtual void Idle(std::chrono::steady_clock::time_point now) = 0;
};

// Validates the options (kInvalidArgument); opens nothing yet (Sink::Open does).
Result<std::unique_ptr<EmbeddedSink>> CreateSqliteSink(const SqliteSinkOptions& options);

// The read API's store (storage/read_store.h) on the same file: up to `connections` read-only
// connections (SQLITE_OPEN_READONLY), opened on first use and kept; each read runs in one read
// transaction on one of them, a WAL reader that sees only committed data and never takes the
// writer's lock. A read that finds every connection busy waits for one.
struct SqliteReaderOptions {
  std::string path;
  uint32_t connections = 4;
  uint32_t busy_timeout_ms = 5000;
};
std::unique_ptr<storage::ReadStore> CreateSqliteReader(const SqliteReaderOptions& options);

}  // namespace tc::sink
