// SqliteSink: a deleted, moved or replaced database file (see the top of sqlite_sink.h) —
// noticing it, closing the lost file, reporting it to /readyz, reopening the file once it is
// back. Split from sqlite_sink.cc.

#include <fmt/format.h>
#include <sqlite3.h>

#include <mutex>
#include <string>
#include <utility>

#include "common/log.h"
#include "sqlite_sink.h"
#include "sqlite_sink_util.h"

namespace tc::sink {

using sqlite_util::FileId;

Status SqliteSink::CheckFile() {
  std::string change = sqlite_util::DescribeFileChange(options_.path, open_file_);
  return change.empty() ? Status::Ok() : LoseFile(change);
}

Status SqliteSink::LoseFile(const std::string& why) {
  TC_LOG(kError, "sink",
         "{}: closing it; nothing more is acknowledged as stored in it (batches are spooled, or "
         "retried, until a database file is back at that path or the collector restarts)",
         why);
  {
    std::lock_guard<std::mutex> lock(file_mu_);
    lost_why_ = why;
  }
  lost_ = true;
  checkpointer_.Stop();
  // Copy the WAL into the lost file and empty it, through the descriptors of the lost file. A
  // moved-away file is then complete, and a -wal still at the path (when only the database
  // file was removed, or it was replaced by a rename) holds nothing that SQLite could apply to
  // the file put there later. SQLite itself skips its checkpoint-on-close (and deleting the
  // -wal/-shm by name) for a moved file, so closing touches nothing at the path.
  int log_frames = 0;
  int copied = 0;
  const int rc = db_ == nullptr ? SQLITE_OK
                                : sqlite3_wal_checkpoint_v2(db_.get(), "main",
                                                            SQLITE_CHECKPOINT_TRUNCATE,
                                                            &log_frames, &copied);
  if (rc != SQLITE_OK) {
    TC_LOG(kWarn, "sink", "emptying the WAL of the lost database {} failed: {} ({})",
           options_.path, sqlite3_errmsg(db_.get()), sqlite3_errstr(rc));
  }
  CloseConnections();
  return Status::Unavailable(why + "; not writing into it until it is back");
}

Status SqliteSink::Reopen() {
  Result<FileId> file = sqlite_util::StatFileId(options_.path);
  if (!file.has_value()) {
    std::lock_guard<std::mutex> lock(file_mu_);
    return Status::Unavailable(lost_why_ + "; waiting for it to be restored or recreated");
  }
  if (Status opened = OpenFile(/*create=*/false); !opened.ok()) {
    Status status = Status::Unavailable(fmt::format(
        "the database file {} is back but cannot be opened: {}", options_.path,
        opened.ToString()));
    TC_LOG_LIMITED(kWarn, "sink", "{}", status.message());
    return status;
  }
  lost_ = false;
  {
    std::lock_guard<std::mutex> lock(file_mu_);
    lost_why_.clear();
  }
  TC_LOG(kInfo, "sink", "the database file {} is back: reopened, writing to it again",
         options_.path);
  return Status::Ok();
}

Status SqliteSink::Health() const {
  FileId open;
  {
    std::lock_guard<std::mutex> lock(file_mu_);
    if (!lost_why_.empty()) {
      if (sqlite_util::StatFileId(options_.path).has_value()) {
        return Status::Unavailable(fmt::format(
            "a database file is back at {} and is being reopened (it was lost: {})",
            options_.path, lost_why_));
      }
      return Status::Unavailable(
          lost_why_ + "; nothing is written until it is restored or recreated at that path, "
                      "or the collector is restarted");
    }
    if (!published_file_.has_value()) {
      return Status::Ok();
    }
    open = *published_file_;
  }
  std::string change = sqlite_util::DescribeFileChange(options_.path, open);
  if (change.empty()) {
    return Status::Ok();
  }
  return Status::Unavailable(change);
}

void SqliteSink::Idle(std::chrono::steady_clock::time_point now) {
  if (now < next_idle_check_) {
    return;
  }
  next_idle_check_ = now + kIdleCheckInterval;
  if (lost_) {
    static_cast<void>(Reopen());  // logs what needs logging
  } else if (db_ != nullptr) {
    static_cast<void>(CheckFile());
  }
}

int SqliteSink::CommitHookForTest(void* self) {
  static_cast<SqliteSink*>(self)->commit_hook_for_test_();
  return 0;  // 0: the COMMIT goes on
}

void SqliteSink::SetCommitHookForTest(std::function<void()> hook) {
  commit_hook_for_test_ = std::move(hook);
  sqlite3_commit_hook(db_.get(), &SqliteSink::CommitHookForTest, this);
}

}  // namespace tc::sink
