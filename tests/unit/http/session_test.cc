// Connection behaviour: pipelining and response order, timeouts, the connection limit and the
// shutdown sequence.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <thread>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

// A body with `n` records whose keys are "<prefix>-<i>".
std::string Records(const std::string& prefix, int n) {
  std::string body = "[";
  for (int i = 0; i < n; ++i) {
    body += (i > 0 ? "," : "") + SessionRecord(fmt::format("{}-{}", prefix, i));
  }
  return body + "]";
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrderWhateverTheCompletionOrder) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto client = Connect();
  // Three durable posts of 1, 2 and 3 records and a health check, in one write.
  std::string burst;
  for (int n = 1; n <= 3; ++n) {
    burst += MakeRequest("POST", "/v1/records", Records(fmt::format("p{}", n), n));
  }
  burst += MakeRequest("GET", "/healthz");
  ASSERT_TRUE(client->Send(burst));
  ASSERT_TRUE(submitter_.WaitForSubmissions(3, 2s));
  EXPECT_EQ(submitter_.keys(2).size(), 3u);

  // The last one completes first: nothing may be written yet.
  ASSERT_TRUE(submitter_.Complete(2));
  EXPECT_TRUE(client->ReadSome(200ms).empty()) << "a later response overtook an earlier one";

  std::thread writer([&] {
    submitter_.Complete(0);
    std::this_thread::sleep_for(50ms);
    submitter_.Complete(1);
  });
  for (int n = 1; n <= 3; ++n) {
    auto response = client->Read(3s);
    ASSERT_TRUE(response.has_value()) << "response " << n;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(Json(response->body).Int("/accepted"), n) << "out of order: " << response->body;
  }
  writer.join();
  auto health = client->Read(3s);
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(Json(health->body).Str("/status"), "ok");
}

