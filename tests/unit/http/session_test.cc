// Connection behaviour: pipelining and response order, timeouts, the connection limit and the
// shutdown sequence. What a single session does (order, read-ahead, half-close, a client gone)
// runs over a socketpair on the test's thread (SessionPair): the test decides when the session
// runs, so "nothing more happened" is checked without sleeping. Timeouts, the connection limit
// and shutdown need the real server and its clock.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <thread>

#include "server_fixture.h"
#include "session_pair.h"

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

class SessionOrderTest : public ::testing::Test {
 protected:
  ServerOptions options_ = TestOptions();
};

// Responses of the session so far, once the session has nothing more to do.
std::vector<ClientResponse> Settled(SessionPair& pair) {
  EXPECT_TRUE(pair.RunUntilQuiet());
  return pair.Responses();
}

TEST_F(SessionOrderTest, PipelinedRequestsAreAnsweredInOrderWhateverTheCompletionOrder) {
  SessionPair pair(options_);
  FakeSubmitter& submitter = pair.submitter();
  submitter.set_mode(FakeSubmitter::Mode::kManual);
  // Three durable posts of 1, 2 and 3 records and a health check, in one write.
  for (int n = 1; n <= 3; ++n) {
    pair.Send(MakeRequest("POST", "/v1/records", Records(fmt::format("p{}", n), n)));
  }
  pair.Send(MakeRequest("GET", "/healthz"));
  ASSERT_TRUE(pair.RunUntil([&] { return submitter.submitted() == 3; }));
  EXPECT_EQ(submitter.keys(2).size(), 3u);

  // The last one completes first: nothing may be written yet.
  ASSERT_TRUE(submitter.Complete(2));
  EXPECT_TRUE(Settled(pair).empty()) << "a later response overtook an earlier one";
  ASSERT_TRUE(submitter.Complete(0));
  ASSERT_EQ(Settled(pair).size(), 1u) << "the first answer waits for nothing else";
  ASSERT_TRUE(submitter.Complete(1));
  const std::vector<ClientResponse> responses = Settled(pair);
  ASSERT_EQ(responses.size(), 4u) << pair.received();
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(responses[n - 1].status, 200);
    EXPECT_EQ(Json(responses[n - 1].body).Int("/accepted"), n)
        << "out of order: " << responses[n - 1].body;
  }
  EXPECT_EQ(responses[3].status, 200);
  EXPECT_EQ(Json(responses[3].body).Str("/status"), "ok");
}

TEST_F(SessionOrderTest, ReadAheadStopsAtMaxPipelined) {
  options_.http.max_pipelined = 2;
  SessionPair pair(options_);
  FakeSubmitter& submitter = pair.submitter();
  submitter.set_mode(FakeSubmitter::Mode::kManual);
  for (int i = 0; i < 4; ++i) {
    pair.Send(MakeRequest("POST", "/v1/records", SessionRecord(fmt::format("m{}", i))));
  }
  EXPECT_TRUE(Settled(pair).empty());
  EXPECT_EQ(submitter.submitted(), 2u) << "read more than max_pipelined ahead";
  ASSERT_TRUE(submitter.Complete(0));
  ASSERT_TRUE(pair.RunUntil([&] { return submitter.submitted() == 3; }))
      << "reading did not resume";
  EXPECT_EQ(Settled(pair).size(), 1u);
  EXPECT_EQ(submitter.submitted(), 3u) << "one answer written, one more request read";
  ASSERT_TRUE(submitter.Complete(1));
  ASSERT_TRUE(submitter.Complete(2));
  submitter.set_mode(FakeSubmitter::Mode::kAuto);  // the fourth request, read later
  ASSERT_TRUE(pair.RunUntil([&] { return pair.Responses().size() == 4; })) << pair.received();
  for (const ClientResponse& response : pair.Responses()) EXPECT_EQ(response.status, 200);
}

TEST_F(SessionOrderTest, HalfClosedClientStillGetsItsAnswers) {
  SessionPair pair(options_);
  FakeSubmitter& submitter = pair.submitter();
  submitter.set_mode(FakeSubmitter::Mode::kManual);
  pair.Send(MakeRequest("POST", "/v1/records", SessionRecord("h1")) +
            MakeRequest("GET", "/healthz"));
  pair.ShutdownSend();
  ASSERT_TRUE(pair.RunUntil([&] { return submitter.submitted() == 1; }));
  EXPECT_TRUE(Settled(pair).empty());
  EXPECT_FALSE(pair.session_closed()) << "the read side's end closed the connection early";
  ASSERT_TRUE(submitter.Complete(0));
  ASSERT_TRUE(pair.RunUntil([&] { return pair.session_closed(); }));
  const std::vector<ClientResponse> responses = pair.Responses();
  ASSERT_EQ(responses.size(), 2u) << pair.received();
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[1].status, 200);
}

TEST_F(SessionOrderTest, ClientGoneBeforeItsCompletionIsHarmless) {
  SessionPair pair(options_);
  FakeSubmitter& submitter = pair.submitter();
  submitter.set_mode(FakeSubmitter::Mode::kManual);
  pair.Send(MakeRequest("POST", "/v1/records", SessionRecord("g1")));
  ASSERT_TRUE(pair.RunUntil([&] { return submitter.submitted() == 1; }));
  pair.CloseClient();
  EXPECT_TRUE(pair.RunUntilQuiet());
  std::thread writer([&] { submitter.Complete(0); });  // from another thread, like the pipeline
  writer.join();
  ASSERT_TRUE(pair.RunUntil([&] { return pair.state().open_connections() == 0; }));
  EXPECT_EQ(pair.metrics().http_connections_open.Get(), 0);
  // ~SessionPair checks that the body budget was given back whole.
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
