#include "hrana_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <variant>

#include "common/log.h"
#include "common/time_format.h"
#include "hrana_encoder.h"
#include "hrana_errors.h"
#include "sink/hrana.h"
#include "storage/ddl.h"
#include "storage/schema_apply.h"
#include "storage/statements.h"

namespace tc::sink {
namespace {

constexpr std::string_view kComponent = "hrana";

using hrana::Cond;
using hrana::PipelineBuilder;
using hrana::StepResult;
using hrana::StreamResult;

// BEGIN; each statement (inside the transaction); COMMIT if none failed; ROLLBACK otherwise.
// Returns the COMMIT step.
uint32_t AddDdlTransaction(PipelineBuilder& builder, std::span<const std::string_view> sqls,
                           bool autocommit_cond) {
  builder.BeginBatch();
  builder.AddStep("BEGIN IMMEDIATE");
  const Cond in_txn = autocommit_cond ? Cond::Not(Cond::IsAutocommit()) : Cond::Ok(0);
  std::vector<Cond> commit_conds = {Cond::Ok(0)};
  for (std::string_view sql : sqls) {
    commit_conds.push_back(Cond::Not(Cond::Error(builder.AddStep(sql, {}, &in_txn))));
  }
  const Cond commit_cond = Cond::And(commit_conds);
  const uint32_t commit = builder.AddStep("COMMIT", {}, &commit_cond);
  const Cond rollback_cond = Cond::Not(Cond::Ok(commit));
  builder.AddStep("ROLLBACK", {}, &rollback_cond);
  builder.EndBatch();
  return commit;
}

Status CheckDdlTransaction(const StreamResult& result, uint32_t commit,
                           std::span<const std::string_view> sqls) {
  if (!result.ok) {
    return ClassifyError(result.error);
  }
  if (result.steps.size() != sqls.size() + 3) {
    return Status::Internal("schema batch: unexpected number of step results");
  }
  if (result.steps[commit].state == StepResult::State::kOk) {
    return Status::Ok();
  }
  for (size_t i = 0; i <= commit; ++i) {
    const StepResult& step = result.steps[i];
    if (step.state == StepResult::State::kError) {
      Status status = ClassifyError(step.error);
      std::string_view sql = i == 0 ? "BEGIN" : i == commit ? "COMMIT" : sqls[i - 1];
      std::string message =
          fmt::format("schema statement failed: {} (in: {})", status.message(), sql.substr(0, 120));
      return IsRetryable(status) ? Status(status.code(), std::move(message))
                                 : Status::Internal(std::move(message));
    }
  }
  return Status::Internal("schema transaction did not commit");
}

Status ExecuteResultStatus(const StreamResult& result) {
  return result.ok ? Status::Ok() : ClassifyError(result.error);
}

// A result's rows with each value as text (integers and floats in decimal), NULL as nullopt.
storage::QueryRows RowsAsText(const hrana::StmtResult& result) {
  storage::QueryRows rows;
  for (const auto& row : result.rows) {
    auto& out = rows.emplace_back();
    for (const auto& value : row) {
      if (const auto* text = std::get_if<std::string>(&value)) {
        out.emplace_back(*text);
      } else if (const auto* integer = std::get_if<int64_t>(&value)) {
        out.emplace_back(std::to_string(*integer));
      } else if (const auto* real = std::get_if<double>(&value)) {
        out.emplace_back(fmt::format("{}", *real));
      } else {
        out.emplace_back(std::nullopt);
      }
    }
  }
  return rows;
}

}  // namespace

Result<SinkPtr> CreateHranaSink(const config::SqldConfig& sqld, std::string url) {
  TC_ASSIGN_OR_RETURN(std::unique_ptr<HranaSink> sink,
                      HranaSink::Create(HranaSinkOptionsFromConfig(sqld, std::move(url))));
  return SinkPtr(std::move(sink));
}

HranaSinkOptions HranaSinkOptionsFromConfig(const config::SqldConfig& sqld, std::string url) {
  HranaSinkOptions options;
  options.client.url = std::move(url);
  options.client.pool.auth_token = sqld.auth_token;
  options.client.pool.size = sqld.pool_size;
  options.client.pool.timeout_ms = sqld.timeout_ms;
  options.client.pool.tls_verify = sqld.tls_verify;
  options.echo_sql = sqld.echo_sql;
  return options;
}

HranaSink::HranaSink(PassKey, HranaSinkOptions options, std::unique_ptr<HranaClient> client)
    : options_(std::move(options)),
      client_(std::move(client)),
      last_checkpoint_(std::chrono::steady_clock::now()) {}

HranaSink::~HranaSink() = default;

Result<std::unique_ptr<HranaSink>> HranaSink::Create(const HranaSinkOptions& options) {
  TC_ASSIGN_OR_RETURN(std::unique_ptr<HranaClient> client, HranaClient::Create(options.client));
  return std::make_unique<HranaSink>(PassKey{}, options, std::move(client));
}

Status HranaSink::Open() {
  TC_ASSIGN_OR_RETURN(HranaDialect dialect, client_->DetectDialect());
  limits_.max_request_bytes = options_.max_request_bytes;
  limits_.max_steps = options_.max_steps_per_request;
  limits_.autocommit_cond = dialect.autocommit_cond;
  limits_.send_close = dialect.send_close;
  TC_RETURN_IF_ERROR(ApplySchema());
  opened_ = true;
  TC_LOG(kInfo, kComponent, "{} ready (schema version {})", Describe(), storage::kSchemaVersion);
  return Status::Ok();
}

Status HranaSink::ApplySchema() {
  // storage::ApplySchema over this sink's client: a transaction or the queries are one pipeline
  // request each.
  class Executor : public storage::SchemaExecutor {
   public:
    explicit Executor(HranaSink& sink) : sink_(sink) {}
    Status RunTransaction(std::span<const std::string_view> statements) override {
      PipelineBuilder builder;
      const uint32_t commit =
          AddDdlTransaction(builder, statements, sink_.client_->dialect().autocommit_cond);
      if (sink_.client_->dialect().send_close) {
        builder.AddClose();
      }
      const std::string body = builder.Finish();
      TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, sink_.client_->Pipeline(body));
      if (response.results.empty()) {
        return Status::Internal("schema pipeline: missing results");
      }
      return CheckDdlTransaction(response.results[0], commit, statements);
    }
    Result<std::vector<storage::QueryRows>> Query(
        std::span<const std::string_view> queries) override {
      PipelineBuilder builder;
      for (std::string_view sql : queries) {
        builder.AddExecute(sql);
      }
      if (sink_.client_->dialect().send_close) {
        builder.AddClose();
      }
      const std::string body = builder.Finish();
      TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, sink_.client_->Pipeline(body));
      if (response.results.size() < queries.size()) {
        return Status::Internal("schema pipeline: missing results");
      }
      std::vector<storage::QueryRows> out;
      for (size_t i = 0; i < queries.size(); ++i) {
        TC_RETURN_IF_ERROR(ExecuteResultStatus(response.results[i]));
        out.push_back(RowsAsText(response.results[i].execute));
      }
      return out;
    }
    std::string Describe() const override { return sink_.Describe(); }

