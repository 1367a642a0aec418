// Pipeline: work the batcher does between batches on the sink it owns — session deletions
// asked for over HTTP, and retention passes.

#include <chrono>
#include <utility>

#include "common/log.h"
#include "common/time_format.h"
#include "pipeline/pipeline.h"

namespace tc::pipeline {

Status Pipeline::DeleteSession(std::string session_id, DeleteDoneFn done) {
  if (closed_.load(std::memory_order_seq_cst)) {
    return Status::Unavailable("shutting down");
  }
  std::lock_guard<std::mutex> lock(commands_mu_);
  if (commands_closed_) {
    return Status::Unavailable("shutting down");
  }
  commands_.push_back(DeleteCommand{std::move(session_id), std::move(done)});
  commands_pending_.store(true, std::memory_order_release);
  return Status::Ok();
}

void Pipeline::RunMaintenance(bool final) {
  if (commands_pending_.load(std::memory_order_acquire) || final) {
    std::vector<DeleteCommand> commands;
    {
      std::lock_guard<std::mutex> lock(commands_mu_);
      commands.swap(commands_);
      commands_pending_.store(false, std::memory_order_release);
      commands_closed_ = final;
    }
    for (DeleteCommand& command : commands) {
      sink::DeletedRows deleted;
      Status status;
      if (final) {
        status = Status::Unavailable("shutting down");
      } else if (spooling_.load()) {
        // The replay thread owns the sink while the store is failing.
        status = Status::Unavailable("the database is unavailable (records are being spooled)");
      } else {
        status = sink_.DeleteSession(command.session_id, &deleted);
      }
      if (status.ok()) {
        metrics_.sessions_deleted_api.Add(deleted.sessions);
        for (const auto& [table, rows] : deleted.tables) {
          metrics_.CountDeletedRows(table, rows);
        }
        TC_LOG(kInfo, "pipeline", "session '{}' deleted ({} rows)", command.session_id, [&] {
          uint64_t n = 0;
          for (const auto& entry : deleted.tables) n += entry.second;
          return n;
        }());
      }
      command.done(status, deleted);
    }
  }
  if (final || closed_.load() || !options_.retention.enabled() || spooling_.load()) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_retention_) {
    return;
  }
  RetentionPass();
}

void Pipeline::RetentionPass() {
  const RetentionOptions& options = options_.retention;
  sink::RetentionPolicy policy;
  if (options.max_age.count() > 0) {
    policy.created_before = FormatIsoUtc(std::chrono::system_clock::now() - options.max_age);
  }
  policy.max_db_bytes = options.max_db_bytes;
  policy.max_sessions = options.batch_sessions;
  sink::RetentionPass pass;
  const auto started = std::chrono::steady_clock::now();
  Status status = sink_.Retain(policy, &pass);
  if (!status.ok()) {
    metrics_.retention_errors.Add();
    TC_LOG(kWarn, "pipeline", "retention pass failed (tried again in {} ms): {}",
           options.interval.count(), status.ToString());
    next_retention_ = std::chrono::steady_clock::now() + options.interval;
    return;
  }
  metrics_.sessions_deleted_retention.Add(pass.deleted.sessions);
  for (const auto& [table, rows] : pass.deleted.tables) {
    metrics_.CountDeletedRows(table, rows);
  }
  metrics_.oldest_session_timestamp.Set(
      pass.oldest_session_unix ? static_cast<int64_t>(*pass.oldest_session_unix) : 0);
  if (pass.db_bytes) {
    metrics_.database_bytes.Set(static_cast<int64_t>(*pass.db_bytes));
  }
  metrics_.vacuumed_bytes.Add(pass.vacuumed_bytes);
  if (pass.deleted.sessions > 0) {
    TC_LOG(kInfo, "pipeline", "retention deleted {} sessions in {:.1f} ms{}", pass.deleted.sessions,
           std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
               .count(),
           pass.more ? " (more to delete)" : "");
  }
  // More to delete: the next pass runs after the next batch (or idle wake), not an interval
  // later; ingest still gets the writer between two passes.
  next_retention_ = pass.more ? std::chrono::steady_clock::now()
                              : std::chrono::steady_clock::now() + options.interval;
}

}  // namespace tc::pipeline
