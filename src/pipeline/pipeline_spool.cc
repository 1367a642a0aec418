// The spool half of the pipeline (see pipeline.h): the batcher's SpoolBatch and the replay
// thread that writes the spool back to the store.

#include <algorithm>

#include "common/log.h"
#include "common/thread_name.h"
#include "pipeline/pipeline.h"

namespace tc::pipeline {
namespace {

// While nothing is spooled, the replay thread wakes this often to notice shutdown.
constexpr std::chrono::milliseconds kReplayIdleWake{50};

}  // namespace

void Pipeline::WakeReplay() {
  {
    std::lock_guard<std::mutex> lock(replay_mu_);
  }
  replay_cv_.notify_all();
}

void Pipeline::SpoolBatch(std::vector<Item>& items, std::vector<schema::Record>& records) {
  // ack=queued items were answered already: they wait for room rather than being refused.
  const bool answered_already =
      std::any_of(items.begin(), items.end(), [](const Item& item) { return !item.on_done; });
  Backoff backoff(options_.retry);
  Status status;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mode_mu_);
      spooling_.store(true);
      status = spool_->Append(records);
    }
    WakeReplay();
    if (status.ok() || !answered_already || !SleepForRetry(backoff.Next())) break;
  }
  std::vector<sink::RecordResult> results;
  if (status.ok()) {
    results.assign(records.size(), sink::RecordResult{sink::RecordOutcome::kSpooled, {}});
    Complete(items, status, results);
    return;
  }
  uint64_t waiting = 0, dropped = 0;
  for (const Item& item : items) (item.on_done ? waiting : dropped) += item.count;
  if (status.code() == StatusCode::kResourceExhausted) {
    metrics_.records_refused_spool_full.Add(waiting);
  } else {
    metrics_.records_refused_spool_error.Add(waiting);
  }
  if (dropped > 0) {  // counted by Complete
    TC_LOG(kError, "pipeline",
           "{} records accepted with ack=queued are lost: the spool refused them until the "
           "shutdown deadline ({})",
           dropped, status.ToString());
  }
  Complete(items, Status::Unavailable(status.message()), results);
}

void Pipeline::Replay() {
  SetThreadName("tc-replay");
  spool::Chunk chunk;
  bool holding = false;  // `chunk` was read and is not yet in the store
  bool gave_up = false;  // a write failed after Shutdown started
  while (true) {
    {
      std::unique_lock<std::mutex> lock(replay_mu_);
      replay_cv_.wait_for(lock, kReplayIdleWake,
                          [&] { return spooling_.load() || closed_.load(); });
    }
    // On shutdown, keep draining while the store takes records, until the deadline; what is
    // left stays on disk and is replayed on the next start.
    if (closed_.load() && (!spooling_.load() || gave_up || DeadlinePassed())) break;
    if (!spooling_.load()) continue;
    if (!holding) {
      Status read = spool_->ReadNext(options_.batch_max_records, &chunk);
      if (!read.ok()) {
        TC_LOG(kError, "pipeline", "cannot read the spool: {}", read.ToString());
        SleepForRetry(options_.retry.max, /*until_shutdown=*/true);
        continue;
      }
      holding = true;
    }
    if (chunk.records.empty()) {  // nothing left to read (or only damaged bytes were passed)
      holding = false;
      Status consumed = spool_->Consume(chunk.end);
      if (!consumed.ok()) TC_LOG(kError, "pipeline", "spool: {}", consumed.ToString());
      std::lock_guard<std::mutex> lock(mode_mu_);
      if (spool_->AllRead()) {
        spooling_.store(false);
        TC_LOG(kInfo, "pipeline", "spool replayed; writing to the database directly again");
      }
      continue;
    }
    if (ReplayChunk(chunk)) {
      holding = false;
    } else {
      gave_up = closed_.load();
    }
  }
}

bool Pipeline::ReplayChunk(spool::Chunk& chunk) {
  // The chunk goes to the store in writes of replay_limit_ records: a slow server that times
  // out on a big write (tursodb takes about a millisecond per record) gets smaller ones, so
  // replay always progresses. A write that timed out may have committed: the spool keys make its
  // repetition harmless.
  std::vector<sink::RecordResult> results;
  while (chunk_done_ < chunk.records.size()) {
    const size_t n = std::min(replay_limit_, chunk.records.size() - chunk_done_);
    auto part = std::span<const schema::Record>(chunk.records).subspan(chunk_done_, n);
    results.clear();
    Status status = WriteBatch(part, &results, Retry::kOnce);
    if (!status.ok()) {
      if (status.code() == StatusCode::kDeadlineExceeded && replay_limit_ > 1) {
        replay_limit_ = std::max<size_t>(1, replay_limit_ / 2);
        TC_LOG(kWarn, "pipeline", "spool replay timed out; writing {} records at a time",
               replay_limit_);
      }
      // Retry later (after a backoff); the chunk stays where it is, nothing is lost. Counted
      // like the batcher's retries (sink_retries_total): a replay is a batch write too.
      if (SleepForRetry(replay_backoff_.Next(), /*until_shutdown=*/true)) {
        metrics_.batch_retries.Add();
      }
      return false;
    }
    replay_backoff_.Reset();
    // Grow slowly (a quarter) after a success, halve after a timeout: the size settles just
    // under what the server takes within its timeout.
    replay_limit_ = std::min(replay_limit_ + replay_limit_ / 4 + 1, options_.batch_max_records);
    chunk_done_ += n;
    CountOutcomes(results);
    metrics_.records_replayed.Add(n);
    ReportReplayRefusals(part, results);
  }
  chunk_done_ = 0;
  Status consumed = spool_->Consume(chunk.end);
  if (!consumed.ok()) TC_LOG(kError, "pipeline", "spool: {}", consumed.ToString());
  return true;
}

void Pipeline::ReportReplayRefusals(std::span<const schema::Record> records,
                                    const std::vector<sink::RecordResult>& results) {
  size_t refused = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome != sink::RecordOutcome::kRefused) continue;
    // Its request was acknowledged when it was spooled: the log and the metric are all that
    // can report the refusal now.
    if (refused++ == 0) {
      TC_LOG(kWarn, "pipeline", "spooled {} record refused by the database on replay: {}",
             schema::RecordTypeName(records[i].body), results[i].message);
    }
  }
  if (refused > 1) {
    TC_LOG(kWarn, "pipeline", "{} spooled records of this replay were refused in all", refused);
  }
}

}  // namespace tc::pipeline
