#pragma once

// A Sink for unit tests of the pipeline: records every batch it is given, can fail the next N
// writes with a chosen status, can block writes until released, and refuses records whose
// key starts with "bad". (leveldb's StringDest / otel's consumertest.TracesSink idea.)

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
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

 private:
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
};

}  // namespace tc::testing
