#include "storage/counter_batch.h"

#include <algorithm>

#include "common/check.h"

namespace tc::storage {

CounterBatch::SessionDelta& CounterBatch::Session(std::string_view session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) {
    it = sessions_.emplace(std::string(session_id), SessionDelta{}).first;
  }
  return it->second;
}

CounterBatch::TimestepDelta& CounterBatch::Timestep(std::string_view session_id,
                                                    std::string_view step_id) {
  key_.assign(session_id);
  key_.push_back('\0');
  key_.append(step_id);
  auto it = timesteps_.find(std::string_view(key_));
  if (it == timesteps_.end()) {
    it = timesteps_.emplace(key_, TimestepDelta{}).first;
  }
  return it->second;
}

void CounterBatch::CommitPending() {
  for (const Step* step : pending_) {
    switch (step->statement) {
      case StatementId::kCountSessionTimestep:
        ++Session(SessionOf(*step)).timesteps;
        break;
      case StatementId::kCountSessionEvent: {
        SessionDelta& d = Session(SessionOf(*step));
        const EventTotals t = EventTotalsOf(*step);
        ++d.events;
        d.llm_calls += t.llm_calls;
        d.input_tokens += t.input_tokens;
        d.output_tokens += t.output_tokens;
        d.total_tokens += t.total_tokens;
        d.cost_cents += t.cost_cents;
        if (t.event_time) {
          if (!d.first_time || *t.event_time < *d.first_time) d.first_time = t.event_time;
          if (!d.last_time || *t.event_time > *d.last_time) d.last_time = t.event_time;
        }
        d.errors += t.errors;
        if (!t.model_json.empty() &&
            std::find(d.models.begin(), d.models.end(), t.model_json) == d.models.end()) {
          d.models.emplace_back(t.model_json);
        }
        break;
      }
      case StatementId::kCountSessionMessage:
        ++Session(SessionOf(*step)).messages;
        break;
      case StatementId::kCountTimestepEvent:
        ++Timestep(SessionOf(*step), TimestepOf(*step)).events;
        break;
      case StatementId::kCountTimestepMessage:
        ++Timestep(SessionOf(*step), TimestepOf(*step)).messages;
        break;
      default:
        TC_CHECK(false && "not a counter step");
    }
  }
  pending_.clear();
}

void CounterBatch::MakeFlushSteps(std::vector<Step>* out) const {
  out->clear();
  out->reserve(sessions_.size() + timesteps_.size());
  const auto time = [](const std::optional<double>& t) -> SqlValue {
    return t ? SqlValue(*t) : SqlValue();
  };
  for (const auto& [session_id, d] : sessions_) {
    if (d.events == 0) {  // no totals changed: the plain counters
      out->push_back(
          Step{StatementId::kAddSessionCounts, {session_id, d.timesteps, d.events, d.messages}});
      continue;
    }
    const SqlValue first_model = d.models.empty() ? SqlValue() : SqlValue(d.models[0]);
    out->push_back(Step{StatementId::kAddSessionCounters,
                        {session_id, d.timesteps, d.events, d.messages, d.llm_calls, d.input_tokens,
                         d.output_tokens, d.total_tokens, d.cost_cents, time(d.first_time),
                         time(d.last_time), d.errors, first_model}});
    for (size_t m = 1; m < d.models.size(); ++m) {  // rare: a session's batch named two models
      const int64_t zero = 0;
      out->push_back(Step{StatementId::kAddSessionCounters,
                          {session_id, zero, zero, zero, zero, zero, zero, zero, 0.0, SqlValue(),
                           SqlValue(), zero, d.models[m]}});
    }
  }
  for (const auto& [key, d] : timesteps_) {
    const size_t split = key.find('\0');
    out->push_back(Step{StatementId::kAddTimestepCounters,
                        {key.substr(0, split), key.substr(split + 1), d.events, d.messages}});
  }
}

void CounterBatch::Clear() {
  pending_.clear();
  sessions_.clear();
  timesteps_.clear();
}

}  // namespace tc::storage
