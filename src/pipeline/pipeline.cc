#include "pipeline/pipeline.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "common/log.h"
#include "common/thread_name.h"

namespace tc::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

int64_t ToNanos(Clock::time_point tp) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count();
}

// How many queue items one bulk pop takes; a batch is then topped up to its limits.
constexpr size_t kPopChunk = 256;
// While idle, the batcher wakes this often to notice shutdown.
constexpr std::chrono::milliseconds kIdleWake{50};
// The batch array kept between batches (larger ones are freed: see Run).
constexpr size_t kKeepBatchRecords = 64;

}  // namespace

Pipeline::Pipeline(const PipelineOptions& options, sink::Sink& sink, metrics::Metrics& metrics,
                   spool::Spool* spool)
    : options_(options),
      sink_(sink),
      metrics_(metrics),
      queue_(options.capacity),
      sink_open_(options.sink_open),
      spool_(spool),
      replay_limit_(options.batch_max_records),
      replay_backoff_(options.retry) {
  metrics_.queue_capacity_records.Set(static_cast<int64_t>(options.capacity.max_records));
  metrics_.queue_capacity_bytes.Set(static_cast<int64_t>(options.capacity.max_bytes));
  // Records spooled by an earlier run go to the store before any new record.
  if (spool_ != nullptr && !spool_->Empty()) spooling_.store(true);
  if (!options.sink_open) {
    sink_failing_.store(true);
    last_error_ = options.sink_open_error;
  }
  metrics_.store_reachable.Set(options.sink_open ? 1 : 0);
}

Pipeline::~Pipeline() { Shutdown(Clock::now()); }

void Pipeline::Start() {
  TC_CHECK(!started_);
  started_ = true;
  batcher_ = std::thread([this] { Run(); });
  if (spool_ != nullptr) replayer_ = std::thread([this] { Replay(); });
}

Status Pipeline::Submit(Submission& submission) {
  // Registered before the closed_ check so the batcher cannot finish draining while this
  // submission is between the check and the enqueue.
  submitting_.fetch_add(1, std::memory_order_seq_cst);
  struct Leave {
    std::atomic<int>& n;
    ~Leave() { n.fetch_sub(1, std::memory_order_seq_cst); }
  } leave{submitting_};

  const uint64_t count = submission.records.size();
  if (closed_.load(std::memory_order_seq_cst)) {
    return Status::Unavailable("shutting down");
  }
  uint64_t bytes = 0;
  for (const auto& record : submission.records) bytes += schema::ApproximateSize(record);

  Item item{std::move(submission.records), std::move(submission.on_done), bytes,
            static_cast<size_t>(count)};
  if (!queue_.TryPush(item, count, bytes)) {
    submission.records = std::move(item.records);
    submission.on_done = std::move(item.on_done);
    if (sink_failing_.load(std::memory_order_relaxed)) {
      return Status::Unavailable("the database is unavailable and the queue is full");
    }
    return Status::ResourceExhausted("queue full");
  }
  UpdateGauges();
  return Status::Ok();
}

void Pipeline::UpdateGauges() {
  metrics_.queue_records.Set(static_cast<int64_t>(queue_.held_records()));
  metrics_.queue_bytes.Set(static_cast<int64_t>(queue_.held_bytes()));
}

Readiness Pipeline::Ready() const {
  Readiness r;
  if (spool_ != nullptr) {
    r.has_spool = true;
    r.spool_bytes = spool_->bytes();
    r.spool_max_bytes = spool_->max_bytes();
  }
  if (sink_failing_.load(std::memory_order_relaxed)) {
    r.store_ok = false;
    std::lock_guard<std::mutex> lock(error_mu_);
    r.store_error = last_error_;
  }
  if (closed_.load(std::memory_order_relaxed)) {
    r.status = Status::Unavailable("shutting down");
  } else if (!r.store_ok && spool_ == nullptr) {
    r.status = Status::Unavailable("database unavailable: " + r.store_error);
  } else if (!r.store_ok && spool_->full()) {
    // What the next POST meets: the spool refused the last batch (no room, or a disk error).
    r.status = Status::Unavailable("database unavailable: " + r.store_error +
                                   " (and the spool is full or cannot be written)");
  }
  return r;
}

bool Pipeline::DeadlinePassed() const {
  return ToNanos(Clock::now()) >= deadline_ns_.load(std::memory_order_relaxed);
}

