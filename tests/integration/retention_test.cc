// Deleting sessions on the real binary, both backends: retention by age deletes exactly the
// sessions past max_age, whole, while a load keeps posting, and every counter and view stays
// exact; DELETE /v1/sessions/{id} with an admin key deletes one session (200 with its rows per
// table, then 404), an ingest key gets 403, no key 401.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/retrying_load.h"
#include "integration/test_wait.h"

namespace tc::testing {
namespace {

using namespace std::chrono_literals;

// One session with every kind of row a session owns: 2 timesteps, 3 events, 2 messages, an
// outcome reward and an event reward (10 records, 7 of them owning a row in tc_idempotency).
// `created_at` empty: the commit time.
std::string SessionRecords(const std::string& sid, const std::string& created_at) {
  std::string session = R"({"type":"session","id":")" + sid + R"(-s","session_id":")" + sid + '"';
  if (!created_at.empty()) session += R"(,"created_at":")" + created_at + '"';
  session += '}';
  std::string out = "[" + session;
  for (int t = 1; t <= 2; ++t) {
    out += R"(,{"type":"timestep","id":")" + sid + "-t" + std::to_string(t) +
           R"(","session_id":")" + sid + R"(","step_id":"step)" + std::to_string(t) + R"("})";
  }
  for (int e = 0; e < 3; ++e) {
    out += R"(,{"type":"event","id":")" + sid + "-e" + std::to_string(e) + R"(","session_id":")" +
           sid + R"(","step_id":"step)" + std::to_string(e % 2 + 1) +
           R"(","event_type":"cais","model_name":"m1","total_tokens":10,"cost_usd":0.01})";
  }
  for (int m = 0; m < 2; ++m) {
    out += R"(,{"type":"message","id":")" + sid + "-m" + std::to_string(m) + R"(","session_id":")" +
           sid + R"(","step_id":"step1","message_type":"assistant","content":"hi"})";
  }
  out += R"(,{"type":"outcome_reward","id":")" + sid + R"(-o","session_id":")" + sid +
         R"(","total_reward":1.5})";
  out += R"(,{"type":"event_reward","id":")" + sid + R"(-r","session_id":")" + sid +
         R"(","event_ref":")" + sid + R"(-e0","reward_value":0.5})";
  return out + "]";
}

// Tables a session has rows in, with the rows SessionRecords() gives each (session_id column).
const std::map<std::string, int64_t> kRowsPerSession = {
    {"session_traces", 1}, {"session_timesteps", 2}, {"events", 3},
    {"messages", 2},       {"outcome_rewards", 1},   {"event_rewards", 1}};

// The value of a labeled metric line ("tracecollector_<name>{<labels>} <value>"); -1 if absent.
double LabeledMetric(HttpClient& client, const std::string& name_and_labels) {
  const std::string body = client.Get("/metrics").body;
  const std::string prefix = "\ntracecollector_" + name_and_labels + " ";
  const size_t at = body.find(prefix);
  return at == std::string::npos ? -1 : std::stod(body.substr(at + prefix.size()));
}

int64_t RowsOf(DbReader& db, const std::string& table, const std::string& sid) {
  return db.Int("SELECT COUNT(*) FROM " + table + " WHERE session_id = '" + sid + "'");
}

// Counters equal the rows they count, for every session and timestep left.
void ExpectCountersExact(DbReader& db) {
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_traces s WHERE "
                   "num_timesteps != (SELECT COUNT(*) FROM session_timesteps t "
                   "                  WHERE t.session_id = s.session_id) OR "
                   "num_events != (SELECT COUNT(*) FROM events e "
                   "               WHERE e.session_id = s.session_id) OR "
                   "num_messages != (SELECT COUNT(*) FROM messages m "
                   "                 WHERE m.session_id = s.session_id)"),
            0);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_timesteps t WHERE "
                   "num_events != (SELECT COUNT(*) FROM events e WHERE e.timestep_id = t.id)"),
            0);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_summary"),
            db.Int("SELECT COUNT(*) FROM session_traces"));
}

class RetentionTest : public CollectorTest {};

