#include "sqlite_sink_checkpoint.h"

#include <utility>

#include "common/log.h"
#include "common/thread_name.h"
#include "sqlite_sink_util.h"

namespace tc::sink {

Status WalCheckpointer::Attach(sqlite3* writer, const std::string& path, uint32_t busy_timeout_ms) {
  Stop();
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = sqlite_util::StatusFromSqlite(
        rc, "open (checkpoints) " + path, raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
    sqlite3_close_v2(raw);
    return status;
  }
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout_ms));
  // A connection opens the WAL with its first read; until then a checkpoint on it does nothing
  // (and reports -1 frames).
  if (Status status = sqlite_util::Exec(raw, "SELECT count(*) FROM sqlite_schema"); !status.ok()) {
    sqlite3_close_v2(raw);
    return status;
  }
  db_ = raw;
  writer_ = writer;
  last_frames_ = 0;
  last_request_frames_ = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requested_ = false;
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  sqlite3_wal_hook(writer_, &WalCheckpointer::Hook, this);
  return Status::Ok();
}

void WalCheckpointer::Stop() {
  if (writer_ != nullptr) {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    writer_ = nullptr;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

uint64_t WalCheckpointer::background_runs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return background_runs_;
}

uint64_t WalCheckpointer::inline_runs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return inline_runs_;
}

int WalCheckpointer::Hook(void* self, sqlite3* db, const char* schema, int frames) {
  static_cast<WalCheckpointer*>(self)->AfterCommit(db, schema, frames);
  return SQLITE_OK;
}

void WalCheckpointer::AfterCommit(sqlite3* db, const char* schema, int64_t frames) {
  if (frames < last_frames_) {
    // The WAL restarted: the background's figures are about the previous file content.
    last_request_frames_ = 0;
    std::lock_guard<std::mutex> lock(mu_);
    ++cycle_;
  }
  last_frames_ = frames;
  bool finish = frames >= options_.max_frames;
  bool request = frames - last_request_frames_ >= options_.start_frames;
  if (!finish && frames >= options_.max_frames / 2) {
    // Cheap finish: the background has copied all but a few pages, so copying the rest here
    // (and one fdatasync) lets the next transaction restart the WAL early.
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t left = backfilled_cycle_ == cycle_ ? frames - backfilled_ : frames;
    finish = !running_ && !requested_ && left <= options_.start_frames / 4;
  }
  if (finish) {
    // Waits for a running background checkpoint (run_mu_), then copies the rest.
    Checkpoint(db, schema, /*background=*/false);
    last_request_frames_ = 0;
    return;
  }
  // Every start_frames new pages, not after every commit: each checkpoint ends with an
  // fdatasync of the database file.
  if (request) {
    last_request_frames_ = frames;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requested_ = true;
    }
    cv_.notify_one();
  }
}

void WalCheckpointer::Run() {
  SetThreadName("tc-checkpoint");
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) {
      return;
    }
    requested_ = false;
    running_ = true;
    lock.unlock();
    Checkpoint(db_, "main", /*background=*/true);
    lock.lock();
    running_ = false;
  }
}

void WalCheckpointer::Checkpoint(sqlite3* db, const char* schema, bool background) {
  std::lock_guard<std::mutex> run(run_mu_);
  uint64_t cycle = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cycle = cycle_;
  }
  int log_frames = 0;
  int copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    TC_LOG_LIMITED(kWarn, "sink", "WAL checkpoint failed ({}): {}", sqlite3_errstr(rc),
                   sqlite3_errmsg(db));
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++(background ? background_runs_ : inline_runs_);
  if (background && rc == SQLITE_OK) {
    backfilled_ = copied;
    backfilled_cycle_ = cycle;
  }
}

}  // namespace tc::sink
