// SqliteSink::Retain / DeleteSession on a real file: sessions go whole, others stay untouched,
// counters and views stay exact, freed pages are given back.

#include <map>

#include "sqlite_sink_fixture.h"

namespace tc::sink {
namespace {

Record Session(std::string key, std::string session, std::string created_at) {
  schema::SessionRecord s;
  s.session_id = std::move(session);
  s.created_at = std::move(created_at);
  return {std::move(key), std::move(s)};
}

Record Outcome(std::string key, std::string session) {
  schema::OutcomeRewardRecord r;
  r.session_id = std::move(session);
  r.total_reward = 1;
  return {std::move(key), std::move(r)};
}

// A session with a step, events (one environment event with a reward), messages, an outcome
// reward and an event reward by reference; every record keyed by `s` + a suffix.
std::vector<Record> FullSession(const std::string& s, const std::string& created_at,
                                int events = 3) {
  std::vector<Record> out;
  out.push_back(Session(s + "-s", s, created_at));
  for (int i = 0; i < events; ++i) {
    out.push_back(Event(s + "-e" + std::to_string(i), s, "step1"));
  }
  Record env = Event(s + "-env", s, "step1", EventType::kEnvironment);
  std::get<schema::EventRecord>(env.body).reward = 2.5;
  out.push_back(std::move(env));
  out.push_back(Message(s + "-m", s, "step1", std::string(2000, 'x')));
  out.push_back(Outcome(s + "-o", s));
  out.push_back(EventRewardByRef(s + "-r", s, s + "-e0"));
  return out;
}

// Rows per table for one session (tc_idempotency: keys starting with the session's name).
std::map<std::string, int64_t> RowsOf(TestDb& db, const std::string& s) {
  std::map<std::string, int64_t> out;
  for (const char* table : {"session_traces", "session_timesteps", "events", "messages",
                            "outcome_rewards", "event_rewards"}) {
    out[table] =
        db.Int(std::string("SELECT COUNT(*) FROM ") + table + " WHERE session_id = '" + s + "'");
  }
  out["tc_idempotency"] =
      db.Int("SELECT COUNT(*) FROM tc_idempotency WHERE \"key\" LIKE '" + s + "-%'");
  return out;
}

uint64_t Deleted(const DeletedRows& rows, std::string_view table) {
  for (const auto& [name, n] : rows.tables) {
    if (name == table) {
      return n;
    }
  }
  ADD_FAILURE() << "no table " << table;
  return 0;
}

class SqliteSinkRetentionTest : public SqliteSinkTest {};

TEST_F(SqliteSinkRetentionTest, DeletesExactlyTheSessionsPastTheCutoffWhole) {
  auto sink = OpenSink();
  std::vector<Record> records;
  for (const std::string s : {"old1", "old2"}) {
    auto full = FullSession(s, "2020-01-01T00:00:00Z");
    records.insert(records.end(), full.begin(), full.end());
  }
  // Another offset: 2020-01-02T03:00+05:00 is 2020-01-01T22:00Z, before the cutoff too.
  auto offset = FullSession("old3", "2020-01-02T03:00:00+05:00");
  records.insert(records.end(), offset.begin(), offset.end());
  for (const std::string s : {"new1", "new2"}) {
    auto full = FullSession(s, "2030-01-01T00:00:00.000000+00:00");
    records.insert(records.end(), full.begin(), full.end());
  }
  auto results = Write(*sink, records);
  for (const auto& r : results) {
    ASSERT_EQ(r.outcome, kStored) << r.message;
  }
  TestDb db(path_);
  const auto new1_before = RowsOf(db, "new1");
  const auto summary_before = db.Rows("SELECT * FROM session_summary WHERE session_id LIKE 'new%'");
  ASSERT_EQ(RowsOf(db, "old1")["event_rewards"], 2);  // the environment reward + the reference

  RetentionPolicy policy;
  policy.created_before = "2025-01-01T00:00:00.000000+00:00";
  policy.max_sessions = 2;
  RetentionPass pass;
  ASSERT_TRUE(sink->Retain(policy, &pass).ok());
  EXPECT_EQ(pass.deleted.sessions, 2u);
  EXPECT_TRUE(pass.more);  // a full batch: there may be more
  ASSERT_TRUE(sink->Retain(policy, &pass).ok());
  EXPECT_EQ(pass.deleted.sessions, 1u);
  EXPECT_FALSE(pass.more);
  EXPECT_EQ(Deleted(pass.deleted, "events"), 4u);
  EXPECT_EQ(Deleted(pass.deleted, "messages"), 1u);
  EXPECT_EQ(Deleted(pass.deleted, "session_timesteps"), 1u);
  EXPECT_EQ(Deleted(pass.deleted, "outcome_rewards"), 1u);
  EXPECT_EQ(Deleted(pass.deleted, "event_rewards"), 2u);
  // Keys of events (4), message, outcome and event reward; the session record's key stays.
  EXPECT_EQ(Deleted(pass.deleted, "tc_idempotency"), 7u);
  ASSERT_TRUE(pass.oldest_session_unix.has_value());
  EXPECT_EQ(*pass.oldest_session_unix, 1893456000.0);  // 2030-01-01T00:00:00Z

  for (const std::string s : {"old1", "old2", "old3"}) {
    auto rows = RowsOf(db, s);
    for (const auto& [table, n] : rows) {
      EXPECT_EQ(n, table == "tc_idempotency" ? 1 : 0) << s << " " << table;
    }
  }
  EXPECT_EQ(RowsOf(db, "new1"), new1_before);
  EXPECT_EQ(db.Rows("SELECT * FROM session_summary WHERE session_id LIKE 'new%'"), summary_before);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_traces"), 2);
  // Nothing left behind that names a deleted session or row.
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events WHERE session_id NOT IN (SELECT session_id FROM "
                   "session_traces)"),
            0);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM tc_idempotency WHERE row_id IS NOT NULL AND row_id NOT "
                   "IN (SELECT id FROM events UNION ALL SELECT id FROM messages UNION ALL SELECT "
                   "id FROM outcome_rewards UNION ALL SELECT id FROM event_rewards)"),
            0);

  // Nothing more to delete; the new sessions' counters still match their rows.
  ASSERT_TRUE(sink->Retain(policy, &pass).ok());
  EXPECT_EQ(pass.deleted.sessions, 0u);
  EXPECT_EQ(Counters(db, "new2"), "1,4,1");

  // A deleted event re-sent is stored again (its key went with it).
  auto again = Write(*sink, {Event("old1-e0", "old1", "step1")});
  EXPECT_EQ(again[0].outcome, kStored);
}