bool Pipeline::CollectBatch(std::vector<Item>& items, std::vector<schema::Record>& records) {
  // Every item holds at least one record, so popping at most (limit - n) items never
  // overshoots max_records by more than the last item's size.
  auto room = [&](size_t n) { return std::min(kPopChunk, options_.batch_max_records - n); };
  if (queue_.PopBulk(items, room(0), kIdleWake) == 0) return false;
  const auto first_taken = Clock::now();
  auto count = [&] {
    size_t n = 0;
    uint64_t bytes = 0;
    for (const auto& item : items) {
      n += item.count;
      bytes += item.bytes;
    }
    return std::pair(n, bytes);
  };
  auto [n, bytes] = count();
  // Top up while records keep coming, within the limits. Never wait idle: when the queue runs
  // dry the batch goes now (group commit), unless a linger delay was configured.
  while (n < options_.batch_max_records && bytes < options_.batch_max_bytes) {
    size_t before = items.size();
    size_t took = queue_.TryPopBulk(items, room(n));
    if (took == 0) {
      auto waited = Clock::now() - first_taken;
      if (waited >= options_.batch_max_delay) break;
      auto remaining = std::chrono::duration_cast<std::chrono::microseconds>(
          options_.batch_max_delay - waited);
      if (queue_.PopBulk(items, room(n), remaining) == 0) break;
    }
    for (size_t i = before; i < items.size(); ++i) {
      n += items[i].count;
      bytes += items[i].bytes;
    }
  }
  records.reserve(n);
  // The records move into the batch and each item's vector is freed at once: the queue counts
  // sizeof(Record) once per record, so two arrays of them must not coexist for a whole batch.
  for (auto& item : items) {
    for (auto& record : item.records) records.push_back(std::move(record));
    std::vector<schema::Record>().swap(item.records);
  }
  return true;
}

void Pipeline::Run() {
  SetThreadName("tc-writer");
  std::vector<Item> items;
  std::vector<schema::Record> records;
  std::vector<sink::RecordResult> results;
  while (true) {
    items.clear();
    // A big batch's array is freed, not kept for the next: its records' capacity went back to
    // the queue, which may fill again meanwhile (sizeof(Record) is ~2 KiB; 4096 of them 7 MiB).
    if (records.capacity() > kKeepBatchRecords) {
      std::vector<schema::Record>().swap(records);
    } else {
      records.clear();
    }
    if (!CollectBatch(items, records)) {
      if (closed_.load(std::memory_order_seq_cst) &&
          submitting_.load(std::memory_order_seq_cst) == 0 && queue_.waiting() == 0) {
        RunMaintenance(/*final=*/true);
        break;
      }
      // The batcher owns the sink unless batches are being spooled (then the replay thread
      // does, and its retries see what the sink sees).
      if (options_.on_idle && !spooling_.load()) options_.on_idle();
      RunMaintenance(/*final=*/false);
      continue;
    }
    // Between two batches: queued deletions and a due retention pass (one small transaction),
    // so that neither waits for an idle moment that never comes under a steady load.
    struct MaintainAfter {
      Pipeline* p;
      ~MaintainAfter() { p->RunMaintenance(/*final=*/false); }
    } maintain_after{this};
    results.clear();
    if (spool_ == nullptr) {
      Complete(items, WriteBatch(records, &results, Retry::kUntilDeadline), results);
      continue;
    }
    if (!spooling_.load() && !DeadlinePassed()) {
      Status status = WriteBatch(records, &results, Retry::kOnce);
      if (!IsRetryable(status)) {
        Complete(items, status, results);
        continue;
      }
      TC_LOG(kWarn, "pipeline", "database unavailable ({}); spooling batches to {} until it is back",
             status.ToString(), spool_->dir());
    }
    SpoolBatch(items, records);
  }
}

Status Pipeline::WriteBatch(std::span<const schema::Record> records,
                            std::vector<sink::RecordResult>* results, Retry retry) {
  Status status = WriteWithRetry(records, results, retry);
  if (status.ok() || IsRetryable(status) || records.size() == 1) {
    if (!status.ok() && !IsRetryable(status) && records.size() == 1) {
      // One record the sink refused as a whole: report it refused, nothing was written.
      results->assign(1, sink::RecordResult{sink::RecordOutcome::kRefused, status.message()});
      return Status::Ok();
    }
    return status;
  }
  // A permanent failure of the whole batch: isolate the culprit by writing records one by one.
  TC_LOG(kWarn, "pipeline", "batch of {} failed permanently ({}); writing its records singly",
         records.size(), status.ToString());
  results->assign(records.size(), sink::RecordResult{});
  std::vector<sink::RecordResult> single;
  for (size_t i = 0; i < records.size(); ++i) {
    single.clear();
    Status one = WriteWithRetry(records.subspan(i, 1), &single,
                                retry == Retry::kOnce ? Retry::kUntilDeadline : retry);
    if (one.ok()) {
      (*results)[i] = std::move(single.at(0));
    } else if (IsRetryable(one)) {
      return one;  // deadline passed while retrying: nothing more is known
    } else {
      (*results)[i] = sink::RecordResult{sink::RecordOutcome::kRefused, one.message()};
    }
  }
  return Status::Ok();
}

