// API keys on a real Server: 401 decided from the headers (the body is never read or decoded),
// the same answer for a missing, malformed or wrong key, health endpoints always open.

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

class AuthHttpTest : public ServerTest {
 protected:
  void StartWithKeys(bool protect_metrics) {
    ServerOptions options = TestOptions();
    options.auth.api_keys = "right-key,other-key";
    options.auth.protect_metrics = protect_metrics;
    StartServer(options);
  }
  std::optional<ClientResponse> Post(const std::string& path, const std::string& headers,
                                     const std::string& body = "[" + SessionRecord("a1") + "]") {
    return Call(MakeRequest("POST", path, body, "application/json", headers));
  }
};

TEST_F(AuthHttpTest, MissingMalformedAndWrongKeysGetTheSame401AndNothingIsSubmitted) {
  StartWithKeys(false);
  std::optional<std::string> first_body;
  for (const char* path : {"/v1/records", "/v1/traces", "/v1/unknown"}) {
    for (const std::string& headers :
         {std::string(), std::string("Authorization: right-key\r\n"),
          std::string("Authorization: Basic cmlnaHQta2V5\r\n"),
          std::string("Authorization: Bearer wrong-key\r\n"),
          std::string("Authorization: Bearer right-keyX\r\n")}) {
      auto res = Post(path, headers);
      ASSERT_TRUE(res.has_value()) << path << " " << headers;
      EXPECT_EQ(res->status, 401) << path << " " << headers;
      EXPECT_EQ(res->header("www-authenticate"), "Bearer realm=\"tracecollector\"");
      if (!first_body) first_body = res->body;
      EXPECT_EQ(res->body, *first_body);  // nothing tells which part was wrong
    }
  }
  EXPECT_NE(first_body->find(R"({"error":{"code":"unauthorized")"), std::string::npos);
  EXPECT_EQ(submitter_.submitted(), 0u);
  EXPECT_EQ(metrics_.http_unauthorized.Get(), 15u);
}

TEST_F(AuthHttpTest, RightKeyAccepted) {
  StartWithKeys(false);
  auto res = Post("/v1/records", "Authorization: Bearer other-key\r\n");
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(submitter_.submitted(), 1u);
}

TEST_F(AuthHttpTest, UnauthenticatedBodyIsNeverReadEvenIfInvalidOrHuge) {
  StartWithKeys(false);
  // An invalid body: 401, not 400 (no decoding). A body announced by Content-Length (and
  // Expect: 100-continue) but never sent: 401 at once, no 100 (the server does not wait).
  auto invalid = Post("/v1/records", "", "{not json");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_EQ(invalid->status, 401);
  auto client = Connect();
  ASSERT_TRUE(client->Send("POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n"
                           "Expect: 100-continue\r\n\r\n"));
  auto res = client->Read(1s);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 401);
  EXPECT_FALSE(res->keep_alive);
}

TEST_F(AuthHttpTest, HealthOpenMetricsOpenUnlessProtected) {
  StartWithKeys(false);
  EXPECT_EQ(Call(MakeRequest("GET", "/healthz"))->status, 200);
  EXPECT_EQ(Call(MakeRequest("GET", "/readyz"))->status, 200);
  EXPECT_EQ(Call(MakeRequest("GET", "/metrics"))->status, 200);
}

TEST_F(AuthHttpTest, ProtectedMetricsNeedAKey) {
  StartWithKeys(true);
  EXPECT_EQ(Call(MakeRequest("GET", "/healthz"))->status, 200);
  EXPECT_EQ(Call(MakeRequest("GET", "/readyz"))->status, 200);
  EXPECT_EQ(Call(MakeRequest("GET", "/metrics"))->status, 401);
  auto res = Call(MakeRequest("GET", "/metrics", {}, "application/json",
                              "Authorization: Bearer right-key\r\n"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("tracecollector_http_unauthorized_total 1"), std::string::npos);
}

TEST_F(AuthHttpTest, KeyFileThatCannotBeReadFailsCreate) {
  ServerOptions options = TestOptions();
  options.auth.api_keys_file = "/nonexistent/keys";
  auto created = Server::Create(options, submitter_, nullptr, metrics_);
  ASSERT_FALSE(created.has_value());
  EXPECT_NE(created.error().message().find("/nonexistent/keys"), std::string::npos);
}

}  // namespace
}  // namespace tc::http::testing
