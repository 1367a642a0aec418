// tc_idempotency.row_id: the embedded sink stores it with the key's claim, predicted from
// SQLite's AUTOINCREMENT rule (sink/sqlite_sink_rowids.h). Whatever the id history of the
// tables, every key must point to the row its record created.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sink/sqlite/sqlite_sink.h"
#include "sqlite_sink_fixture.h"

namespace tc::sink {
namespace {

// Each record carries its key in a column, so a key's row can be found independently.
Record TaggedEvent(const std::string& key, bool with_reward = false) {
  Record r = Event(key, "s", "step", with_reward ? EventType::kEnvironment : EventType::kCais);
  auto& e = std::get<schema::EventRecord>(r.body);
  e.system_instance_id = key;
  if (with_reward) {
    e.reward = 0.5;  // also inserts an event_rewards row (no key of its own)
  }
  return r;
}

Record TaggedMessage(const std::string& key) { return Message(key, "s", "step", key); }

Record TaggedEventReward(const std::string& key, const std::string& event_ref) {
  Record r = EventRewardByRef(key, "s", event_ref);
  std::get<schema::EventRewardRecord>(r.body).annotation = key;
  return r;
}

Record TaggedOutcome(const std::string& key) {
  schema::OutcomeRewardRecord o;
  o.session_id = "s";
  o.total_reward = 1;
  o.annotation = key;
  return {key, o};
}

// Keys whose row_id is not the id of the row tagged with the key.
constexpr std::string_view kWrongKeys =
    "SELECT k.\"key\" FROM tc_idempotency k WHERE k.row_id IS NOT (CASE k.record_type "
    "WHEN 'event' THEN (SELECT id FROM events WHERE system_instance_id = k.\"key\") "
    "WHEN 'message' THEN (SELECT id FROM messages WHERE content = k.\"key\") "
    "WHEN 'event_reward' THEN (SELECT id FROM event_rewards WHERE annotation = k.\"key\") "
    "WHEN 'outcome_reward' THEN (SELECT id FROM outcome_rewards WHERE annotation = k.\"key\") "
    "END) ORDER BY 1";

TEST_F(SqliteSinkTest, KeysPointToTheirRowsWhateverTheIdHistory) {
  auto sink = OpenSink();
  auto results = Write(*sink, {TaggedEvent("e1", true), TaggedMessage("m1"), TaggedOutcome("o1"),
                               TaggedEventReward("r1", "e1"), TaggedEvent("e2")});
  EXPECT_EQ(Outcomes(results),
            (std::vector<RecordOutcome>{kStored, kStored, kStored, kStored, kStored}));
  {
    // Ids the next rows cannot take from max(id) + 1 alone: a deleted last row (sequence
    // ahead of max(id)), a row above the sequence, a table with no sequence row.
    TestDb db(path_);
    db.Exec("DELETE FROM events WHERE system_instance_id = 'e2'");
    db.Exec("DELETE FROM tc_idempotency WHERE \"key\" = 'e2'");
    db.Exec(
        "INSERT INTO messages (id, session_id, message_type, content) VALUES (50, 's', "
        "'user', 'm-explicit')");
    db.Exec("UPDATE sqlite_sequence SET seq = 1 WHERE name = 'messages'");
    db.Exec("DELETE FROM sqlite_sequence WHERE name = 'event_rewards'");
    EXPECT_EQ(db.Rows(kWrongKeys), Rows{});
  }
  // A refused record in the middle (its rollback forgets what the transaction counted), then
  // keyed rows of every table, some tables twice.
  results =
      Write(*sink, {TaggedEvent("e3"), TaggedEventReward("bad", "no-such-event"),
                    TaggedMessage("m2"), TaggedEvent("e4", true), TaggedEventReward("r2", "e3"),
                    TaggedOutcome("o2"), TaggedMessage("m3"), TaggedEvent("e5")});
  EXPECT_EQ(Outcomes(results), (std::vector<RecordOutcome>{kStored, kRefused, kStored, kStored,
                                                           kStored, kStored, kStored, kStored}));
  TestDb db(path_);
  EXPECT_EQ(db.Rows(kWrongKeys), Rows{});
  EXPECT_EQ(db.Int("SELECT count(*) FROM tc_idempotency"), 11);
  EXPECT_EQ(db.Rows("SELECT \"key\", row_id FROM tc_idempotency WHERE \"key\" IN ('e3', 'm2', "
                    "'r2') ORDER BY 1"),
            (Rows{{"e3", "3"}, {"m2", "51"}, {"r2", "4"}}));
}

}  // namespace
}  // namespace tc::sink
