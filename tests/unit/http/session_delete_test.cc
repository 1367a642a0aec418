// DELETE /v1/sessions/{id} on a real Server with a FakeDeleter: who may delete (admin key 200,
// ingest key 403, no key 401, no keys configured 403), the id (percent-decoded; 400 for what
// cannot be one), the answers the writer's outcome becomes (200 with counts, 404, 503 +
// Retry-After, 500), routing (405 Allow: DELETE), answers in request order, the metrics.

#include <gtest/gtest.h>

#include "fake_deleter.h"
#include "server_fixture.h"

namespace tc::http::testing {
namespace {

constexpr char kAdmin[] = "Authorization: Bearer admin-key\r\n";
constexpr char kIngest[] = "Authorization: Bearer ingest-key\r\n";

class SessionDeleteTest : public ServerTest {
 protected:
  void StartWithKeys() {
    ServerOptions options = TestOptions();
    options.auth.api_keys = "ingest-key";
    options.auth.admin_keys = "admin-key";
    deleter_ = &deleter_impl_;
    StartServer(options);
  }
  std::optional<ClientResponse> Delete(const std::string& target,
                                       const std::string& headers = kAdmin) {
    return Call(MakeRequest("DELETE", target, {}, "application/json", headers));
  }
  // The delete path's count of answers with `code` in /metrics.
  uint64_t Answered(unsigned code) {
    return metrics_
        .http_requests_by_code[static_cast<size_t>(metrics::HttpPath::kSessions)][code - 100]
        .Get();
  }

  FakeDeleter deleter_impl_;
};

TEST_F(SessionDeleteTest, AdminKeyDeletesAndGetsTheRowsPerTable) {
  StartWithKeys();
  auto res = Delete("/v1/sessions/run%2F7%20a");
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, R"({"deleted":{"session_id":"run/7 a","rows":{"session_traces":1,)"
                       R"("session_timesteps":2,"events":5,"messages":0,"outcome_rewards":0,)"
                       R"("event_rewards":0,"tc_idempotency":7}}})");
  EXPECT_EQ(deleter_impl_.ids(), std::vector<std::string>{"run/7 a"});
  EXPECT_EQ(Answered(200), 1u);
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(
      text.find(R"(tracecollector_http_requests_total{path="/v1/sessions/{id}",code="200"} 1)"),
      std::string::npos);
}

TEST_F(SessionDeleteTest, IngestKeyIs403MissingOrWrongKeyIs401AndNothingIsDeleted) {
  StartWithKeys();
  auto forbidden = Delete("/v1/sessions/s1", kIngest);
  ASSERT_TRUE(forbidden.has_value());
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(Json(forbidden->body).Str("/error/code"), "forbidden");
  EXPECT_NE(forbidden->body.find("auth.admin_keys"), std::string::npos) << forbidden->body;
  EXPECT_TRUE(forbidden->keep_alive);
  for (const char* headers : {"", "Authorization: Bearer wrong\r\n"}) {
    auto res = Delete("/v1/sessions/s1", headers);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 401) << headers;
  }
  EXPECT_TRUE(deleter_impl_.ids().empty());
  EXPECT_EQ(metrics_.http_forbidden.Get(), 1u);
  EXPECT_EQ(metrics_.http_unauthorized.Get(), 2u);
  EXPECT_NE(metrics_.RenderPrometheus().find("tracecollector_http_forbidden_total 1\n"),
            std::string::npos);
  // The admin key ingests too.
  auto post = Call(MakeRequest("POST", "/v1/records", "[" + SessionRecord("a1") + "]",
                               "application/json", kAdmin));
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->status, 200) << post->body;
}

TEST_F(SessionDeleteTest, WithoutAnyKeyConfiguredNobodyMayDelete) {
  deleter_ = &deleter_impl_;
  StartServer();
  auto res = Delete("/v1/sessions/s1", "");
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(Json(res->body).Str("/error/code"), "forbidden");
  EXPECT_NE(res->body.find("has none"), std::string::npos) << res->body;
  EXPECT_TRUE(deleter_impl_.ids().empty());
  EXPECT_EQ(metrics_.http_forbidden.Get(), 1u);
  EXPECT_EQ(PostRecords("[" + SessionRecord("a1") + "]")->status, 200);  // ingest stays open
}

