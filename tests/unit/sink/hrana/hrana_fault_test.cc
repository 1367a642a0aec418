// Faults a real server cannot be made to produce on demand, injected by the fault server in
// front of a real tursodb: each is classified right, and nothing is half-committed.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sink/hrana/hrana_sink.h"
#include "support/fault_server/fault_server.h"
#include "support/temp_dir.h"
#include "unit/sink/hrana/sink_test_util.h"
#include "unit/sink/hrana/tursodb_server.h"

namespace tc::sink {
namespace {

using testing::Fault;
using testing::FaultServer;
using testing::QueryInt;

class HranaFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::TursodbServer>(dir_.File("db.sqlite"));
    proxy_ = std::make_unique<FaultServer>(server_->port());
    HranaSinkOptions options;
    options.client.pool.timeout_ms = 1000;
    sink_ = testing::OpenHranaSink(proxy_->url(), options);
    ASSERT_NE(sink_, nullptr);
    // Reads go straight to tursodb, never through the faults.
    direct_ = testing::OpenHranaSink(server_->url());
    ASSERT_NE(direct_, nullptr);
    for (int i = 0; i < 20; ++i) {
      batch_.push_back(testing::Event("ev-" + std::to_string(i), "s", "st"));
    }
  }

  int64_t Events() { return QueryInt(direct_->client(), "SELECT count(*) FROM events"); }
  int64_t Counter() { return QueryInt(direct_->client(), "SELECT num_events FROM session_traces"); }

  // Writes with `fault` injected: expects `code` and returns how long it took.
  std::chrono::milliseconds FailWith(const Fault& fault, StatusCode code) {
    proxy_->Inject(fault);
    std::vector<RecordResult> results;
    const auto start = std::chrono::steady_clock::now();
    Status status = sink_->Write(batch_, &results);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(status.code(), code) << status.ToString();
    EXPECT_EQ(proxy_->pending_faults(), 0u);
    return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed);
  }

  void WriteAll(RecordOutcome expected) {
    std::vector<RecordResult> results;
    Status status = sink_->Write(batch_, &results);
    ASSERT_TRUE(status.ok()) << status.ToString();
    for (const auto& r : results) EXPECT_EQ(r.outcome, expected);
    EXPECT_EQ(Events(), 20);
    EXPECT_EQ(Counter(), 20);
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TursodbServer> server_;
  std::unique_ptr<FaultServer> proxy_;
  std::unique_ptr<HranaSink> sink_;
  std::unique_ptr<HranaSink> direct_;
  std::vector<schema::Record> batch_;
};

Fault HttpFault(int status, std::string body, std::string retry_after = "") {
  Fault f;
  f.kind = Fault::Kind::kStatus;
  f.status = status;
  f.body = std::move(body);
  f.retry_after = std::move(retry_after);
  return f;
}

Fault Kind(Fault::Kind kind) {
  Fault f;
  f.kind = kind;
  return f;
}

TEST_F(HranaFaultTest, HttpErrorsBeforeTheDatabase) {
  const uint64_t forwarded = proxy_->forwarded_requests();  // Open()'s
  FailWith(HttpFault(500, "Internal Server Error"), StatusCode::kUnavailable);
  FailWith(HttpFault(502, "Bad Gateway"), StatusCode::kUnavailable);
  FailWith(HttpFault(503, R"({"error":"unavailable"})"), StatusCode::kUnavailable);
  FailWith(HttpFault(429, R"({"error":"Too many concurrent requests"})", "2"),
           StatusCode::kUnavailable);
  FailWith(HttpFault(400, R"({"message":"The stream has expired due to inactivity",)"
                          R"("code":"STREAM_EXPIRED"})"),
           StatusCode::kUnavailable);
  FailWith(HttpFault(400, "Received an invalid baton"), StatusCode::kInternal);
  FailWith(HttpFault(401, R"({"error":"Unauthorized: `Authorization` header is missing"})"),
           StatusCode::kUnauthenticated);
  FailWith(HttpFault(500, "Internal Server Error: Failed to parse pipeline request: x"),
           StatusCode::kInternal);
  EXPECT_EQ(Events(), 0);
  EXPECT_EQ(proxy_->forwarded_requests(), forwarded);
  WriteAll(RecordOutcome::kStored);  // the same batch goes through once the server is back
}

TEST_F(HranaFaultTest, RetryAfterIsReported) {
  proxy_->Inject(HttpFault(429, "slow down", "7"));
  std::vector<RecordResult> results;
  Status status = sink_->Write(batch_, &results);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("Retry-After: 7"), std::string::npos) << status.message();
}

TEST_F(HranaFaultTest, StallTimesOut) {
  const auto elapsed = FailWith(Kind(Fault::Kind::kStall), StatusCode::kDeadlineExceeded);
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
  EXPECT_EQ(Events(), 0);
  WriteAll(RecordOutcome::kStored);
}

TEST_F(HranaFaultTest, TornBeforeTheDatabaseCommitsNothing) {
  FailWith(Kind(Fault::Kind::kTearBeforeForward), StatusCode::kUnavailable);
  EXPECT_EQ(Events(), 0);
  WriteAll(RecordOutcome::kStored);
}

// The ambiguous case: the request reached the database and committed, the answer was lost.
// The retry is safe because every record is keyed: all duplicates, counters unchanged.
TEST_F(HranaFaultTest, TornAfterCommitRetriesAsDuplicates) {
  FailWith(Kind(Fault::Kind::kTearAfterForward), StatusCode::kUnavailable);
  EXPECT_EQ(Events(), 20);
  WriteAll(RecordOutcome::kDuplicate);
}

TEST_F(HranaFaultTest, TornMidResponseRetriesAsDuplicates) {
  FailWith(Kind(Fault::Kind::kTearMidResponse), StatusCode::kUnavailable);
  EXPECT_EQ(Events(), 20);
  WriteAll(RecordOutcome::kDuplicate);
}

TEST_F(HranaFaultTest, PingAndOpenClassifyToo) {
  proxy_->Inject(HttpFault(503, ""));
  EXPECT_EQ(sink_->Ping().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(sink_->Ping().ok());
  proxy_->Inject(HttpFault(401, R"({"error":"bad token"})"));
  auto fresh = HranaSink::Create({.client = {.url = proxy_->url()}});
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ((*fresh)->Open().code(), StatusCode::kUnauthenticated);
}

TEST_F(HranaFaultTest, ServerGoneThenBack) {
  server_->Stop();
  std::vector<RecordResult> results;
  EXPECT_EQ(sink_->Write(batch_, &results).code(), StatusCode::kUnavailable);
  server_->Restart();
  auto sink = testing::OpenHranaSink(server_->url());
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->Write(batch_, &results).ok());
  EXPECT_EQ(QueryInt(sink->client(), "SELECT count(*) FROM events"), 20);
}

}  // namespace
}  // namespace tc::sink
