// The Idempotency-Key header through a real server and the real decoder, with the
// FakeSubmitter standing in for the pipeline (it can hold a request in flight, which a real
// database cannot be made to do on cue).

#include <gtest/gtest.h>

#include <string>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

// Two records without ids and one with its own.
const std::string kBody = R"([{"type":"session","session_id":"s1"},)"
                          R"({"type":"session","id":"own","session_id":"s2"},)"
                          R"({"type":"session_end","session_id":"s1"}])";

class IdempotencyHttpTest : public ServerTest {
 protected:
  std::optional<ClientResponse> Post(const std::string& body, const std::string& key,
                                     const std::string& query = "") {
    return Call(MakeRequest("POST", "/v1/records" + query, body, "application/json",
                            "Idempotency-Key: " + key + "\r\n"));
  }
};

TEST_F(IdempotencyHttpTest, RecordsWithoutIdsGetKeysDerivedFromTheHeaderAndTheirPosition) {
  StartServer();
  auto response = Post(kBody, "order-17");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(submitter_.keys(0),
            (std::vector<std::string>{"~idem/order-17/0", "own", "~idem/order-17/2"}));
  // Without the header nothing changes: records without ids have no key.
  response = PostRecords(kBody);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(submitter_.keys(1), (std::vector<std::string>{"", "own", ""}));
}

TEST_F(IdempotencyHttpTest, ARetryGetsTheSameAnswerAndOwnIdsKeepTheirOwnSemantics) {
  submitter_.set_dedupe(true);
  StartServer();
  auto first = Post(kBody, "k-retry");
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->status, 200) << first->body;
  auto again = Post(kBody, "k-retry");
  ASSERT_TRUE(again.has_value());
  ASSERT_EQ(again->status, 200) << again->body;
  Json a(first->body);
  Json b(again->body);
  EXPECT_EQ(a.Int("/stored"), 3);
  // The derived-key records were stored by the first attempt: "stored" again. The record with
  // its own id is a duplicate of an id already stored, as without the header.
  EXPECT_EQ(b.Int("/stored"), 2) << again->body;
  EXPECT_EQ(b.Int("/duplicates"), 1) << again->body;
  EXPECT_EQ(metrics_.idempotency_key_replays.Get(), 1u);

  // All records without ids: the answers are identical.
  const std::string no_ids = R"([{"type":"session","session_id":"s9"},)"
                             R"({"type":"session_end","session_id":"s9"}])";
  first = Post(no_ids, "k-noids");
  again = Post(no_ids, "k-noids");
  ASSERT_TRUE(first.has_value() && again.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(first->body, again->body);
  EXPECT_EQ(Json(again->body).Int("/stored"), 2);
  EXPECT_EQ(submitter_.keys(2), submitter_.keys(3));
}

TEST_F(IdempotencyHttpTest, SameKeyWithAnotherBodyIs422AndStoresNothing) {
  StartServer();
  auto first = Post(kBody, "k-body");
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->status, 200);
  auto other = Post(R"({"type":"session","session_id":"other"})", "k-body");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->status, 422) << other->body;
  Json json(other->body);
  EXPECT_EQ(json.Str("/error/code"), "idempotency_key_reused");
  EXPECT_NE(json.Str("/error/message").find("different request body"), std::string::npos);
  // The same body to the other endpoint is another request too.
  auto traces = Call(
      MakeRequest("POST", "/v1/traces", kBody, "application/json", "Idempotency-Key: k-body\r\n"));
  ASSERT_TRUE(traces.has_value());
  EXPECT_EQ(traces->status, 422) << traces->body;
  EXPECT_EQ(submitter_.submitted(), 1u);
  EXPECT_EQ(metrics_.idempotency_key_mismatch.Get(), 2u);
  EXPECT_EQ(metrics_.http_requests_by_code[0][422 - 100].Get(), 1u);
}