TEST_F(SessionDeleteTest, IdsThatCannotBeSessionIdsAre400SayingWhy) {
  StartWithKeys();
  const std::string too_long(513, 'x');
  const std::pair<std::string, std::string> cases[] = {
      {"/v1/sessions/", "empty"},
      {"/v1/sessions/a/b", "'/' at byte 1"},
      {"/v1/sessions/a%2", "'%' at byte 1"},
      {"/v1/sessions/a%zz1", "two hex digits"},
      {"/v1/sessions/%ff%fe", "not UTF-8"},
      {"/v1/sessions/" + too_long, "513 bytes"},
  };
  for (const auto& [target, says] : cases) {
    auto res = Delete(target);
    ASSERT_TRUE(res.has_value()) << target;
    EXPECT_EQ(res->status, 400) << target;
    Json json(res->body);
    EXPECT_EQ(json.Str("/error/code"), "bad_session_id") << target;
    EXPECT_NE(json.Str("/error/message").find(says), std::string::npos)
        << target << ": " << res->body;
  }
  EXPECT_TRUE(deleter_impl_.ids().empty());
  EXPECT_EQ(Answered(400), std::size(cases));
  // The longest id that can exist is taken.
  EXPECT_EQ(Delete("/v1/sessions/" + std::string(512, 'x'))->status, 200);
}

TEST_F(SessionDeleteTest, TheWritersOutcomeBecomes404Or503Or500) {
  StartWithKeys();
  auto missing = Delete("/v1/sessions/missing-1");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json(missing->body).Str("/error/code"), "not_found");
  EXPECT_NE(missing->body.find("missing-1"), std::string::npos);

  auto down = Delete("/v1/sessions/down-1");
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->status, 503);
  EXPECT_EQ(Json(down->body).Str("/error/code"), "unavailable");
  EXPECT_EQ(down->header("retry-after"), "7");

  auto broken = Delete("/v1/sessions/broken-1");
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->status, 500);
  EXPECT_EQ(Json(broken->body).Str("/error/code"), "internal");
  EXPECT_NE(broken->body.find("disk I/O error"), std::string::npos);

  // The writer cannot take it at all (shutting down): 503 at once.
  deleter_impl_.set_refusal(Status::Unavailable("shutting down"));
  auto refused = Delete("/v1/sessions/s1");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("retry-after"), "7");
}

TEST_F(SessionDeleteTest, OtherMethodsOnASessionAre405AllowGetAndDelete) {
  StartWithKeys();
  for (const char* method : {"POST", "PUT", "PATCH"}) {
    auto res = Call(MakeRequest(method, "/v1/sessions/s1", {}, "application/json", kAdmin));
    ASSERT_TRUE(res.has_value()) << method;
    EXPECT_EQ(res->status, 405) << method;
    EXPECT_EQ(res->header("allow"), "GET, DELETE") << method;
  }
  auto list = Delete("/v1/sessions");  // the list: GET only
  EXPECT_EQ(list->status, 405);
  EXPECT_EQ(list->header("allow"), "GET");
  EXPECT_EQ(Delete("/v1/nothing/s1")->status, 404);
  EXPECT_TRUE(deleter_impl_.ids().empty());
}

TEST_F(SessionDeleteTest, AServerWithoutADeleterAnswers501) {
  ServerOptions options = TestOptions();
  options.auth.admin_keys = "admin-key";
  StartServer(options);
  auto res = Delete("/v1/sessions/s1");
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 501);
  EXPECT_EQ(Json(res->body).Str("/error/code"), "not_implemented");
}

TEST_F(SessionDeleteTest, AnswersStayInRequestOrderWhileTheWriterHoldsTheDeletion) {
  StartWithKeys();
  deleter_impl_.hold(true);
  auto client = Connect();
  ASSERT_TRUE(
      client->Send(MakeRequest("DELETE", "/v1/sessions/s1", {}, "application/json", kAdmin) +
                   MakeRequest("GET", "/healthz")));
  // Nothing is answered while the deletion is pending: /healthz waits behind it.
  EXPECT_TRUE(client->ReadSome(200ms).empty());
  deleter_impl_.release();
  auto first = client->Read();
  auto second = client->Read();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(Json(first->body).Str("/deleted/session_id"), "s1");
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, R"({"status":"ok"})");
}

}  // namespace
}  // namespace tc::http::testing
