// GET /v1/sessions/{id}: the queries and the SessionTrace.to_dict() rendering (session_trace.h).

#include "query/session_trace.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/json_writer.h"
#include "query/params.h"
#include "sql_json.h"

namespace tc::query {

using storage::SqlRow;
using storage::SqlRows;
using storage::SqlValue;
namespace {

constexpr std::string_view kQueries[kSessionQueryCount] = {
    "SELECT session_id, created_at, num_timesteps, num_events, num_messages, metadata, "
    "experiment_id, tc_duration_ms, tc_errors FROM session_traces WHERE session_id = ?1",
    "SELECT id, step_id, step_index, turn_number, started_at, completed_at, step_metadata "
    "FROM session_timesteps WHERE session_id = ?1 ORDER BY id",
    "SELECT id, timestep_id, event_type, system_instance_id, event_time, message_time, "
    "created_at, model_name, provider, input_tokens, output_tokens, total_tokens, cost_usd, "
    "latency_ms, span_id, trace_id, call_records, reward, terminated, truncated, "
    "system_state_before, system_state_after, metadata, event_metadata "
    "FROM events WHERE session_id = ?1 ORDER BY id",
    "SELECT id, timestep_id, message_type, content, timestamp, event_time, message_time, "
    "metadata FROM messages WHERE session_id = ?1 ORDER BY id",
    "SELECT id, objective_key, total_reward, achievements_count, total_steps, reward_metadata, "
    "annotation FROM outcome_rewards WHERE session_id = ?1 ORDER BY id",
    "SELECT id, event_id, message_id, turn_number, objective_key, reward_value, reward_type, "
    "\"key\", annotation, source FROM event_rewards WHERE session_id = ?1 ORDER BY id",
};
// kQueries[kEvents] without reading the three body columns (TraceOptions::bodies false).
constexpr std::string_view kEventsWithoutBodies =
    "SELECT id, timestep_id, event_type, system_instance_id, event_time, message_time, "
    "created_at, model_name, provider, input_tokens, output_tokens, total_tokens, cost_usd, "
    "latency_ms, span_id, trace_id, NULL, reward, terminated, truncated, "
    "NULL, NULL, metadata, event_metadata "
    "FROM events WHERE session_id = ?1 ORDER BY id";
constexpr size_t kColumns[kSessionQueryCount] = {9, 7, 24, 8, 7, 10};

enum EventCol : size_t {
  kEvId,
  kEvStep,
  kEvType,
  kEvInstance,
  kEvTime,
  kEvMsgTime,
  kEvCreated,
  kEvModel,
  kEvProvider,
  kEvIn,
  kEvOut,
  kEvTotal,
  kEvCost,
  kEvLatency,
  kEvSpan,
  kEvTrace,
  kEvCalls,
  kEvReward,
  kEvTerminated,
  kEvTruncated,
  kEvStateBefore,
  kEvStateAfter,
  kEvMetadata,
  kEvEventMetadata
};

void TimeRecord(JsonWriter& json, const SqlValue& event_time, const SqlValue& message_time) {
  json.Key("time_record").BeginObject();
  json.Key("event_time");
  Value(json, event_time);
  json.Key("message_time");
  Value(json, message_time);
  json.EndObject();
}

std::string RenderEvent(const SqlRow& e, TraceOptions options) {
  JsonWriter json;
  json.BeginObject();
  if (!options.bodies) {
    json.Key("id");
    Value(json, e[kEvId]);
  }
  const auto* type = std::get_if<std::string>(&e[kEvType]);
  if (!options.bodies && type != nullptr) {
    json.Key("event_type");  // the outline names every event's type (posted, only unknown ones)
    Value(json, e[kEvType]);
  }
  json.Key("system_instance_id");
  Value(json, e[kEvInstance]);
  TimeRecord(json, e[kEvTime], e[kEvMsgTime]);
  json.Key("created_at");
  Value(json, e[kEvCreated]);
  json.Key("metadata");
  JsonColumn(json, e[kEvMetadata]);
  json.Key("event_metadata");
  JsonColumn(json, e[kEvEventMetadata]);
  if (type != nullptr && *type == "cais") {
    for (auto [key, col] : {std::pair{"model_name", kEvModel},
                            {"provider", kEvProvider},
                            {"input_tokens", kEvIn},
                            {"output_tokens", kEvOut},
                            {"total_tokens", kEvTotal}}) {
      json.Key(key);
      Value(json, e[col]);
    }
    json.Key("cost_usd");
    if (std::optional<double> cents = AsDouble(e[kEvCost])) {
      json.Double(CentsToDollars(*cents));
    } else {
      json.Null();
    }
    for (auto [key, col] :
         {std::pair{"latency_ms", kEvLatency}, {"span_id", kEvSpan}, {"trace_id", kEvTrace}}) {
      json.Key(key);
      Value(json, e[col]);
    }
    if (options.bodies) {  // else left out: GET /v1/events/{id} has them
      json.Key("call_records");
      if (IsNull(e[kEvCalls])) {
        json.BeginArray().EndArray();  // asdict's default; stored as NULL again
      } else {
        JsonColumn(json, e[kEvCalls]);
      }
    }
  } else if (type != nullptr && *type == "environment") {
    json.Key("reward");
    Value(json, e[kEvReward]);
    json.Key("terminated");
    BoolColumn(json, e[kEvTerminated]);
    json.Key("truncated");
    BoolColumn(json, e[kEvTruncated]);
  } else if ((type == nullptr || *type != "runtime") && options.bodies) {
    json.Key("event_type");
    Value(json, e[kEvType]);
  }
  if (options.bodies && type != nullptr && (*type == "cais" || *type == "environment")) {
    json.Key("system_state_before");
    JsonColumn(json, e[kEvStateBefore]);
    json.Key("system_state_after");
    JsonColumn(json, e[kEvStateAfter]);
  }
  json.EndObject();
  return json.Take();
}

std::string RenderMessage(const SqlRow& m) {
  JsonWriter json;
  json.BeginObject();
  json.Key("message_type");
  Value(json, m[2]);
  json.Key("content").BeginObject().Key("text");
  TextColumn(json, m[3]);
  json.Key("json_payload").Null().EndObject();
  json.Key("timestamp");
  Value(json, m[4]);
  TimeRecord(json, m[5], m[6]);
  json.Key("metadata");
  JsonColumn(json, m[7]);
  json.EndObject();
  return json.Take();
}

// The event_rewards row ingest adds for an environment event's non-zero reward (docs/schema.md
// §5): posting the event again recreates it, so the document must not carry it too.
bool IsDerivedReward(const SqlRow& r, const std::unordered_map<int64_t, const SqlRow*>& events,
                     std::set<int64_t>* derived_seen) {
  const std::optional<int64_t> event_id = AsInt(r[1]);
  const auto* type = std::get_if<std::string>(&r[6]);
  const auto* source = std::get_if<std::string>(&r[9]);
  if (!event_id || type == nullptr || *type != "sparse" || source == nullptr ||
      *source != "environment" || !IsNull(r[2]) || !IsNull(r[7])) {
    return false;
  }
  const auto* key = std::get_if<std::string>(&r[4]);
  if (key == nullptr || *key != "reward") return false;
  auto it = events.find(*event_id);
  if (it == events.end()) return false;
  const SqlRow& e = *it->second;
  const auto* etype = std::get_if<std::string>(&e[kEvType]);
  if (etype == nullptr || *etype != "environment" || AsDouble(e[kEvReward]) != AsDouble(r[5])) {
    return false;
  }
  return derived_seen->insert(*event_id).second;  // one per event
}

}  // namespace

std::string_view SessionQuerySql(SessionQuery q, TraceOptions options) {
  if (q == SessionQuery::kEvents && !options.bodies) return kEventsWithoutBodies;
  return kQueries[static_cast<size_t>(q)];
}

Result<TraceOptions> ParseTraceOptions(std::string_view query) {
  static constexpr std::string_view kAllowed[] = {"bodies"};
  TC_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(query, kAllowed));
  TC_ASSIGN_OR_RETURN(std::optional<bool> bodies, params.Bool("bodies"));
  TraceOptions options;
  options.bodies = bodies.value_or(true);
  return options;
}