   private:
    HranaSink& sink_;
  };
  Executor executor(*this);
  // No message index on sqld (embedded.message_index is the embedded backend's): q= scans.
  TC_ASSIGN_OR_RETURN(storage::SchemaApplied applied,
                      storage::ApplySchema(executor, {.message_index = false}));
  if (applied.migration_statements > 0) {
    TC_LOG(kInfo, kComponent, "migrated the reward tables to synth-ai G3 ({} statements)",
           applied.migration_statements);
  }
  if (!applied.message_index_error.empty()) {
    TC_LOG(kInfo, kComponent,
           "the server has no FTS5 ({}): the read API's q= scans recent messages instead",
           applied.message_index_error);
  }
  return Status::Ok();
}

Status HranaSink::Write(std::span<const schema::Record> records,
                        std::vector<RecordResult>* results) {
  results->assign(records.size(), RecordResult{});
  if (!opened_) {
    return Status::FailedPrecondition("HranaSink::Write before a successful Open()");
  }
  if (records.empty()) {
    return Status::Ok();
  }
  const std::string now = NowIsoUtc();
  pending_.resize(records.size());
  std::iota(pending_.begin(), pending_.end(), size_t{0});

  size_t from = 0;
  uint32_t parts = 0;
  while (from < pending_.size()) {
    const std::span<const size_t> rest(pending_.data() + from, pending_.size() - from);
    const size_t taken = Encode(records, rest, now);
    ++parts;
    Status status = SendTransaction(records, now, results);
    if (!status.ok()) {
      if (from > 0) {
        TC_LOG(kWarn, kComponent,
               "batch of {} records was split; its first {} records are "
               "committed, the rest failed: {}",
               records.size(), from, status.ToString());
      }
      return status;
    }
    from += taken;
  }
  if (parts > 1) {
    ++stats_.split_batches;
  }
  MaybeCheckpoint();
  return Status::Ok();
}