TEST_F(IdempotencyHttpTest, AConcurrentRetryWhileTheFirstIsInFlightIs409WithRetryAfter) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto holder = Connect();
  ASSERT_TRUE(holder->Send(MakeRequest("POST", "/v1/records", kBody, "application/json",
                                       "Idempotency-Key: k-flight\r\n")));
  ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
  auto concurrent = Post(kBody, "k-flight");
  ASSERT_TRUE(concurrent.has_value());
  EXPECT_EQ(concurrent->status, 409) << concurrent->body;
  EXPECT_EQ(concurrent->header("retry-after"), "7");
  EXPECT_EQ(Json(concurrent->body).Str("/error/code"), "idempotency_key_in_flight");
  EXPECT_EQ(metrics_.idempotency_key_in_flight.Get(), 1u);
  EXPECT_EQ(submitter_.submitted(), 1u);

  ASSERT_TRUE(submitter_.Complete(0));
  auto first = holder->Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200) << first->body;
  // Answered: the key is no longer in flight, a retry goes through.
  submitter_.set_mode(FakeSubmitter::Mode::kAuto);
  auto retry = Post(kBody, "k-flight");
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->status, 200) << retry->body;
}

TEST_F(IdempotencyHttpTest, ARequestThatStoredNothingDoesNotBindItsKey) {
  StartServer();
  submitter_.set_refusal(Status::ResourceExhausted("queue full"));
  auto refused = Post(kBody, "k-429");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429);
  submitter_.set_refusal(Status::Ok());
  // Not stored, so the key is free: another body may use it.
  auto other = Post(R"({"type":"session","session_id":"x"})", "k-429");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->status, 200) << other->body;
  // A body whose every record was refused stores nothing either.
  auto invalid = Post(R"({"type":"session"})", "k-invalid");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_EQ(invalid->status, 207);
  auto fixed = Post(R"({"type":"session","session_id":"y"})", "k-invalid");
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fixed->status, 200) << fixed->body;
}

TEST_F(IdempotencyHttpTest, QueuedRequestsBindTheKeyOnAdmission) {
  submitter_.set_dedupe(true);
  StartServer();
  auto first = Post(kBody, "k-queued", "?ack=queued");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 202);
  auto again = Post(kBody, "k-queued", "?ack=queued");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 202);
  EXPECT_EQ(first->body, again->body);
  auto other = Post(SessionRecord("q"), "k-queued", "?ack=queued");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->status, 422);
}

TEST_F(IdempotencyHttpTest, MalformedOrRepeatedHeaderIs400AndNamesTheProblem) {
  StartServer();
  struct Case {
    std::string headers;
    std::string message;
  };
  const Case cases[] = {
      {"Idempotency-Key: " + std::string(256, 'k') + "\r\n", "256 bytes long; the limit is 255"},
      {"Idempotency-Key: caf\xc3\xa9\r\n", "visible ASCII"},
      {"Idempotency-Key: a b\r\n", "at byte 1"},
      {"Idempotency-Key:\r\n", "empty"},
      {"Idempotency-Key: a\r\nidempotency-key: a\r\n", "send one Idempotency-Key header"},
  };
  for (const Case& c : cases) {
    auto response = Call(MakeRequest("POST", "/v1/records", kBody, "application/json", c.headers));
    ASSERT_TRUE(response.has_value()) << c.headers;
    EXPECT_EQ(response->status, 400) << c.headers << response->body;
    Json json(response->body);
    EXPECT_EQ(json.Str("/error/code"), "invalid_idempotency_key");
    EXPECT_NE(json.Str("/error/message").find(c.message), std::string::npos) << response->body;
  }
  EXPECT_EQ(submitter_.submitted(), 0u);
  EXPECT_EQ(metrics_.idempotency_key_invalid.Get(), std::size(cases));
}

TEST_F(IdempotencyHttpTest, ClientIdsInTheDerivedNamespaceAreRefused) {
  StartServer();
  auto response = PostRecords(R"([{"type":"session","id":"~idem/k/0","session_id":"s"},)"
                              R"({"type":"session","id":"fine~","session_id":"s"}])");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 207) << response->body;
  Json json(response->body);
  EXPECT_EQ(json.Str("/results/0/status"), "refused");
  EXPECT_EQ(json.Str("/results/0/field"), "id");
  EXPECT_EQ(json.Str("/results/1/status"), "stored");
}

}  // namespace
}  // namespace tc::http::testing
