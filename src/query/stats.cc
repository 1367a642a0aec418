// GET /v1/stats/models and GET /v1/stats/usage (records_read.h): one aggregate SELECT over the
// events whose created_at is in [from, to). A stats query reads every event of its range once:
// its cost grows with the range, which the caller chooses; its answer is at most kMaxGroups
// groups. The range is the only term SQLite may use an index for (idx_event_created): every
// other condition and the GROUP BY terms are written "+x", so it never walks idx_event_type or
// idx_event_model (every LM call ever made) to spare sorting a handful of groups. Without
// from/to, one scan of the table.

#include <fmt/format.h>

#include "common/json_writer.h"
#include "paging.h"
#include "query/params.h"
#include "query/records_read.h"
#include "sql_json.h"

namespace tc::query {
namespace {

constexpr int64_t kMaxGroups = 10000;

constexpr std::string_view kModelParams[] = {"from", "to"};
constexpr std::string_view kUsageParams[] = {"group_by", "from", "to"};
constexpr std::string_view kGroups[] = {"model", "day", "experiment"};

// synth-ai's model_usage_stats view (storage/ddl.cc), with the time range.
enum ModelCol : size_t {
  kModel,
  kProvider,
  kUsageCount,
  kModelInput,
  kModelOutput,
  kModelTotal,
  kModelCostCents,
  kAvgLatency,
  kFirstUsed,
  kLastUsed,
  kModelColumnCount
};
constexpr std::string_view kModelSelect =
    "SELECT e.model_name, e.provider, COUNT(*), COALESCE(SUM(e.input_tokens), 0), "
    "COALESCE(SUM(e.output_tokens), 0), COALESCE(SUM(e.total_tokens), 0), "
    "COALESCE(SUM(e.cost_usd), 0.0), AVG(e.latency_ms), MIN(e.created_at), MAX(e.created_at) "
    "FROM events e";

enum UsageCol : size_t {
  kKey,
  kInput,
  kOutput,
  kTotal,
  kCostCents,
  kCalls,
  kEvents,
  kSessions,
  kUsageColumnCount
};
// {0}: the group's key; {1}: FROM; {2}: WHERE; {3}: the row limit.
constexpr std::string_view kUsageSql =
    "SELECT {0}, COALESCE(SUM(e.input_tokens), 0), COALESCE(SUM(e.output_tokens), 0), "
    "COALESCE(SUM(e.total_tokens), 0), COALESCE(SUM(e.cost_usd), 0.0), SUM(CASE WHEN "
    "e.event_type = 'cais' THEN 1 ELSE 0 END), COUNT(*), COUNT(DISTINCT e.session_id) FROM {1}{2} "
    "GROUP BY +{0} ORDER BY {0} LIMIT {3}";

struct Group {
  std::string_view key_sql;
  std::string_view from_sql;
  std::string_view json_key;
};
Group GroupOf(std::string_view group_by) {
  if (group_by == "day") return {"substr(e.created_at, 1, 10)", "events e", "day"};
  if (group_by == "experiment") {
    return {"s.experiment_id", "events e LEFT JOIN session_traces s ON s.session_id = e.session_id",
            "experiment_id"};
  }
  return {"e.model_name", "events e", "model"};
}

void Meta(JsonWriter& json, const TimeRange& range, bool truncated) {
  json.Key("from");
  Value(json, range.from ? SqlValue(*range.from) : SqlValue());
  json.Key("to");
  Value(json, range.to ? SqlValue(*range.to) : SqlValue());
  json.Key("truncated").Bool(truncated);
}

}  // namespace

Result<std::string> ModelStats(storage::ReadStore& store, std::string_view query_string) {
  TC_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(query_string, kModelParams));
  TC_ASSIGN_OR_RETURN(const TimeRange range, TimeRangeOf(params));
  Where where;
  where.Add("+e.event_type = 'cais' AND +e.model_name IS NOT NULL", {});
  AddTimeRange(range, "e.created_at", &where);
  const std::string sql = fmt::format(
      "{}{} GROUP BY +e.model_name, +e.provider ORDER BY e.model_name, e.provider "
      "LIMIT {}",
      kModelSelect, where.sql(), kMaxGroups + 1);
  TC_ASSIGN_OR_RETURN(storage::SqlRows rows, ReadRows(store, sql, std::move(where.params()),
                                                      kModelColumnCount, "model stats"));
  const bool truncated = static_cast<int64_t>(rows.size()) > kMaxGroups;
  if (truncated) rows.resize(static_cast<size_t>(kMaxGroups));
  JsonWriter json;
  json.BeginObject();
  json.Key("data").BeginArray();
  for (const storage::SqlRow& row : rows) {
    json.Element().BeginObject();
    const auto value = [&](std::string_view key, ModelCol col) {
      json.Key(key);
      Value(json, row[col]);
    };
    value("model_name", kModel);
    value("provider", kProvider);
    value("usage_count", kUsageCount);
    value("total_input_tokens", kModelInput);
    value("total_output_tokens", kModelOutput);
    value("total_tokens", kModelTotal);
    json.Key("total_cost_usd").Double(SummedDollars(AsDouble(row[kModelCostCents]).value_or(0)));
    value("avg_latency_ms", kAvgLatency);
    value("first_used", kFirstUsed);
    value("last_used", kLastUsed);
    json.EndObject();
  }
  json.EndArray();
  json.Key("meta").BeginObject();
  Meta(json, range, truncated);
  json.EndObject();
  json.EndObject();
  return json.Take();
}

Result<std::string> UsageStats(storage::ReadStore& store, std::string_view query_string) {
  TC_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(query_string, kUsageParams));
  TC_ASSIGN_OR_RETURN(const std::string_view group_by, params.Choice("group_by", kGroups, "model"));
  TC_ASSIGN_OR_RETURN(const TimeRange range, TimeRangeOf(params));
  const Group group = GroupOf(group_by);
  Where where;
  // By model: the events that name one (LM calls); by day or experiment: every event.
  if (group_by == "model") where.Add("+e.model_name IS NOT NULL", {});
  AddTimeRange(range, "e.created_at", &where);
  const std::string sql = fmt::format(fmt::runtime(kUsageSql), group.key_sql, group.from_sql,
                                      where.sql(), kMaxGroups + 1);
  TC_ASSIGN_OR_RETURN(storage::SqlRows rows, ReadRows(store, sql, std::move(where.params()),
                                                      kUsageColumnCount, "usage stats"));
  const bool truncated = static_cast<int64_t>(rows.size()) > kMaxGroups;
  if (truncated) rows.resize(static_cast<size_t>(kMaxGroups));
  JsonWriter json;
  json.BeginObject();
  json.Key("data").BeginArray();
  for (const storage::SqlRow& row : rows) {
    json.Element().BeginObject();
    json.Key(group.json_key);
    Value(json, row[kKey]);
    const auto integer = [&](std::string_view key, UsageCol col) {
      json.Key(key).Int(AsInt(row[col]).value_or(0));
    };
    integer("input_tokens", kInput);
    integer("output_tokens", kOutput);
    integer("total_tokens", kTotal);
    json.Key("cost_usd").Double(SummedDollars(AsDouble(row[kCostCents]).value_or(0)));
    integer("calls", kCalls);
    integer("events", kEvents);
    integer("sessions", kSessions);
    json.EndObject();
  }
  json.EndArray();
  json.Key("meta").BeginObject();
  json.Key("group_by").String(group_by);
  Meta(json, range, truncated);
  json.EndObject();
  json.EndObject();
  return json.Take();
}

}  // namespace tc::query
