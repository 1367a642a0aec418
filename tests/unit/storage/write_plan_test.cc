#include "storage/write_plan.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "storage/ddl.h"
#include "storage/statements.h"
#include "storage/test_db.h"

namespace tc::storage {
namespace {

using schema::Record;
using S = StatementId;

constexpr std::string_view kNow = "2025-01-01T12:00:00.000000+00:00";

// One record of every type, with every optional field set (`full`) or none.
std::vector<Record> AllRecords(bool full, const std::string& key) {
  std::vector<Record> out;
  auto opt = [&](auto value) -> std::optional<decltype(value)> {
    if (full) {
      return value;
    }
    return std::nullopt;
  };
  auto text = [&](const char* value) -> schema::OptString {
    if (full) {
      return std::string(value);
    }
    return std::nullopt;
  };
  out.push_back({key, schema::SessionRecord{"s", text("t0"), text("{}"), text("exp")}});
  out.push_back({key, schema::SessionEndRecord{"s", text("t9"), text("{\"done\":true}")}});
  out.push_back({key, schema::TimestepRecord{"s", "step", opt(int64_t{2}), opt(int64_t{1}),
                                             text("t1"), text("t2"), text("{}")}});
  schema::EventRecord event;
  event.session_id = "s";
  event.step_id = text("step");
  event.event_type = schema::EventType::kEnvironment;
  event.system_instance_id = "env";
  event.reward = opt(1.5);
  event.cost_usd = opt(0.0045);
  event.created_at = text("t3");
  out.push_back({key, event});
  schema::MessageRecord message;
  message.session_id = "s";
  message.step_id = text("step");
  message.content = "hello";
  message.timestamp = text("t4");
  out.push_back({key, message});
  out.push_back({key, schema::ExperimentRecord{"e", "name", text("d"), text("{}"), text("{}")}});
  out.push_back({key, schema::SystemRecord{"sys", "name", text("agent"), text("d"), text("{}")}});
  out.push_back(
      {key, schema::SystemVersionRecord{"v", "sys", "1.0", text("abc"), text("{}"), text("{}")}});
  schema::OutcomeRewardRecord outcome;
  outcome.session_id = "s";
  outcome.total_reward = 2.5;
  out.push_back({key, outcome});
  schema::EventRewardRecord reward;
  reward.session_id = "s";
  if (full) {
    reward.event_ref = "ev";
    reward.message_ref = "msg";
  } else {
    reward.event_id = 1;
  }
  out.push_back({key, reward});
  out.push_back({key, schema::TraceLinkRecord{"t", full ? "s" : "", "otel-t"}});
  return out;
}

std::vector<Record> EveryVariant() {
  std::vector<Record> out;
  for (bool full : {false, true}) {
    for (const char* key : {"", "k1"}) {
      for (Record& r : AllRecords(full, key)) {
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

TEST(StatementsTest, EveryStatementPreparesWithItsParameterCount) {
  tc::testing::TempDir dir;
  tc::testing::TestDb db(dir.File("s.db"));
  db.Exec("PRAGMA synchronous = OFF");
  for (std::string_view sql : SchemaStatements()) {
    db.Exec(sql);
  }
  for (size_t i = 0; i < kStatementCount; ++i) {
    const auto id = static_cast<StatementId>(i);
    sqlite3_stmt* stmt = nullptr;
    std::string_view sql = StatementSql(id);
    ASSERT_EQ(
        sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr),
        SQLITE_OK)
        << StatementName(id) << ": " << sqlite3_errmsg(db.get());
    EXPECT_EQ(sqlite3_bind_parameter_count(stmt), StatementParamCount(id)) << StatementName(id);
    sqlite3_finalize(stmt);
  }
}

TEST(WritePlanTest, EveryPlanIsWellFormed) {
  for (const Record& record : EveryVariant()) {
    SCOPED_TRACE(std::string(schema::RecordTypeName(record.body)) + " key=" + record.key);
    RecordPlan plan = PlanRecord(record, kNow);
    ASSERT_FALSE(plan.steps.empty());
    EXPECT_EQ(plan.has_key_claim, !record.key.empty());
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const Step& step = plan.steps[i];
      EXPECT_EQ(static_cast<int>(step.args.size()), StatementParamCount(step.statement))
          << StatementName(step.statement);
      EXPECT_LT(step.guard, static_cast<int32_t>(i)) << "guards point to earlier steps";
      if (plan.has_key_claim && i > 0) {
        // Everything depends (directly or through a timestep claim) on the key claim.
        EXPECT_GE(step.guard, 0) << StatementName(step.statement);
      }
      EXPECT_EQ(step.statement == S::kClaimKey, plan.has_key_claim && i == 0);
    }
    if (plan.has_key_claim) {
      EXPECT_TRUE(plan.steps[0].claim);
      EXPECT_EQ(std::get<std::string>(plan.steps[0].args[0]), record.key);
      EXPECT_EQ(std::get<std::string>(plan.steps[0].args[1]), schema::RecordTypeName(record.body));
    }
  }
}

// The facts executors rely on are in the plan and agree with it: each step's kind is its
// statement's, the keyed row is the insert right before kSetKeyRowId, and SessionOf /
// TimestepOf name the record's session and step (the ids are distinct so a mix-up shows).
TEST(WritePlanTest, StepKindsAndKeyedRowAreTheExecutorsFacts) {
  for (bool full : {false, true}) {
    for (const char* key : {"", "k1"}) {
      for (Record record : AllRecords(full, key)) {
        SCOPED_TRACE(std::string(schema::RecordTypeName(record.body)) + " key=" + key);
        std::string session;
        std::visit(
            [&](auto& body) {
              if constexpr (requires { body.session_id; }) body.session_id = session = "sess-x";
            },
            record.body);
        RecordPlan plan = PlanRecord(record, kNow);
        int set_row_ids = 0;
        for (size_t i = 0; i < plan.steps.size(); ++i) {
          const Step& step = plan.steps[i];
          EXPECT_EQ(step.kind, StatementKind(step.statement)) << StatementName(step.statement);
          EXPECT_EQ(step.kind == StepKind::kKeyClaim, plan.has_key_claim && i == 0);
          EXPECT_EQ(step.kind == StepKind::kInsertRow,
                    InsertedTable(step.statement) != RowTable::kNone);
          switch (step.kind) {
            case StepKind::kEnsureSession:
            case StepKind::kUpsertSession:
              EXPECT_EQ(SessionOf(step), session);
              break;
            case StepKind::kClaimTimestep:
              EXPECT_EQ(SessionOf(step), session);
              EXPECT_EQ(TimestepOf(step), "step");
              EXPECT_TRUE(step.claim);
              break;
            case StepKind::kCount:
              EXPECT_EQ(SessionOf(step), session);
              EXPECT_TRUE(TimestepOf(step).empty() || TimestepOf(step) == "step");
              break;
            case StepKind::kSetKeyRowId:
              ++set_row_ids;
              ASSERT_EQ(plan.keyed_row, static_cast<int32_t>(i) - 1);
              EXPECT_EQ(plan.steps[i - 1].kind, StepKind::kInsertRow);
              break;
            default:
              break;
          }
        }
        EXPECT_EQ(set_row_ids, plan.keyed_row >= 0 ? 1 : 0);
        if (plan.keyed_row >= 0) {
          EXPECT_TRUE(plan.has_key_claim);
        }
      }
    }
  }
  // A keyed record of each row-carrying type names its row.
  for (Record record : AllRecords(true, "k")) {
    const bool has_row = std::holds_alternative<schema::EventRecord>(record.body) ||
                         std::holds_alternative<schema::MessageRecord>(record.body) ||
                         std::holds_alternative<schema::OutcomeRewardRecord>(record.body) ||
                         std::holds_alternative<schema::EventRewardRecord>(record.body);
    EXPECT_EQ(PlanRecord(record, kNow).keyed_row >= 0, has_row)
        << schema::RecordTypeName(record.body);
  }
}

// Only a trace_link moves rows between sessions, and its plan says so: the executors' cue to
// apply summed counters first and forget the sessions they know (SqliteSink).
TEST(WritePlanTest, OnlyATraceLinkMovesSessionsAndItsPlanSaysSo) {
  for (const Record& record : EveryVariant()) {
    SCOPED_TRACE(std::string(schema::RecordTypeName(record.body)) + " key=" + record.key);
    const RecordPlan plan = PlanRecord(record, kNow);
    const auto* link = std::get_if<schema::TraceLinkRecord>(&record.body);
    size_t moves = 0;
    bool links = false;
    for (const Step& step : plan.steps) {
      moves += step.kind == StepKind::kMoveSession ? 1 : 0;
      if (step.statement == S::kLinkTrace) {
        links = true;
        EXPECT_EQ(std::get<std::string>(step.args[0]), "t");
        EXPECT_EQ(std::get<std::string>(step.args[1]), "s");
      } else if (step.kind == StepKind::kMoveSession) {
        EXPECT_EQ(std::get<std::string>(step.args[0]), "t");  // ?1 trace, ?2 provisional session
        EXPECT_EQ(std::get<std::string>(step.args[1]), "otel-t");
      }
    }
    EXPECT_EQ(plan.moves_sessions, link != nullptr);
    EXPECT_EQ(moves, link != nullptr ? 13u : 0u);  // the due claim, then 12 moves behind it
    if (link != nullptr) {
      size_t due = 0;
      while (plan.steps[due].statement != S::kMoveDue) ++due;
      EXPECT_TRUE(plan.steps[due].claim);
      for (size_t i = due + 1; i < plan.steps.size(); ++i) {
        EXPECT_EQ(plan.steps[i].guard, static_cast<int32_t>(due)) << "moves run only when due";
      }
    }
    EXPECT_EQ(links, link != nullptr && !link->session_id.empty()) << "an empty session only moves";
  }
  // A reused plan does not keep the flag.
  RecordPlan plan = PlanRecord(Record{"", schema::TraceLinkRecord{"t", "s", "otel-t"}}, kNow);
  PlanRecordInto(Record{"", schema::SessionRecord{"s", {}, {}, {}}}, kNow, &plan);
  EXPECT_FALSE(plan.moves_sessions);
}

// Counter increments only ever run behind a claim (exact under retries and duplicates).
TEST(WritePlanTest, CountersAreGuarded) {
  for (const Record& record : EveryVariant()) {
    RecordPlan plan = PlanRecord(record, kNow);
    for (const Step& step : plan.steps) {
      if (step.statement == S::kCountSessionTimestep) {
        ASSERT_GE(step.guard, 0);
        EXPECT_EQ(plan.steps[step.guard].statement, S::kClaimTimestep);
        EXPECT_TRUE(plan.steps[step.guard].claim);
      }
      if (plan.has_key_claim &&
          (step.statement == S::kCountSessionEvent || step.statement == S::kCountTimestepEvent ||
           step.statement == S::kCountSessionMessage ||
           step.statement == S::kCountTimestepMessage)) {
        EXPECT_EQ(step.guard, 0);
      }
    }
  }
}

std::vector<S> Statements(const RecordPlan& plan) {
  std::vector<S> out;
  for (const Step& step : plan.steps) {
    out.push_back(step.statement);
  }
  return out;
}

TEST(WritePlanTest, KeyedEnvironmentEventOrder) {
  Record record = AllRecords(/*full=*/true, "ev-1")[3];
  RecordPlan plan = PlanRecord(record, kNow);
  // The row id and the reward row read last_insert_rowid() right after the event insert.
  EXPECT_EQ(Statements(plan), (std::vector<S>{S::kClaimKey, S::kEnsureSession, S::kClaimTimestep,
                                              S::kCountSessionTimestep, S::kInsertEvent,
                                              S::kSetKeyRowId, S::kInsertEnvironmentReward,
                                              S::kCountSessionEvent, S::kCountTimestepEvent}));
  const Step& insert = plan.steps[4];
  EXPECT_EQ(std::get<std::string>(insert.args[2]), "environment");
  EXPECT_EQ(std::get<std::string>(insert.args[6]), "t3");     // created_at as given
  EXPECT_DOUBLE_EQ(std::get<double>(insert.args[12]), 0.45);  // cents
  EXPECT_EQ(plan.steps[3].guard, 2);
}

TEST(WritePlanTest, UnkeyedEventWithoutStepOrReward) {
  schema::EventRecord event;
  event.session_id = "s";
  event.event_type = schema::EventType::kEnvironment;
  event.reward = 0.0;  // no reward row for a zero reward
  RecordPlan plan = PlanRecord(Record{"", event}, kNow);
  EXPECT_FALSE(plan.has_key_claim);
  EXPECT_EQ(Statements(plan),
            (std::vector<S>{S::kEnsureSession, S::kInsertEvent, S::kCountSessionEvent}));
  for (const Step& step : plan.steps) {
    EXPECT_EQ(step.guard, -1);
  }
  const Step& insert = plan.steps[1];
  EXPECT_TRUE(std::holds_alternative<std::monostate>(insert.args[1]));   // step_id NULL
  EXPECT_EQ(std::get<std::string>(insert.args[6]), kNow);                // created_at default
  EXPECT_TRUE(std::holds_alternative<std::monostate>(insert.args[12]));  // no cost → NULL
}

TEST(WritePlanTest, DefaultsComeFromNow) {
  auto minimal = AllRecords(/*full=*/false, "");
  RecordPlan message = PlanRecord(minimal[4], kNow);
  ASSERT_EQ(message.steps[1].statement, S::kInsertMessage);
  EXPECT_EQ(std::get<std::string>(message.steps[1].args[4]), kNow);  // timestamp
  RecordPlan session = PlanRecord(minimal[0], kNow);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(session.steps[0].args[1]));
  EXPECT_EQ(std::get<std::string>(session.steps[0].args[4]), kNow);
  RecordPlan timestep = PlanRecord(minimal[2], kNow);
  EXPECT_EQ(Statements(timestep),
            (std::vector<S>{S::kEnsureSession, S::kClaimTimestep, S::kCountSessionTimestep}));
  EXPECT_EQ(std::get<std::string>(timestep.steps[1].args[3]), kNow);  // started_at
  RecordPlan full_timestep = PlanRecord(AllRecords(true, "")[2], kNow);
  EXPECT_EQ(full_timestep.steps.back().statement, S::kFillTimestep);
  EXPECT_EQ(std::get<std::string>(full_timestep.steps[1].args[3]), "t1");
}

TEST(WritePlanTest, ReusedPlanMatchesFreshPlan) {
  RecordPlan reused;
  auto variants = EveryVariant();
  // Plan in an order that makes step shapes change from record to record.
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < variants.size(); ++i) {
      const Record& record = variants[(i * 7 + round) % variants.size()];
      PlanRecordInto(record, kNow, &reused);
      RecordPlan fresh = PlanRecord(record, kNow);
      ASSERT_EQ(reused.steps.size(), fresh.steps.size());
      EXPECT_EQ(reused.has_key_claim, fresh.has_key_claim);
      for (size_t j = 0; j < fresh.steps.size(); ++j) {
        EXPECT_EQ(reused.steps[j].statement, fresh.steps[j].statement);
        EXPECT_EQ(reused.steps[j].guard, fresh.steps[j].guard);
        EXPECT_EQ(reused.steps[j].claim, fresh.steps[j].claim);
        EXPECT_EQ(reused.steps[j].args, fresh.steps[j].args);
      }
    }
  }
}

TEST(WritePlanTest, CostIsCentsWithTheFractionKept) {
  EXPECT_EQ(UsdToCents(0.0045) / 100.0, 0.0045);
  EXPECT_NEAR(UsdToCents(0.0045), 0.45, 1e-15);
  EXPECT_EQ(UsdToCents(0.0), 0.0);
  EXPECT_EQ(UsdToCents(12.0), 1200.0);
  EXPECT_NEAR(UsdToCents(0.000123), 0.0123, 1e-15);
  // Cents and the dollars the views compute from them (/ 100.0) print as the decimal price at
  // SQLite's 15 significant digits. (Exact equality is not always possible: x / 100.0 does not
  // reach every double.)
  for (int tenth_micro = 1; tenth_micro < 2000000; tenth_micro += 3) {
    const double usd = tenth_micro / 1e7;
    const double cents = UsdToCents(usd);
    ASSERT_EQ(fmt::format("{:.15g}", cents / 100.0), fmt::format("{:.15g}", usd)) << usd;
    ASSERT_EQ(fmt::format("{:.15g}", cents), fmt::format("{:.15g}", tenth_micro / 1e5)) << usd;
  }
}

}  // namespace
}  // namespace tc::storage
