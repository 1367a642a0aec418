// API keys with the real binary: every ingest path refuses a missing or wrong key (401 +
// WWW-Authenticate, nothing stored) and takes the right one, from the configuration or from a
// key file; /healthz and /readyz stay open; /metrics is open or protected per auth.protect_metrics;
// a key file that cannot be read stops the start with a message naming it. Scopes: a read key
// reads and gets 403 on POST, an ingest key posts and gets 403 on GET /v1/sessions/{id}, an admin
// key does all, a key in the read and the ingest lists does both; without keys both are open
// (and a collector listening beyond loopback says so once at start).

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

TEST_P(AuthTest, EachKeyMayDoWhatItsScopesAllow) {
  const std::string read_file = dir_.File("dashboards.txt");
  std::ofstream(read_file) << "# dashboards\nfile-read-key\n";
  StartCollector({"--set", "auth.api_keys=ingest-key,both-key", "--set",
                  "auth.read_keys=read-key,both-key", "--set", "auth.read_keys_file=" + read_file,
                  "--set", "auth.admin_keys=admin-key"});
  auto as = [](const std::string& key) {
    return std::map<std::string, std::string>{{"Authorization", "Bearer " + key}};
  };
  auto record = [](const std::string& session) {
    return R"([{"type":"session","id":")" + session + R"(","session_id":")" + session + R"("}])";
  };

  // An ingest key posts; reading is 403, naming the read scope and its settings.
  auto posted =
      client_->Post("/v1/records", record("s-ingest"), "application/json", as("ingest-key"));
  EXPECT_EQ(posted.status, 200) << posted.body;
  auto ingest_read = client_->Get("/v1/sessions/s-ingest", as("ingest-key"));
  EXPECT_EQ(ingest_read.status, 403) << ingest_read.body;
  EXPECT_NE(ingest_read.body.find(R"({"error":{"code":"forbidden","message":"this request )"
                                  R"(needs the read scope)"),
            std::string::npos)
      << ingest_read.body;
  EXPECT_NE(ingest_read.body.find("auth.read_keys or auth.read_keys_file"), std::string::npos);

  // A read key (from the setting or the file) reads; posting is 403 and stores nothing.
  for (const char* key : {"read-key", "file-read-key"}) {
    auto read = client_->Get("/v1/sessions/s-ingest", as(key));
    EXPECT_EQ(read.status, 200) << key << ": " << read.body;
    EXPECT_NE(read.body.find(R"("session_id":"s-ingest")"), std::string::npos) << read.body;
    auto post = client_->Post("/v1/records", record("s-read"), "application/json", as(key));
    EXPECT_EQ(post.status, 403) << key << ": " << post.body;
    EXPECT_NE(post.body.find("needs the ingest scope"), std::string::npos) << post.body;
    EXPECT_NE(post.body.find("auth.api_keys or auth.api_keys_file"), std::string::npos);
    auto del = client_->Delete("/v1/sessions/s-ingest", as(key));
    EXPECT_EQ(del.status, 403) << key << ": " << del.body;
  }
  EXPECT_EQ(Stored(), 1) << "a read key stored nothing";

  // A key in the read and the ingest lists does both, but does not delete.
  auto both_post =
      client_->Post("/v1/records", record("s-both"), "application/json", as("both-key"));
  EXPECT_EQ(both_post.status, 200) << both_post.body;
  EXPECT_EQ(client_->Get("/v1/sessions/s-both", as("both-key")).status, 200);
  auto both_delete = client_->Delete("/v1/sessions/s-both", as("both-key"));
  EXPECT_EQ(both_delete.status, 403) << both_delete.body;
  EXPECT_NE(both_delete.body.find("needs the admin scope"), std::string::npos);

  // An admin key does all.
  auto admin_post = client_->Post("/v1/traces", kTrace, "application/json", as("admin-key"));
  EXPECT_EQ(admin_post.status, 200) << admin_post.body;
  EXPECT_EQ(client_->Get("/v1/sessions/s-auth-doc", as("admin-key")).status, 200);
  EXPECT_EQ(client_->Delete("/v1/sessions/s-both", as("admin-key")).status, 200);
  EXPECT_EQ(Stored(), 2);  // s-ingest and s-auth-doc

  // Missing or wrong keys stay 401 everywhere.
  EXPECT_EQ(client_->Get("/v1/sessions/s-ingest").status, 401);
  EXPECT_EQ(client_->Get("/v1/sessions/s-ingest", as("nope")).status, 401);

  // GET /v1/stream takes ?access_token= (a browser's EventSource cannot send headers).
  EXPECT_EQ(GetStatus(collector_->port(), "/v1/stream?access_token=read-key", ""), 200);
  EXPECT_EQ(GetStatus(collector_->port(), "/v1/stream?access_token=ingest-key", ""), 403);
  EXPECT_EQ(GetStatus(collector_->port(), "/v1/stream?access_token=wrong", ""), 401);
  EXPECT_EQ(GetStatus(collector_->port(), "/v1/stream", ""), 401);
  EXPECT_EQ(collector_->Log().find("read-key"), std::string::npos) << "a key was logged";

  auto metrics = client_->Get("/metrics");
  EXPECT_NE(metrics.body.find("tracecollector_http_forbidden_total 7\n"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("tracecollector_http_unauthorized_total 4\n"), std::string::npos)
      << metrics.body;
}

TEST_P(AuthTest, WithoutKeysIngestAndReadingAreOpenAndAnOpenListenerIsWarnedAbout) {
  StartCollector({"--listen", "0.0.0.0:0"});
  auto posted = client_->Post("/v1/records", kRecord);
  EXPECT_EQ(posted.status, 200) << posted.body;
  auto read = client_->Get("/v1/sessions/s-auth");
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(GetStatus(collector_->port(), "/v1/stream", ""), 200);
  auto del = client_->Delete("/v1/sessions/s-auth");  // deleting needs an admin key
  EXPECT_EQ(del.status, 403) << del.body;
  const std::string log = collector_->Log();
  const std::string warning =
      "no API key is configured and http.listen \\\"0.0.0.0:0\\\" is not a loopback address";
  const size_t at = log.find(warning);
  EXPECT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << "warned more than once:\n" << log;
  EXPECT_NE(log.find("level=warn component=app"), std::string::npos) << log;
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
