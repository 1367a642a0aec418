// POST /v1/records and /v1/traces through a real server and the real decoder, with the
// FakeSubmitter standing in for the pipeline.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <thread>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

TEST_F(ServerTest, DurableRecordsAre200WithCounts) {
  StartServer();
  auto response = PostRecords("[" + SessionRecord("r1") + "," + SessionRecord("dup-r2") + "]");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->header("content-type"), "application/json");
  Json body(response->body);
  EXPECT_EQ(body.Str("/status"), "ok");
  EXPECT_EQ(body.Int("/accepted"), 2);
  EXPECT_EQ(body.Int("/stored"), 1);
  EXPECT_EQ(body.Int("/duplicates"), 1);
  ASSERT_EQ(submitter_.submitted(), 1u);
  EXPECT_EQ(submitter_.keys(0), (std::vector<std::string>{"r1", "dup-r2"}));
  EXPECT_EQ(metrics_.records_received.Get(), 2u);
  EXPECT_EQ(metrics_.records_accepted.Get(), 2u);
  EXPECT_EQ(metrics_.http_responses_2xx.Get(), 1u);
}

TEST_F(ServerTest, CharsetParameterIsAccepted) {
  StartServer();
  auto response = Call(MakeRequest("POST", "/v1/records", SessionRecord("c1"),
                                    "application/json; charset=utf-8"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
}

TEST_F(ServerTest, NdjsonLineThatIsNotJsonIsRefusedAlone) {
  StartServer();
  const std::string body = SessionRecord("n1") + "\nnot json\n" + SessionRecord("n3") + "\n";
  auto response = Call(MakeRequest("POST", "/v1/records", body, "application/x-ndjson"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 207) << response->body;
  Json json(response->body);
  EXPECT_EQ(json.Str("/results/0/status"), "stored");
  EXPECT_EQ(json.Str("/results/1/status"), "refused");
  EXPECT_EQ(json.Str("/results/1/code"), "invalid_record");
  EXPECT_EQ(json.Str("/results/2/status"), "stored");
  EXPECT_EQ(submitter_.keys(0), (std::vector<std::string>{"n1", "n3"}));
}

TEST_F(ServerTest, WrongContentTypeIs415) {
  StartServer();
  auto response = Call(MakeRequest("POST", "/v1/records", SessionRecord("x"), "text/plain"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 415);
  EXPECT_EQ(Json(response->body).Str("/error/code"), "unsupported_media_type");
  response = Call(MakeRequest("POST", "/v1/traces", "{}", "application/x-ndjson"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 415);
  // curl -d without -H: the answer says what to add.
  response = Call(MakeRequest("POST", "/v1/records", SessionRecord("x"),
                              "application/x-www-form-urlencoded"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 415);
  EXPECT_NE(Json(response->body).Str("/error/message").find("-H 'Content-Type: application/json'"),
            std::string::npos)
      << response->body;
  response = Call(MakeRequest("POST", "/v1/records", SessionRecord("x"), "application/json",
                              "Content-Encoding: br\r\n"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 415);
  EXPECT_NE(response->body.find("send gzip or no encoding"), std::string::npos) << response->body;
  // Said to be gzip, and not: 400.
  response = Call(MakeRequest("POST", "/v1/records", SessionRecord("x"), "application/json",
                              "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(Json(response->body).Str("/error/code"), "invalid_body");
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(ServerTest, UnusableBodyIs400WithTheDecodersMessage) {
  StartServer();
  auto response = PostRecords("{\"records\": [");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  Json json(response->body);
  EXPECT_EQ(json.Str("/error/code"), "invalid_body");
  EXPECT_FALSE(json.Str("/error/message").empty());
  EXPECT_NE(json.Str("/error/message"), "<missing>");
  EXPECT_TRUE(response->keep_alive) << "a bad body does not poison the connection";

  response = PostRecords(SessionRecord("a"), "?ack=sometimes");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(Json(response->body).Str("/error/code"), "invalid_argument");
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(ServerTest, PartialAnswerIs207WithOneResultPerRecord) {
  StartServer();
  const std::string body = R"({"records":[)" + SessionRecord("good-1") + "," +
                           R"({"type":"event","id":"bad-1","session_id":"s1","event_type":"telepathy"},)" +
                           SessionRecord("refuse-db") + "," + SessionRecord("dup-1") + "]}";
  auto response = PostRecords(body);
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 207) << response->body;
  Json json(response->body);
  EXPECT_EQ(json.Str("/status"), "partial");
  EXPECT_EQ(json.Int("/accepted"), 2);
  EXPECT_EQ(json.Int("/refused"), 2);
  EXPECT_EQ(json.Int("/stored"), 1);
  EXPECT_EQ(json.Int("/duplicates"), 1);
  ASSERT_EQ(json.Size("/results"), 4u);
  EXPECT_EQ(json.Str("/results/0/status"), "stored");
  EXPECT_EQ(json.Str("/results/0/id"), "good-1");
  EXPECT_EQ(json.Str("/results/1/status"), "refused");
  EXPECT_EQ(json.Str("/results/1/id"), "bad-1");
  EXPECT_EQ(json.Str("/results/1/field"), "event_type");
  EXPECT_EQ(json.Str("/results/1/code"), "invalid_record");
  EXPECT_EQ(json.Str("/results/2/status"), "refused");
  EXPECT_EQ(json.Str("/results/2/code"), "database_refused");
  EXPECT_EQ(json.Str("/results/2/error"), "FOREIGN KEY constraint failed");
  EXPECT_EQ(json.Str("/results/3/status"), "duplicate");
  EXPECT_EQ(metrics_.records_refused_invalid.Get(), 1u);
  EXPECT_EQ(metrics_.records_accepted.Get(), 3u);
}

TEST_F(ServerTest, EveryRecordInvalidSubmitsNothing) {
  StartServer();
  auto response = PostRecords(R"([{"type":"session","id":"x"}])");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 207) << response->body;
  Json json(response->body);
  EXPECT_EQ(json.Int("/accepted"), 0);
  EXPECT_EQ(json.Int("/refused"), 1);
  EXPECT_EQ(json.Str("/results/0/field"), "session_id");
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(ServerTest, OverloadIs429AndUnavailableIs503WithRetryAfter) {
  StartServer();
  submitter_.set_refusal(Status::ResourceExhausted("queue full"));
  auto response = PostRecords("[" + SessionRecord("o1") + "," + SessionRecord("o2") + "]");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(response->header("retry-after"), "7");
  EXPECT_EQ(Json(response->body).Str("/error/code"), "overloaded");
  EXPECT_TRUE(response->keep_alive);

  submitter_.set_refusal(Status::Unavailable("sink down, spool full"));
  response = PostRecords(SessionRecord("o3"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->header("retry-after"), "7");
  EXPECT_EQ(Json(response->body).Str("/error/code"), "unavailable");
  EXPECT_EQ(Json(response->body).Str("/error/message"), "sink down, spool full");

  EXPECT_EQ(metrics_.records_refused_overload.Get(), 3u);
  EXPECT_EQ(metrics_.records_accepted.Get(), 0u);
  EXPECT_EQ(metrics_.http_responses_429.Get(), 1u);
  EXPECT_EQ(metrics_.http_responses_503.Get(), 1u);
}

TEST_F(ServerTest, QueuedAckAnswers202BeforeCompletion) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto response = PostRecords(SessionRecord("q1"), "?ack=queued");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 202) << response->body;
  Json json(response->body);
  EXPECT_EQ(json.Str("/status"), "queued");
  EXPECT_EQ(json.Int("/accepted"), 1);
  EXPECT_EQ(submitter_.submitted(), 1u);
  EXPECT_EQ(submitter_.pending(), 0u) << "queued submissions carry no completion";
}

TEST_F(ServerTest, DefaultAckComesFromTheConfig) {
  ServerOptions options = TestOptions();
  options.ingest.ack = config::AckMode::kQueued;
  StartServer(options);
  auto response = PostRecords(SessionRecord("q1"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 202);
  response = PostRecords(SessionRecord("q2"), "?ack=durable");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, DurableAckWaitsForTheCompletion) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->Send(MakeRequest("POST", "/v1/records", SessionRecord("d1"))));
  ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
  EXPECT_FALSE(client->Read(200ms).has_value()) << "answered before the records were written";
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    submitter_.Complete(0);
  });
  auto response = client->Read(3s);
  writer.join();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, FailedCompletionIs503WithRetryAfter) {
  submitter_.set_mode(FakeSubmitter::Mode::kManual);
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->Send(MakeRequest("POST", "/v1/records", SessionRecord("d1"))));
  ASSERT_TRUE(submitter_.WaitForSubmissions(1, 2s));
  std::thread writer([&] { submitter_.Complete(0, Status::Unavailable("deadline passed")); });
  auto response = client->Read(3s);
  writer.join();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->header("retry-after"), "7");
  EXPECT_EQ(Json(response->body).Str("/error/code"), "unavailable");
}

TEST_F(ServerTest, TraceDocumentIsOneResultPosition) {
  StartServer();
  const std::string doc = R"({"traces":[
    {"session_id":"t1","created_at":"2025-01-01T12:00:00+00:00","metadata":{},
     "session_time_steps":[{"step_id":"s1","step_index":0,"events":[],"markov_blanket_messages":[]}],
     "event_history":[],"markov_blanket_message_history":[]},
    {"session_id":"t2","session_time_steps":"not a list"}]})";
  auto response = Call(MakeRequest("POST", "/v1/traces", doc));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 207) << response->body;
  Json json(response->body);
  EXPECT_EQ(json.Int("/total"), 2);
  ASSERT_EQ(json.Size("/results"), 2u);
  EXPECT_EQ(json.Str("/results/0/status"), "stored");
  EXPECT_EQ(json.Str("/results/0/id"), "t1");
  EXPECT_EQ(json.Str("/results/1/status"), "refused");
  ASSERT_EQ(submitter_.submitted(), 1u);
  EXPECT_GE(submitter_.keys(0).size(), 2u) << "a session and a timestep record";
}

TEST_F(ServerTest, ChunkedBodyIsDecoded) {
  StartServer();
  const std::string record = SessionRecord("ch1");
  const std::string half1 = record.substr(0, 10);
  const std::string half2 = record.substr(10);
  std::string request =
      "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  request += fmt::format("{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n", half1.size(), half1,
                         half2.size(), half2);
  auto response = Call(request);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(submitter_.keys(0), (std::vector<std::string>{"ch1"}));
}

}  // namespace
}  // namespace tc::http::testing
