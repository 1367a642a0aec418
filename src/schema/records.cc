#include "schema/records.h"

#include <algorithm>
#include <string_view>
#include <type_traits>

namespace tc::schema {

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kCais: return "cais";
    case EventType::kEnvironment: return "environment";
    case EventType::kRuntime: return "runtime";
  }
  return "runtime";
}

const char* MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kUser: return "user";
    case MessageType::kAssistant: return "assistant";
    case MessageType::kSystem: return "system";
    case MessageType::kToolUse: return "tool_use";
    case MessageType::kToolResult: return "tool_result";
  }
  return "user";
}

bool ParseEventType(std::string_view text, EventType* out) {
  if (text == "cais") { *out = EventType::kCais; return true; }
  if (text == "environment") { *out = EventType::kEnvironment; return true; }
  if (text == "runtime") { *out = EventType::kRuntime; return true; }
  return false;
}

bool ParseMessageType(std::string_view text, MessageType* out) {
  if (text == "user") { *out = MessageType::kUser; return true; }
  if (text == "assistant") { *out = MessageType::kAssistant; return true; }
  if (text == "system") { *out = MessageType::kSystem; return true; }
  if (text == "tool_use") { *out = MessageType::kToolUse; return true; }
  if (text == "tool_result") { *out = MessageType::kToolResult; return true; }
  return false;
}

const char* RecordTypeName(const RecordBody& body) {
  return std::visit(
      [](const auto& r) -> const char* {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, SessionRecord>) return "session";
        if constexpr (std::is_same_v<T, SessionEndRecord>) return "session_end";
        if constexpr (std::is_same_v<T, TimestepRecord>) return "timestep";
        if constexpr (std::is_same_v<T, EventRecord>) return "event";
        if constexpr (std::is_same_v<T, MessageRecord>) return "message";
        if constexpr (std::is_same_v<T, ExperimentRecord>) return "experiment";
        if constexpr (std::is_same_v<T, SystemRecord>) return "system";
        if constexpr (std::is_same_v<T, SystemVersionRecord>) return "system_version";
        if constexpr (std::is_same_v<T, OutcomeRewardRecord>) return "outcome_reward";
        if constexpr (std::is_same_v<T, EventRewardRecord>) return "event_reward";
        if constexpr (std::is_same_v<T, TraceLinkRecord>) return "trace_link";
      },
      body);
}

namespace {
// A heap string costs the allocator's chunk for capacity + 1 bytes (glibc: 8-byte header,
// 16-byte granularity, 32-byte minimum); short strings live inside the object (SSO).
size_t Heap(const std::string& s) {
  if (s.capacity() <= 15) {
    return 0;
  }
  return std::max<size_t>(32, (s.capacity() + 1 + 8 + 15) & ~size_t{15});
}
size_t Heap(const std::optional<std::string>& s) { return s ? Heap(*s) : 0; }
template <typename T>
size_t Heap(const T&) { return 0; }
template <typename... Fields>
size_t Sum(const Fields&... fields) { return (Heap(fields) + ... + 0); }
}  // namespace

size_t ApproximateSize(const Record& record) {
  size_t strings = std::visit(
      [](const auto& r) -> size_t {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, EventRecord>) {
          return Sum(r.session_id, r.step_id, r.system_instance_id, r.created_at, r.model_name,
                     r.provider, r.span_id, r.trace_id, r.call_records, r.system_state_before,
                     r.system_state_after, r.metadata, r.event_metadata);
        } else if constexpr (std::is_same_v<T, MessageRecord>) {
          return Sum(r.session_id, r.step_id, r.content, r.timestamp, r.metadata);
        } else if constexpr (std::is_same_v<T, SessionRecord>) {
          return Sum(r.session_id, r.created_at, r.metadata, r.experiment_id);
        } else if constexpr (std::is_same_v<T, SessionEndRecord>) {
          return Sum(r.session_id, r.ended_at, r.metadata);
        } else if constexpr (std::is_same_v<T, TimestepRecord>) {
          return Sum(r.session_id, r.step_id, r.started_at, r.completed_at, r.step_metadata);
        } else if constexpr (std::is_same_v<T, ExperimentRecord>) {
          return Sum(r.experiment_id, r.name, r.description, r.configuration, r.metadata);
        } else if constexpr (std::is_same_v<T, SystemRecord>) {
          return Sum(r.system_id, r.name, r.system_type, r.description, r.metadata);
        } else if constexpr (std::is_same_v<T, SystemVersionRecord>) {
          return Sum(r.version_id, r.system_id, r.version_number, r.commit_hash, r.configuration,
                     r.metadata);
        } else if constexpr (std::is_same_v<T, OutcomeRewardRecord>) {
          return Sum(r.session_id, r.objective_key, r.reward_metadata, r.annotation);
        } else if constexpr (std::is_same_v<T, TraceLinkRecord>) {
          return Sum(r.trace_id, r.session_id, r.from_session_id);
        } else {
          return Sum(r.session_id, r.event_ref, r.message_ref, r.objective_key, r.reward_type,
                     r.key, r.annotation, r.source);
        }
      },
      record.body);
  return sizeof(Record) + Heap(record.key) + strings;
}

}  // namespace tc::schema
