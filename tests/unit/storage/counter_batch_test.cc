#include "storage/counter_batch.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "storage/write_plan.h"

namespace tc::storage {
namespace {

using S = StatementId;

// The kCountSessionEvent step of a planned event (its totals ride in its arguments).
Step EventCount(std::string session, schema::OptString model, double usd, double time,
                int64_t tokens, schema::JsonText metadata = std::nullopt) {
  schema::EventRecord e;
  e.session_id = std::move(session);
  e.event_type = schema::EventType::kCais;
  e.model_name = std::move(model);
  e.cost_usd = usd;
  e.event_time = time;
  e.input_tokens = tokens;
  e.total_tokens = tokens;
  e.metadata = std::move(metadata);
  for (Step& step : PlanRecord(schema::Record{"", e}, "now").steps) {
    if (step.statement == S::kCountSessionEvent) return step;
  }
  ADD_FAILURE() << "no kCountSessionEvent step";
  return {};
}

Step Count(S id, std::string session, std::string step = "") {
  Step s{id, {std::move(session)}};
  s.kind = StatementKind(id);
  if (!step.empty()) {
    s.args.emplace_back(std::move(step));
  }
  return s;
}

TEST(CounterBatchTest, SumsCommittedIncrementsPerSessionAndTimestep) {
  EXPECT_EQ(StatementKind(S::kCountSessionEvent), StepKind::kCount);
  EXPECT_EQ(StatementKind(S::kCountTimestepMessage), StepKind::kCount);
  EXPECT_NE(StatementKind(S::kInsertEvent), StepKind::kCount);
  EXPECT_NE(StatementKind(S::kClaimTimestep), StepKind::kCount);

  const std::vector<Step> kept = {
      Count(S::kCountSessionTimestep, "s"),
      EventCount("s", "m1", 0.25, 20.0, 5),
      Count(S::kCountTimestepEvent, "s", "a"),
      EventCount("s", "m2", 0.5, 10.0, 7, R"({"error":"rate limited"})"),
      EventCount("s", "m1", 0.0, 15.0, 1),
      Count(S::kCountTimestepEvent, "s", "a"),
      Count(S::kCountSessionMessage, "t"),
      Count(S::kCountTimestepMessage, "t", "b")};
  const std::vector<Step> dropped = {EventCount("s", "m3", 9.0, 1.0, 100),
                                     EventCount("u", "m1", 1.0, 1.0, 1)};
  CounterBatch batch;
  EXPECT_TRUE(batch.empty());
  for (const Step& step : dropped) {
    batch.AddPending(step);
  }
  batch.DropPending();
  EXPECT_TRUE(batch.empty());
  for (const Step& step : kept) {
    batch.AddPending(step);
  }
  batch.CommitPending();
  EXPECT_FALSE(batch.empty());

  std::vector<Step> flush;
  batch.MakeFlushSteps(&flush);
  std::vector<std::vector<SqlValue>> sessions;
  std::vector<std::vector<SqlValue>> timesteps;
  for (const Step& step : flush) {
    EXPECT_EQ(step.guard, -1);
    EXPECT_EQ(static_cast<int>(step.args.size()), StatementParamCount(step.statement));
    (step.statement == S::kAddTimestepCounters ? timesteps : sessions).push_back(step.args);
  }
  std::sort(sessions.begin(), sessions.end());
  std::sort(timesteps.begin(), timesteps.end());
  using V = std::vector<SqlValue>;
  // "s": 1 timestep, 3 LLM events (13 tokens, 75 cents, times 10..20, one error, models m1 and
  // m2: the second model in a step of its own); "t" had no event: the plain counters.
  const int64_t zero = 0;
  EXPECT_EQ(sessions, (std::vector<V>{
                          V{std::string("s"), zero, zero, zero, zero, zero, zero, zero, 0.0,
                            SqlValue(), SqlValue(), zero, std::string("\"m2\"")},
                          V{std::string("s"), int64_t{1}, int64_t{3}, zero, int64_t{3}, int64_t{13},
                            zero, int64_t{13}, 75.0, 10.0, 20.0, int64_t{1}, std::string("\"m1\"")},
                          V{std::string("t"), zero, zero, int64_t{1}}}));
  EXPECT_EQ(timesteps,
            (std::vector<V>{V{std::string("s"), std::string("a"), int64_t{2}, int64_t{0}},
                            V{std::string("t"), std::string("b"), int64_t{0}, int64_t{1}}}));
  EXPECT_EQ(flush.back().statement, S::kAddTimestepCounters);
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  batch.MakeFlushSteps(&flush);
  EXPECT_TRUE(flush.empty());
}

TEST(CounterBatchTest, AnEventMarksAnErrorByItsMetadataOrItsCallRecords) {
  schema::EventRecord e;
  const auto marks = [&](schema::JsonText metadata, schema::JsonText calls) {
    e.metadata = std::move(metadata);
    e.call_records = std::move(calls);
    return EventMarksError(e);
  };
  EXPECT_FALSE(marks(std::nullopt, std::nullopt));
  EXPECT_FALSE(marks(R"({"step_id":"a"})", R"([{"model":"m"}])"));
  EXPECT_TRUE(marks(R"({"error":"boom"})", std::nullopt));
  EXPECT_TRUE(marks(R"({"error":{"type":"RateLimit"}})", std::nullopt));
  EXPECT_FALSE(marks(R"({"error":null})", std::nullopt));
  EXPECT_FALSE(marks(R"({"error":false})", std::nullopt));
  EXPECT_FALSE(marks(R"({"error":""})", std::nullopt));
  EXPECT_TRUE(marks(R"({"status":"FAILED"})", std::nullopt));
  EXPECT_FALSE(marks(R"({"status":"ok","note":"no error"})", std::nullopt));
  EXPECT_TRUE(marks(std::nullopt, R"([{"outcome":"success"},{"outcome":"timeout"}])"));
  EXPECT_TRUE(marks(std::nullopt, R"([{"error":{"message":"context length"}}])"));
  EXPECT_FALSE(marks(std::nullopt, R"([{"outcome":"success","error":null}])"));
  EXPECT_FALSE(marks(R"(not json but says error)", std::nullopt));
}

}  // namespace
}  // namespace tc::storage
