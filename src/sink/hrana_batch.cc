#include "sink/hrana_batch.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/log.h"
#include "sink/hrana_encoder.h"
#include "sink/hrana_errors.h"
#include "storage/statements.h"

namespace tc::sink {
namespace {

using hrana::Cond;
using hrana::StepResult;

// COMMIT and ROLLBACK steps and the closing brackets, besides the COMMIT condition.
constexpr size_t kTrailerBytes = 256;

// Statement texts as JSON string literals, escaped once per process.
const std::string& QuotedSql(storage::StatementId id) {
  static const std::vector<std::string> quoted = [] {
    std::vector<std::string> all;
    for (size_t i = 0; i < storage::kStatementCount; ++i) {
      all.push_back(hrana::QuoteSql(storage::StatementSql(static_cast<storage::StatementId>(i))));
    }
    return all;
  }();
  return quoted[static_cast<size_t>(id)];
}

std::string QuotedSql(std::string_view sql) { return hrana::QuoteSql(sql); }

Status ClassifyError(const hrana::Error& error) {
  HranaFailure failure;
  failure.error_code = error.code;
  failure.message = error.message;
  return ClassifyFailure(failure);
}

std::string RefusalMessage(storage::StatementId statement, const Status& status) {
  std::string_view hint = storage::NotNullRefusalHint(statement);
  if (!hint.empty() && status.message().find("NOT NULL constraint failed") != std::string::npos) {
    return fmt::format("{} ({})", hint, status.message());
  }
  return fmt::format("{}: {}", storage::StatementName(statement), status.message());
}

// Permanent errors of the batch outrank retryable ones: retrying cannot help them.
void KeepWorse(Status candidate, Status* worst) {
  if (worst->ok() || (IsRetryable(*worst) && !IsRetryable(candidate))) {
    *worst = std::move(candidate);
  }
}

}  // namespace

size_t EncodeTransaction(std::span<const storage::RecordPlan> plans,
                         std::span<const size_t> pending, const HranaBatchLimits& limits,
                         EncodedBatch* out) {
  out->records.clear();
  out->first_step.clear();
  hrana::PipelineBuilder builder;
  builder.Reserve(std::min(limits.max_request_bytes + (64 << 10), pending.size() * 4096 + 4096));
  builder.BeginBatch();
  builder.AddStep("BEGIN IMMEDIATE");
  // "not is_autocommit" alone also covers a failed BEGIN: on sqld the fresh stream is in
  // autocommit; on tursodb a transaction leaked by another client is rolled back by our
  // ROLLBACK step, together with whatever ran inside it.
  const std::string in_txn = Cond::Not(Cond::IsAutocommit()).json();
  const std::string begin_ok = Cond::Ok(0).json();
  const std::string_view unguarded = limits.autocommit_cond ? in_txn : begin_ok;
  std::string cond;
  std::string commit_cond = R"({"type":"and","conds":[)" + begin_ok;
  size_t taken = 0;
  for (size_t index : pending) {
    const storage::RecordPlan& plan = plans[index];
    const auto mark = builder.mark();
    const size_t commit_cond_before = commit_cond.size();
    const uint32_t first = builder.steps();
    for (const storage::Step& step : plan.steps) {
      std::string_view step_cond = unguarded;
      if (step.guard >= 0) {
        cond.clear();
        const uint32_t guard = first + static_cast<uint32_t>(step.guard);
        if (limits.autocommit_cond) {
          cond += R"({"type":"and","conds":[)";
          hrana::AppendCondOk(guard, &cond);
          cond += ',';
          cond += in_txn;
          cond += "]}";
        } else {
          hrana::AppendCondOk(guard, &cond);
        }
        step_cond = cond;
      }
      const uint32_t at = builder.AddQuotedStep(QuotedSql(step.statement), step.args, step_cond);
      if (!step.claim) {
        commit_cond += ',';
        hrana::AppendCondNotError(at, &commit_cond);
      }
    }
    if (taken > 0 &&
        (builder.bytes() + commit_cond.size() + kTrailerBytes > limits.max_request_bytes ||
         builder.steps() + 2 > limits.max_steps)) {
      builder.Rewind(mark);
      commit_cond.resize(commit_cond_before);
      break;
    }
    out->records.push_back(index);
    out->first_step.push_back(first);
    ++taken;
  }
  commit_cond += "]}";
  out->commit_step = builder.AddQuotedStep(QuotedSql("COMMIT"), {}, commit_cond);
  cond.clear();
  cond += R"({"type":"not","cond":)";
  hrana::AppendCondOk(out->commit_step, &cond);
  cond += '}';
  out->rollback_step = builder.AddQuotedStep(QuotedSql("ROLLBACK"), {}, cond);
  out->step_count = builder.steps();
  builder.EndBatch();
  if (limits.send_close) {
    builder.AddClose();
  }
  out->body = builder.Finish();
  return taken;
}

BatchVerdict InterpretTransaction(const EncodedBatch& batch,
                                  std::span<const storage::RecordPlan> plans,
                                  const hrana::StreamResult& result) {
  BatchVerdict verdict;
  if (!result.ok) {
    verdict.status = ClassifyError(result.error);
    return verdict;
  }
  if (result.type != "batch" || result.steps.size() != batch.step_count) {
    verdict.status = Status::Internal(
        fmt::format("Hrana batch answered with type '{}' and {} step results, expected {}",
                    result.type, result.steps.size(), batch.step_count));
    return verdict;
  }
  const std::vector<StepResult>& steps = result.steps;
  if (steps[0].state == StepResult::State::kError) {
    verdict.status = ClassifyError(steps[0].error);
    return verdict;
  }
  const StepResult& commit = steps[batch.commit_step];
  verdict.committed = commit.state == StepResult::State::kOk;
  if (verdict.committed) {
    verdict.results.resize(batch.records.size());
  }
  Status batch_error;
  for (size_t r = 0; r < batch.records.size(); ++r) {
    const storage::RecordPlan& plan = plans[batch.records[r]];
    for (size_t j = 0; j < plan.steps.size(); ++j) {
      const StepResult& step = steps[batch.first_step[r] + j];
      if (step.state != StepResult::State::kError) {
        continue;
      }
      const storage::Step& planned = plan.steps[j];
      Status status = ClassifyError(step.error);
      if (planned.claim && status.code() == StatusCode::kAlreadyExists) {
        if (verdict.committed && j == 0 && plan.has_key_claim) {
          verdict.results[r].outcome = RecordOutcome::kDuplicate;
        }
        continue;
      }
      if (verdict.committed) {
        // Only a claim can fail without stopping COMMIT. Its dependents were skipped, but the
        // record's unguarded steps (if any) are committed: report it, loudly.
        TC_LOG(kError, "hrana",
               "claim step {} of record {} failed: {}; the record's other "
               "steps are committed",
               storage::StatementName(planned.statement), batch.records[r], status.ToString());
        verdict.results[r].outcome = RecordOutcome::kRefused;
        verdict.results[r].message = RefusalMessage(planned.statement, status);
        break;
      }
      if (status.code() == StatusCode::kFailedPrecondition ||
          status.code() == StatusCode::kAlreadyExists) {
        verdict.refused.emplace_back(batch.records[r], RefusalMessage(planned.statement, status));
        break;
      }
      KeepWorse(std::move(status), &batch_error);
    }
  }
  if (verdict.committed) {
    return verdict;
  }
  if (!batch_error.ok()) {
    verdict.refused.clear();
    verdict.status = std::move(batch_error);
    return verdict;
  }
  if (!verdict.refused.empty()) {
    return verdict;
  }
  if (commit.state == StepResult::State::kError) {
    Status status = ClassifyError(commit.error);
    verdict.status = IsRetryable(status)
                         ? std::move(status)
                         : Status::Internal(fmt::format("COMMIT failed: {}", status.message()));
    return verdict;
  }
  verdict.status = Status::Internal("COMMIT was skipped although no step failed");
  return verdict;
}

}  // namespace tc::sink
