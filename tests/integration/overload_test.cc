// Overload is answered, never absorbed: with the database stalled, the bounded queue fills and
// further requests get 429 + Retry-After; when the database comes back everything admitted is
// stored and requests are accepted again.

#include <signal.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/proc_util.h"

namespace tc::testing {
namespace {

class OverloadTest : public CollectorTest {};

std::string Batch(int request, int n) {
  std::string body = "[";
  for (int i = 0; i < n; ++i) {
    if (i) body += ",";
    body += R"({"type":"event","id":"ov-)" + std::to_string(request) + "-" + std::to_string(i) +
            R"(","session_id":"s-over","event_type":"runtime","system_instance_id":"a"})";
  }
  return body + "]";
}

TEST_P(OverloadTest, FullQueueAnswers429WithRetryAfterThenRecovers) {
  // Without the spool, which would otherwise take what the stalled database cannot.
  StartCollector({"--set", "spool.enabled=false", "--set", "queue.max_records=20", "--set",
                  "batch.max_records=5", "--set",
                  "sqld.timeout_ms=500", "--set", "embedded.busy_timeout_ms=100"});
  ASSERT_EQ(PostRecords(Batch(0, 1)).status, 200);  // schema exists, database warm
  StallDatabase();
  int accepted_requests = 0;
  HttpResponse refused;
  for (int r = 1; r <= 40; ++r) {
    auto res = PostRecords(Batch(r, 5), "?ack=queued");
    if (res.status == 202) {
      ++accepted_requests;
      continue;
    }
    refused = res;
    break;
  }
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_GE(accepted_requests, 3);
  EXPECT_LE(accepted_requests, 5);
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_EQ(JsonProbe(refused.body).Str("/error/code"), "overloaded");

  // Readiness reports the stalled database once a write has failed.
  bool unready = false;
  for (int i = 0; i < 100 && !unready; ++i) {
    unready = client_->Get("/readyz").status == 503;
    if (!unready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(unready);

  ResumeDatabase();
  // Recovery: the queue drains by itself and new requests are accepted and stored.
  HttpResponse later;
  int refused_records = 5;
  for (int i = 0; i < 200; ++i) {
    later = PostRecords(Batch(100, 5));
    if (later.status == 200) break;
    if (later.status == 429 || later.status == 503) refused_records += 5;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(client_->Get("/readyz").status, 200);
  auto db = Db();
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 1 + 5 * accepted_requests + 5);
  EXPECT_EQ(db->Int("SELECT num_events FROM session_traces"), 1 + 5 * accepted_requests + 5);
  auto metrics = client_->Get("/metrics").body;
  // Every refused record is counted.
  EXPECT_NE(metrics.find("tracecollector_records_refused_total{reason=\"overload\"} " +
                         std::to_string(refused_records) + "\n"),
            std::string::npos)
      << metrics;
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(OverloadTest);

}  // namespace
}  // namespace tc::testing
