// Server lifecycle, the plain endpoints and the request-level limits, over real sockets.

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

TEST_F(ServerTest, CreateReportsBadAddressesAndPortsInUse) {
  ServerOptions options = TestOptions();
  options.http.listen = "127.0.0.1";
  auto bad = Server::Create(options, submitter_, nullptr, metrics_);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  options.http.listen = "127.0.0.1:70000";
  EXPECT_FALSE(Server::Create(options, submitter_, nullptr, metrics_).has_value());

  StartServer();
  options.http.listen = "127.0.0.1:" + std::to_string(port_);
  auto in_use = Server::Create(options, submitter_, nullptr, metrics_);
  ASSERT_FALSE(in_use.has_value());
  EXPECT_EQ(in_use.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(in_use.error().message().find(std::to_string(port_)), std::string::npos)
      << in_use.error().message();
}

TEST_F(ServerTest, ShutdownIsSafeWithoutStartAndTwice) {
  auto created = Server::Create(TestOptions(), submitter_, nullptr, metrics_);
  ASSERT_TRUE(created.has_value());
  std::unique_ptr<Server> server = std::move(created).value();
  server->StopAccepting();
  server->StopAccepting();
  server->Shutdown(std::chrono::steady_clock::now());
  server->Shutdown(std::chrono::steady_clock::now());
  EXPECT_FALSE(server->Start().ok());

  StartServer();
  EXPECT_FALSE(server_->Start().ok()) << "second Start";
  server_->Shutdown(std::chrono::steady_clock::now() + 1s);
  server_->Shutdown(std::chrono::steady_clock::now() + 1s);
  TestClient late(port_, 500ms);
  EXPECT_FALSE(late.connected() && late.RoundTrip(MakeRequest("GET", "/healthz")).has_value());
}

TEST_F(ServerTest, HealthReadinessAndMetrics) {
  StartServer();
  auto client = Connect();
  auto health = client->RoundTrip(MakeRequest("GET", "/healthz"));
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->header("content-type"), "application/json");
  EXPECT_EQ(Json(health->body).Str("/status"), "ok");

  auto ready = client->RoundTrip(MakeRequest("GET", "/readyz"));
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, R"({"status":"ready","store":"ok"})");
  spooling_ = true;
  ready = client->RoundTrip(MakeRequest("GET", "/readyz"));
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body,
            R"({"status":"ready","store":"unavailable","store_error":)"
            R"("UNAVAILABLE: connection refused","spool":{"bytes":10,"max_bytes":100}})");
  ready_ = false;
  ready = client->RoundTrip(MakeRequest("GET", "/readyz"));
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(Json(ready->body).Str("/error/message"), "database is down");
  EXPECT_EQ(Json(ready->body).Str("/status"), "unready");
  EXPECT_EQ(Json(ready->body).Str("/store"), "unavailable");

  auto metrics = client->RoundTrip(MakeRequest("GET", "/metrics"));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->header("content-type"), "text/plain; version=0.0.4");
  // Four requests answered before this one, on one connection (the last one: 503).
  EXPECT_NE(
      metrics->body.find("tracecollector_http_requests_total{path=\"/readyz\",code=\"503\"} 1\n"),
      std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("tracecollector_http_connections_open 1\n"), std::string::npos);
  EXPECT_EQ(metrics_.http_requests.Get(), 5u);  // /metrics itself is counted before it is written
  EXPECT_EQ(metrics_.http_connections_accepted.Get(), 1u);
  EXPECT_EQ(metrics_.http_responses_503.Get(), 1u);
}

TEST_F(ServerTest, UnknownPathAndWrongMethodAreJsonErrorsOnAKeptConnection) {
  StartServer();
  auto client = Connect();
  auto missing = client->RoundTrip(MakeRequest("GET", "/v2/nothing"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json(missing->body).Str("/error/code"), "not_found");
  EXPECT_TRUE(missing->keep_alive);

  auto wrong = client->RoundTrip(MakeRequest("GET", "/v1/records"));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("allow"), "POST");
  EXPECT_EQ(Json(wrong->body).Str("/error/code"), "method_not_allowed");

  wrong = client->RoundTrip(MakeRequest("POST", "/healthz", "{}"));
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("allow"), "GET");
  EXPECT_EQ(metrics_.http_responses_4xx.Get(), 3u);
}

TEST_F(ServerTest, OversizedBodyIs413AndTheConnectionCloses) {
  ServerOptions options = TestOptions();
  options.http.max_body_bytes = 1024;
  StartServer(options);
  auto client = Connect();
  const std::string body = "[" + std::string(4000, ' ') + "]";
  auto response = client->RoundTrip(MakeRequest("POST", "/v1/records", body));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  Json json(response->body);
  EXPECT_EQ(json.Str("/error/code"), "payload_too_large");
  EXPECT_EQ(json.Str("/error/message"), "body exceeds max_body_bytes (1024)");
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(client->WaitClosed(2s));
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  ServerOptions options = TestOptions();
  options.http.max_body_bytes = 100;
  StartServer(options);
  std::string request =
      "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  request += "50\r\n" + std::string(80, ' ') + "\r\n50\r\n" + std::string(80, ' ') + "\r\n0\r\n\r\n";
  auto response = Call(request);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  StartServer();
  auto response = Call(MakeRequest("GET", "/healthz", {}, {},
                                   "X-Padding: " + std::string(8000, 'a') + "\r\n"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(Json(response->body).Str("/error/code"), "headers_too_large");
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
  StartServer();
  auto client = Connect();
  auto response = client->RoundTrip("GET /healthz HTTP/1.1\r\nHost x\r\n\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(Json(response->body).Str("/error/code"), "bad_request");
  EXPECT_TRUE(client->WaitClosed(2s));
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsAnsweredAndClosed) {
  StartServer();
  auto client = Connect();
  auto response = client->RoundTrip("GET /healthz HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client->WaitClosed(2s));
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimResponse) {
  StartServer();
  auto client = Connect();
  const std::string body = "[" + SessionRecord("c1") + "]";
  ASSERT_TRUE(client->Send("POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n"));
  // The interim response arrives before the body is sent.
  EXPECT_EQ(client->ReadSome(2s), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client->Send(body));
  auto response = client->Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
}

}  // namespace
}  // namespace tc::http::testing
