#pragma once

// A real Server on 127.0.0.1:0 with a FakeSubmitter, its own Metrics and a switchable
// readiness, torn down with a bounded Shutdown.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "fake_submitter.h"
#include "http/server.h"
#include "metrics/metrics.h"
#include "test_client.h"

namespace tc::http::testing {

inline ServerOptions TestOptions() {
  ServerOptions options;
  options.http.listen = "127.0.0.1:0";
  options.http.io_threads = 2;
  options.http.max_body_bytes = 64 << 10;
  options.http.max_header_bytes = 4 << 10;
  options.http.read_timeout_ms = 2000;
  options.http.idle_timeout_ms = 5000;
  options.http.max_pipelined = 8;
  options.http.max_connections = 64;
  options.retry_after_s = 7;
  return options;
}

// One valid /v1/records record with client id `id`.
inline std::string SessionRecord(const std::string& id, const std::string& session = "s1") {
  return R"({"type":"session","id":")" + id + R"(","session_id":")" + session + R"("})";
}

class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::steady_clock::now() + 1s);
    }
  }

  void StartServer(const ServerOptions& options = TestOptions()) {
    auto created = Server::Create(
        options, submitter_,
        [this] {
          pipeline::Readiness r;
          if (!ready_.load()) r.status = Status::Unavailable("database is down");
          if (!ready_.load() || spooling_.load()) {
            r.store_ok = false;
            r.store_error = "UNAVAILABLE: connection refused";
            r.has_spool = true;
            r.spool_bytes = 10;
            r.spool_max_bytes = 100;
          }
          return r;
        },
        metrics_, deleter_);
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    server_ = std::move(created).value();
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->local_endpoint().port();
    ASSERT_NE(port_, 0);
  }

  std::unique_ptr<TestClient> Connect() {
    auto client = std::make_unique<TestClient>(port_);
    EXPECT_TRUE(client->connected());
    return client;
  }

  // One request on a fresh connection.
  std::optional<ClientResponse> Call(std::string_view request) {
    return Connect()->RoundTrip(request);
  }

  std::optional<ClientResponse> PostRecords(const std::string& body,
                                            const std::string& query = "") {
    return Call(MakeRequest("POST", "/v1/records" + query, body));
  }

  FakeSubmitter submitter_;
  pipeline::SessionDeleter* deleter_ = nullptr;  // set before StartServer() to take DELETEs
  metrics::Metrics metrics_;
  std::atomic<bool> ready_{true};
  std::atomic<bool> spooling_{false};  // ready, but the spool takes the records
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

}  // namespace tc::http::testing
