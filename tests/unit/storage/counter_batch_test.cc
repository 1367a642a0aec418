#include "storage/counter_batch.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tc::storage {
namespace {

using S = StatementId;

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
      Count(S::kCountSessionTimestep, "s"),     Count(S::kCountSessionEvent, "s"),
      Count(S::kCountTimestepEvent, "s", "a"),  Count(S::kCountSessionEvent, "s"),
      Count(S::kCountTimestepEvent, "s", "a"),  Count(S::kCountSessionMessage, "t"),
      Count(S::kCountTimestepMessage, "t", "b")};
  const std::vector<Step> dropped = {Count(S::kCountSessionEvent, "s"),
                                     Count(S::kCountSessionEvent, "u")};
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
    (step.statement == S::kAddSessionCounters ? sessions : timesteps).push_back(step.args);
  }
  std::sort(sessions.begin(), sessions.end());
  std::sort(timesteps.begin(), timesteps.end());
  using V = std::vector<SqlValue>;
  EXPECT_EQ(sessions, (std::vector<V>{V{std::string("s"), int64_t{1}, int64_t{2}, int64_t{0}},
                                      V{std::string("t"), int64_t{0}, int64_t{0}, int64_t{1}}}));
  EXPECT_EQ(timesteps,
            (std::vector<V>{V{std::string("s"), std::string("a"), int64_t{2}, int64_t{0}},
                            V{std::string("t"), std::string("b"), int64_t{0}, int64_t{1}}}));
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  batch.MakeFlushSteps(&flush);
  EXPECT_TRUE(flush.empty());
}

}  // namespace
}  // namespace tc::storage
