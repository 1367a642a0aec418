#pragma once

// The write path behind the HTTP layer: admission queue → one batcher thread → sink.
//
//   Submit (any I/O thread) ── AdmissionQueue (capped in records and bytes; full → refused)
//        └─▶ batcher thread: takes what is queued (group commit: records that arrive while a
//            batch commits form the next one), up to max_records / max_bytes, or what arrived
//            within max_delay; writes it with Sink::Write; retries retryable failures with
//            backoff, the batch intact; then calls each submission's CompletionFn.
//
// Capacity stays held until a submission's records are written, so the queue caps bound all
// admitted, unwritten records.
//
// With a spool (spool/spool.h): when a batch write fails with a retryable error (store down,
// timeout), the batch is appended to the spool and its submissions complete with kSpooled
// results (durable: the spool fsyncs). From then on every batch goes to the spool ("spooling")
// so records keep their order, and the replay thread writes the spool to the store, oldest
// first, retrying with backoff; once it has caught up, batches go to the store directly again.
// Only one thread writes to the sink at a time: the batcher while not spooling, the replay
// thread while spooling (the switch back happens under mode_mu_ with nothing left to read).
// A full spool: durable submissions complete with kUnavailable (503); ack=queued ones, already
// answered, wait for room until the shutdown deadline and are then counted as dropped.
// Without a spool, a failing batch is retried with backoff, intact, and the queue fills (429).
//
// Shutdown(deadline): Submit refuses (kUnavailable); the batcher drains the queue into the
// store until the deadline and into the spool after it (without a spool: submissions still
// unwritten complete with kUnavailable, answered 503); the replay thread finishes the chunk it
// is writing and stops (what is left is replayed on the next start).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/backoff.h"
#include "metrics/metrics.h"
#include "contract/readiness.h"
#include "contract/session_deleter.h"
#include "contract/submission.h"
#include "queue/admission_queue.h"
#include "contract/sink.h"
#include "spool/spool.h"

namespace tc::pipeline {

// Retention (docs/operations.md): sessions older than max_age, or the oldest while the
// embedded database holds more than max_db_bytes, are deleted by the batcher between batches,
// at most batch_sessions per transaction, so ingest waits for one small transaction at most.
struct RetentionOptions {
  std::chrono::seconds max_age{0};   // 0: no age limit
  uint64_t max_db_bytes = 0;         // 0: no size limit
  std::chrono::milliseconds interval{60000};  // between passes while nothing is left to delete
  uint32_t batch_sessions = 100;     // sessions per transaction
  bool enabled() const { return max_age.count() > 0 || max_db_bytes > 0; }
};

// The defaults are config::Defaults()'s ([queue], [batch], the retry backoff); a test in
// tests/unit/app (PipelineOptionsTest) fails if they drift apart.
struct PipelineOptions {
  queue::Capacity capacity;
  size_t batch_max_records = 4096;
  uint64_t batch_max_bytes = 8 << 20;
  std::chrono::microseconds batch_max_delay{0};  // 0: commit what is queued, wait for nothing
  BackoffPolicy retry;
  // False when the sink's Open() failed with a retryable error at start (the store was not
  // reachable yet): the writer calls Open() again before its first write, and until that
  // succeeds batches go to the spool like any other failed write.
  bool sink_open = true;
  std::string sink_open_error;  // why, when !sink_open (/readyz says it until a write succeeds)
  // Called on the thread that owns the sink (the batcher, while nothing is spooled) each time
  // it found nothing to write (about every 50 ms when idle), so the sink can notice a lost
  // store between writes (SqliteSink::Idle). Must not block for long. May be empty.
  std::function<void()> on_idle;
  // Called after each successful Sink::Write (by the batcher or the replay thread, one at a
  // time) with the records and their results: the feed of GET /v1/stream publishes the stored
  // ones. Must not block for long. May be empty.
  std::function<void(std::span<const schema::Record>, std::span<const sink::RecordResult>)>
      on_committed;
  RetentionOptions retention;
};

class Pipeline : public Submitter, public SessionDeleter {
 public:
  // `sink` must outlive the pipeline; it must already be Open()ed. `metrics` likewise.
  // `spool` (may be null: no spool) likewise; what it holds from earlier runs is replayed first.
  Pipeline(const PipelineOptions& options, sink::Sink& sink, metrics::Metrics& metrics,
           spool::Spool* spool = nullptr);
  ~Pipeline() override;  // Shutdown(now) if still running

  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Starts the batcher thread (and the replay thread with a spool).
  void Start();

  // Submitter: admits all records of the submission or none. Thread-safe, lock-free.
  [[nodiscard]] Status Submit(Submission& submission) override;

  // Stops admission, drains the queue into the sink until `deadline`, joins the batcher.
  // Safe without Start and twice.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  // For /readyz: whether a record submitted now can be made durable, and where it would go.
  Readiness Ready() const;

