// GET /v1/events and GET /v1/events/{id} (records_read.h): one SELECT over events (its step id
// from session_timesteps), keyset paged by events.id.

#include <fmt/format.h>

#include "common/json_writer.h"
#include "paging.h"
#include "query/params.h"
#include "query/records_read.h"
#include "query/session_trace.h"
#include "sql_json.h"

namespace tc::query {
namespace {

constexpr std::string_view kEndpoint = "events";
constexpr std::string_view kParams[] = {"session_id", "event_type", "model", "from",   "to",
                                        "limit",      "cursor",     "order", "include"};
constexpr std::string_view kEventTypes[] = {"cais", "environment", "runtime"};
constexpr std::string_view kIncludes[] = {"bodies"};

// The columns each row is read with, in this order; the bodies last, only with include=bodies.
enum Col : size_t {
  kId,
  kSession,
  kStep,
  kType,
  kInstance,
  kEventTime,
  kMessageTime,
  kCreated,
  kModel,
  kProvider,
  kInputTokens,
  kOutputTokens,
  kTotalTokens,
  kCostCents,
  kLatency,
  kSpan,
  kTrace,
  kReward,
  kTerminated,
  kTruncated,
  kMetadata,
  kEventMetadata,
  kColumnsWithoutBodies,
  kCallRecords = kColumnsWithoutBodies,
  kStateBefore,
  kStateAfter,
  kColumnsWithBodies
};
constexpr std::string_view kColumns =
    "e.id, e.session_id, (SELECT t.step_id FROM session_timesteps t WHERE t.id = "
    "e.timestep_id), e.event_type, e.system_instance_id, e.event_time, e.message_time, "
    "e.created_at, e.model_name, e.provider, e.input_tokens, e.output_tokens, e.total_tokens, "
    "e.cost_usd, e.latency_ms, e.span_id, e.trace_id, e.reward, e.terminated, e.truncated, "
    "e.metadata, e.event_metadata";
constexpr std::string_view kBodyColumns =
    ", e.call_records, e.system_state_before, e.system_state_after";

std::string Select(bool bodies) {
  return fmt::format("SELECT {}{} FROM events e", kColumns, bodies ? kBodyColumns : "");
}

void RenderEvent(JsonWriter& json, const storage::SqlRow& e, bool bodies) {
  json.BeginObject();
  const auto value = [&](std::string_view key, Col col) {
    json.Key(key);
    Value(json, e[col]);
  };
  value("id", kId);
  value("session_id", kSession);
  value("step_id", kStep);
  value("event_type", kType);
  value("system_instance_id", kInstance);
  json.Key("time_record").BeginObject();
  value("event_time", kEventTime);
  value("message_time", kMessageTime);
  json.EndObject();
  value("created_at", kCreated);
  value("model_name", kModel);
  value("provider", kProvider);
  value("input_tokens", kInputTokens);
  value("output_tokens", kOutputTokens);
  value("total_tokens", kTotalTokens);
  json.Key("cost_usd");
  if (std::optional<double> cents = AsDouble(e[kCostCents])) {
    json.Double(CentsToDollars(*cents));  // stored in cents (docs/api.md §4.4)
  } else {
    json.Null();
  }
  value("latency_ms", kLatency);
  value("span_id", kSpan);
  value("trace_id", kTrace);
  value("reward", kReward);
  json.Key("terminated");
  BoolColumn(json, e[kTerminated]);
  json.Key("truncated");
  BoolColumn(json, e[kTruncated]);
  json.Key("metadata");
  JsonColumn(json, e[kMetadata]);
  json.Key("event_metadata");
  JsonColumn(json, e[kEventMetadata]);
  if (bodies) {
    json.Key("call_records");
    const auto* type = std::get_if<std::string>(&e[kType]);
    if (IsNull(e[kCallRecords]) && type != nullptr && *type == "cais") {
      json.BeginArray().EndArray();  // an empty list is stored as NULL (docs/api.md §4.4)
    } else {
      JsonColumn(json, e[kCallRecords]);
    }
    json.Key("system_state_before");
    JsonColumn(json, e[kStateBefore]);
    json.Key("system_state_after");
    JsonColumn(json, e[kStateAfter]);
  }
  json.EndObject();
}

}  // namespace

Result<std::string> ListEvents(storage::ReadStore& store, std::string_view query_string) {
  TC_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(query_string, kParams));
  TC_ASSIGN_OR_RETURN(const std::string_view type, params.Choice("event_type", kEventTypes, ""));
  TC_ASSIGN_OR_RETURN(const std::string_view include, params.Choice("include", kIncludes, ""));
  TC_ASSIGN_OR_RETURN(const TimeRange range, TimeRangeOf(params));
  const bool bodies = include == "bodies";

  // A session's events are read through idx_event_session_step and sorted (a page costs the
  // session's size): the other filters are then written so that SQLite cannot pick their index
  // ("+"), which would walk every event of that type or model newer than the cursor. Without a
  // session SQLite chooses: idx_event_type or idx_event_model (already in id order), the rowid,
  // or the idx_event_created range sorted (docs/api.md §11).
  Where where;
  const std::string* session = params.Get("session_id");
  const std::string_view plus = session != nullptr ? "+" : "";
  if (session != nullptr) where.Add("e.session_id = ?", {*session});
  if (!type.empty()) where.Add(fmt::format("{}e.event_type = ?", plus), {std::string(type)});
  if (const std::string* model = params.Get("model")) {
    where.Add(fmt::format("{}e.model_name = ?", plus), {*model});
  }
  AddTimeRange(range, fmt::format("{}e.created_at", plus), &where);
  TC_ASSIGN_OR_RETURN(const IdPaging paging, IdPagingOf(params, kEndpoint, "e.id", &where));
  const std::string sql = fmt::format("{}{} ORDER BY e.id {} LIMIT {}", Select(bodies), where.sql(),
                                      paging.descending ? "DESC" : "ASC", paging.limit + 1);
  TC_ASSIGN_OR_RETURN(storage::SqlRows rows,
                      ReadRows(store, sql, std::move(where.params()),
                               bodies ? kColumnsWithBodies : kColumnsWithoutBodies, "event list"));
  std::optional<std::string> next;
  if (static_cast<int64_t>(rows.size()) > paging.limit) {
    rows.resize(static_cast<size_t>(paging.limit));
    next = IdCursor(kEndpoint, paging, AsInt(rows.back()[kId]).value_or(0));
  }
  JsonWriter json;
  json.BeginObject();
  json.Key("data").BeginArray();
  for (const storage::SqlRow& row : rows) {
    json.Element();
    RenderEvent(json, row, bodies);
  }
  json.EndArray();
  PageMeta(json, paging.limit, next);
  json.EndObject();
  return json.Take();
}

Result<std::string> ReadEvent(storage::ReadStore& store, std::string_view raw_id) {
  TC_ASSIGN_OR_RETURN(const int64_t id, IntegerPathId(raw_id, "event"));
  const std::string sql = Select(true) + " WHERE e.id = ?1";
  TC_ASSIGN_OR_RETURN(storage::SqlRows rows,
                      ReadRows(store, sql, {id}, kColumnsWithBodies, "event read"));
  if (rows.empty()) return Status::NotFound(fmt::format("no event with id {}", id));
  JsonWriter json;
  RenderEvent(json, rows.front(), true);
  return json.Take();
}

}  // namespace tc::query
