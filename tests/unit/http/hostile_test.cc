// Hostile clients against a real Session over a socketpair (SessionPair): request smuggling
// through Transfer-Encoding, unbounded chunk metadata, answers that are never read, and
// absolute-form targets. Each test fails on a session without the corresponding bound.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

#include "http/ingest_results.h"
#include "http/request_parser.h"
#include "http/session.h"
#include "server_fixture.h"
#include "session_pair.h"

namespace tc::http::testing {
namespace {

constexpr std::string_view kInnerBody = R"({"type":"session","id":"smuggled","session_id":"s"})";

// A request whose body is, byte for byte, a second complete request.
std::string SmugglingRequest(std::string_view transfer_encoding, int version = 11) {
  const std::string inner = MakeRequest("POST", "/v1/records", kInnerBody);
  return fmt::format(
      "POST /v1/records HTTP/1.{}\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: {}\r\n\r\n{}",
      version == 10 ? 0 : 1, transfer_encoding, inner);
}

// The session answered exactly one request, with `status`, closed the connection, and stored
// nothing.
void ExpectRefusedAndClosed(SessionPair& pair, int status, std::string_view message_part) {
  ASSERT_TRUE(pair.RunUntil([&] { return pair.session_closed(); })) << pair.received();
  const auto responses = pair.Responses();
  ASSERT_EQ(responses.size(), 1u) << pair.received();
  EXPECT_EQ(responses[0].status, status) << responses[0].body;
  EXPECT_FALSE(responses[0].keep_alive);
  EXPECT_NE(responses[0].body.find(message_part), std::string::npos) << responses[0].body;
  EXPECT_EQ(pair.submitter().submitted(), 0u) << "a smuggled request was executed";
}

class HostileTest : public ::testing::Test {
 protected:
  ServerOptions options_ = TestOptions();
};

TEST_F(HostileTest, TransferEncodingWhoseFinalCodingIsNotChunkedIs400AndNothingRuns) {
  for (std::string_view te : {"gzip", "identity", "chunked, identity", "x-custom", ""}) {
    SCOPED_TRACE(te);
    SessionPair pair(options_);
    pair.Send(SmugglingRequest(te));
    ExpectRefusedAndClosed(pair, 400, "Transfer-Encoding must be");
  }
}

TEST_F(HostileTest, TransferEncodingAcrossTwoFieldLinesIsJudgedWhole) {
  SessionPair pair(options_);
  const std::string inner = MakeRequest("POST", "/v1/records", kInnerBody);
  pair.Send("POST /v1/records HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
            "Transfer-Encoding: identity\r\n\r\n" +
            inner);
  ExpectRefusedAndClosed(pair, 400, "Transfer-Encoding must be");
}

TEST_F(HostileTest, ACodingBeforeChunkedIs501) {
  SessionPair pair(options_);
  pair.Send(SmugglingRequest("gzip, chunked"));
  ExpectRefusedAndClosed(pair, 501, "only transfer coding");
}

TEST_F(HostileTest, TransferEncodingInHttp10Is400) {
  SessionPair pair(options_);
  pair.Send(SmugglingRequest("chunked", 10));
  ExpectRefusedAndClosed(pair, 400, "HTTP/1.0");
}

std::string ChunkedHead() {
  return "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n";
}

TEST_F(HostileTest, ChunkExtensionsOverTheLimitAre400) {
  SessionPair pair(options_);
  pair.Send(ChunkedHead() + "2;" + std::string(kMaxChunkExtensionBytes, 'a') + "\r\n[]\r\n0\r\n\r\n");
  ExpectRefusedAndClosed(pair, 400, "chunk extensions exceed");
}

// Longer than the read buffer: the session stops at its cap instead of buffering the line
// (the 200 MB forms, with the collector's RSS, are in tests/integration/hostile_memory_test).
TEST_F(HostileTest, AnOverlongChunkLineIsRefusedAtTheReadBufferCap) {
  const size_t cap = ReadBufferLimit(options_.http);
  for (std::string line : {"2;" + std::string(4 * cap, 'a'), std::string(4 * cap, '0') + "2"}) {
    SessionPair pair(options_, 64 << 10);
    pair.Send(ChunkedHead() + line + "\r\n[]\r\n0\r\n\r\n");
    ExpectRefusedAndClosed(pair, 400, "chunk-size line or the trailer section exceeds");
  }
}

TEST_F(HostileTest, TrailersAreBounded) {
  {
    SessionPair pair(options_);
    pair.Send(ChunkedHead() + "2\r\n[]\r\n0\r\nX-Pad: " + std::string(kMaxTrailerBytes, 'a') +
              "\r\n\r\n");
    ExpectRefusedAndClosed(pair, 431, "trailer section exceeds");
  }
  {
    SessionPair pair(options_, 64 << 10);
    const size_t cap = ReadBufferLimit(options_.http);
    pair.Send(ChunkedHead() + "2\r\n[]\r\n0\r\nX-Pad: " + std::string(4 * cap, 'a') +
              "\r\n\r\n");
    ExpectRefusedAndClosed(pair, 400, "trailer section exceeds");
  }
}

// Small extensions and trailers are legal and taken; a trailer cannot change how the body is
// read (a Content-Type there is ignored).
TEST_F(HostileTest, SmallChunkExtensionsAndTrailersAreAccepted) {
  SessionPair pair(options_);
  const std::string body(kInnerBody);
  pair.Send(ChunkedHead() + fmt::format("{:x};name=value;q=\"x\"\r\n{}\r\n0\r\n", body.size(), body) +
            "Content-Type: text/plain\r\nX-Checksum: 1\r\n\r\n");
  ASSERT_TRUE(pair.RunUntil([&] { return pair.Responses().size() == 1; })) << pair.received();
  EXPECT_EQ(pair.Responses()[0].status, 200) << pair.Responses()[0].body;
  EXPECT_EQ(pair.submitter().submitted(), 1u);
}

TEST_F(HostileTest, AbsoluteFormTargetsAreRouted) {
  SessionPair pair(options_);
  pair.Send(MakeRequest("POST", "http://collector.example:4318/v1/records?ack=queued", kInnerBody));
  pair.Send(MakeRequest("GET", "HTTP://collector.example/healthz"));
  pair.Send(MakeRequest("GET", "https://collector.example"));  // empty path: "/", not found
  ASSERT_TRUE(pair.RunUntil([&] { return pair.Responses().size() == 3; })) << pair.received();
  const auto responses = pair.Responses();
  EXPECT_EQ(responses[0].status, 202) << responses[0].body;
  EXPECT_EQ(responses[1].status, 200) << responses[1].body;
  EXPECT_EQ(responses[2].status, 404) << responses[2].body;
  EXPECT_EQ(pair.submitter().submitted(), 1u);
}

TEST(OriginFormTest, StripsSchemeAndAuthorityOnly) {
  EXPECT_EQ(OriginForm("/v1/records?a=1"), "/v1/records?a=1");
  EXPECT_EQ(OriginForm("http://h:1/v1/records?a=1"), "/v1/records?a=1");
  EXPECT_EQ(OriginForm("https://h"), "/");
  EXPECT_EQ(OriginForm("http://h?x"), "?x");
  EXPECT_EQ(OriginForm("h:4318"), "h:4318");  // authority-form: not ours
  EXPECT_EQ(OriginForm("*"), "*");
  EXPECT_EQ(OriginForm("ftp://h/v1/records"), "ftp://h/v1/records");
}

// A client that pipelines requests whose answers are large and never reads them: the session
// stops reading once kMaxQueuedAnswerBytes are waiting to be written (the socket buffers are
// small, so the answers cannot hide in the kernel), the answers count in the body budget, and
// every request is answered, in order, once the client reads. Each answer is a bounded 207.
TEST_F(HostileTest, UnreadAnswersStopTheConnectionsReadingAndStayBounded) {
  options_.http.max_pipelined = 16;
  options_.http.max_body_bytes = 1 << 20;
  options_.ingest.max_records_per_request = 10000;
  options_.ingest.max_array_items = 10000;
  SessionPair pair(options_, 4096);
  std::string body = "[";
  for (int i = 0; i < 2000; ++i) {
    body += i == 0 ? R"({"type":"x"})" : R"(,{"type":"x"})";
  }
  body += "]";
  constexpr int kRequests = 16;
  for (int i = 0; i < kRequests; ++i) {
    pair.Send(MakeRequest("POST", "/v1/records", body));
  }
  pair.set_reading(false);
  ASSERT_TRUE(pair.RunUntilQuiet());
  const uint64_t received = pair.metrics().records_received.Get();
  EXPECT_LT(received, kRequests * 2000u) << "the session read every request of a client that "
                                            "reads none of its answers";
  EXPECT_GT(pair.unsent(), 0u);
  // What the connection holds: the answers over the threshold (one more than it, at most) plus
  // at most one body being read.
  EXPECT_LE(pair.state().body_bytes_in_flight(),
            kMaxQueuedAnswerBytes + kMaxResultsBytes + 1024 + body.size() + kBodyPadding);

  pair.set_reading(true);
  ASSERT_TRUE(pair.RunUntil([&] { return pair.Responses().size() == kRequests; }, 20s));
  for (const ClientResponse& response : pair.Responses()) {
    ASSERT_EQ(response.status, 207);
    Json json(response.body);
    EXPECT_EQ(json.Int("/refused"), 2000);
    EXPECT_EQ(json.Size("/results"), kMaxRefusedListed);
    EXPECT_EQ(json.Int("/results_omitted"), 2000 - static_cast<int64_t>(kMaxRefusedListed));
    EXPECT_LT(response.body.size(), kMaxResultsBytes + 1024);
  }
  EXPECT_EQ(pair.metrics().records_received.Get(), kRequests * 2000u);
  EXPECT_EQ(pair.state().body_bytes_in_flight(), 0u);
}

}  // namespace
}  // namespace tc::http::testing
