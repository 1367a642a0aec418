#include "record_decoder.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

namespace tc::ingest::internal {
namespace {

constexpr const char* kMissing = "required field is missing";

// Calls fn(key, value) for each member of `object`; stops at the first false.
template <typename Fn>
bool ForEachField(od::object& object, Reader& reader, Fn&& fn) {
  for (auto result : object) {
    od::field field;
    if (auto err = std::move(result).get(field)) return reader.FailCode("", err);
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return reader.FailCode("", err);
    if (!fn(key, field.value())) return false;
  }
  return true;
}

// time_record: {"event_time": float, "message_time": int}.
bool ReadTimeRecord(od::value& v, Reader& reader, schema::OptDouble* event_time,
                    schema::OptInt* message_time) {
  od::json_type type;
  if (!reader.Type(v, "time_record", &type)) return false;
  if (type == od::json_type::null) return true;
  if (type != od::json_type::object) {
    return reader.Fail("time_record",
                       fmt::format("expected an object, got {}", JsonTypeName(type)));
  }
  od::object object;
  if (auto err = v.get_object().get(object)) return reader.FailCode("time_record", err);
  return ForEachField(object, reader, [&](std::string_view key, od::value& value) {
    if (key == "event_time") return reader.OptDouble(value, "time_record.event_time", event_time);
    if (key == "message_time") {
      return reader.OptInt(value, "time_record.message_time", message_time);
    }
    return true;
  });
}

bool ReadCallRecords(od::value& v, Reader& reader, schema::JsonText* out) {
  od::json_type type;
  if (!reader.Type(v, "call_records", &type)) return false;
  if (type != od::json_type::array && type != od::json_type::null) {
    return reader.Fail("call_records",
                       fmt::format("expected an array, got {}", JsonTypeName(type)));
  }
  if (!reader.Json(v, "call_records", out)) return false;
  if (out->has_value() && **out == "[]") out->reset();  // synth-ai: empty list → NULL
  return true;
}

// cost_usd is stored in cents: a value whose cents overflow the double range (|x| > ~1.8e306)
// would be stored as Inf, so it is refused as the record's error.
bool ReadCostUsd(od::value& v, Reader& reader, std::string_view field, schema::OptDouble* out) {
  if (!reader.OptDouble(v, field, out)) return false;
  if (*out && !std::isfinite(**out * 100.0)) {
    return reader.Fail(std::string(field), "out of range: the cost in cents overflows a double");
  }
  return true;
}

bool Require(Reader& reader, bool present, const char* field) {
  return present || reader.Fail(field, kMissing);
}

bool DecodeSession(od::object& object, Reader& r, schema::SessionRecord* out) {
  bool has_session = false;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "session_id") return has_session = r.Id(v, key, &out->session_id);
        if (key == "created_at") return r.OptTime(v, key, &out->created_at);
        if (key == "metadata") return r.Json(v, key, &out->metadata);
        if (key == "experiment_id") return r.OptId(v, key, &out->experiment_id);
        return true;
      })) {
    return false;
  }
  return Require(r, has_session, "session_id");
}

bool DecodeSessionEnd(od::object& object, Reader& r, schema::SessionEndRecord* out) {
  bool has_session = false;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "session_id") return has_session = r.Id(v, key, &out->session_id);
        if (key == "ended_at") return r.OptTime(v, key, &out->ended_at);
        if (key == "metadata") return r.Json(v, key, &out->metadata);
        return true;
      })) {
    return false;
  }
  return Require(r, has_session, "session_id");
}

bool DecodeTimestep(od::object& object, Reader& r, schema::TimestepRecord* out) {
  bool has_session = false, has_step = false;
  schema::OptString timestamp;
  schema::JsonText metadata;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "session_id") return has_session = r.Id(v, key, &out->session_id);
        if (key == "step_id") return has_step = r.Id(v, key, &out->step_id);
        if (key == "step_index") return r.OptInt(v, key, &out->step_index);
        if (key == "turn_number") return r.OptInt(v, key, &out->turn_number);
        if (key == "started_at") return r.OptTime(v, key, &out->started_at);
        if (key == "timestamp") return r.OptTime(v, key, &timestamp);
        if (key == "completed_at") return r.OptTime(v, key, &out->completed_at);
        if (key == "step_metadata") return r.Json(v, key, &out->step_metadata);
        if (key == "metadata") return r.Json(v, key, &metadata);
        return true;
      })) {
    return false;
  }
  if (!out->started_at) out->started_at = std::move(timestamp);
  if (!out->step_metadata) out->step_metadata = std::move(metadata);
  return Require(r, has_session, "session_id") && Require(r, has_step, "step_id");
}

