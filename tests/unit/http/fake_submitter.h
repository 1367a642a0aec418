#pragma once

// A pipeline::Submitter for HTTP tests: records every admitted submission and completes it
// either at once from its own "writer" thread (kAuto) or when the test says so (kManual, from
// whichever thread calls Complete()). Can refuse admission with a given status, and decides each
// record's outcome by its key ("dup*" → duplicate, "refuse*" → refused by the database; with
// set_dedupe(true) also a non-empty key admitted before, as the database's claim would).
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "contract/submission.h"

namespace tc::http::testing {

class FakeSubmitter final : public pipeline::Submitter {
 public:
  enum class Mode { kAuto, kManual };

  explicit FakeSubmitter(Mode mode = Mode::kAuto) : mode_(mode) {
    worker_ = std::thread([this] { RunWorker(); });
  }

  // Pending completions are called with kUnavailable (the contract: exactly once each).
  ~FakeSubmitter() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    worker_.join();
    for (Entry& entry : TakeAllPending()) {
      entry.on_done(Status::Unavailable("fake submitter destroyed"), {});
    }
  }

  void set_mode(Mode mode) {
    std::lock_guard<std::mutex> lock(mu_);
    mode_ = mode;
    cv_.notify_all();
  }
  void set_dedupe(bool dedupe) {
    std::lock_guard<std::mutex> lock(mu_);
    dedupe_ = dedupe;
  }
  // Every Submit() answers `status` (not OK) until set back to OK.
  void set_refusal(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    refusal_ = std::move(status);
  }

  [[nodiscard]] Status Submit(pipeline::Submission& submission) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!refusal_.ok()) {
      ++refused_;
      return refusal_;
    }
    Entry entry;
    for (const schema::Record& record : submission.records) {
      entry.keys.push_back(record.key);
      entry.seen.push_back(dedupe_ && !record.key.empty() && !seen_.insert(record.key).second);
    }
    entry.on_done = std::move(submission.on_done);
    submission.records.clear();
    keys_.push_back(entry.keys);
    if (entry.on_done) {
      pending_.push_back(std::move(entry));
      pending_numbers_.push_back(keys_.size() - 1);
    }
    cv_.notify_all();
    return Status::Ok();
  }

  // Admitted submissions so far, and the record keys of each (admission order).
  size_t submitted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_.size();
  }
  std::vector<std::string> keys(size_t i) const {
    std::lock_guard<std::mutex> lock(mu_);
    return i < keys_.size() ? keys_[i] : std::vector<std::string>();
  }
  size_t refused() const {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_;
  }

  bool WaitForSubmissions(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return keys_.size() >= n; });
  }

  // kManual: completes submission number `i` (admission order, counting only durable ones
  // still pending) with `status`; results from the keys. False if there is no such one.
  bool Complete(size_t i, const Status& status = Status::Ok()) {
    Entry entry;
    {
      std::lock_guard<std::mutex> lock(mu_);
      size_t pos = 0;
      while (pos < pending_numbers_.size() && pending_numbers_[pos] != i) {
        ++pos;
      }
      if (pos == pending_numbers_.size()) {
        return false;
      }
      entry = std::move(pending_[pos]);
      pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(pos));
      pending_numbers_.erase(pending_numbers_.begin() + static_cast<std::ptrdiff_t>(pos));
    }
    Finish(entry, status);
    return true;
  }

  size_t pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.size();
  }

 private:
  struct Entry {
    std::vector<std::string> keys;
    std::vector<bool> seen;  // admitted before (set_dedupe)
    pipeline::CompletionFn on_done;
  };

  static void Finish(Entry& entry, const Status& status) {
    std::vector<sink::RecordResult> results;
    if (status.ok()) {
      for (size_t i = 0; i < entry.keys.size(); ++i) {
        const std::string& key = entry.keys[i];
        sink::RecordResult result;
        if (key.rfind("dup", 0) == 0 || entry.seen[i]) {
          result.outcome = sink::RecordOutcome::kDuplicate;
        } else if (key.rfind("refuse", 0) == 0) {
          result.outcome = sink::RecordOutcome::kRefused;
          result.message = "FOREIGN KEY constraint failed";
        }
        results.push_back(std::move(result));
      }
    }
    entry.on_done(status, std::move(results));
  }

  std::vector<Entry> TakeAllPending() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Entry> out(std::make_move_iterator(pending_.begin()),
                           std::make_move_iterator(pending_.end()));
    pending_.clear();
    pending_numbers_.clear();
    return out;
  }

  void RunWorker() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || (mode_ == Mode::kAuto && !pending_.empty()); });
      if (stop_) {
        return;
      }
      Entry entry = std::move(pending_.front());
      pending_.pop_front();
      pending_numbers_.pop_front();
      lock.unlock();
      Finish(entry, Status::Ok());
      lock.lock();
    }
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Mode mode_;                                    // guarded by mu_
  Status refusal_;                               // guarded by mu_
  bool dedupe_ = false;                          // guarded by mu_
  std::set<std::string> seen_;                   // guarded by mu_: keys admitted (dedupe_)
  bool stop_ = false;                            // guarded by mu_
  size_t refused_ = 0;                           // guarded by mu_
  std::vector<std::vector<std::string>> keys_;   // guarded by mu_
  std::deque<Entry> pending_;                    // guarded by mu_
  std::deque<size_t> pending_numbers_;           // guarded by mu_: submission number of each
  std::thread worker_;
};

}  // namespace tc::http::testing