TEST_P(RetentionTest, DeletesExactlyTheSessionsPastTheAgeWholeWhileIngestContinues) {
  StartCollector({"--set", "retention.max_age=1d", "--set", "retention.interval_ms=100", "--set",
                  "retention.batch_sessions=2"});
  RetryingLoad load({collector_->port()}, 2, "load");
  // Six old sessions (3 passes of 2), with created_at in two ISO forms; four new ones, one
  // of them one hour younger than max_age.
  const std::vector<std::string> old_created = {"2020-01-01T00:00:00Z", "2021-06-01T12:00:00+00:00",
                                                "2022-02-02T02:02:02Z", "2023-03-03T03:03:03+05:30",
                                                "2024-01-01T00:00:00Z", "2019-12-31T23:59:59Z"};
  const auto recent = std::chrono::system_clock::now() - 23h;
  const std::time_t recent_t = std::chrono::system_clock::to_time_t(recent);
  char recent_text[32];
  std::strftime(recent_text, sizeof recent_text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&recent_t));
  std::vector<std::string> old_ids;
  for (size_t i = 0; i < old_created.size(); ++i) {
    old_ids.push_back("old-" + std::to_string(i));
    auto res = PostRecords(SessionRecords(old_ids.back(), old_created[i]));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(JsonProbe(res.body).Int("/stored"), 10) << res.body;  // all of it was stored
  }
  const std::vector<std::string> new_ids = {"new-0", "new-1", "new-2", "new-23h"};
  for (const auto& sid : new_ids) {
    auto res = PostRecords(SessionRecords(sid, sid == "new-23h" ? recent_text : ""));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(JsonProbe(res.body).Int("/stored"), 10) << res.body;
  }

  // Wait (load still posting) until the old sessions are gone and the metric says so.
  EXPECT_TRUE(WaitFor(
      [&] {
        return Db()->Int("SELECT COUNT(*) FROM session_traces WHERE session_id LIKE 'old-%'") ==
                   0 &&
               LabeledMetric(*client_, R"(sessions_deleted_total{reason="retention"})") == 6;
      },
      60s));
  const size_t acked_while_deleting = load.acked();
  const std::set<std::string> acked = load.Stop();
  EXPECT_GT(acked_while_deleting, 0u) << "the load was refused while retention ran";

  auto db = Db();
  for (const auto& sid : old_ids) {
    for (const auto& [table, rows] : kRowsPerSession) {
      EXPECT_EQ(RowsOf(*db, table, sid), 0) << table << " of " << sid;
    }
  }
  // Their rows' idempotency keys went with them; the session and timestep keys (no row) stay.
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM tc_idempotency WHERE key LIKE 'old-%' AND "
                    "key NOT LIKE '%-s' AND key NOT LIKE '%-t_'"),
            0);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM tc_idempotency WHERE key LIKE 'old-%'"),
            static_cast<int64_t>(3 * old_ids.size()));
  for (const auto& sid : new_ids) {
    for (const auto& [table, rows] : kRowsPerSession) {
      EXPECT_EQ(RowsOf(*db, table, sid), rows) << table << " of " << sid;
    }
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM tc_idempotency WHERE key LIKE '" + sid + "-%'"), 10)
        << sid;
  }
  // Every acknowledged load record is there, once; nothing else is.
  std::set<std::string> stored;
  for (auto& row : db->Rows("SELECT key FROM tc_idempotency WHERE key LIKE 'load%'")) {
    stored.insert(row[0].value());
  }
  for (const auto& id : acked) EXPECT_EQ(stored.count(id), 1u) << id;
  EXPECT_EQ(RowsOf(*db, "events", "s-load"), static_cast<int64_t>(stored.size()));
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM session_traces"),
            static_cast<int64_t>(new_ids.size()) + 1);
  ExpectCountersExact(*db);
  EXPECT_EQ(db->Int("SELECT usage_count FROM model_usage_stats WHERE model_name = 'm1'"),
            static_cast<int64_t>(3 * new_ids.size()));
  EXPECT_NEAR(db->Real("SELECT SUM(total_cost_usd) FROM session_summary"), 0.03 * new_ids.size(),
              1e-9);

  EXPECT_EQ(LabeledMetric(*client_, R"(session_rows_deleted_total{table="events"})"),
            3.0 * old_ids.size());
  EXPECT_EQ(LabeledMetric(*client_, R"(session_rows_deleted_total{table="event_rewards"})"),
            1.0 * old_ids.size());
  EXPECT_EQ(LabeledMetric(*client_, R"(session_rows_deleted_total{table="tc_idempotency"})"),
            7.0 * old_ids.size());
  EXPECT_EQ(Metric(*client_, "retention_errors_total"), 0);
}

TEST_P(RetentionTest, DeleteOneSessionOverHttpWithAnAdminKey) {
  StartCollector({"--set", "auth.api_keys=ingest-key", "--set", "auth.admin_keys=admin-key"});
  const std::map<std::string, std::string> ingest = {{"Authorization", "Bearer ingest-key"}};
  const std::map<std::string, std::string> admin = {{"Authorization", "Bearer admin-key"}};
  for (const std::string sid : {"keep-1", "team/run 2"}) {
    auto res = client_->Post("/v1/records", SessionRecords(sid, ""), "application/json", ingest);
    ASSERT_EQ(res.status, 200) << res.body;
  }

  auto forbidden = client_->Delete("/v1/sessions/team%2Frun%202", ingest);
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  EXPECT_NE(forbidden.body.find(R"("code":"forbidden")"), std::string::npos) << forbidden.body;
  auto anonymous = client_->Delete("/v1/sessions/team%2Frun%202");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(RowsOf(*Db(), "events", "team/run 2"), 3);

  auto deleted = client_->Delete("/v1/sessions/team%2Frun%202", admin);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.body, R"({"deleted":{"session_id":"team/run 2","rows":{"session_traces":1,)"
                          R"("session_timesteps":2,"events":3,"messages":2,"outcome_rewards":1,)"
                          R"("event_rewards":1,"tc_idempotency":7}}})");
  auto db = Db();
  for (const auto& [table, rows] : kRowsPerSession) {
    EXPECT_EQ(RowsOf(*db, table, "team/run 2"), 0) << table;
    EXPECT_EQ(RowsOf(*db, table, "keep-1"), rows) << table;
  }
  ExpectCountersExact(*db);

  auto again = client_->Delete("/v1/sessions/team%2Frun%202", admin);
  EXPECT_EQ(again.status, 404) << again.body;
  EXPECT_NE(again.body.find(R"("code":"not_found")"), std::string::npos) << again.body;
  auto bad = client_->Delete("/v1/sessions/a%zz", admin);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find(R"("code":"bad_session_id")"), std::string::npos) << bad.body;
  auto post = client_->Post("/v1/sessions/keep-1", "{}", "application/json", admin);
  EXPECT_EQ(post.status, 405) << post.body;
  EXPECT_EQ(post.headers["allow"], "GET, DELETE");

  EXPECT_EQ(LabeledMetric(*client_, R"(sessions_deleted_total{reason="api"})"), 1);
  EXPECT_EQ(Metric(*client_, "http_forbidden_total"), 1);
  EXPECT_EQ(Metric(*client_, "http_unauthorized_total"), 1);
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(RetentionTest);

}  // namespace
}  // namespace tc::testing
