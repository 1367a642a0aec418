// API keys with the real binary: every ingest path refuses a missing or wrong key (401 +
// WWW-Authenticate, nothing stored) and takes the right one, from the configuration or from a
// key file; /healthz and /readyz stay open; /metrics is open or protected per auth.protect_metrics;
// a key file that cannot be read stops the start with a message naming it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "integration/collector_fixture.h"

namespace tc::testing {
namespace {

const char* kRecord = R"([{"type":"session","id":"auth-s1","session_id":"s-auth"}])";
const char* kTrace = R"({"session_id":"s-auth-doc","created_at":"2025-01-01T12:00:00+00:00",
  "session_time_steps":[],"event_history":[],"message_history":[]})";

// GET with one extra header line over a fresh connection; the status code (0 on failure).
int GetStatus(int port, const std::string& target, const std::string& header) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int status = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + header +
                                "Connection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char head[64] = {};
      if (::recv(fd, head, sizeof(head) - 1, MSG_WAITALL) > 12) {
        status = std::atoi(head + 9);  // "HTTP/1.1 200"
      }
    }
  }
  ::close(fd);
  return status;
}

class AuthTest : public CollectorTest {
 protected:
  int Stored() {
    auto db = Db();
    return db->Int("SELECT COUNT(*) FROM session_traces");
  }
  void ExpectEveryIngestPathRefuses(const std::map<std::string, std::string>& headers) {
    for (const auto& [path, body] : {std::pair{"/v1/records", kRecord},
                                     std::pair{"/v1/traces", kTrace}}) {
      auto res = client_->Post(path, body, "application/json", headers);
      EXPECT_EQ(res.status, 401) << path << ": " << res.body;
      EXPECT_EQ(res.headers["www-authenticate"], "Bearer realm=\"tracecollector\"") << path;
      EXPECT_NE(res.body.find(R"({"error":{"code":"unauthorized")"), std::string::npos)
          << res.body;
    }
  }
  void ExpectEveryIngestPathAccepts(const std::string& key) {
    const std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + key}};
    auto records = client_->Post("/v1/records", kRecord, "application/json", headers);
    EXPECT_EQ(records.status, 200) << records.body;
    auto traces = client_->Post("/v1/traces", kTrace, "application/json", headers);
    EXPECT_EQ(traces.status, 200) << traces.body;
  }
};

TEST_P(AuthTest, KeysFromConfigGuardIngestHealthAndMetricsStayOpen) {
  StartCollector({"--set", "auth.api_keys=first-key,second-key"});
  ExpectEveryIngestPathRefuses({});
  ExpectEveryIngestPathRefuses({{"Authorization", "Bearer wrong-key"}});
  ExpectEveryIngestPathRefuses({{"Authorization", "Bearer first-ke"}});
  ExpectEveryIngestPathRefuses({{"Authorization", "first-key"}});
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  EXPECT_EQ(client_->Get("/readyz").status, 200);
  EXPECT_EQ(Stored(), 0) << "nothing from an unauthenticated request is stored";

  ExpectEveryIngestPathAccepts("second-key");
  EXPECT_EQ(Stored(), 2);
  auto metrics = client_->Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tracecollector_http_unauthorized_total 8\n"), std::string::npos)
      << metrics.body;
}

TEST_P(AuthTest, KeysFromFileAndProtectedMetrics) {
  const std::string key_file = dir_.File("keys.txt");
  std::ofstream(key_file) << "# collector keys\n\nfile-key-1\nfile-key-2\n";
  StartCollector({"--set", "auth.api_keys_file=" + key_file, "--set",
                  "auth.protect_metrics=true"});
  ExpectEveryIngestPathRefuses({});
  ExpectEveryIngestPathRefuses({{"Authorization", "Bearer # collector keys"}});
  EXPECT_EQ(Stored(), 0);
  ExpectEveryIngestPathAccepts("file-key-2");
  EXPECT_EQ(Stored(), 2);

  EXPECT_EQ(GetStatus(collector_->port(), "/healthz", ""), 200);
  EXPECT_EQ(GetStatus(collector_->port(), "/readyz", ""), 200);
  EXPECT_EQ(GetStatus(collector_->port(), "/metrics", ""), 401);
  EXPECT_EQ(GetStatus(collector_->port(), "/metrics", "Authorization: Bearer nope\r\n"), 401);
  EXPECT_EQ(GetStatus(collector_->port(), "/metrics", "Authorization: Bearer file-key-1\r\n"),
            200);
}

TEST_P(AuthTest, UnreadableOrEmptyKeyFileStopsTheStart) {
  for (const bool exists : {false, true}) {
    const std::string key_file = dir_.File(exists ? "empty-keys.txt" : "missing-keys.txt");
    if (exists) std::ofstream(key_file) << "# no keys yet\n\n";
    try {
      StartCollector({"--set", "auth.api_keys_file=" + key_file});
      ADD_FAILURE() << "the collector started with key file " << key_file;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(key_file), std::string::npos) << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Embedded, AuthTest, ::testing::Values(BackendKind::kEmbedded),
                         BackendName);

}  // namespace
}  // namespace tc::testing
