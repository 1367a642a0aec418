#include "hrana_batch.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/log.h"
#include "hrana_encoder.h"
#include "hrana_errors.h"
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

TransactionEncoder::TransactionEncoder(const HranaBatchLimits& limits, size_t reserve_bytes,
                                       EncodedBatch* out)
    : limits_(limits), out_(out) {
  out_->records.clear();
  out_->first_step.clear();
  out_->steps.clear();
  builder_.Reuse(std::move(out_->body));
  builder_.Reserve(reserve_bytes);
  builder_.BeginBatch();
  builder_.AddStep("BEGIN IMMEDIATE");
  out_->steps.emplace_back();
  // "not is_autocommit" alone also covers a failed BEGIN: on sqld the fresh stream is in
  // autocommit; on tursodb a transaction leaked by another client is rolled back by our
  // ROLLBACK step, together with whatever ran inside it.
  in_txn_ = Cond::Not(Cond::IsAutocommit()).json();
  begin_ok_ = Cond::Ok(0).json();
  commit_cond_ = R"({"type":"and","conds":[)" + begin_ok_;
}

bool TransactionEncoder::Add(size_t index, const storage::RecordPlan& plan) {
  const std::string_view unguarded = limits_.autocommit_cond ? in_txn_ : begin_ok_;
  const auto mark = builder_.mark();
  const size_t commit_cond_before = commit_cond_.size();
  const uint32_t first = builder_.steps();
  for (const storage::Step& step : plan.steps) {
    std::string_view step_cond = unguarded;
    if (step.guard >= 0) {
      cond_.clear();
      const uint32_t guard = first + static_cast<uint32_t>(step.guard);
      if (limits_.autocommit_cond) {
        cond_ += R"({"type":"and","conds":[)";
        hrana::AppendCondOk(guard, &cond_);
        cond_ += ',';
        cond_ += in_txn_;
        cond_ += "]}";
      } else {
        hrana::AppendCondOk(guard, &cond_);
      }
      step_cond = cond_;
    }
    const uint32_t at = builder_.AddQuotedStep(QuotedSql(step.statement), step.args, step_cond);
    if (!step.claim) {
      commit_cond_ += ',';
      hrana::AppendCondNotError(at, &commit_cond_);
    }
  }
  if (taken() > 0 &&
      (builder_.bytes() + commit_cond_.size() + kTrailerBytes > limits_.max_request_bytes ||
       builder_.steps() + 2 > limits_.max_steps)) {
    builder_.Rewind(mark);
    commit_cond_.resize(commit_cond_before);
    return false;
  }
  out_->records.push_back(index);
  out_->first_step.push_back(first);
  for (size_t j = 0; j < plan.steps.size(); ++j) {
    const storage::Step& step = plan.steps[j];
    out_->steps.push_back(
        BatchStep{step.statement, step.claim, step.kind == storage::StepKind::kKeyClaim});
  }
  return true;
}

void TransactionEncoder::Finish() {
  commit_cond_ += "]}";
  out_->commit_step = builder_.AddQuotedStep(QuotedSql("COMMIT"), {}, commit_cond_);
  cond_.clear();
  cond_ += R"({"type":"not","cond":)";
  hrana::AppendCondOk(out_->commit_step, &cond_);
  cond_ += '}';
  out_->rollback_step = builder_.AddQuotedStep(QuotedSql("ROLLBACK"), {}, cond_);
  out_->step_count = builder_.steps();
  out_->steps.resize(out_->step_count);
  builder_.EndBatch();
  if (limits_.send_close) {
    builder_.AddClose();
  }
  out_->body = builder_.Finish();
}

size_t EncodeTransaction(std::span<const storage::RecordPlan> plans,
                         std::span<const size_t> pending, const HranaBatchLimits& limits,
                         EncodedBatch* out) {
  TransactionEncoder encoder(
      limits, std::min(limits.max_request_bytes + (64 << 10), pending.size() * 4096 + 4096), out);
  for (size_t index : pending) {
    if (!encoder.Add(index, plans[index])) {
      break;
    }
  }
  encoder.Finish();
  return encoder.taken();
}

BatchVerdict InterpretTransaction(const EncodedBatch& batch, const hrana::StreamResult& result) {
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
    for (uint32_t at = batch.first_step[r]; at < batch.StepEnd(r); ++at) {
      const StepResult& step = steps[at];
      if (step.state != StepResult::State::kError) {
        continue;
      }
      const BatchStep& planned = batch.steps[at];
      Status status = ClassifyError(step.error);
      if (planned.claim && status.code() == StatusCode::kAlreadyExists) {
        if (verdict.committed && planned.key_claim) {
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