size_t HranaSink::Encode(std::span<const schema::Record> records, std::span<const size_t> indexes,
                         std::string_view now) {
  // Sized from the last request, so a body is not grown by doubling (each doubling holds the
  // old and the new buffer); once grown, batch_.body keeps its storage.
  const size_t reserve = std::min(options_.max_request_bytes + (64 << 10),
                                  bytes_per_record_ * indexes.size() / 8 * 9 + 4096);
  TransactionEncoder encoder(limits_, reserve, &batch_);
  for (size_t index : indexes) {
    storage::PlanRecordInto(records[index], now, &plan_);
    if (!encoder.Add(index, plan_)) {
      break;
    }
    if (options_.echo_sql) {
      EchoSql(plan_);
    }
  }
  encoder.Finish();
  bytes_per_record_ = std::max<size_t>(batch_.body.size() / encoder.taken(), 64);
  return encoder.taken();
}

Status HranaSink::SendTransaction(std::span<const schema::Record> records, std::string_view now,
                                  std::vector<RecordResult>* results) {
  while (true) {
    ++stats_.requests;
    TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, client_->Pipeline(batch_.body));
    if (response.results.empty()) {
      return Status::Internal("Hrana pipeline answered no results");
    }
    BatchVerdict verdict = InterpretTransaction(batch_, response.results[0]);
    if (verdict.committed) {
      for (size_t r = 0; r < batch_.records.size(); ++r) {
        (*results)[batch_.records[r]] = std::move(verdict.results[r]);
      }
      return Status::Ok();
    }
    if (verdict.refused.empty()) {
      return verdict.status;
    }
    // The transaction was rolled back: drop the refused records and send the others again.
    keep_.clear();
    size_t next_refused = 0;
    for (size_t index : batch_.records) {
      if (next_refused < verdict.refused.size() && verdict.refused[next_refused].first == index) {
        RecordResult& result = (*results)[index];
        result.outcome = RecordOutcome::kRefused;
        result.message = std::move(verdict.refused[next_refused].second);
        ++next_refused;
      } else {
        keep_.push_back(index);
      }
    }
    if (keep_.empty()) {
      return Status::Ok();
    }
    ++stats_.resends;
    // Fewer records than a request that fitted the limits: they all fit again.
    if (Encode(records, keep_, now) != keep_.size()) {
      return Status::Internal("re-encoding a batch without its refused records lost records");
    }
  }
}

void HranaSink::EchoSql(const storage::RecordPlan& plan) const {
  for (const storage::Step& step : plan.steps) {
    TC_LOG(kInfo, "sql", "{} -- {} args{}{}", storage::StatementSql(step.statement),
           step.args.size(), step.claim ? ", claim" : "",
           step.guard >= 0 ? fmt::format(", guard {}", step.guard) : std::string());
  }
}

void HranaSink::MaybeCheckpoint() {
  if (!client_->dialect().needs_checkpoint) {
    return;
  }
  ++batches_since_checkpoint_;
  const auto now = std::chrono::steady_clock::now();
  const bool by_count = options_.checkpoint_every_batches != 0 &&
                        batches_since_checkpoint_ >= options_.checkpoint_every_batches;
  const bool by_time =
      options_.checkpoint_interval_ms != 0 &&
      now - last_checkpoint_ >= std::chrono::milliseconds(options_.checkpoint_interval_ms);
  if (!by_count && !by_time) {
    return;
  }
  batches_since_checkpoint_ = 0;
  last_checkpoint_ = now;
  Result<hrana::StmtResult> result = client_->Execute("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!result.has_value()) {
    TC_LOG(kWarn, kComponent, "WAL checkpoint failed (will retry later): {}",
           result.error().ToString());
    return;
  }
  ++stats_.checkpoints;
  TC_LOG(kDebug, kComponent, "WAL checkpoint done");
}

Status HranaSink::Ping() { return client_->Ping(); }

std::string HranaSink::Describe() const { return "sqld:" + client_->base_url(); }

}  // namespace tc::sink
