#pragma once

// Sums the counter increments of the plans executed in one transaction, so a sink can apply
// them with one UPDATE per session and per timestep before COMMIT instead of one per record.
// The result is the same as running each increment step where the plan has it: nothing in a
// plan reads the counters, and only increments whose guard passed are added.
//
// Usage per record: run the plan, but hand every kCount step whose guard passed to
// AddPending() instead of executing it; then CommitPending() if the record is kept, or
// DropPending() if it is rolled back. Before COMMIT: MakeFlushSteps(), execute them, Clear().
// Not thread-safe; reuse one instance per writer (it keeps its buffers).

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/statements.h"
#include "storage/write_plan.h"

namespace tc::storage {

class CounterBatch {
 public:
  // `step` (kind StepKind::kCount) belongs to the record being executed. The step must stay alive and
  // unchanged until CommitPending() / DropPending().
  void AddPending(const Step& step) { pending_.push_back(&step); }
  void CommitPending();
  void DropPending() { pending_.clear(); }

  bool empty() const { return sessions_.empty() && timesteps_.empty(); }

  // Replaces `*out` with the kAddSessionCounters / kAddTimestepCounters steps (no guards) that
  // apply the committed sums: one per session (plus one per further model the session's events
  // named in the batch) and one per timestep.
  void MakeFlushSteps(std::vector<Step>* out) const;

  // Forgets everything (new transaction, or the transaction was rolled back).
  void Clear();

 private:
  struct SessionDelta {
    int64_t timesteps = 0;
    int64_t events = 0;
    int64_t messages = 0;
    int64_t llm_calls = 0;
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t total_tokens = 0;
    double cost_cents = 0;
    std::optional<double> first_time;
    std::optional<double> last_time;
    int64_t errors = 0;
    std::vector<std::string> models;  // JSON strings, distinct, in order of arrival
  };
  struct TimestepDelta {
    int64_t events = 0;
    int64_t messages = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, SessionDelta, Hash, std::equal_to<>>;

  SessionDelta& Session(std::string_view session_id);
  TimestepDelta& Timestep(std::string_view session_id, std::string_view step_id);

  std::vector<const Step*> pending_;
  Map sessions_;
  // Key: session_id + '\0' + step_id.
  std::unordered_map<std::string, TimestepDelta, Hash, std::equal_to<>> timesteps_;
  std::string key_;  // scratch
};

}  // namespace tc::storage