bool DecodeExperiment(od::object& object, Reader& r, schema::ExperimentRecord* out) {
  bool has_id = false, has_name = false;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "experiment_id") return has_id = r.Id(v, key, &out->experiment_id);
        if (key == "name") return has_name = r.Id(v, key, &out->name);
        if (key == "description") return r.OptText(v, key, &out->description);
        if (key == "configuration") return r.Json(v, key, &out->configuration);
        if (key == "metadata") return r.Json(v, key, &out->metadata);
        return true;
      })) {
    return false;
  }
  return Require(r, has_id, "experiment_id") && Require(r, has_name, "name");
}

bool DecodeSystem(od::object& object, Reader& r, schema::SystemRecord* out) {
  bool has_id = false, has_name = false;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "system_id") return has_id = r.Id(v, key, &out->system_id);
        if (key == "name") return has_name = r.Id(v, key, &out->name);
        if (key == "system_type") return r.OptId(v, key, &out->system_type);
        if (key == "description") return r.OptText(v, key, &out->description);
        if (key == "metadata") return r.Json(v, key, &out->metadata);
        return true;
      })) {
    return false;
  }
  return Require(r, has_id, "system_id") && Require(r, has_name, "name");
}

bool DecodeSystemVersion(od::object& object, Reader& r, schema::SystemVersionRecord* out) {
  bool has_version = false, has_system = false, has_number = false;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "version_id") return has_version = r.Id(v, key, &out->version_id);
        if (key == "system_id") return has_system = r.Id(v, key, &out->system_id);
        if (key == "version_number") return has_number = r.IdOrInt(v, key, &out->version_number);
        if (key == "commit_hash") return r.OptId(v, key, &out->commit_hash);
        if (key == "configuration") return r.Json(v, key, &out->configuration);
        if (key == "metadata") return r.Json(v, key, &out->metadata);
        return true;
      })) {
    return false;
  }
  return Require(r, has_version, "version_id") && Require(r, has_system, "system_id") &&
         Require(r, has_number, "version_number");
}

// objective_key: a string, null/absent → "reward".
bool ReadObjectiveKey(od::value& v, Reader& r, std::string* out) {
  schema::OptString key;
  if (!r.OptId(v, "objective_key", &key)) return false;
  *out = key.value_or("reward");
  return true;
}

}  // namespace

bool ReadEventFields(od::object& object, Reader& r, EventDraft* d) {
  schema::EventRecord& e = d->record;
  schema::OptDouble top_event_time;
  schema::OptInt top_message_time;
  schema::OptString system_instance_id;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "session_id") return d->has_session_id = r.Id(v, key, &e.session_id);
        if (key == "step_id") return r.OptId(v, key, &e.step_id);
        if (key == "event_type") {
          schema::OptString type;
          if (!r.OptId(v, key, &type)) return false;
          if (!type) return true;
          if (!schema::ParseEventType(*type, &e.event_type)) {
            return r.Fail("event_type",
                          fmt::format("unknown event_type \"{}\" (expected cais, environment "
                                      "or runtime)",
                                      *type));
          }
          return d->has_event_type = true;
        }
        if (key == "system_instance_id") return r.OptId(v, key, &system_instance_id);
        if (key == "time_record") return ReadTimeRecord(v, r, &e.event_time, &e.message_time);
        if (key == "event_time") return r.OptDouble(v, key, &top_event_time);
        if (key == "message_time") return r.OptInt(v, key, &top_message_time);
        if (key == "created_at") return r.OptTime(v, key, &e.created_at);
        if (key == "metadata") return r.Metadata(v, key, &d->metadata);
        if (key == "event_metadata") return r.Json(v, key, &e.event_metadata);
        if (key == "system_state_before") return r.Json(v, key, &e.system_state_before);
        if (key == "system_state_after") return r.Json(v, key, &e.system_state_after);
        if (key == "actions") return d->has_actions = r.IntArray(v, key, &d->actions);
        // environment
        if (key == "reward") return d->environment_fields = r.OptDouble(v, key, &e.reward);
        if (key == "terminated") return d->environment_fields = r.OptBool(v, key, &e.terminated);
        if (key == "truncated") return d->environment_fields = r.OptBool(v, key, &e.truncated);
        // cais: presence of any of these (even null) makes an untyped event a cais event
        auto cais = [&](bool ok) {
          d->cais_fields = true;
          return ok;
        };
        if (key == "model_name") return cais(r.OptId(v, key, &e.model_name));
        if (key == "provider") return cais(r.OptId(v, key, &e.provider));
        if (key == "input_tokens") return cais(r.OptInt(v, key, &e.input_tokens));
        if (key == "output_tokens") return cais(r.OptInt(v, key, &e.output_tokens));
        if (key == "total_tokens") return cais(r.OptInt(v, key, &e.total_tokens));
        if (key == "cost_usd") return cais(ReadCostUsd(v, r, key, &e.cost_usd));
        if (key == "latency_ms") return cais(r.OptInt(v, key, &e.latency_ms));
        if (key == "span_id") return cais(r.OptId(v, key, &e.span_id));
        if (key == "trace_id") return cais(r.OptId(v, key, &e.trace_id));
        if (key == "call_records") return cais(ReadCallRecords(v, r, &e.call_records));
        return true;  // unknown field: ignored
      })) {
    return false;
  }
  d->has_system_instance_id = system_instance_id.has_value();
  e.system_instance_id = system_instance_id.value_or("");
  if (!e.event_time) e.event_time = top_event_time;
  if (!e.message_time) e.message_time = top_message_time;
  return true;
}

