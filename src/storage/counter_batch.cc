#include "storage/counter_batch.h"

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
      case StatementId::kCountSessionEvent:
        ++Session(SessionOf(*step)).events;
        break;
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
  for (const auto& [session_id, d] : sessions_) {
    out->push_back(
        Step{StatementId::kAddSessionCounters, {session_id, d.timesteps, d.events, d.messages}});
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
