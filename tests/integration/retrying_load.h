#pragma once

// A client load that behaves like ours should: keyed one-event requests from several threads;
// a request not answered 200 (refused, 5xx, connection lost, collector restarting) is retried
// with the same id, so every id ends either acknowledged or abandoned at Stop(). And the check
// the fault tests end with: every acknowledged id stored exactly once, counters exact.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/db_reader.h"
#include "support/http_client.h"

namespace tc::testing {

class RetryingLoad {
 public:
  // Events go to session "s-load", spread over 3 timesteps. Thread t talks to ports[t % n].
  RetryingLoad(std::vector<int> ports, int threads, std::string prefix)
      : ports_(std::move(ports)) {
    for (int t = 0; t < threads; ++t) {
      workers_.emplace_back([this, t, prefix] {
        HttpClient client("127.0.0.1", ports_[t % ports_.size()]);
        for (int i = 0; !stop_; ++i) {
          std::string id = prefix + std::to_string(t) + "-" + std::to_string(i);
          std::string body = R"({"type":"event","id":")" + id +
                             R"(","session_id":"s-load","step_id":"step-)" +
                             std::to_string(i % 3) +
                             R"(","event_type":"runtime","system_instance_id":"a"})";
          while (!stop_) {
            auto res = client.Post("/v1/records", body);
            if (res.status == 200) {
              std::lock_guard<std::mutex> lock(mu_);
              acked_.insert(id);
              if (res.body.find("\"spooled\":1") != std::string::npos) ++spooled_;
              break;
            }
            ++retries_;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
      });
    }
  }
  ~RetryingLoad() { Stop(); }
  std::set<std::string> Stop() {
    stop_ = true;
    for (auto& w : workers_) {
      if (w.joinable()) w.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  size_t acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_.size();
  }
  int retries() const { return retries_; }
  int spooled() const { return spooled_; }  // acknowledged from the spool

 private:
  std::vector<int> ports_;
  std::atomic<bool> stop_{false};
  std::atomic<int> retries_{0};
  std::atomic<int> spooled_{0};
  std::mutex mu_;
  std::set<std::string> acked_;
  std::vector<std::thread> workers_;
};

// Every acknowledged id stored exactly once; rows and counters agree.
inline void ExpectExactlyOnce(DbReader& db, const std::set<std::string>& acked) {
  std::set<std::string> stored;
  for (auto& row : db.Rows("SELECT key FROM tc_idempotency")) stored.insert(row[0].value());
  size_t missing = 0;
  for (const auto& id : acked) missing += stored.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged";
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events"), static_cast<int64_t>(stored.size()))
      << "an event stored twice or without its key";
  EXPECT_EQ(db.Int("SELECT num_events FROM session_traces WHERE session_id='s-load'"),
            db.Int("SELECT COUNT(*) FROM events"));
  EXPECT_EQ(db.Int("SELECT SUM(num_events) FROM session_timesteps"),
            db.Int("SELECT COUNT(*) FROM events"));
  EXPECT_EQ(db.Int("SELECT num_timesteps FROM session_traces WHERE session_id='s-load'"), 3);
}

}  // namespace tc::testing