TEST_F(SqliteSinkRetentionTest, DeleteSessionReportsRowsAndNotFound) {
  auto sink = OpenSink();
  Write(*sink, FullSession("a", "2030-01-01T00:00:00Z"));
  Write(*sink, FullSession("b", "2030-01-01T00:00:00Z"));
  DeletedRows deleted;
  ASSERT_TRUE(sink->DeleteSession("a", &deleted).ok());
  EXPECT_EQ(deleted.sessions, 1u);
  EXPECT_EQ(Deleted(deleted, "session_traces"), 1u);
  EXPECT_EQ(Deleted(deleted, "events"), 4u);
  Status again = sink->DeleteSession("a", &deleted);
  EXPECT_EQ(again.code(), StatusCode::kNotFound) << again.ToString();
  TestDb db(path_);
  EXPECT_EQ(RowsOf(db, "a")["events"], 0);
  EXPECT_EQ(RowsOf(db, "b")["events"], 4);
}

TEST_F(SqliteSinkRetentionTest, MaxDbBytesDeletesOldestAndGivesSpaceBack) {
  auto sink = OpenSink();
  TestDb db(path_);
  EXPECT_EQ(db.Int("PRAGMA auto_vacuum"), 2);  // INCREMENTAL on a new database
  for (int i = 0; i < 40; ++i) {
    char created[40];
    std::snprintf(created, sizeof created, "2024-01-01T00:00:%02dZ", i);
    Write(*sink, FullSession("s" + std::to_string(i), created, 20));
  }
  const int64_t pages_before = db.Int("PRAGMA page_count");
  RetentionPolicy policy;
  policy.max_db_bytes = 1;  // everything is too much: delete oldest first
  policy.max_sessions = 10;
  RetentionPass pass;
  ASSERT_TRUE(sink->Retain(policy, &pass).ok());
  EXPECT_EQ(pass.deleted.sessions, 10u);
  EXPECT_TRUE(pass.more);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_traces WHERE created_at < '2024-01-01T00:00:10'"),
            0);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_traces"), 30);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(sink->Retain(policy, &pass).ok());
  }
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM session_traces"), 0);
  EXPECT_GT(pass.vacuumed_bytes + 0, 0u);
  EXPECT_EQ(db.Int("PRAGMA freelist_count"), 0);
  EXPECT_LT(db.Int("PRAGMA page_count"), pages_before / 2);
  ASSERT_TRUE(pass.db_bytes.has_value());
}

}  // namespace
}  // namespace tc::sink