schema::EventRecord FinishEvent(EventDraft&& d, const std::string* fallback_step_id) {
  schema::EventRecord e = std::move(d.record);
  if (!d.has_event_type) {
    e.event_type = d.cais_fields          ? schema::EventType::kCais
                   : d.environment_fields ? schema::EventType::kEnvironment
                                          : schema::EventType::kRuntime;
  }
  if (e.event_type != schema::EventType::kCais) {
    e.model_name.reset(), e.provider.reset(), e.input_tokens.reset(), e.output_tokens.reset();
    e.total_tokens.reset(), e.cost_usd.reset(), e.latency_ms.reset(), e.span_id.reset();
    e.trace_id.reset(), e.call_records.reset();
  }
  if (e.event_type != schema::EventType::kEnvironment) {
    e.reward.reset(), e.terminated.reset(), e.truncated.reset();
  }
  if (e.event_type == schema::EventType::kRuntime) {
    e.system_state_before.reset(), e.system_state_after.reset();
  }
  if (!e.step_id) e.step_id = d.metadata.step_id;
  if (!e.step_id && fallback_step_id != nullptr) e.step_id = *fallback_step_id;
  const bool merge_actions = e.event_type == schema::EventType::kRuntime && d.actions.has_value();
  e.metadata = BuildMetadata(d.metadata, e.step_id ? &*e.step_id : nullptr,
                             merge_actions ? &*d.actions : nullptr);
  return e;
}

bool ReadMessageFields(od::object& object, Reader& r, MessageDraft* d) {
  schema::MessageRecord& m = d->record;
  schema::OptDouble top_event_time;
  schema::OptInt top_message_time;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "session_id") return d->has_session_id = r.Id(v, key, &m.session_id);
        if (key == "step_id") return r.OptId(v, key, &m.step_id);
        if (key == "message_type") {
          schema::OptString type;
          if (!r.OptId(v, key, &type)) return false;
          if (!type) return true;
          if (!schema::ParseMessageType(*type, &m.message_type)) {
            return r.Fail("message_type",
                          fmt::format("unknown message_type \"{}\" (expected user, assistant, "
                                      "system, tool_use or tool_result)",
                                      *type));
          }
          return d->has_message_type = true;
        }
        if (key == "content") return d->has_content = r.Content(v, key, &m.content);
        if (key == "timestamp") return r.OptTime(v, key, &m.timestamp);
        if (key == "time_record") return ReadTimeRecord(v, r, &m.event_time, &m.message_time);
        if (key == "event_time") return r.OptDouble(v, key, &top_event_time);
        if (key == "message_time") return r.OptInt(v, key, &top_message_time);
        if (key == "metadata") return r.Metadata(v, key, &d->metadata);
        return true;
      })) {
    return false;
  }
  if (!m.event_time) m.event_time = top_event_time;
  if (!m.message_time) m.message_time = top_message_time;
  return true;
}

bool ReadCompleteMessage(od::object& object, Reader& r, MessageDraft* d) {
  return ReadMessageFields(object, r, d) && Require(r, d->has_message_type, "message_type") &&
         Require(r, d->has_content, "content");
}

schema::MessageRecord FinishMessage(MessageDraft&& d, const std::string* fallback_step_id) {
  schema::MessageRecord m = std::move(d.record);
  if (!m.step_id) m.step_id = d.metadata.step_id;
  if (!m.step_id && fallback_step_id != nullptr) m.step_id = *fallback_step_id;
  m.metadata = BuildMetadata(d.metadata, m.step_id ? &*m.step_id : nullptr, nullptr);
  return m;
}