Status Pipeline::WriteWithRetry(std::span<const schema::Record> records,
                                std::vector<sink::RecordResult>* results, Retry retry) {
  Backoff backoff(options_.retry);
  uint64_t attempts = 0;
  while (true) {
    results->clear();
    const auto started = Clock::now();
    Status status = sink_open_.load() ? Status::Ok() : sink_.Open();
    if (status.ok() && !sink_open_.exchange(true)) {
      TC_LOG(kInfo, "pipeline", "{} reachable; schema ready", sink_.Describe());
    }
    if (status.ok()) status = sink_.Write(records, results);
    if (status.ok()) {
      metrics_.ObserveCommit(std::chrono::duration<double>(Clock::now() - started).count(),
                             records.size());
      if (attempts > 0) {
        TC_LOG(kInfo, "pipeline", "database writable again after {} failed attempts", attempts);
      }
      sink_failing_.store(false, std::memory_order_relaxed);
      metrics_.store_reachable.Set(1);
      TC_CHECK(results->size() == records.size());
      if (options_.on_committed) options_.on_committed(records, *results);
      return status;
    }
    if (!IsRetryable(status)) return status;
    ++attempts;
    metrics_.sink_errors.Add();
    sink_failing_.store(true, std::memory_order_relaxed);
    metrics_.store_reachable.Set(0);
    {
      std::lock_guard<std::mutex> lock(error_mu_);
      last_error_ = status.ToString();
    }
    if (retry == Retry::kOnce) return status;
    // Log the first failure and then every 20th, not every retry.
    if (attempts == 1 || attempts % 20 == 0) {
      TC_LOG(kWarn, "pipeline", "batch of {} records not written ({}), attempt {}; retrying",
             records.size(), status.ToString(), attempts);
    }
    if (!SleepForRetry(backoff.Next(), retry == Retry::kUntilShutdown)) {
      return Status::Unavailable("shut down while the database was unavailable: " +
                                 status.message());
    }
    metrics_.batch_retries.Add();
  }
}

bool Pipeline::SleepForRetry(std::chrono::milliseconds delay, bool until_shutdown) {
  auto stopped = [&] { return DeadlinePassed() || (until_shutdown && closed_.load()); };
  std::unique_lock<std::mutex> lock(sleep_mu_);
  auto wake_at = Clock::now() + delay;
  while (Clock::now() < wake_at) {
    if (stopped()) return false;
    auto deadline = Clock::time_point(std::chrono::nanoseconds(deadline_ns_.load()));
    sleep_cv_.wait_until(lock, std::min(wake_at, deadline));
  }
  return !stopped();
}

void Pipeline::Complete(std::vector<Item>& items, const Status& status,
                        std::vector<sink::RecordResult>& results) {
  uint64_t released_records = 0, released_bytes = 0;
  for (const auto& item : items) {
    released_records += item.count;
    released_bytes += item.bytes;
  }
  // Capacity comes back before anyone is answered, so a client that sends its next request
  // as soon as it has the answer finds room for it.
  queue_.Release(released_records, released_bytes);
  UpdateGauges();
  if (status.ok()) {
    CountOutcomes(results);
  } else {
    // Durable submissions are answered 503 (the client retries); ack=queued ones were answered
    // already, so their records are lost and counted as dropped.
    uint64_t dropped = 0;
    for (const auto& item : items) dropped += item.on_done ? 0 : item.count;
    metrics_.records_dropped.Add(dropped);
    TC_LOG(kError, "pipeline", "{} records not written ({} of them acknowledged with ack=queued "
           "and lost): {}", released_records, dropped, status.ToString());
  }
  size_t offset = 0;
  for (auto& item : items) {
    const size_t n = item.count;
    std::vector<sink::RecordResult> mine;
    if (status.ok()) {
      mine.reserve(n);
      for (size_t i = 0; i < n; ++i) mine.push_back(std::move(results[offset + i]));
    }
    offset += n;
    if (item.on_done) item.on_done(status, std::move(mine));
  }
}

void Pipeline::CountOutcomes(const std::vector<sink::RecordResult>& results) {
  uint64_t stored = 0, duplicates = 0, refused = 0, spooled = 0;
  for (const auto& r : results) {
    switch (r.outcome) {
      case sink::RecordOutcome::kStored: ++stored; break;
      case sink::RecordOutcome::kDuplicate: ++duplicates; break;
      case sink::RecordOutcome::kRefused: ++refused; break;
      case sink::RecordOutcome::kSpooled: ++spooled; break;
    }
  }
  if (spooled < results.size()) metrics_.batches_committed.Add();
  metrics_.records_stored.Add(stored);
  metrics_.records_duplicate.Add(duplicates);
  metrics_.records_refused_database.Add(refused);
  metrics_.records_spooled.Add(spooled);
}

void Pipeline::Shutdown(Clock::time_point deadline) {
  std::call_once(shutdown_once_, [&] {
    deadline_ns_.store(ToNanos(deadline), std::memory_order_relaxed);
    closed_.store(true, std::memory_order_seq_cst);
    {
      std::lock_guard<std::mutex> lock(sleep_mu_);
    }
    sleep_cv_.notify_all();
    WakeReplay();
    if (started_ && batcher_.joinable()) batcher_.join();
    if (replayer_.joinable()) replayer_.join();
  });
}

}  // namespace tc::pipeline
