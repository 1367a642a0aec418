#pragma once

// A Sink for unit tests of the pipeline: records every batch it is given, can fail the next N
// writes with a chosen status, can block writes until released, and refuses records whose
// key starts with "bad". (leveldb's StringDest / otel's consumertest.TracesSink idea.)
// Sessions added with AddSession() can be deleted (DeleteSession: kNotFound for others);
// Retain() records each policy and answers the passes queued with QueuePass(). log() lists
// the calls in order ("write:<n>", "delete:<id>", "retain"), with the thread of each.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "contract/sink.h"

namespace tc::testing {

class FakeSink : public sink::Sink {
 public:
  Status Open() override { return Status::Ok(); }

  Status Write(std::span<const schema::Record> records,
               std::vector<sink::RecordResult>* results) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.wait(lock, [&] { return !blocked_; });
    --waiting_;
    ++write_calls_;
    Log("write:" + std::to_string(records.size()));
    if (fail_next_ > 0) {
      --fail_next_;
      return fail_status_;
    }
    for (const auto& r : records) {
      if (r.key.rfind("poison", 0) == 0 && records.size() > 1) {
        return Status::Internal("poisoned batch");
      }
    }
    batch_sizes_.push_back(records.size());
    for (const auto& r : records) {
      if (r.key.rfind("bad", 0) == 0 || r.key.rfind("poison", 0) == 0) {
        results->push_back({sink::RecordOutcome::kRefused, "refused by fake"});
      } else if (!r.key.empty() && !keys_.insert(r.key).second) {
        results->push_back({sink::RecordOutcome::kDuplicate, ""});
      } else {
        stored_.push_back(r.key);
        results->push_back({sink::RecordOutcome::kStored, ""});
      }
    }
    return Status::Ok();
  }

  Status DeleteSession(std::string_view session_id, sink::DeletedRows* deleted) override {
    std::lock_guard<std::mutex> lock(mu_);
    Log("delete:" + std::string(session_id));
    if (sessions_.erase(std::string(session_id)) == 0) {
      return Status::NotFound("no such session");
    }
    deleted->sessions = 1;
    deleted->tables = {{"session_traces", 1}, {"events", 3}, {"tc_idempotency", 3}};
    return Status::Ok();
  }

  Status Retain(const sink::RetentionPolicy& policy, sink::RetentionPass* pass) override {
    std::lock_guard<std::mutex> lock(mu_);
    Log("retain");
    policies_.push_back(policy);
    if (retain_fail_ > 0) {
      --retain_fail_;
      return Status::Unavailable("retention failed (fake)");
    }
    if (!passes_.empty()) {
      *pass = passes_.front();
      passes_.pop_front();
    }
    return Status::Ok();
  }

  Status Ping() override { return Status::Ok(); }
  std::string Describe() const override { return "fake"; }

  void FailNext(int n, Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_next_ = n;
    fail_status_ = std::move(status);
  }
  void Block() {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = true;
  }
  void Unblock() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      blocked_ = false;
    }
    cv_.notify_all();
  }
  std::vector<size_t> batch_sizes() {
    std::lock_guard<std::mutex> lock(mu_);
    return batch_sizes_;
  }
  std::vector<std::string> stored() {
    std::lock_guard<std::mutex> lock(mu_);
    return stored_;
  }
  // Writes waiting in Write() for Unblock().
  int waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_;
  }
  int write_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return write_calls_;
  }
  void AddSession(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.insert(id);
  }
  void QueuePass(sink::RetentionPass pass) {
    std::lock_guard<std::mutex> lock(mu_);
    passes_.push_back(std::move(pass));
  }
  void FailRetain(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    retain_fail_ = n;
  }
  std::vector<sink::RetentionPolicy> policies() {
    std::lock_guard<std::mutex> lock(mu_);
    return policies_;
  }
  struct Call {
    std::string what;
    std::thread::id thread;
  };
  std::vector<Call> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  void Log(std::string what) { log_.push_back({std::move(what), std::this_thread::get_id()}); }

  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  int fail_next_ = 0;
  Status fail_status_;
  int write_calls_ = 0;
  int waiting_ = 0;
  std::set<std::string> keys_;
  std::vector<std::string> stored_;
  std::vector<size_t> batch_sizes_;
  std::set<std::string> sessions_;
  std::deque<sink::RetentionPass> passes_;
  int retain_fail_ = 0;
  std::vector<sink::RetentionPolicy> policies_;
  std::vector<Call> log_;
};

}  // namespace tc::testing