bool ReadOutcomeReward(od::object& object, Reader& r, const std::string* default_session,
                       schema::OutcomeRewardRecord* out) {
  bool has_session = false, has_total = false;
  schema::OptInt achievements, steps;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "session_id") return has_session = r.Id(v, key, &out->session_id);
        if (key == "total_reward") return has_total = r.Double(v, key, &out->total_reward);
        if (key == "achievements_count") return r.OptInt(v, key, &achievements);
        if (key == "total_steps") return r.OptInt(v, key, &steps);
        if (key == "reward_metadata") return r.Json(v, key, &out->reward_metadata);
        if (key == "annotation") return r.StringOrJson(v, key, &out->annotation);
        if (key == "objective_key") return ReadObjectiveKey(v, r, &out->objective_key);
        return true;
      })) {
    return false;
  }
  out->achievements_count = achievements.value_or(0);
  out->total_steps = steps.value_or(0);
  if (!has_session && default_session != nullptr) {
    out->session_id = *default_session;
    has_session = true;
  }
  return Require(r, has_session, "session_id") && Require(r, has_total, "total_reward");
}

bool ReadEventReward(od::object& object, Reader& r, const std::string* default_session,
                     schema::EventRewardRecord* out) {
  bool has_session = false, has_value = false;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        if (key == "session_id") return has_session = r.Id(v, key, &out->session_id);
        if (key == "event_id") return r.OptInt(v, key, &out->event_id);
        if (key == "event_ref") return r.OptId(v, key, &out->event_ref);
        if (key == "message_id") return r.OptInt(v, key, &out->message_id);
        if (key == "message_ref") return r.OptId(v, key, &out->message_ref);
        if (key == "turn_number") return r.OptInt(v, key, &out->turn_number);
        if (key == "reward_value") return has_value = r.Double(v, key, &out->reward_value);
        if (key == "reward_type") return r.OptId(v, key, &out->reward_type);
        if (key == "key") return r.OptId(v, key, &out->key);
        if (key == "annotation") return r.StringOrJson(v, key, &out->annotation);
        if (key == "source") return r.OptId(v, key, &out->source);
        if (key == "objective_key") return ReadObjectiveKey(v, r, &out->objective_key);
        return true;
      })) {
    return false;
  }
  if (!has_session && default_session != nullptr) {
    out->session_id = *default_session;
    has_session = true;
  }
  if (!Require(r, has_session, "session_id")) return false;
  if (out->event_id && out->event_ref) {
    return r.Fail("event_ref", "give event_id or event_ref, not both");
  }
  if (!out->event_id && !out->event_ref) {
    return r.Fail("event_id", "required field is missing (event_id or event_ref)");
  }
  if (out->message_id && out->message_ref) {
    return r.Fail("message_ref", "give message_id or message_ref, not both");
  }
  return Require(r, has_value, "reward_value");
}

bool DecodeTypedRecord(std::string_view type, od::object& object, Reader& r,
                       schema::RecordBody* out) {
  if (type == "event") {
    EventDraft draft;
    if (!ReadEventFields(object, r, &draft)) return false;
    if (!Require(r, draft.has_session_id, "session_id")) return false;
    *out = FinishEvent(std::move(draft), nullptr);
    return true;
  }
  if (type == "message") {
    MessageDraft draft;
    if (!ReadCompleteMessage(object, r, &draft)) return false;
    if (!Require(r, draft.has_session_id, "session_id")) return false;
    *out = FinishMessage(std::move(draft), nullptr);
    return true;
  }
  auto decode = [&](auto record, auto&& fn) {
    if (!fn(object, r, &record)) return false;
    *out = std::move(record);
    return true;
  };
  if (type == "session") return decode(schema::SessionRecord{}, DecodeSession);
  if (type == "session_end") return decode(schema::SessionEndRecord{}, DecodeSessionEnd);
  if (type == "timestep") return decode(schema::TimestepRecord{}, DecodeTimestep);
  if (type == "experiment") return decode(schema::ExperimentRecord{}, DecodeExperiment);
  if (type == "system") return decode(schema::SystemRecord{}, DecodeSystem);
  if (type == "system_version") return decode(schema::SystemVersionRecord{}, DecodeSystemVersion);
  if (type == "outcome_reward") {
    return decode(schema::OutcomeRewardRecord{},
                  [](od::object& o, Reader& rd, schema::OutcomeRewardRecord* rec) {
                    return ReadOutcomeReward(o, rd, nullptr, rec);
                  });
  }
  if (type == "event_reward") {
    return decode(schema::EventRewardRecord{},
                  [](od::object& o, Reader& rd, schema::EventRewardRecord* rec) {
                    return ReadEventReward(o, rd, nullptr, rec);
                  });
  }
  return r.Fail("type", fmt::format("unknown type \"{}\" (expected session, session_end, "
                                    "timestep, event, message, experiment, system, "
                                    "system_version, outcome_reward or event_reward)",
                                    type));
}

}  // namespace tc::ingest::internal
