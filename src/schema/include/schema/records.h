#pragma once

// The decoded trace records: plain data, one struct per wire `type` of the v1 contract
// (docs/api.md, proto/tracecollector/v1/records.proto). Produced by ingest/, turned into SQL by
// storage/. Field names are synth-ai's column names. JSON-valued fields hold compact JSON text
// exactly as it is stored in the TEXT column; an absent optional is stored as NULL.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tc::schema {

using OptString = std::optional<std::string>;
using OptInt = std::optional<int64_t>;
using OptDouble = std::optional<double>;
using OptBool = std::optional<bool>;
// Compact JSON text (object, array or scalar) for a TEXT column; nullopt → NULL.
using JsonText = std::optional<std::string>;

enum class EventType { kCais, kEnvironment, kRuntime };      // events.event_type CHECK values
enum class MessageType { kUser, kAssistant, kSystem, kToolUse, kToolResult };

const char* EventTypeName(EventType type);      // "cais" | "environment" | "runtime"
const char* MessageTypeName(MessageType type);  // "user" | ... | "tool_result"
bool ParseEventType(std::string_view text, EventType* out);
bool ParseMessageType(std::string_view text, MessageType* out);

// `session`: creates the session row, or fills/overrides metadata, created_at, experiment_id.
struct SessionRecord {
  std::string session_id;
  OptString created_at;     // ISO text; default: first time the collector sees the session
  JsonText metadata;
  OptString experiment_id;

  bool operator==(const SessionRecord&) const = default;
};

// `session_end`: closes open timesteps (completed_at) and may replace the metadata.
struct SessionEndRecord {
  std::string session_id;
  OptString ended_at;       // ISO text; default: commit time
  JsonText metadata;

  bool operator==(const SessionEndRecord&) const = default;
};

// `timestep`: creates the (session_id, step_id) row or fills its optional fields.
struct TimestepRecord {
  std::string session_id;
  std::string step_id;
  OptInt step_index;        // default: number of steps the session already has (0-based)
  OptInt turn_number;
  OptString started_at;     // default: commit time
  OptString completed_at;
  JsonText step_metadata;

  bool operator==(const TimestepRecord&) const = default;
};

// `event`: one row of `events`. step_id (or metadata.step_id) resolves timestep_id.
struct EventRecord {
  std::string session_id;
  OptString step_id;
  EventType event_type = EventType::kRuntime;
  std::string system_instance_id;
  OptDouble event_time;     // Unix seconds (time_record.event_time)
  OptInt message_time;      // time_record.message_time
  OptString created_at;     // default: commit time
  // cais
  OptString model_name;
  OptString provider;
  OptInt input_tokens;
  OptInt output_tokens;
  OptInt total_tokens;
  OptDouble cost_usd;       // dollars as sent; stored as cents with the fraction kept
  OptInt latency_ms;
  OptString span_id;
  OptString trace_id;
  JsonText call_records;    // JSON array; NULL when empty
  // environment
  OptDouble reward;
  OptBool terminated;
  OptBool truncated;
  // cais + environment
  JsonText system_state_before;
  JsonText system_state_after;
  // all: metadata already carries step_id (and runtime `actions`) when they were given.
  JsonText metadata;
  JsonText event_metadata;

  bool operator==(const EventRecord&) const = default;
};

// `message`: one row of `messages`.
struct MessageRecord {
  std::string session_id;
  OptString step_id;
  MessageType message_type = MessageType::kUser;
  std::string content;      // text, or the JSON payload's text
  OptString timestamp;      // ISO text; default: commit time
  OptDouble event_time;
  OptInt message_time;
  JsonText metadata;        // already carries step_id when it was given

  bool operator==(const MessageRecord&) const = default;
};

struct ExperimentRecord {
  std::string experiment_id;
  std::string name;
  OptString description;
  JsonText configuration;
  JsonText metadata;

  bool operator==(const ExperimentRecord&) const = default;
};

struct SystemRecord {
  std::string system_id;
  std::string name;
  OptString system_type;
  OptString description;
  JsonText metadata;

  bool operator==(const SystemRecord&) const = default;
};

struct SystemVersionRecord {
  std::string version_id;
  std::string system_id;
  std::string version_number;
  OptString commit_hash;
  JsonText configuration;
  JsonText metadata;

  bool operator==(const SystemVersionRecord&) const = default;
};

struct OutcomeRewardRecord {
  std::string session_id;
  std::string objective_key = "reward";
  double total_reward = 0;
  int64_t achievements_count = 0;
  int64_t total_steps = 0;
  JsonText reward_metadata;
  OptString annotation;

  bool operator==(const OutcomeRewardRecord&) const = default;
};

// `event_reward`: the event is named by its database id (`event_id`, an integer) or by the
// client id of the event record (`event_ref`); exactly one of the two is set. Same for messages.
struct EventRewardRecord {
  std::string session_id;
  OptInt event_id;
  OptString event_ref;
  OptInt message_id;
  OptString message_ref;
  OptInt turn_number;
  std::string objective_key = "reward";
  double reward_value = 0;
  OptString reward_type;
  OptString key;
  OptString annotation;     // JSON text or plain text, as sent
  OptString source;

  bool operator==(const EventRewardRecord&) const = default;
};

// `trace_link` (internal: made by the OTLP mapping, never accepted from a client): trace
// `trace_id` belongs to session `session_id`. The first link of a trace wins (later ones with
// another session change nothing). Whenever the trace is linked, every row of the provisional
// session `from_session_id` (where spans that named no session were stored) moves into the
// linked session, and the provisional session is removed, so where a span ends up does not
// depend on the order spans arrive in. `session_id` empty: only that move (a request whose
// spans of this trace named no session; the link may have been learned earlier).
struct TraceLinkRecord {
  std::string trace_id;
  std::string session_id;
  std::string from_session_id;

  bool operator==(const TraceLinkRecord&) const = default;
};

using RecordBody = std::variant<SessionRecord, SessionEndRecord, TimestepRecord, EventRecord,
                                MessageRecord, ExperimentRecord, SystemRecord, SystemVersionRecord,
                                OutcomeRewardRecord, EventRewardRecord, TraceLinkRecord>;

// Record types the collector makes itself and no client may send (not in the v1 contract, the
// proto or the stream).
inline bool IsInternalRecord(const RecordBody& body) {
  return std::holds_alternative<TraceLinkRecord>(body);
}

// Keys the collector derives itself begin with this character (records of a request sent with
// an Idempotency-Key: "~idem/...", records spooled without a key: "~spool/..."). A client `id`
// may not begin with it (the decoder refuses the record), so the two can never collide.
inline constexpr char kDerivedKeyMark = '~';

// One record as it travels through the pipeline.
struct Record {
  // Idempotency key: the client's `id`, or one derived by the decoder (e.g. for /v1/traces
  // documents). Empty = not idempotent (every copy is stored).
  std::string key;
  RecordBody body;

  bool operator==(const Record&) const = default;
};

// "session", "event", ... (the wire `type`).
const char* RecordTypeName(const RecordBody& body);

// What the record costs in memory, in bytes: sizeof(Record) plus the allocator chunk of every
// heap-allocated string (capacity, header, rounding). What the queue's byte cap counts.
size_t ApproximateSize(const Record& record);

}  // namespace tc::schema
