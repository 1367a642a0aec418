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
// admitted, unwritten records. Shutdown: Submit refuses (kUnavailable), the batcher drains the
// queue, retrying until the deadline; submissions still unwritten then complete with
// kUnavailable (their requests are answered 503; nothing acknowledged is dropped).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.h"
#include "pipeline/backoff.h"
#include "pipeline/submission.h"
#include "queue/admission_queue.h"
#include "sink/sink.h"

namespace tc::pipeline {

struct PipelineOptions {
  queue::Capacity capacity;
  size_t batch_max_records = 4096;
  uint64_t batch_max_bytes = 8 << 20;
  std::chrono::microseconds batch_max_delay{5000};
  BackoffPolicy retry;
};

class Pipeline : public Submitter {
 public:
  // `sink` must outlive the pipeline; it must already be Open()ed. `metrics` likewise.
  Pipeline(const PipelineOptions& options, sink::Sink& sink, metrics::Metrics& metrics);
  ~Pipeline() override;  // Shutdown(now) if still running

  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Starts the batcher thread.
  void Start();

  // Submitter: admits all records of the submission or none. Thread-safe, lock-free.
  [[nodiscard]] Status Submit(Submission& submission) override;

  // Stops admission, drains the queue into the sink until `deadline`, joins the batcher.
  // Safe without Start and twice.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  // OK when accepting and the last write did not fail; else why not (for /readyz).
  Status Ready() const;

  uint64_t held_records() const { return queue_.held_records(); }

 private:
  struct Item {
    std::vector<schema::Record> records;
    CompletionFn on_done;
    uint64_t bytes = 0;
  };

  void Run();
  // Takes a batch: items whose records are moved into `records`.
  bool CollectBatch(std::vector<Item>& items, std::vector<schema::Record>& records);
  // Writes with retries; per-record fallback on a permanent batch failure.
  Status WriteBatch(std::span<const schema::Record> records,
                    std::vector<sink::RecordResult>* results);
  Status WriteWithRetry(std::span<const schema::Record> records,
                        std::vector<sink::RecordResult>* results);
  void Complete(std::vector<Item>& items, const Status& status,
                std::vector<sink::RecordResult>& results);
  // Sleeps `delay` unless shutdown's deadline passes first. False once the deadline passed.
  bool SleepForRetry(std::chrono::milliseconds delay);
  bool DeadlinePassed() const;
  void UpdateGauges();

  const PipelineOptions options_;
  sink::Sink& sink_;
  metrics::Metrics& metrics_;
  queue::AdmissionQueue<Item> queue_;

  std::atomic<bool> closed_{false};
  std::atomic<int> submitting_{0};  // Submit calls between the closed_ check and the enqueue
  std::atomic<bool> sink_failing_{false};
  std::atomic<int64_t> deadline_ns_{INT64_MAX};  // steady_clock; set by Shutdown

  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;  // wakes retry sleeps on Shutdown

  mutable std::mutex error_mu_;
  std::string last_error_;  // guarded by error_mu_

  std::thread batcher_;
  bool started_ = false;
  std::once_flag shutdown_once_;
};

}  // namespace tc::pipeline
