#pragma once

// Every field of every record type, listed once, in declaration order. Code that must treat each
// field (the spool's binary codec, memory accounting) walks this list instead of naming fields,
// so a field added to records.h and here is picked up everywhere.
//
//   VisitFields(record_body, [](auto& field) { ... });  // field: std::string, OptString, OptInt,
//                                                      // OptDouble, OptBool, double, int64_t,
//                                                      // EventType or MessageType
//
// A field in records.h missing here is caught by tests/unit/spool/record_codec_test.cc: its
// round trip sets every field (compared with the structs' defaulted ==), and a size tripwire
// fails when a struct gains a field.

#include <type_traits>

#include "schema/records.h"

namespace tc::schema {

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, SessionRecord>
void VisitFields(R& r, F&& f) {
  f(r.session_id), f(r.created_at), f(r.metadata), f(r.experiment_id);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, SessionEndRecord>
void VisitFields(R& r, F&& f) {
  f(r.session_id), f(r.ended_at), f(r.metadata);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, TimestepRecord>
void VisitFields(R& r, F&& f) {
  f(r.session_id), f(r.step_id), f(r.step_index), f(r.turn_number), f(r.started_at),
      f(r.completed_at), f(r.step_metadata);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, EventRecord>
void VisitFields(R& r, F&& f) {
  f(r.session_id), f(r.step_id), f(r.event_type), f(r.system_instance_id), f(r.event_time),
      f(r.message_time), f(r.created_at), f(r.model_name), f(r.provider), f(r.input_tokens),
      f(r.output_tokens), f(r.total_tokens), f(r.cost_usd), f(r.latency_ms), f(r.span_id),
      f(r.trace_id), f(r.call_records), f(r.reward), f(r.terminated), f(r.truncated),
      f(r.system_state_before), f(r.system_state_after), f(r.metadata), f(r.event_metadata);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, MessageRecord>
void VisitFields(R& r, F&& f) {
  f(r.session_id), f(r.step_id), f(r.message_type), f(r.content), f(r.timestamp),
      f(r.event_time), f(r.message_time), f(r.metadata);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, ExperimentRecord>
void VisitFields(R& r, F&& f) {
  f(r.experiment_id), f(r.name), f(r.description), f(r.configuration), f(r.metadata);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, SystemRecord>
void VisitFields(R& r, F&& f) {
  f(r.system_id), f(r.name), f(r.system_type), f(r.description), f(r.metadata);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, SystemVersionRecord>
void VisitFields(R& r, F&& f) {
  f(r.version_id), f(r.system_id), f(r.version_number), f(r.commit_hash), f(r.configuration),
      f(r.metadata);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, OutcomeRewardRecord>
void VisitFields(R& r, F&& f) {
  f(r.session_id), f(r.objective_key), f(r.total_reward), f(r.achievements_count),
      f(r.total_steps), f(r.reward_metadata), f(r.annotation);
}

template <typename R, typename F>
  requires std::is_same_v<std::remove_const_t<R>, EventRewardRecord>
void VisitFields(R& r, F&& f) {
  f(r.session_id), f(r.event_id), f(r.event_ref), f(r.message_id), f(r.message_ref),
      f(r.turn_number), f(r.objective_key), f(r.reward_value), f(r.reward_type), f(r.key),
      f(r.annotation), f(r.source);
}

}  // namespace tc::schema
