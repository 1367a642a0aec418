// HranaSink: deleting sessions (retention, DELETE /v1/sessions/{id}).

#include <fmt/format.h>

#include <variant>

#include "common/log.h"
#include "hrana_encoder.h"
#include "hrana_errors.h"
#include "hrana_sink.h"
#include "storage/retention.h"

namespace tc::sink {
namespace {

using hrana::Cond;
using hrana::PipelineBuilder;
using hrana::StepResult;
using hrana::StreamResult;

DeletedRows ToDeletedRows(const storage::DeletedRowCounts& counts) {
  DeletedRows out;
  out.sessions = counts.sessions();
  const auto names = storage::SessionTableNames();
  for (size_t i = 0; i < names.size(); ++i) {
    out.tables.emplace_back(std::string(names[i]), counts.rows[i]);
  }
  return out;
}

std::optional<std::string> AsText(const storage::SqlValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    return *text;
  }
  if (const auto* integer = std::get_if<int64_t>(&value)) {
    return std::to_string(*integer);
  }
  if (const auto* real = std::get_if<double>(&value)) {
    return fmt::format("{}", *real);
  }
  return std::nullopt;
}

}  // namespace

// storage::MaintenanceExecutor over the sink's client: a query is one execute request, a
// transaction one batch request (the shape of the schema's transactions).
class HranaSink::Maintenance : public storage::MaintenanceExecutor {
 public:
  explicit Maintenance(HranaSink& sink) : sink_(sink) {}

  Result<storage::QueryRows> Query(std::string_view sql,
                                   std::span<const storage::SqlValue> args) override {
    PipelineBuilder builder;
    builder.AddExecute(sql, args);
    if (sink_.client_->dialect().send_close) {
      builder.AddClose();
    }
    const std::string body = builder.Finish();
    TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, sink_.client_->Pipeline(body));
    if (response.results.empty()) {
      return Status::Internal("retention query: missing result");
    }
    const StreamResult& result = response.results[0];
    if (!result.ok) {
      return ClassifyError(result.error);
    }
    storage::QueryRows rows;
    for (const auto& row : result.execute.rows) {
      auto& out = rows.emplace_back();
      for (const auto& value : row) {
        out.push_back(AsText(value));
      }
    }
    return rows;
  }

  Status RunTransaction(std::span<const storage::BoundStatement> statements) override {
    PipelineBuilder builder;
    builder.BeginBatch();
    builder.AddStep("BEGIN IMMEDIATE");
    const Cond in_txn =
        sink_.client_->dialect().autocommit_cond ? Cond::Not(Cond::IsAutocommit()) : Cond::Ok(0);
    // Each statement runs only if the one before it succeeded; COMMIT only after the last.
    uint32_t last = 0;
    for (const storage::BoundStatement& statement : statements) {
      const Cond conds[] = {in_txn, Cond::Ok(last)};
      const Cond cond = Cond::And(conds);
      last = builder.AddStep(statement.sql, statement.args, &cond);
    }
    const Cond commit_cond = Cond::Ok(last);
    const uint32_t commit = builder.AddStep("COMMIT", {}, &commit_cond);
    const Cond rollback_cond = Cond::Not(Cond::Ok(commit));
    builder.AddStep("ROLLBACK", {}, &rollback_cond);
    builder.EndBatch();
    if (sink_.client_->dialect().send_close) {
      builder.AddClose();
    }
    const std::string body = builder.Finish();
    TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, sink_.client_->Pipeline(body));
    if (response.results.empty()) {
      return Status::Internal("retention transaction: missing result");
    }
    const StreamResult& result = response.results[0];
    if (!result.ok) {
      return ClassifyError(result.error);
    }
    if (result.steps.size() != statements.size() + 3) {
      return Status::Internal("retention transaction: unexpected number of step results");
    }
    if (result.steps[commit].state == StepResult::State::kOk) {
      return Status::Ok();
    }
    for (size_t i = 0; i <= commit; ++i) {
      if (result.steps[i].state == StepResult::State::kError) {
        Status status = ClassifyError(result.steps[i].error);
        std::string_view sql = i == 0 ? "BEGIN" : i == commit ? "COMMIT" : statements[i - 1].sql;
        return Status(status.code(),
                      fmt::format("deleting sessions: {} (in: {:.80})", status.message(), sql));
      }
    }
    return Status::Unavailable("deleting sessions: the transaction did not commit");
  }

 private:
  HranaSink& sink_;
};

Status HranaSink::DeleteSession(std::string_view session_id, DeletedRows* deleted) {
  *deleted = DeletedRows{};
  if (!opened_) {
    return Status::FailedPrecondition("HranaSink::DeleteSession before a successful Open()");
  }
  Maintenance db(*this);
  const std::string id(session_id);
  TC_ASSIGN_OR_RETURN(storage::DeletedRowCounts counts,
                      storage::DeleteSessions(db, std::span<const std::string>(&id, 1)));
  if (counts.sessions() == 0) {
    return Status::NotFound(fmt::format("no session '{}'", session_id));
  }
  *deleted = ToDeletedRows(counts);
  return Status::Ok();
}

Status HranaSink::Retain(const RetentionPolicy& policy, RetentionPass* pass) {
  *pass = RetentionPass{};
  if (!opened_) {
    return Status::FailedPrecondition("HranaSink::Retain before a successful Open()");
  }
  Maintenance db(*this);
  // The size of a server's database is not measured: max_db_bytes does not apply here.
  TC_ASSIGN_OR_RETURN(storage::RetentionOutcome outcome,
                      storage::RunRetentionPass(db, policy.created_before, /*over_size=*/false,
                                                policy.max_sessions));
  pass->deleted = ToDeletedRows(outcome.deleted);
  pass->oldest_session_unix = outcome.oldest_session_unix;
  pass->more = outcome.selected >= policy.max_sessions;
  if (outcome.selected > 0) {
    MaybeCheckpoint();
  }
  return Status::Ok();
}

}  // namespace tc::sink