TEST_F(ServerTest, ReadAheadStopsAtMaxPipelined) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  ServerOptions options = TestOptions();
  options.http.max_pipelined = 2;
  StartServer(options);
  auto client = Connect();
  std::string burst;
  for (int i = 0; i < 4; ++i) {
    burst += MakeRequest("POST", "/v1/records", SessionRecord(fmt::format("m{}", i)));
  }
  ASSERT_TRUE(client->Send(burst));
  ASSERT_TRUE(submitter_.WaitForSubmissions(2, 2s));
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(submitter_.submitted(), 2u) << "read more than max_pipelined ahead";
  ASSERT_TRUE(submitter_.Complete(0));
  ASSERT_TRUE(client->Read(3s).has_value());
  ASSERT_TRUE(submitter_.WaitForSubmissions(3, 2s)) << "reading did not resume";
  submitter_.set_mode(FakeSubmitter::Mode::kAuto);
  for (int i = 1; i < 4; ++i) {
    auto response = client->Read(3s);
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(ServerTest, SlowClientTimesOutWhileOthersAreServed) {
  ServerOptions options = TestOptions();
  options.http.read_timeout_ms = 300;
  StartServer(options);
  auto slow = Connect();
  ASSERT_TRUE(slow->Send("POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Le"));
  auto fast = Connect();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    auto response = fast->RoundTrip(MakeRequest("GET", "/healthz"));
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    std::this_thread::sleep_for(50ms);
  }
  auto answer = slow->Read(2s);
  if (answer.has_value()) {
    EXPECT_EQ(answer->status, 408);
    EXPECT_EQ(Json(answer->body).Str("/error/code"), "request_timeout");
  }
  EXPECT_TRUE(slow->WaitClosed(2s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  auto still = fast->RoundTrip(MakeRequest("GET", "/healthz"));
  ASSERT_TRUE(still.has_value()) << "the fast client's connection survived";
}

TEST_F(ServerTest, SlowBodyIsAnswered408) {
  ServerOptions options = TestOptions();
  options.http.read_timeout_ms = 200;
  StartServer(options);
  auto slow = Connect();
  ASSERT_TRUE(slow->Send(MakeRequest("POST", "/v1/records", "").substr(0, 0) +
                         "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[{"));
  auto answer = slow->Read(2s);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 408);
  EXPECT_FALSE(answer->keep_alive);
  EXPECT_TRUE(slow->WaitClosed(2s));
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options = TestOptions();
  options.http.idle_timeout_ms = 200;
  StartServer(options);
  auto client = Connect();
  ASSERT_TRUE(client->RoundTrip(MakeRequest("GET", "/healthz")).has_value());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client->WaitClosed(2s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST_F(ServerTest, WaitingForACompletionIsNotIdle) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  ServerOptions options = TestOptions();
  options.http.idle_timeout_ms = 100;
  StartServer(options);
  auto client = Connect();
  ASSERT_TRUE(client->Send(MakeRequest("POST", "/v1/records", SessionRecord("w1"))));
  ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
  std::this_thread::sleep_for(400ms);
  ASSERT_TRUE(submitter_.Complete(0));
  auto response = client->Read(2s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, HalfClosedClientStillGetsItsAnswers) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->Send(MakeRequest("POST", "/v1/records", SessionRecord("h1")) +
                           MakeRequest("GET", "/healthz")));
  client->ShutdownSend();
  ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(submitter_.Complete(0));
  auto first = client->Read(2s);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  auto second = client->Read(2s);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_TRUE(client->WaitClosed(2s));
}

TEST_F(ServerTest, ClientGoneBeforeItsCompletionIsHarmless) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  {
    auto client = Connect();
    ASSERT_TRUE(client->Send(MakeRequest("POST", "/v1/records", SessionRecord("g1"))));
    ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
    client->Close();
  }
  std::this_thread::sleep_for(100ms);
  std::thread writer([&] { submitter_.Complete(0); });
  writer.join();
  for (int i = 0; i < 100 && metrics_.http_connections_open.Get() != 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(metrics_.http_connections_open.Get(), 0);
  auto response = Call(MakeRequest("GET", "/healthz"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, ConnectionsOverTheLimitGet503AndAreClosed) {
  ServerOptions options = TestOptions();
  options.http.max_connections = 2;
  StartServer(options);
  auto a = Connect();
  auto b = Connect();
  ASSERT_TRUE(a->RoundTrip(MakeRequest("GET", "/healthz")).has_value());
  ASSERT_TRUE(b->RoundTrip(MakeRequest("GET", "/healthz")).has_value());
  auto c = Connect();
  auto refused = c->RoundTrip(MakeRequest("GET", "/readyz"));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("retry-after"), "7");
  EXPECT_EQ(Json(refused->body).Str("/error/code"), "unavailable");
  EXPECT_TRUE(c->WaitClosed(2s));
  EXPECT_EQ(metrics_.http_connections_refused.Get(), 1u);
  // A slot frees up when a connection goes away.
  a.reset();
  std::optional<ClientResponse> later;
  for (int i = 0; i < 50 && !(later && later->status == 200); ++i) {
    later = Call(MakeRequest("GET", "/readyz"));
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->status, 200);
}

// /healthz is documented as always 200: a liveness probe is answered even at the limit (then
// the connection is closed), while anything else on such a connection is refused.
TEST_F(ServerTest, LivenessProbeIsAnsweredAtTheConnectionLimit) {
  ServerOptions options = TestOptions();
  options.http.max_connections = 1;
  StartServer(options);
  auto a = Connect();
  ASSERT_TRUE(a->RoundTrip(MakeRequest("GET", "/healthz")).has_value());
  auto probe = Connect();
  auto health = probe->RoundTrip(MakeRequest("GET", "/healthz?verbose=1"));
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(Json(health->body).Str("/status"), "ok");
  EXPECT_FALSE(health->keep_alive);
  EXPECT_TRUE(probe->WaitClosed(2s));
  EXPECT_EQ(metrics_.http_connections_refused.Get(), 0u);
  auto post = Connect();
  auto refused = post->RoundTrip(MakeRequest("POST", "/v1/records", SessionRecord("over")));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(metrics_.http_connections_refused.Get(), 1u);
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(ServerTest, StopAcceptingAnswers503OnLiveConnections) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->RoundTrip(MakeRequest("GET", "/healthz")).has_value());
  server_->StopAccepting();
  auto response = client->RoundTrip(MakeRequest("POST", "/v1/records", SessionRecord("late")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->header("retry-after"), "7");
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client->WaitClosed(2s));
  EXPECT_EQ(submitter_.submitted(), 0u);
  // The listener is closed.
  std::this_thread::sleep_for(50ms);
  TestClient fresh(port_, 500ms);
  EXPECT_FALSE(fresh.connected() && fresh.RoundTrip(MakeRequest("GET", "/healthz")).has_value());
}

TEST_F(ServerTest, ShutdownWaitsForOwedResponses) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->Send(MakeRequest("POST", "/v1/records", SessionRecord("s1"))));
  ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
  std::thread writer([&] {
    std::this_thread::sleep_for(150ms);
    submitter_.Complete(0);
  });
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(start + 3s);
  const auto took = std::chrono::steady_clock::now() - start;
  writer.join();
  EXPECT_LT(took, 2s);
  auto response = client->Read(1s);
  ASSERT_TRUE(response.has_value()) << "the owed response was written before closing";
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(client->WaitClosed(1s));
}

TEST_F(ServerTest, ShutdownDeadlineClosesPendingRequestsAndLateCompletionsAreHarmless) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->Send(MakeRequest("POST", "/v1/records", SessionRecord("s1"))));
  ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(start + 200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_TRUE(client->WaitClosed(1s));
  EXPECT_TRUE(submitter_.Complete(0)) << "completing after shutdown";
  server_.reset();
  // The submitter's destructor would also complete leftovers; nothing may crash.
}

}  // namespace
}  // namespace tc::http::testing
