// Idempotency-Key retries end to end (issue 20): the real collector, real HTTP, the real
// database on both backends. Records without ids sent twice under one key are stored once and
// answered the same; another key stores them again; kill -9 between the attempts (after a commit,
// or while the first attempt sits in the spool) still doubles nothing.

#include <gtest/gtest.h>

#include <string>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/test_wait.h"

namespace tc::testing {
namespace {

using std::chrono::milliseconds;

// `n` runtime events without ids, and a session_end: nothing in it could be deduplicated
// without the header.
std::string EventsWithoutIds(const std::string& session, int n) {
  std::string body = "[";
  for (int i = 0; i < n; ++i) {
    body += R"({"type":"event","session_id":")" + session +
            R"(","event_type":"runtime","system_instance_id":"agent","metadata":{"i":)" +
            std::to_string(i) + "}},";
  }
  return body + R"({"type":"session_end","session_id":")" + session + R"("}])";
}

class IdempotencyKeyTest : public CollectorTest {
 protected:
  HttpResponse PostWithKey(const std::string& body, const std::string& key) {
    return client_->Post("/v1/records", body, "application/json", {{"Idempotency-Key", key}});
  }
  int64_t Events(const std::string& session) {
    return Db()->Int("SELECT COUNT(*) FROM events WHERE session_id = '" + session + "'");
  }
  int64_t DerivedKeys(const std::string& key) {
    return Db()->Int("SELECT COUNT(*) FROM tc_idempotency WHERE \"key\" LIKE '~idem/" + key +
                     "/%'");
  }
};

TEST_P(IdempotencyKeyTest, ARetryWithTheSameKeyStoresNothingTwiceAndGetsTheSameAnswer) {
  StartCollector();
  const std::string body = EventsWithoutIds("idem-same", 5);
  HttpResponse first = PostWithKey(body, "req-1");
  ASSERT_EQ(first.status, 200) << first.body;
  HttpResponse again = PostWithKey(body, "req-1");
  ASSERT_EQ(again.status, 200) << again.body;
  JsonProbe a(first.body);
  JsonProbe b(again.body);
  EXPECT_EQ(a.Int("/stored"), 6) << first.body;
  EXPECT_EQ(b.Str("/status"), a.Str("/status"));
  EXPECT_EQ(b.Int("/stored"), a.Int("/stored")) << again.body;
  EXPECT_EQ(b.Int("/duplicates"), 0) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Events("idem-same"), 5);
  EXPECT_EQ(DerivedKeys("req-1"), 6);
  EXPECT_EQ(Metric(*client_, "idempotency_key_replays_total"), 1);
  EXPECT_EQ(Metric(*client_, "records_duplicate_total"), 6);

  // Another key is another request: stored again.
  HttpResponse other = PostWithKey(body, "req-2");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(JsonProbe(other.body).Int("/stored"), 6);
  EXPECT_EQ(Events("idem-same"), 10);
  // Without a key, too (the behaviour the header exists to avoid).
  ASSERT_EQ(PostRecords(body).status, 200);
  EXPECT_EQ(Events("idem-same"), 15);
}

TEST_P(IdempotencyKeyTest, SameKeyWithAnotherBodyIs422AndBadHeaderIs400) {
  StartCollector();
  ASSERT_EQ(PostWithKey(EventsWithoutIds("idem-body", 2), "req-b").status, 200);
  HttpResponse other = PostWithKey(EventsWithoutIds("idem-body", 3), "req-b");
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(JsonProbe(other.body).Str("/error/code"), "idempotency_key_reused");
  HttpResponse bad = PostWithKey(EventsWithoutIds("idem-body", 3), "has space");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(JsonProbe(bad.body).Str("/error/code"), "invalid_idempotency_key");
  EXPECT_EQ(Events("idem-body"), 2);
}

TEST_P(IdempotencyKeyTest, KillNineAfterTheCommitThenARetryStoresNothingTwice) {
  const std::vector<std::string> args = {"--set", "shutdown_timeout_ms=5000"};
  StartCollector(args);
  const std::string body = EventsWithoutIds("idem-kill", 4);
  HttpResponse first = PostWithKey(body, "req-k");
  ASSERT_EQ(first.status, 200) << first.body;
  collector_->Kill9();
  // The restarted collector remembers no key in memory; the derived keys are in the database.
  StartCollector(args);
  HttpResponse again = PostWithKey(body, "req-k");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Events("idem-kill"), 4);
}

TEST_P(IdempotencyKeyTest, KillNineWhileTheFirstAttemptIsInTheSpoolThenARetryDoublesNothing) {
  const std::vector<std::string> args = {
      "--set", "sqld.timeout_ms=500", "--set", "embedded.busy_timeout_ms=100",
      "--set", "retry.max_ms=200",    "--set", "shutdown_timeout_ms=5000"};
  StartCollector(args);
  ASSERT_EQ(PostRecords(R"({"type":"session","session_id":"idem-spool"})").status, 200);
  StallDatabase();
  const std::string body = EventsWithoutIds("idem-spool", 4);
  HttpResponse first = PostWithKey(body, "req-s");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(JsonProbe(first.body).Int("/spooled"), 5) << first.body;
  collector_->Kill9();
  ResumeDatabase();
  StartCollector(args);
  // The retry meets the spool being replayed (or already replayed): either way one copy.
  HttpResponse again = PostWithKey(body, "req-s");
  ASSERT_EQ(again.status, 200) << again.body;
  JsonProbe b(again.body);
  EXPECT_EQ(b.Int("/accepted"), 5) << again.body;
  EXPECT_EQ(b.Int("/duplicates"), 0) << again.body;
  ASSERT_TRUE(WaitFor([&] { return Metric(*client_, "spool_bytes") == 0; }, milliseconds(20000)))
      << collector_->Log();
  EXPECT_EQ(Events("idem-spool"), 4);
  EXPECT_EQ(DerivedKeys("req-s"), 5);
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(IdempotencyKeyTest);

}  // namespace
}  // namespace tc::testing
