// GET /metrics of the real binary: the text parses, and the record, request and latency
// metrics move when records are posted (embedded backend). Also the other window operators
// have into a running collector: its threads are named (top -H, perf, gdb).

#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "support/collector_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "test_wait.h"
#include "unit/metrics/prometheus_parse.h"

namespace tc::testing {
namespace {

const char* kTwoRecords = R"({"records":[
  {"type":"session","id":"m-session","session_id":"session_metrics"},
  {"type":"message","id":"m-message","session_id":"session_metrics","message_type":"user",
   "content":"hi"}
]})";

PromText Scrape(HttpClient& client) {
  HttpResponse res = client.Get("/metrics");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers["content-type"], "text/plain; version=0.0.4");
  PromText text;
  EXPECT_TRUE(text.Parse(res.body)) << text.error << "\n" << res.body;
  return text;
}

double Value(const PromText& text, const std::string& name,
             const std::map<std::string, std::string>& labels = {}) {
  return text.Get(name, labels).value_or(-1);
}

TEST(MetricsIntegrationTest, ValuesMoveWhenRecordsArePosted) {
  TempDir dir;
  CollectorProcess collector({"--backend", "embedded", "--db", dir.File("tc.db")}, {},
                             dir.File("collector.log"));
  HttpClient client("127.0.0.1", collector.port());

  const PromText before = Scrape(client);
  EXPECT_EQ(Value(before, "tracecollector_records_received_total"), 0);
  EXPECT_EQ(Value(before, "tracecollector_records_stored_total"), 0);

  for (int i = 0; i < 3; ++i) {
    // The same two records each time: stored once, then duplicates.
    HttpResponse res = client.Post("/v1/records", kTwoRecords);
    ASSERT_EQ(res.status, 200) << res.body;
  }
  HttpResponse bad = client.Post("/v1/records", R"({"records":[{"type":"nope"}]})");
  EXPECT_EQ(bad.status, 207) << bad.body;  // all refused: partial answer
  EXPECT_EQ(client.Get("/no/such/path").status, 404);

  const PromText after = Scrape(client);
  EXPECT_EQ(Value(after, "tracecollector_records_received_total"), 7);
  EXPECT_EQ(Value(after, "tracecollector_records_accepted_total"), 6);
  EXPECT_EQ(Value(after, "tracecollector_records_stored_total"), 2);
  EXPECT_EQ(Value(after, "tracecollector_records_duplicate_total"), 4);
  EXPECT_EQ(Value(after, "tracecollector_records_refused_total", {{"reason", "invalid"}}), 1);
  EXPECT_EQ(Value(after, "tracecollector_http_requests_total",
                  {{"path", "/v1/records"}, {"code", "200"}}),
            3);
  EXPECT_EQ(Value(after, "tracecollector_http_requests_total",
                  {{"path", "/v1/records"}, {"code", "207"}}),
            1);
  EXPECT_EQ(
      Value(after, "tracecollector_http_requests_total", {{"path", "other"}, {"code", "404"}}),
      1);
  // The first scrape was answered before the second one was rendered.
  EXPECT_EQ(Value(after, "tracecollector_http_requests_total",
                  {{"path", "/metrics"}, {"code", "200"}}),
            1);
  EXPECT_EQ(Value(after, "tracecollector_http_request_duration_seconds_count",
                  {{"path", "/v1/records"}}),
            4);
  EXPECT_GT(Value(after, "tracecollector_http_request_duration_seconds_sum",
                  {{"path", "/v1/records"}}),
            0);
  EXPECT_EQ(Value(after, "tracecollector_http_request_duration_seconds_bucket",
                  {{"path", "/v1/records"}, {"le", "+Inf"}}),
            4);
  EXPECT_GE(Value(after, "tracecollector_batches_committed_total"), 1);
  EXPECT_EQ(Value(after, "tracecollector_queue_records"), 0);
  EXPECT_GT(Value(after, "tracecollector_queue_capacity_records"), 0);
  // Histogram families exist even before the pipeline observes into them.
  EXPECT_EQ(after.types.at("tracecollector_commit_duration_seconds"), "histogram");
  EXPECT_EQ(after.types.at("tracecollector_batch_size_records"), "histogram");
  bool build_info = false;
  for (const PromSample& s : after.samples) {
    if (s.name == "tracecollector_build_info") {
      build_info = s.value == 1 && !s.labels.at("version").empty() &&
                   s.labels.at("version") != "unknown";
    }
  }
  EXPECT_TRUE(build_info);
  // Embedded backend: no child, so no child-state series.
  EXPECT_FALSE(after.Get("tracecollector_sqld_child_restarts_total").has_value());
}

