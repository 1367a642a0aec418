// HranaSink::Retain / DeleteSession against the real tursodb --sync-server: the same sessions
// go, whole, as on the embedded sink; the others and their counters stay.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sink/hrana/hrana_sink.h"
#include "support/temp_dir.h"
#include "unit/sink/hrana/sink_test_util.h"
#include "unit/sink/hrana/tursodb_server.h"

namespace tc::sink {
namespace {

using testing::OpenHranaSink;
using testing::QueryInt;
using testing::TempDir;
using testing::TursodbServer;

std::vector<schema::Record> Session(const std::string& s, const std::string& created_at) {
  std::vector<schema::Record> out;
  schema::SessionRecord session;
  session.session_id = s;
  session.created_at = created_at;
  out.push_back({s + "-s", std::move(session)});
  for (int i = 0; i < 3; ++i) {
    schema::EventRecord e;
    e.session_id = s;
    e.step_id = "step1";
    e.event_type = schema::EventType::kCais;
    e.model_name = "m";
    out.push_back({s + "-e" + std::to_string(i), std::move(e)});
  }
  schema::MessageRecord m;
  m.session_id = s;
  m.step_id = "step1";
  m.message_type = schema::MessageType::kUser;
  m.content = "hello";
  out.push_back({s + "-m", std::move(m)});
  schema::OutcomeRewardRecord o;
  o.session_id = s;
  o.total_reward = 1;
  out.push_back({s + "-o", std::move(o)});
  return out;
}

int64_t Rows(HranaClient& client, const std::string& table, const std::string& s) {
  return QueryInt(client, "SELECT count(*) FROM " + table + " WHERE session_id = '" + s + "'");
}

TEST(HranaSinkRetentionTest, DeletesExactlyTheSessionsPastTheCutoffWhole) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto sink = OpenHranaSink(server.url());
  ASSERT_NE(sink, nullptr);
  std::vector<schema::Record> records;
  for (const auto& [s, created] : std::vector<std::pair<std::string, std::string>>{
           {"old1", "2020-01-01T00:00:00Z"},
           {"old2", "2020-01-02T03:00:00+05:00"},
           {"new1", "2030-01-01T00:00:00.000000+00:00"}}) {
    auto one = Session(s, created);
    records.insert(records.end(), one.begin(), one.end());
  }
  std::vector<RecordResult> results;
  ASSERT_TRUE(sink->Write(records, &results).ok());
  HranaClient& client = sink->client();
  ASSERT_EQ(QueryInt(client, "SELECT count(*) FROM session_traces"), 3);

  RetentionPolicy policy;
  policy.created_before = "2025-01-01T00:00:00.000000+00:00";
  RetentionPass pass;
  Status status = sink->Retain(policy, &pass);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(pass.deleted.sessions, 2u);
  EXPECT_FALSE(pass.more);
  EXPECT_FALSE(pass.db_bytes.has_value());  // not measured on a server
  ASSERT_TRUE(pass.oldest_session_unix.has_value());
  EXPECT_EQ(*pass.oldest_session_unix, 1893456000.0);
  for (const char* table : {"session_traces", "session_timesteps", "events", "messages",
                            "outcome_rewards", "event_rewards"}) {
    EXPECT_EQ(Rows(client, table, "old1"), 0) << table;
    EXPECT_EQ(Rows(client, table, "old2"), 0) << table;
  }
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM tc_idempotency WHERE \"key\" LIKE 'old%'"),
            2);  // the session records' keys name no row: they stay
  EXPECT_EQ(Rows(client, "events", "new1"), 3);
  EXPECT_EQ(QueryInt(client, "SELECT num_events FROM session_traces WHERE session_id = 'new1'"), 3);
  EXPECT_EQ(QueryInt(client, "SELECT usage_count FROM model_usage_stats"), 3);

  DeletedRows deleted;
  ASSERT_TRUE(sink->DeleteSession("new1", &deleted).ok());
  EXPECT_EQ(deleted.sessions, 1u);
  ASSERT_EQ(deleted.tables.size(), 7u);
  EXPECT_EQ(deleted.tables[2], (std::pair<std::string, uint64_t>("events", 3)));
  EXPECT_EQ(deleted.tables[6], (std::pair<std::string, uint64_t>("tc_idempotency", 5)));
  EXPECT_EQ(sink->DeleteSession("new1", &deleted).code(), StatusCode::kNotFound);
  EXPECT_EQ(QueryInt(client, "SELECT count(*) FROM events"), 0);
}

}  // namespace
}  // namespace tc::sink
