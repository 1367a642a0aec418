#pragma once

// Fixture and record builders for the SqliteSink tests (a real SQLite file in a temp dir).

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sink/sqlite/sqlite_sink.h"
#include "storage/test_db.h"

namespace tc::sink {

using schema::EventType;
using schema::MessageType;
using schema::Record;
using tc::testing::TempDir;
using tc::testing::TestDb;
using Rows = std::vector<std::vector<std::string>>;

inline Record Event(std::string key, std::string session, std::optional<std::string> step,
                    EventType type = EventType::kRuntime) {
  schema::EventRecord e;
  e.session_id = std::move(session);
  e.step_id = std::move(step);
  e.event_type = type;
  e.system_instance_id = "agent";
  return {std::move(key), std::move(e)};
}

inline Record Message(std::string key, std::string session, std::optional<std::string> step,
                      std::string content = "hi") {
  schema::MessageRecord m;
  m.session_id = std::move(session);
  m.step_id = std::move(step);
  m.message_type = MessageType::kAssistant;
  m.content = std::move(content);
  return {std::move(key), std::move(m)};
}

inline Record EventRewardByRef(std::string key, std::string session, std::string event_ref,
                               double value = 1.0) {
  schema::EventRewardRecord r;
  r.session_id = std::move(session);
  r.event_ref = std::move(event_ref);
  r.reward_value = value;
  return {std::move(key), std::move(r)};
}

class SqliteSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteSink> MakeSink(uint32_t busy_timeout_ms = 5000) {
    auto sink = SqliteSink::Create({path_, "NORMAL", busy_timeout_ms});
    EXPECT_TRUE(sink.has_value()) << sink.error().ToString();
    return std::move(sink).value();
  }
  std::unique_ptr<SqliteSink> OpenSink(uint32_t busy_timeout_ms = 5000) {
    auto sink = MakeSink(busy_timeout_ms);
    Status status = sink->Open();
    EXPECT_TRUE(status.ok()) << status.ToString();
    return sink;
  }
  std::vector<RecordResult> Write(SqliteSink& sink, const std::vector<Record>& records) {
    std::vector<RecordResult> results;
    Status status = sink.Write(records, &results);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(results.size(), status.ok() ? records.size() : 0u);
    return results;
  }
  static std::vector<RecordOutcome> Outcomes(const std::vector<RecordResult>& results) {
    std::vector<RecordOutcome> out;
    for (const RecordResult& r : results) {
      out.push_back(r.outcome);
    }
    return out;
  }
  // "num_timesteps,num_events,num_messages" of a session.
  std::string Counters(TestDb& db, const std::string& session) {
    return db.Text(
        "SELECT num_timesteps || ',' || num_events || ',' || num_messages FROM "
        "session_traces WHERE session_id = '" +
        session + "'");
  }

  TempDir dir_;
  std::string path_ = dir_.File("traces.db");
};

inline constexpr auto kStored = RecordOutcome::kStored;
inline constexpr auto kDuplicate = RecordOutcome::kDuplicate;
inline constexpr auto kRefused = RecordOutcome::kRefused;

}  // namespace tc::sink
