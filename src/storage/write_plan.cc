#include "storage/write_plan.h"

#include <simdjson.h>

#include <cmath>
#include <limits>
#include <type_traits>

#include "common/check.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "storage/statements.h"

namespace tc::storage {
namespace {

using S = StatementId;

// Argument setters: assign in place so a reused slot keeps its string buffer.
void Set(SqlValue& slot, std::string_view v) {
  if (auto* s = std::get_if<std::string>(&slot)) {
    s->assign(v.data(), v.size());
  } else {
    slot.emplace<std::string>(v);
  }
}
void Set(SqlValue& slot, const std::string& v) { Set(slot, std::string_view(v)); }
void Set(SqlValue& slot, const char* v) { Set(slot, std::string_view(v)); }
void Set(SqlValue& slot, std::monostate) { slot.emplace<std::monostate>(); }
void Set(SqlValue& slot, int64_t v) { slot.emplace<int64_t>(v); }
void Set(SqlValue& slot, double v) { slot.emplace<double>(v); }
void Set(SqlValue& slot, const schema::OptString& v) {
  if (v) {
    Set(slot, std::string_view(*v));
  } else {
    Set(slot, std::monostate{});
  }
}
void Set(SqlValue& slot, const schema::OptInt& v) {
  if (v) {
    Set(slot, *v);
  } else {
    Set(slot, std::monostate{});
  }
}
void Set(SqlValue& slot, const schema::OptDouble& v) {
  if (v) {
    Set(slot, *v);
  } else {
    Set(slot, std::monostate{});
  }
}
void Set(SqlValue& slot, const schema::OptBool& v) {  // BOOLEAN columns hold 0/1
  if (v) {
    Set(slot, static_cast<int64_t>(*v ? 1 : 0));
  } else {
    Set(slot, std::monostate{});
  }
}

// Appends steps to a plan, reusing the Step objects (and their argument vectors) already there.
class Builder {
 public:
  Builder(RecordPlan* plan, bool keyed) : plan_(plan), guard_(keyed ? 0 : -1) {
    plan_->has_key_claim = keyed;
    plan_->keyed_row = -1;
    plan_->moves_sessions = false;
  }
  ~Builder() { plan_->steps.resize(count_); }
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  // The guard of every step after the idempotency claim: the claim itself, or none.
  int32_t base() const { return guard_; }

  template <typename... Args>
  int32_t Add(StatementId id, int32_t guard, bool claim, const Args&... args) {
    if (count_ == plan_->steps.size()) {
      plan_->steps.emplace_back();
    }
    Step& step = plan_->steps[count_];
    step.statement = id;
    step.guard = guard;
    step.claim = claim;
    step.kind = StatementKind(id);
    if (step.kind == StepKind::kMoveSession) {
      plan_->moves_sessions = true;
    }
    if (step.kind == StepKind::kSetKeyRowId) {
      TC_DCHECK(count_ > 0 && plan_->steps[count_ - 1].kind == StepKind::kInsertRow);
      plan_->keyed_row = static_cast<int32_t>(count_) - 1;
    }
    step.args.resize(sizeof...(Args));
    size_t i = 0;
    (Set(step.args[i++], args), ...);
    TC_DCHECK(static_cast<int>(sizeof...(Args)) == StatementParamCount(id));
    return static_cast<int32_t>(count_++);
  }

  // Steps run whenever the record is not a duplicate.
  template <typename... Args>
  int32_t Then(StatementId id, const Args&... args) {
    return Add(id, guard_, false, args...);
  }

