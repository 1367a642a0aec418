#pragma once

// Polling helpers for the integration tests: wait for a condition, read one metric.

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "support/http_client.h"

namespace tc::testing {

// The value of an unlabeled metric ("tracecollector_<name> <value>"); -1 when absent.
inline double Metric(HttpClient& client, const std::string& name) {
  const std::string body = client.Get("/metrics").body;
  const std::string prefix = "\ntracecollector_" + name + " ";
  size_t at = body.find(prefix);
  return at == std::string::npos ? -1 : std::stod(body.substr(at + prefix.size()));
}

inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace tc::testing