  // True while batches go to the spool (the store failed and the spool is not yet replayed);
  // false once the replay thread has switched writes back to the store.
  bool spooling() const { return spooling_.load(); }

  // SessionDeleter: deletes one session whole through the writer: queued, run by the batcher
  // between batches (within about 50 ms when idle), `done` called after the commit with OK,
  // kNotFound, kUnavailable (shutting down, or batches are being spooled: the store is away) or
  // the sink's error. Thread-safe. Returns kUnavailable (and never calls `done`) when shutting
  // down.
  [[nodiscard]] Status DeleteSession(std::string session_id, DeleteDoneFn done) override;

  uint64_t held_records() const { return queue_.held_records(); }

 private:
  struct Item {
    std::vector<schema::Record> records;  // released once moved into the batch
    CompletionFn on_done;
    uint64_t bytes = 0;
    size_t count = 0;  // records submitted (records.size() until the batch takes them)
  };

  void Run();
  // Batcher: appends the batch to the spool and completes its items (see the class comment).
  void SpoolBatch(std::vector<Item>& items, std::vector<schema::Record>& records);
  // Replay thread: spool → sink while spooling_, until closed_.
  void Replay();
  // Writes the rest of `chunk` (from chunk_done_) and consumes it; false when a write failed
  // (after a backoff sleep): call again with the same chunk.
  bool ReplayChunk(spool::Chunk& chunk);
  void ReportReplayRefusals(std::span<const schema::Record> records,
                            const std::vector<sink::RecordResult>& results);
  void CountOutcomes(const std::vector<sink::RecordResult>& results);
  void WakeReplay();
  // Takes a batch: items whose records are moved into `records`.
  bool CollectBatch(std::vector<Item>& items, std::vector<schema::Record>& records);
  // Writes with retries; per-record fallback on a permanent batch failure.
  // How long a retryable sink failure is retried: not at all (the batcher, which then spools),
  // until the shutdown deadline (the batcher without a spool), or until Shutdown starts (the
  // replay thread: its records are safe on disk).
  enum class Retry { kOnce, kUntilDeadline, kUntilShutdown };
  // Writes `records`; on a permanent failure of the whole batch, writes them one by one so
  // that only the culprits are refused (those single writes retry kUntilDeadline).
  Status WriteBatch(std::span<const schema::Record> records,
                    std::vector<sink::RecordResult>* results, Retry retry);
  Status WriteWithRetry(std::span<const schema::Record> records,
                        std::vector<sink::RecordResult>* results, Retry retry);
  void Complete(std::vector<Item>& items, const Status& status,
                std::vector<sink::RecordResult>& results);
  // Sleeps `delay` unless shutdown's deadline passes first (or, with `until_shutdown`, Shutdown
  // starts). False once that happened.
  bool SleepForRetry(std::chrono::milliseconds delay, bool until_shutdown = false);
  bool DeadlinePassed() const;
  void UpdateGauges();
  // Batcher, between batches (pipeline_maintenance.cc): runs queued session deletions and, when
  // due, one retention pass. `final` (at exit): answers what is queued kUnavailable instead.
  void RunMaintenance(bool final);
  void RetentionPass();

  const PipelineOptions options_;
  sink::Sink& sink_;
  metrics::Metrics& metrics_;
  queue::AdmissionQueue<Item> queue_;

  std::atomic<bool> closed_{false};
  std::atomic<int> submitting_{0};  // Submit calls between the closed_ check and the enqueue
  std::atomic<bool> sink_failing_{false};
  std::atomic<bool> sink_open_;  // see PipelineOptions::sink_open; set by the writing thread
  std::atomic<int64_t> deadline_ns_{INT64_MAX};  // steady_clock; set by Shutdown

  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;  // wakes retry sleeps on Shutdown

  mutable std::mutex error_mu_;
  std::string last_error_;  // guarded by error_mu_

  spool::Spool* const spool_;
  std::mutex mode_mu_;               // orders "spooling? then append" against the switch back
  std::atomic<bool> spooling_{false};  // batches go to the spool; the replay thread owns the sink
  std::mutex replay_mu_;
  std::condition_variable replay_cv_;  // wakes the replay thread when spooling starts
  // Replay thread only:
  size_t replay_limit_;     // records per replay write; halved on timeouts, +25% on success
  size_t chunk_done_ = 0;   // records of the held chunk already in the store
  Backoff replay_backoff_;

  struct DeleteCommand {
    std::string session_id;
    DeleteDoneFn done;
  };
  std::mutex commands_mu_;
  std::vector<DeleteCommand> commands_;  // guarded by commands_mu_
  bool commands_closed_ = false;         // guarded by commands_mu_; set when the batcher exits
  std::atomic<bool> commands_pending_{false};
  // Batcher only: when the next retention pass is due.
  std::chrono::steady_clock::time_point next_retention_{};

  std::thread batcher_;
  std::thread replayer_;
  bool started_ = false;
  std::once_flag shutdown_once_;
};

}  // namespace tc::pipeline