Result<std::string> RenderSessionTrace(const SessionRows& rows, TraceOptions options) {
  for (size_t q = 0; q < kSessionQueryCount; ++q) {
    for (const SqlRow& row : rows[q]) {
      if (row.size() != kColumns[q]) {
        return Status::Internal(fmt::format("session query {} gave a row of {} columns, not {}", q,
                                            row.size(), kColumns[q]));
      }
    }
  }
  const SqlRows& sessions = rows[static_cast<size_t>(SessionQuery::kSession)];
  if (sessions.empty()) return Status::NotFound("no such session");
  const SqlRow& s = sessions.front();
  const SqlRows& steps = rows[static_cast<size_t>(SessionQuery::kTimesteps)];
  const SqlRows& events = rows[static_cast<size_t>(SessionQuery::kEvents)];
  const SqlRows& messages = rows[static_cast<size_t>(SessionQuery::kMessages)];
  const SqlRows& outcomes = rows[static_cast<size_t>(SessionQuery::kOutcomeRewards)];
  const SqlRows& event_rewards = rows[static_cast<size_t>(SessionQuery::kEventRewards)];

  // Each event and message rendered once: the same text goes into its step's list and into
  // the history (so ingest recognises the copies, docs/api.md §5).
  std::vector<std::string> event_json, message_json;
  event_json.reserve(events.size());
  message_json.reserve(messages.size());
  std::map<int64_t, std::vector<size_t>> step_events, step_messages;
  std::unordered_map<int64_t, size_t> event_index, message_index;
  std::unordered_map<int64_t, const SqlRow*> events_by_id;
  int64_t lm_calls = 0, input_tokens = 0, output_tokens = 0, total_tokens = 0;
  double cost_cents = 0;
  std::set<std::string> models;
  for (const SqlRow& e : events) {
    event_json.push_back(RenderEvent(e, options));
    const size_t i = event_json.size() - 1;
    if (std::optional<int64_t> id = AsInt(e[kEvId])) {
      event_index[*id] = i;
      events_by_id[*id] = &e;
    }
    if (std::optional<int64_t> step = AsInt(e[kEvStep])) step_events[*step].push_back(i);
    if (const auto* type = std::get_if<std::string>(&e[kEvType]); type && *type == "cais") {
      ++lm_calls;
      input_tokens += AsInt(e[kEvIn]).value_or(0);
      output_tokens += AsInt(e[kEvOut]).value_or(0);
      total_tokens += AsInt(e[kEvTotal]).value_or(0);
      cost_cents += AsDouble(e[kEvCost]).value_or(0);
      if (const auto* model = std::get_if<std::string>(&e[kEvModel])) models.insert(*model);
    }
  }
  for (const SqlRow& m : messages) {
    message_json.push_back(RenderMessage(m));
    const size_t i = message_json.size() - 1;
    if (std::optional<int64_t> id = AsInt(m[0])) message_index[*id] = i;
    if (std::optional<int64_t> step = AsInt(m[1])) step_messages[*step].push_back(i);
  }

  JsonWriter json;
  json.BeginObject().Key("trace").BeginObject();
  json.Key("session_id");
  Value(json, s[0]);
  json.Key("created_at");
  Value(json, s[1]);
  if (!IsNull(s[6])) {
    json.Key("experiment_id");
    Value(json, s[6]);
  }
  json.Key("metadata");
  JsonColumn(json, s[5]);
  json.Key("session_time_steps").BeginArray();
  for (const SqlRow& t : steps) {
    json.Element().BeginObject();
    json.Key("step_id");
    Value(json, t[1]);
    json.Key("step_index");
    Value(json, t[2]);
    json.Key("timestamp");
    Value(json, t[4]);
    json.Key("turn_number");
    Value(json, t[3]);
    const std::optional<int64_t> id = AsInt(t[0]);
    json.Key("events").BeginArray();
    if (auto it = id ? step_events.find(*id) : step_events.end(); it != step_events.end()) {
      for (size_t i : it->second) json.Element().Raw(event_json[i]);
    }
    json.EndArray().Key("markov_blanket_messages").BeginArray();
    if (auto it = id ? step_messages.find(*id) : step_messages.end(); it != step_messages.end()) {
      for (size_t i : it->second) json.Element().Raw(message_json[i]);
    }
    json.EndArray();
    json.Key("step_metadata");
    JsonColumn(json, t[6]);
    json.Key("completed_at");
    Value(json, t[5]);
    json.EndObject();
  }
  json.EndArray().Key("event_history").BeginArray();
  for (const std::string& e : event_json) json.Element().Raw(e);
  json.EndArray().Key("markov_blanket_message_history").BeginArray();
  for (const std::string& m : message_json) json.Element().Raw(m);
  json.EndArray();

  double outcome_sum = 0;
  json.Key("outcome_rewards").BeginArray();
  for (const SqlRow& o : outcomes) {
    outcome_sum += AsDouble(o[2]).value_or(0);
    json.Element().BeginObject();
    json.Key("objective_key");
    Value(json, o[1]);
    json.Key("total_reward");
    Value(json, o[2]);
    json.Key("achievements_count");
    Value(json, o[3]);
    json.Key("total_steps");
    Value(json, o[4]);
    json.Key("reward_metadata");
    JsonColumn(json, o[5]);
    json.Key("annotation");
    TextColumn(json, o[6]);
    json.EndObject();
  }
  json.EndArray();

  // Event rewards name their event and message by the key posting this document gives them
  // (trace:<session>:event:<i>), so the document can be posted to another collector.
  const std::string* session_id = std::get_if<std::string>(&s[0]);
  std::set<int64_t> derived_seen;
  double event_reward_sum = 0;
  json.Key("event_rewards").BeginArray();
  for (const SqlRow& r : event_rewards) {
    event_reward_sum += AsDouble(r[5]).value_or(0);
    if (IsDerivedReward(r, events_by_id, &derived_seen)) continue;
    json.Element().BeginObject();
    auto reference = [&](const char* id_key, const char* ref_key, const SqlValue& v,
                         const std::unordered_map<int64_t, size_t>& index, const char* kind) {
      std::optional<int64_t> id = AsInt(v);
      if (!id) return;
      auto it = index.find(*id);
      if (it != index.end() && session_id != nullptr) {
        json.Key(ref_key).String(fmt::format("trace:{}:{}:{}", *session_id, kind, it->second));
      } else {
        json.Key(id_key).Int(*id);
      }
    };
    reference("event_id", "event_ref", r[1], event_index, "event");
    reference("message_id", "message_ref", r[2], message_index, "message");
    for (auto [key, col] : {std::pair{"turn_number", 3},
                            {"objective_key", 4},
                            {"reward_value", 5},
                            {"reward_type", 6},
                            {"key", 7}}) {
      json.Key(key);
      Value(json, r[col]);
    }
    json.Key("annotation");
    TextColumn(json, r[8]);
    json.Key("source");
    Value(json, r[9]);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();  // trace

  json.Key("totals").BeginObject();
  json.Key("timesteps").Uint(steps.size());
  json.Key("events").Uint(events.size());
  json.Key("lm_calls").Int(lm_calls);
  json.Key("messages").Uint(messages.size());
  json.Key("input_tokens").Int(input_tokens);
  json.Key("output_tokens").Int(output_tokens);
  json.Key("total_tokens").Int(total_tokens);
  json.Key("cost_usd").Double(cost_cents / 100.0);
  // Kept by the writer (the session's tc_ columns, as GET /v1/sessions lists them).
  json.Key("duration_ms").Double(AsDouble(s[7]).value_or(0));
  json.Key("errors").Int(AsInt(s[8]).value_or(0));
  json.Key("models").BeginArray();
  for (const std::string& model : models) json.Element().String(model);
  json.EndArray();
  json.Key("outcome_reward").Double(outcome_sum);
  json.Key("event_reward").Double(event_reward_sum);
  json.Key("outcome_rewards").Uint(outcomes.size());
  json.Key("event_rewards").Uint(event_rewards.size());
  json.EndObject();
  json.EndObject();
  return json.Take();
}

Result<std::string> ReadSessionTrace(storage::ReadStore& store, std::string_view session_id,
                                     TraceOptions options) {
  std::vector<storage::ReadQuery> queries(kSessionQueryCount);
  for (size_t q = 0; q < kSessionQueryCount; ++q) {
    queries[q].sql = SessionQuerySql(static_cast<SessionQuery>(q), options);
    queries[q].params.emplace_back(std::string(session_id));
  }
  queries[0].stop_if_empty = true;  // no such session
  TC_ASSIGN_OR_RETURN(std::vector<SqlRows> rows, store.Read(queries));
  if (rows.size() != kSessionQueryCount) {
    return Status::Internal("session read: the store answered another number of queries");
  }
  SessionRows by_query;
  for (size_t q = 0; q < kSessionQueryCount; ++q) by_query[q] = std::move(rows[q]);
  return RenderSessionTrace(by_query, options);
}

}  // namespace tc::query