 private:
  RecordPlan* plan_;
  int32_t guard_;
  size_t count_ = 0;
};

std::string_view OrNow(const schema::OptString& value, std::string_view now) {
  return value ? std::string_view(*value) : now;
}

// The model name as a JSON string (tc_models holds a JSON array of them); NULL when the event
// names none.
schema::OptString ModelJson(const schema::OptString& model) {
  if (!model || model->empty()) return std::nullopt;
  std::string json;
  AppendJsonString(json, *model);
  return json;
}

// The (session_id, step_id) row: a claim insert, and num_timesteps + 1 only if it created it.
void EnsureTimestep(Builder& b, const std::string& session_id, const std::string& step_id,
                    const schema::OptInt& step_index, std::string_view started_at) {
  int32_t claim =
      b.Add(S::kClaimTimestep, b.base(), true, session_id, step_id, step_index, started_at);
  b.Add(S::kCountSessionTimestep, claim, false, session_id);
}

void Plan(Builder& b, const schema::SessionRecord& r, std::string_view now) {
  b.Then(S::kUpsertSession, r.session_id, r.created_at, r.metadata, r.experiment_id, now);
}

void Plan(Builder& b, const schema::SessionEndRecord& r, std::string_view now) {
  b.Then(S::kEnsureSession, r.session_id, now);
  if (r.metadata) {
    b.Then(S::kReplaceSessionMetadata, r.session_id, r.metadata);
  }
  b.Then(S::kCloseTimesteps, r.session_id, OrNow(r.ended_at, now));
}

void Plan(Builder& b, const schema::TimestepRecord& r, std::string_view now) {
  b.Then(S::kEnsureSession, r.session_id, now);
  EnsureTimestep(b, r.session_id, r.step_id, r.step_index, OrNow(r.started_at, now));
  if (r.turn_number || r.started_at || r.completed_at || r.step_metadata || r.step_index) {
    b.Then(S::kFillTimestep, r.session_id, r.step_id, r.turn_number, r.started_at, r.completed_at,
           r.step_metadata, r.step_index);
  }
}

void Plan(Builder& b, const schema::EventRecord& r, std::string_view now, const std::string* key) {
  b.Then(S::kEnsureSession, r.session_id, now);
  if (r.step_id) {
    EnsureTimestep(b, r.session_id, *r.step_id, std::nullopt, now);
  }
  schema::OptDouble cents;
  if (r.cost_usd) {
    cents = UsdToCents(*r.cost_usd);
  }
  b.Then(S::kInsertEvent, r.session_id, r.step_id, schema::EventTypeName(r.event_type),
         r.system_instance_id, r.event_time, r.message_time, OrNow(r.created_at, now), r.model_name,
         r.provider, r.input_tokens, r.output_tokens, r.total_tokens, cents, r.latency_ms,
         r.span_id, r.trace_id, r.call_records, r.reward, r.terminated, r.truncated,
         r.system_state_before, r.system_state_after, r.metadata, r.event_metadata);
  // Both of these read last_insert_rowid() = the new events.id: nothing may insert before them.
  if (key != nullptr) {
    b.Then(S::kSetKeyRowId, *key);
  }
  if (r.event_type == schema::EventType::kEnvironment && r.reward && *r.reward != 0.0) {
    b.Then(S::kInsertEnvironmentReward, r.session_id, r.step_id, *r.reward, r.event_metadata, now);
  }
  // The session's totals (statements.cc, kAddSessionTotalsSql): ?2..?4 are the counters.
  const bool llm_call = r.event_type == schema::EventType::kCais;
  b.Then(S::kCountSessionEvent, r.session_id, int64_t{0}, int64_t{1}, int64_t{0},
         int64_t{llm_call ? 1 : 0}, r.input_tokens.value_or(0), r.output_tokens.value_or(0),
         r.total_tokens.value_or(0), cents.value_or(0.0), r.event_time, r.event_time,
         int64_t{EventMarksError(r) ? 1 : 0}, ModelJson(r.model_name));
  if (r.step_id) {
    b.Then(S::kCountTimestepEvent, r.session_id, *r.step_id);
  }
}

void Plan(Builder& b, const schema::MessageRecord& r, std::string_view now,
          const std::string* key) {
  b.Then(S::kEnsureSession, r.session_id, now);
  if (r.step_id) {
    EnsureTimestep(b, r.session_id, *r.step_id, std::nullopt, now);
  }
  b.Then(S::kInsertMessage, r.session_id, r.step_id, schema::MessageTypeName(r.message_type),
         r.content, OrNow(r.timestamp, now), r.event_time, r.message_time, r.metadata);
  if (key != nullptr) {
    b.Then(S::kSetKeyRowId, *key);
  }
  b.Then(S::kCountSessionMessage, r.session_id);
  if (r.step_id) {
    b.Then(S::kCountTimestepMessage, r.session_id, *r.step_id);
  }
}

void Plan(Builder& b, const schema::ExperimentRecord& r, std::string_view now) {
  b.Then(S::kUpsertExperiment, r.experiment_id, r.name, r.description, r.configuration, r.metadata,
         now);
}

void Plan(Builder& b, const schema::SystemRecord& r, std::string_view now) {
  b.Then(S::kUpsertSystem, r.system_id, r.name, r.system_type, r.description, r.metadata, now);
}

void Plan(Builder& b, const schema::SystemVersionRecord& r, std::string_view now) {
  b.Then(S::kUpsertSystemVersion, r.version_id, r.system_id, r.version_number, r.commit_hash,
         r.configuration, r.metadata, now);
}

void Plan(Builder& b, const schema::OutcomeRewardRecord& r, std::string_view now,
          const std::string* key) {
  b.Then(S::kEnsureSession, r.session_id, now);
  b.Then(S::kInsertOutcomeReward, r.session_id, r.objective_key, r.total_reward,
         r.achievements_count, r.total_steps, now, r.reward_metadata, r.annotation);
  if (key != nullptr) {
    b.Then(S::kSetKeyRowId, *key);
  }
}

void Plan(Builder& b, const schema::EventRewardRecord& r, std::string_view now,
          const std::string* key) {
  b.Then(S::kEnsureSession, r.session_id, now);
  b.Then(S::kInsertEventReward, r.session_id, r.event_id, r.event_ref, r.message_id, r.message_ref,
         r.turn_number, r.objective_key, r.reward_value, r.reward_type, r.key, r.annotation,
         r.source, now);
  if (key != nullptr) {
    b.Then(S::kSetKeyRowId, *key);
  }
}

void Plan(Builder& b, const schema::TraceLinkRecord& r, std::string_view now) {
  if (!r.session_id.empty()) {
    b.Then(S::kLinkTrace, r.trace_id, r.session_id, now);
  }
  // The moves run only when kMoveDue's claim succeeds (there is something to move).
  const int32_t due = b.Add(S::kMoveDue, b.base(), /*claim=*/true, r.trace_id, r.from_session_id);
  for (StatementId id :
       {S::kMoveSessionEnsure, S::kMoveSessionTotals, S::kMoveEventSteps, S::kMoveMessageSteps,
        S::kMoveStepCounters, S::kMoveDropSharedSteps, S::kMoveSteps, S::kMoveEvents,
        S::kMoveMessages, S::kMoveOutcomeRewards, S::kMoveEventRewards, S::kMoveSessionDrop}) {
    b.Add(id, due, /*claim=*/false, r.trace_id, r.from_session_id);
  }
}

}  // namespace

std::string_view SessionOf(const Step& step) {
  TC_DCHECK(step.kind == StepKind::kEnsureSession || step.kind == StepKind::kUpsertSession ||
            step.kind == StepKind::kClaimTimestep || step.kind == StepKind::kCount);
  const auto* text = std::get_if<std::string>(&step.args[0]);  // ?1 session_id (statements.cc)
  TC_CHECK(text != nullptr);
  return *text;
}

std::string_view TimestepOf(const Step& step) {
  TC_DCHECK(step.kind == StepKind::kClaimTimestep || step.kind == StepKind::kCount);
  if (step.statement != StatementId::kClaimTimestep &&
      step.statement != StatementId::kCountTimestepEvent &&
      step.statement != StatementId::kCountTimestepMessage) {
    return {};  // a session counter
  }
  const auto* text = std::get_if<std::string>(&step.args[1]);  // ?2 step_id (statements.cc)
  TC_CHECK(text != nullptr);
  return *text;
}

double UsdToCents(double usd) {
  const double cents = usd * 100.0;
  if (!std::isfinite(cents) || cents / 100.0 == usd) {
    return cents;
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double up = cents;
  double down = cents;
  for (int i = 0; i < 2; ++i) {
    up = std::nextafter(up, kInf);
    if (up / 100.0 == usd) {
      return up;
    }
    down = std::nextafter(down, -kInf);
    if (down / 100.0 == usd) {
      return down;
    }
  }
  return cents;
}

void PlanRecordInto(const schema::Record& record, std::string_view now_iso, RecordPlan* plan) {
  const bool keyed = !record.key.empty();
  Builder b(plan, keyed);
  if (keyed) {
    b.Add(S::kClaimKey, -1, true, record.key, schema::RecordTypeName(record.body), now_iso);
  }
  const std::string* key = keyed ? &record.key : nullptr;
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, schema::EventRecord> ||
                      std::is_same_v<T, schema::MessageRecord> ||
                      std::is_same_v<T, schema::OutcomeRewardRecord> ||
                      std::is_same_v<T, schema::EventRewardRecord>) {
          Plan(b, body, now_iso, key);
        } else {
          Plan(b, body, now_iso);
        }
      },
      record.body);
}

