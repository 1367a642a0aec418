#pragma once

// What the pipeline's unit tests share: event records by key, submitting keys as one request
// with a future for its completion, and small, fast options (10-record batches, no delay,
// retries of 1..5 ms).

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/pipeline.h"

namespace tc::pipeline {

// Polls `done` until it holds (true) or 5 s pass (false): a test waits on a condition, never for
// a fixed time.
inline bool Eventually(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

inline schema::Record MakeRecord(std::string key) {
  schema::Record r;
  r.key = std::move(key);
  r.body = schema::EventRecord{.session_id = "s1"};
  return r;
}

struct Outcome {
  Status status;
  std::vector<sink::RecordResult> results;
};

// Submits `keys` as one request; `admit` gets Submit's answer; the future resolves when the
// pipeline completes the request (only if it was admitted).
inline std::future<Outcome> SubmitKeys(Pipeline& p, std::vector<std::string> keys,
                                       Status* admit) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  Submission s;
  for (auto& k : keys) s.records.push_back(MakeRecord(k));
  s.on_done = [promise](const Status& st, std::vector<sink::RecordResult> res) {
    promise->set_value(Outcome{st, std::move(res)});
  };
  *admit = p.Submit(s);
  return future;
}

inline PipelineOptions SmallOptions() {
  PipelineOptions o;
  o.capacity = {.max_records = 100, .max_bytes = 1 << 20};
  o.batch_max_records = 10;
  o.batch_max_delay = std::chrono::milliseconds(0);
  o.retry = {.initial = std::chrono::milliseconds(1),
             .max = std::chrono::milliseconds(5),
             .multiplier = 2};
  return o;
}

}  // namespace tc::pipeline