// A request refused as a whole (400 invalid_body, 415) has no decoded records: it counts in
// http_requests_total{code}, never in the record counters (docs/operations.md), so that
// received = accepted + refused{...} holds. A decoded body's refused records do count.
TEST(MetricsIntegrationTest, ABodyRefusedAsAWholeCountsAsARequestNotAsRecords) {
  TempDir dir;
  CollectorProcess collector({"--backend", "embedded", "--db", dir.File("tc.db"), "--set",
                              "ingest.max_records_per_request=2"},
                             {}, dir.File("collector.log"));
  HttpClient client("127.0.0.1", collector.port());
  const std::string three = R"({"records":[)"
                            R"({"type":"session","id":"w1","session_id":"s-whole"},)"
                            R"({"type":"session","id":"w2","session_id":"s-whole"},)"
                            R"({"type":"session","id":"w3","session_id":"s-whole"}]})";
  HttpResponse too_many = client.Post("/v1/records", three);
  EXPECT_EQ(too_many.status, 400) << too_many.body;
  HttpResponse not_json = client.Post("/v1/records", R"({"records":[{"type":"session",)");
  EXPECT_EQ(not_json.status, 400) << not_json.body;
  HttpResponse form = client.Post("/v1/records", kTwoRecords, "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 415) << form.body;

  PromText text = Scrape(client);
  EXPECT_EQ(Value(text, "tracecollector_records_received_total"), 0);
  EXPECT_EQ(Value(text, "tracecollector_records_refused_total", {{"reason", "invalid"}}), 0);
  EXPECT_EQ(
      Value(text, "tracecollector_http_requests_total", {{"path", "/v1/records"}, {"code", "400"}}),
      2);
  EXPECT_EQ(
      Value(text, "tracecollector_http_requests_total", {{"path", "/v1/records"}, {"code", "415"}}),
      1);

  HttpResponse partial = client.Post(
      "/v1/records", R"({"records":[{"type":"session","id":"w1","session_id":"s-whole"},)"
                     R"({"type":"nope"}]})");
  EXPECT_EQ(partial.status, 207) << partial.body;
  text = Scrape(client);
  EXPECT_EQ(Value(text, "tracecollector_records_received_total"), 2);
  EXPECT_EQ(Value(text, "tracecollector_records_accepted_total"), 1);
  EXPECT_EQ(Value(text, "tracecollector_records_refused_total", {{"reason", "invalid"}}), 1);
}

// The names of the process's threads, from /proc/<pid>/task/*/comm.
std::multiset<std::string> ThreadNames(pid_t pid) {
  std::multiset<std::string> names;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(tasks.c_str());
  if (dir == nullptr) {
    return names;
  }
  while (const dirent* entry = ::readdir(dir)) {
    std::ifstream comm(tasks + "/" + entry->d_name + "/comm");
    std::string name;
    if (std::getline(comm, name)) {
      names.insert(name);
    }
  }
  ::closedir(dir);
  return names;
}

TEST(OperationsIntegrationTest, ThreadsAreNamedByRole) {
  TempDir dir;
  CollectorProcess collector({"--backend", "embedded", "--db", dir.File("tc.db"), "--set",
                              "http.io_threads=2"},
                             {}, dir.File("collector.log"));
  // A thread names itself once it runs: wait until every role is there (a loaded machine may not
  // have scheduled the last one yet when the collector answers ready).
  std::multiset<std::string> names;
  WaitFor(
      [&] {
        names = ThreadNames(collector.pid());
        for (const char* role : {"tc-writer", "tc-checkpoint", "tc-replay", "tc-io-0", "tc-io-1"}) {
          if (names.count(role) == 0) return false;
        }
        return true;
      },
      std::chrono::seconds(10));
  EXPECT_EQ(names.count("tc-writer"), 1u) << ::testing::PrintToString(names);
  EXPECT_EQ(names.count("tc-checkpoint"), 1u) << ::testing::PrintToString(names);
  EXPECT_EQ(names.count("tc-replay"), 1u) << ::testing::PrintToString(names);
  EXPECT_EQ(names.count("tc-io-0"), 1u) << ::testing::PrintToString(names);
  EXPECT_EQ(names.count("tc-io-1"), 1u) << ::testing::PrintToString(names);
}

}  // namespace
}  // namespace tc::testing
