#pragma once

// Every field of every record type, listed once, in declaration order, with its wire name (the
// JSON name in docs/api.md and proto/tracecollector/v1/records.proto). Code that must treat each
// field (the spool's binary codec, memory accounting) walks this list instead of naming fields,
// so a field added to records.h and here is picked up everywhere.
//
//   VisitNamedFields(record_body, [](std::string_view name, auto& field) { ... });
//   VisitFields(record_body, [](auto& field) { ... });  // field: std::string, OptString, OptInt,
//                                                      // OptDouble, OptBool, double, int64_t,
//                                                      // EventType or MessageType
//
// This list is the schema's source in the code; the other copies are checked against it:
// records.h by tests/unit/spool/record_codec_test.cc (a round trip sets every field, compared
// with the structs' defaulted ==; a size tripwire fails when a struct gains a field), the proto
// file and the decoder by tests/unit/ingest/schema_sources_test.cc (same names; every field read
// from the JSON under its name).

#include <string_view>
#include <type_traits>

#include "schema/records.h"

namespace tc::schema {

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, SessionRecord>
void VisitNamedFields(R& r, F&& f) {
  f("session_id", r.session_id), f("created_at", r.created_at), f("metadata", r.metadata),
      f("experiment_id", r.experiment_id);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, SessionEndRecord>
void VisitNamedFields(R& r, F&& f) {
  f("session_id", r.session_id), f("ended_at", r.ended_at), f("metadata", r.metadata);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, TimestepRecord>
void VisitNamedFields(R& r, F&& f) {
  f("session_id", r.session_id), f("step_id", r.step_id), f("step_index", r.step_index),
      f("turn_number", r.turn_number), f("started_at", r.started_at),
      f("completed_at", r.completed_at), f("step_metadata", r.step_metadata);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, EventRecord>
void VisitNamedFields(R& r, F&& f) {
  f("session_id", r.session_id), f("step_id", r.step_id), f("event_type", r.event_type),
      f("system_instance_id", r.system_instance_id), f("event_time", r.event_time),
      f("message_time", r.message_time), f("created_at", r.created_at),
      f("model_name", r.model_name), f("provider", r.provider), f("input_tokens", r.input_tokens),
      f("output_tokens", r.output_tokens), f("total_tokens", r.total_tokens),
      f("cost_usd", r.cost_usd), f("latency_ms", r.latency_ms), f("span_id", r.span_id),
      f("trace_id", r.trace_id), f("call_records", r.call_records), f("reward", r.reward),
      f("terminated", r.terminated), f("truncated", r.truncated),
      f("system_state_before", r.system_state_before),
      f("system_state_after", r.system_state_after), f("metadata", r.metadata),
      f("event_metadata", r.event_metadata);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, MessageRecord>
void VisitNamedFields(R& r, F&& f) {
  f("session_id", r.session_id), f("step_id", r.step_id), f("message_type", r.message_type),
      f("content", r.content), f("timestamp", r.timestamp), f("event_time", r.event_time),
      f("message_time", r.message_time), f("metadata", r.metadata);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, ExperimentRecord>
void VisitNamedFields(R& r, F&& f) {
  f("experiment_id", r.experiment_id), f("name", r.name), f("description", r.description),
      f("configuration", r.configuration), f("metadata", r.metadata);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, SystemRecord>
void VisitNamedFields(R& r, F&& f) {
  f("system_id", r.system_id), f("name", r.name), f("system_type", r.system_type),
      f("description", r.description), f("metadata", r.metadata);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, SystemVersionRecord>
void VisitNamedFields(R& r, F&& f) {
  f("version_id", r.version_id), f("system_id", r.system_id), f("version_number", r.version_number),
      f("commit_hash", r.commit_hash), f("configuration", r.configuration),
      f("metadata", r.metadata);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, OutcomeRewardRecord>
void VisitNamedFields(R& r, F&& f) {
  f("session_id", r.session_id), f("objective_key", r.objective_key),
      f("total_reward", r.total_reward), f("achievements_count", r.achievements_count),
      f("total_steps", r.total_steps), f("reward_metadata", r.reward_metadata),
      f("annotation", r.annotation);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, EventRewardRecord>
void VisitNamedFields(R& r, F&& f) {
  f("session_id", r.session_id), f("event_id", r.event_id), f("event_ref", r.event_ref),
      f("message_id", r.message_id), f("message_ref", r.message_ref),
      f("turn_number", r.turn_number), f("objective_key", r.objective_key),
      f("reward_value", r.reward_value), f("reward_type", r.reward_type), f("key", r.key),
      f("annotation", r.annotation), f("source", r.source);
}

template <typename R, typename F>
requires std::is_same_v<std::remove_const_t<R>, TraceLinkRecord>
void VisitNamedFields(R& r, F&& f) {
  f("trace_id", r.trace_id), f("session_id", r.session_id), f("from_session_id", r.from_session_id);
}

// The same walk without the names: f(field).
template <typename R, typename F>
void VisitFields(R& r, F&& f) {
  VisitNamedFields(r, [&f](std::string_view, auto& field) { f(field); });
}

}  // namespace tc::schema
