#pragma once

// WAL checkpoints of the embedded sink, off the commit path.
//
// SQLite's default (wal_autocheckpoint = 1000 pages) runs a checkpoint inside the COMMIT that
// crosses the threshold: the writer copies the WAL's pages into the database file and
// fdatasyncs it before its batch can be acknowledged (in the 100 rec/req benchmark ~40% of the
// writer's file-syscall time; at 1 rec/req it adds a stall to the batches that trigger it).
// WalCheckpointer installs a WAL hook on the writer's connection instead: once the WAL holds
// `start_frames` pages, a thread of its own runs PASSIVE checkpoints on a separate connection
// while the writer goes on (WAL mode allows one writer and one checkpointer at a time).
//
// The WAL file only restarts from its beginning when a write transaction starts with every
// frame already copied; under continuous load the background copy is always one commit behind,
// so the writer finishes the job itself: an inline PASSIVE checkpoint that copies what the
// background did not. Early and cheap when the WAL is past max_frames / 2, the background idle
// and at most start_frames / 4 pages left; at the latest when the WAL reaches max_frames (after
// waiting for a running background checkpoint). The WAL thus stays below about max_frames +
// one batch's pages. Checkpoint errors are logged (rate-limited) and never fail a write: the commit
// has happened; the next checkpoint copies the same frames again.
//
// Thread-safety: Attach/Stop from the writer thread (Open / destruction); the hook runs on the
// writer thread inside sqlite3_step(COMMIT).

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "sink/sqlite.h"  // CheckpointOptions

namespace tc::sink {

class WalCheckpointer {
 public:
  explicit WalCheckpointer(CheckpointOptions options) : options_(options) {}
  ~WalCheckpointer() { Stop(); }
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Opens the checkpoint connection on `path`, starts the thread and installs the WAL hook on
  // `writer` (replacing SQLite's auto-checkpoint). `writer` must stay open until Stop().
  // Errors: the connection cannot be opened (as StatusFromSqlite).
  [[nodiscard]] Status Attach(sqlite3* writer, const std::string& path, uint32_t busy_timeout_ms);

  // Removes the hook, joins the thread, closes the connection (a running checkpoint finishes
  // first). Idempotent. The writer's own close checkpoints whatever is left.
  void Stop();

  // Checkpoints finished (background, inline) since Attach; for tests and logs.
  uint64_t background_runs() const;
  uint64_t inline_runs() const;

 private:
  static int Hook(void* self, sqlite3* db, const char* schema, int frames);
  void AfterCommit(sqlite3* db, const char* schema, int64_t frames);
  void Run();
  // One PASSIVE checkpoint on `db`; logs failures. Serialized by run_mu_.
  void Checkpoint(sqlite3* db, const char* schema, bool background);

  const CheckpointOptions options_;
  sqlite3* writer_ = nullptr;
  sqlite3* db_ = nullptr;  // the checkpoint connection (background thread)
  std::thread thread_;
  // Writer thread only: WAL size after the last commit, and at the last background request.
  int64_t last_frames_ = 0;
  int64_t last_request_frames_ = 0;

  std::mutex run_mu_;  // held during any checkpoint: one at a time, and Stop waits for it

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  bool running_ = false;    // a background checkpoint runs; guarded by mu_
  // WAL restarts seen by the writer, and the frames the last background checkpoint of that
  // cycle had copied; guarded by mu_.
  uint64_t cycle_ = 0;
  uint64_t backfilled_cycle_ = 0;
  int64_t backfilled_ = 0;
  uint64_t background_runs_ = 0;  // guarded by mu_
  uint64_t inline_runs_ = 0;      // guarded by mu_
};

}  // namespace tc::sink