RecordPlan PlanRecord(const schema::Record& record, std::string_view now_iso) {
  RecordPlan plan;
  PlanRecordInto(record, now_iso, &plan);
  return plan;
}

namespace {

// "error", "failed", "failure" or "timeout", in any case.
bool IsErrorWord(std::string_view text) {
  for (std::string_view word : {"error", "failed", "failure", "timeout"}) {
    if (EqualsIgnoreCase(text, word)) return true;
  }
  return false;
}

// A member that is present and says something: not null, false, "" or 0.
bool Says(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return false;
    case simdjson::dom::element_type::BOOL:
      return value.get_bool().value_unsafe();
    case simdjson::dom::element_type::STRING:
      return !value.get_string().value_unsafe().empty();
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return value.get_double().value_unsafe() != 0.0;
    default:
      return true;
  }
}

// {"error": <something>} or {"status"|"outcome": "error"|"failed"|...}.
bool ObjectMarksError(simdjson::dom::element value) {
  simdjson::dom::object object;
  if (value.get(object) != simdjson::SUCCESS) return false;
  for (auto field : object) {
    if (field.key == "error") {
      if (Says(field.value)) return true;
    } else if (field.key == "status" || field.key == "outcome") {
      std::string_view text;
      if (field.value.get(text) == simdjson::SUCCESS && IsErrorWord(text)) return true;
    }
  }
  return false;
}

