// http.max_body_bytes_in_flight on a real Server: a request whose body would push the bytes in
// flight over the budget is answered 429 + Retry-After before its body is read; the budget is
// given back once a body is handled; one body larger than the budget is taken when alone.

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

// A JSON array of session records, padded with spaces to exactly `bytes` bytes.
std::string BodyOf(size_t bytes, const std::string& id) {
  std::string body = "[" + SessionRecord(id) + "]";
  body.append(bytes - body.size(), ' ');
  return body;
}

class BodyBudgetTest : public ServerTest {};

TEST_F(BodyBudgetTest, OverBudgetRefusedBeforeTheBodyThenFreedAgain) {
  ServerOptions options = TestOptions();
  options.http.max_body_bytes_in_flight = 50000;
  StartServer(options);

  // Holds 40,000 bytes of the budget: the head and half the body sent, the rest later.
  const std::string big = BodyOf(40000, "big");
  const std::string big_request = MakeRequest("POST", "/v1/records", big);
  const size_t split = big_request.size() - 20000;
  auto holder = Connect();
  ASSERT_TRUE(holder->Send(std::string_view(big_request).substr(0, split)));
  std::this_thread::sleep_for(100ms);

  // 20,000 more would exceed 50,000: refused at once (its body is never sent).
  auto refused_client = Connect();
  ASSERT_TRUE(refused_client->Send(
      "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n"));
  auto refused = refused_client->Read(1s);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->header("retry-after"), "7");
  EXPECT_NE(refused->body.find(R"("code":"overloaded")"), std::string::npos) << refused->body;
  EXPECT_FALSE(refused->keep_alive);
  // Chunked bodies are counted chunk by chunk.
  auto chunked_client = Connect();
  ASSERT_TRUE(chunked_client->Send(
      "POST /v1/records HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4e20\r\n"));
  auto chunked = chunked_client->Read(1s);
  ASSERT_TRUE(chunked.has_value());
  EXPECT_EQ(chunked->status, 429);

  // The holder finishes: answered, and its bytes go back to the budget.
  ASSERT_TRUE(holder->Send(std::string_view(big_request).substr(split)));
  auto held = holder->Read();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->status, 200) << held->body;

  // Alone, a body larger than the whole budget is taken; twice on one connection.
  auto alone = Connect();
  for (const char* id : {"alone1", "alone2"}) {
    auto res = alone->RoundTrip(MakeRequest("POST", "/v1/records", BodyOf(60000, id)));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200) << res->body;
  }
  EXPECT_EQ(submitter_.submitted(), 3u);
}

// An OTLP body's decoded model is charged to the same budget as it is made (~160 bytes per
// attribute however short on the wire): a body that fits is refused 429 + Retry-After, in OTLP's
// own error form, when the model would not; alone, the same body is taken.
TEST_F(BodyBudgetTest, AnOtlpBodysModelIsChargedAsItIsDecoded) {
  ServerOptions options = TestOptions();
  options.http.max_body_bytes = 256 << 10;
  options.http.max_body_bytes_in_flight = 500000;
  options.http.read_timeout_ms = 60000;  // the holder below waits, half sent, as long as it takes
  StartServer(options);
  std::string attributes = R"({"key":"gen_ai.operation.name","value":{"stringValue":"chat"}})";
  for (int i = 0; i < 1000; ++i) {
    attributes += R"(,{"key":"a)" + std::to_string(i) + R"(","value":{"intValue":1}})";
  }
  const std::string otlp =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",)"
      R"("spanId":"00f067aa0ba902b7","name":"chat","attributes":[)" +
      attributes + "]}]}]}]}";
  ASSERT_LT(otlp.size(), 50000u);  // charged 2x: fits beside the holder below; its model does not
  const std::string otlp_request = MakeRequest("POST", "/v1/traces", otlp);

  // Holds 300,000 bytes of the budget (a 150,000-byte body, charged twice, half sent).
  const std::string big_request = MakeRequest("POST", "/v1/records", BodyOf(150000, "big"));
  const size_t split = big_request.size() - 75000;
  auto holder = Connect();
  ASSERT_TRUE(holder->Send(std::string_view(big_request).substr(0, split)));
  // The holder's reservation is in once a body of 110,000 (220,000 charged) no longer fits.
  // The probe sends its whole body, so that while it still fits it is answered at once.
  const std::string probe_request = MakeRequest("POST", "/v1/records", BodyOf(110000, "probe"));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  for (;;) {
    auto probe = Call(probe_request);
    ASSERT_TRUE(probe.has_value());
    if (probe->status == 429) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the holder's body was never charged";
  }

  auto refused = Call(otlp_request);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429) << refused->body;
  EXPECT_EQ(refused->header("retry-after"), "7");
  EXPECT_NE(refused->body.find(R"("code":8)"), std::string::npos) << refused->body;
  EXPECT_NE(refused->body.find("max_body_bytes_in_flight"), std::string::npos) << refused->body;
  const size_t submitted = submitter_.submitted();

  ASSERT_TRUE(holder->Send(std::string_view(big_request).substr(split)));
  auto held = holder->Read();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->status, 200) << held->body;
  auto alone = Call(otlp_request);
  ASSERT_TRUE(alone.has_value());
  EXPECT_EQ(alone->status, 200) << alone->body;
  EXPECT_EQ(alone->body, "{}");
  EXPECT_EQ(submitter_.submitted(), submitted + 2) << "the holder's records, then the span's";
}

}  // namespace
}  // namespace tc::http::testing
