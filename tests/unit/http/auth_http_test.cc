// API keys on a real Server: 401 decided from the headers (the body is never read or decoded),
// the same answer for a missing, malformed or wrong key, health endpoints always open; scopes:
// a valid key without the scope a request needs gets 403 naming the scope and its setting (on
// a kept connection, or, when a body follows, before the body is read, then closed), and GET
// /v1/stream also takes the key as ?access_token=.

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

class ScopeHttpTest : public AuthHttpTest {
 protected:
  void SetUp() override {
    ServerOptions options = TestOptions();
    options.auth.api_keys = "ingest-key,both-key";
    options.auth.read_keys = "read-key,both-key";
    options.auth.admin_keys = "admin-key";
    StartServer(options);
  }
  static std::string Bearer(const std::string& key) {
    return "Authorization: Bearer " + key + "\r\n";
  }
};

TEST_F(ScopeHttpTest, AReadKeyReadsButItsPostIs403BeforeTheBodyIsRead) {
  // Reading: past the check (this server has no reader: 501, not 401 or 403).
  auto read =
      Call(MakeRequest("GET", "/v1/sessions/s1", {}, "application/json", Bearer("read-key")));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->status, 501) << read->body;
  // Posting: 403 naming the ingest scope and its settings; the body is not read (an invalid
  // one is not a 400) and the connection is closed.
  auto post = Post("/v1/records", Bearer("read-key"), "{not json");
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->status, 403) << post->body;
  EXPECT_EQ(Json(post->body).Str("/error/code"), "forbidden");
  EXPECT_EQ(Json(post->body).Str("/error/message"),
            "this request needs the ingest scope, which this API key lacks: list the key in "
            "auth.api_keys or auth.api_keys_file (an admin key has every scope)");
  EXPECT_FALSE(post->keep_alive);
  // Announced with Expect: 100-continue and never sent: 403 at once, no 100.
  auto client = Connect();
  ASSERT_TRUE(
      client->Send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n"
                   "Expect: 100-continue\r\n" +
                   Bearer("read-key") + "\r\n"));
  auto res = client->Read(1s);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 403);
  EXPECT_FALSE(res->keep_alive);
  // A chunked body: refused at its first chunk.
  auto chunked = Connect();
  ASSERT_TRUE(chunked->Send("POST /v1/records HTTP/1.1\r\nHost: x\r\n" + Bearer("read-key") +
                            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                            "\r\n5\r\n[1,2]\r\n0\r\n\r\n"));
  auto chunked_res = chunked->Read(1s);
  ASSERT_TRUE(chunked_res.has_value());
  EXPECT_EQ(chunked_res->status, 403);
  EXPECT_FALSE(chunked_res->keep_alive);
  EXPECT_EQ(submitter_.submitted(), 0u);
  EXPECT_EQ(metrics_.http_forbidden.Get(), 3u);
  EXPECT_EQ(metrics_.http_unauthorized.Get(), 0u);
}

TEST_F(ScopeHttpTest, AnIngestKeyPostsButReading403sOnAKeptConnection) {
  auto post = Post("/v1/records", Bearer("ingest-key"));
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->status, 200) << post->body;
  auto client = Connect();
  auto read = client->RoundTrip(
      MakeRequest("GET", "/v1/sessions/s1", {}, "application/json", Bearer("ingest-key")));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->status, 403) << read->body;
  EXPECT_NE(read->body.find("needs the read scope"), std::string::npos) << read->body;
  EXPECT_NE(read->body.find("auth.read_keys or auth.read_keys_file"), std::string::npos);
  EXPECT_TRUE(read->keep_alive);
  // The same connection goes on.
  auto health = client->RoundTrip(MakeRequest("GET", "/healthz"));
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  // Deleting needs the admin scope.
  auto del = client->RoundTrip(
      MakeRequest("DELETE", "/v1/sessions/s1", {}, "application/json", Bearer("ingest-key")));
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->status, 403);
  EXPECT_NE(del->body.find("auth.admin_keys"), std::string::npos) << del->body;
  EXPECT_EQ(submitter_.submitted(), 1u);
  EXPECT_EQ(metrics_.http_forbidden.Get(), 2u);
}

TEST_F(ScopeHttpTest, AKeyInBothListsAndAnAdminKeyDoBoth) {
  for (const char* key : {"both-key", "admin-key"}) {
    auto post = Post("/v1/records", Bearer(key));
    ASSERT_TRUE(post.has_value());
    EXPECT_EQ(post->status, 200) << key << ": " << post->body;
    auto read = Call(MakeRequest("GET", "/v1/sessions/s1", {}, "application/json", Bearer(key)));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->status, 501) << key << ": " << read->body;  // past the check
  }
  auto del =
      Call(MakeRequest("DELETE", "/v1/sessions/s1", {}, "application/json", Bearer("both-key")));
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->status, 403) << del->body;  // ingest + read is not admin
  EXPECT_EQ(metrics_.http_forbidden.Get(), 1u);
}

// /v1/stream (501 here: this test server has no feed) checks the key from the header, or,
// without one, from ?access_token= (percent-decoded), never echoed.
TEST_F(ScopeHttpTest, TheStreamTakesTheKeyAsAccessToken) {
  auto get = [&](const std::string& target, const std::string& headers = "") {
    auto res = Call(MakeRequest("GET", target, {}, "application/json", headers));
    EXPECT_TRUE(res.has_value()) << target;
    return res.value_or(ClientResponse{});
  };
  EXPECT_EQ(get("/v1/stream?access_token=read-key").status, 501);
  EXPECT_EQ(get("/v1/stream?since=1&access_token=%72ead-key").status, 501);
  EXPECT_EQ(get("/v1/stream?access_token=admin-key").status, 501);
  EXPECT_EQ(get("/v1/stream", Bearer("read-key")).status, 501);
  const ClientResponse ingest = get("/v1/stream?access_token=ingest-key");
  EXPECT_EQ(ingest.status, 403);
  EXPECT_NE(ingest.body.find("needs the read scope"), std::string::npos) << ingest.body;
  const ClientResponse none = get("/v1/stream");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("?access_token=<key>"), std::string::npos) << none.body;
  const ClientResponse wrong = get("/v1/stream?access_token=s3cret-guess");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body.find("s3cret"), std::string::npos) << wrong.body;
  // A header, even a wrong one, is what counts when present.
  EXPECT_EQ(get("/v1/stream?access_token=read-key", Bearer("nope")).status, 401);
  // Other paths take no ?access_token=.
  EXPECT_EQ(get("/v1/sessions/s1?access_token=read-key").status, 401);
  EXPECT_EQ(Post("/v1/records?access_token=ingest-key", "")->status, 401);
}

TEST_F(AuthHttpTest, WithoutKeysReadingAndIngestAreOpen) {
  StartServer();
  EXPECT_EQ(PostRecords("[" + SessionRecord("a1") + "]")->status, 200);
  EXPECT_EQ(Call(MakeRequest("GET", "/v1/sessions/s1"))->status, 501);  // past the check
  EXPECT_EQ(Call(MakeRequest("GET", "/v1/stream"))->status, 501);       // past the check (no feed)
  EXPECT_EQ(metrics_.http_forbidden.Get() + metrics_.http_unauthorized.Get(), 0u);
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