bool MayMention(const schema::JsonText& json) {
  if (!json || json->empty()) return false;
  for (std::string_view word : {"rror", "ail", "imeout", "RROR", "AIL", "IMEOUT"}) {
    if (json->find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

bool EventMarksError(const schema::EventRecord& event) {
  const bool metadata = MayMention(event.metadata);
  const bool calls = MayMention(event.call_records);
  if (!metadata && !calls) return false;  // the usual case: no parse at all
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (metadata && parser.parse(*event.metadata).get(root) == simdjson::SUCCESS &&
      ObjectMarksError(root)) {
    return true;
  }
  simdjson::dom::array records;
  if (calls && parser.parse(*event.call_records).get(records) == simdjson::SUCCESS) {
    for (simdjson::dom::element record : records) {
      if (ObjectMarksError(record)) return true;
    }
  }
  return false;
}

EventTotals EventTotalsOf(const Step& step) {
  TC_DCHECK(step.statement == StatementId::kCountSessionEvent && step.args.size() == 13);
  const auto integer = [&](size_t i) {
    const auto* v = std::get_if<int64_t>(&step.args[i]);
    return v != nullptr ? *v : 0;
  };
  EventTotals t;
  t.llm_calls = integer(4);  // ?5 .. ?12 (statements.cc, kAddSessionTotalsSql)
  t.input_tokens = integer(5);
  t.output_tokens = integer(6);
  t.total_tokens = integer(7);
  if (const auto* cents = std::get_if<double>(&step.args[8])) t.cost_cents = *cents;
  if (const auto* time = std::get_if<double>(&step.args[9])) t.event_time = *time;
  t.errors = integer(11);
  if (const auto* model = std::get_if<std::string>(&step.args[12])) t.model_json = *model;
  return t;
}

}  // namespace tc::storage
