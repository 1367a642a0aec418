#pragma once

// A pipeline::SessionDeleter for HTTP tests: records every id it is asked for and answers from
// its own thread (never inside DeleteSession, as the writer would) with an outcome chosen by the
// id: "missing*" → kNotFound, "down*" → kUnavailable, "broken*" → kInternal, anything else OK
// with fixed row counts. set_refusal() makes DeleteSession itself refuse (shutting down).
// With hold(true) answers wait until release(). Thread-safe.

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "contract/session_deleter.h"

namespace tc::http::testing {

class FakeDeleter final : public pipeline::SessionDeleter {
 public:
  ~FakeDeleter() override {
    release();
    for (std::thread& t : threads_) t.join();
  }

  [[nodiscard]] Status DeleteSession(std::string session_id, pipeline::DeleteDoneFn done) override {
    std::lock_guard<std::mutex> lock(mu_);
    ids_.push_back(session_id);
    if (!refusal_.ok()) return refusal_;
    threads_.emplace_back([this, id = std::move(session_id), done = std::move(done)] {
      {
        std::unique_lock<std::mutex> held(mu_);
        cv_.wait(held, [&] { return !hold_; });
      }
      sink::DeletedRows rows;
      Status status;
      if (id.rfind("missing", 0) == 0) {
        status = Status::NotFound("no such session");
      } else if (id.rfind("down", 0) == 0) {
        status = Status::Unavailable("the database is unavailable (records are being spooled)");
      } else if (id.rfind("broken", 0) == 0) {
        status = Status::Internal("disk I/O error");
      } else {
        rows.sessions = 1;
        rows.tables = {{"session_traces", 1}, {"session_timesteps", 2}, {"events", 5},
                       {"messages", 0},       {"outcome_rewards", 0},   {"event_rewards", 0},
                       {"tc_idempotency", 7}};
      }
      done(status, rows);
    });
    return Status::Ok();
  }

  void set_refusal(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    refusal_ = std::move(status);
  }
  void hold(bool on) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = on;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hold_ = false;
    }
    cv_.notify_all();
  }
  std::vector<std::string> ids() {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;                 // guarded by mu_
  Status refusal_;                    // guarded by mu_
  std::vector<std::string> ids_;      // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_ (joined in the destructor)
};

}  // namespace tc::http::testing
