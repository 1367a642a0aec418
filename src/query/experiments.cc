// GET /v1/experiments and GET /v1/experiments/{id} (records_read.h).
//
// The list is ordered by (created_at, experiment_id), each page one range of
// idx_experiment_created. A NULL created_at (the column allows it; the collector always sets
// it) sorts after every other in descending order and before them in ascending order, as
// SQLite sorts NULLs; the rows without a created_at are read by a second query
// ("created_at IS NULL", by experiment_id), so neither part needs an OR that would defeat the
// index, and the cursor's key is NULL once the page ends among them.

#include <fmt/format.h>

#include <cmath>

#include "common/json_writer.h"
#include "cursor.h"
#include "paging.h"
#include "query/params.h"
#include "query/records_read.h"
#include "sql_json.h"

namespace tc::query {
namespace {

constexpr std::string_view kEndpoint = "experiments";
constexpr std::string_view kParams[] = {"limit", "cursor", "order"};
constexpr std::string_view kOrders[] = {"desc", "asc"};

enum Col : size_t {
  kId,
  kName,
  kDescription,
  kCreated,
  kUpdated,
  kConfiguration,
  kMetadata,
  kColumnCount
};
constexpr std::string_view kSelect =
    "SELECT x.experiment_id, x.name, x.description, x.created_at, x.updated_at, "
    "x.configuration, x.metadata FROM experiments x";

// The experiment's systems with the version it uses (experimental_systems; a system or version
// row that is missing gives NULLs: foreign keys are not enforced).
enum SystemCol : size_t {
  kSysId,
  kSysName,
  kSysType,
  kSysDescription,
  kSysCreated,
  kSysMetadata,
  kVerId,
  kVerNumber,
  kVerCommit,
  kVerCreated,
  kVerConfiguration,
  kVerMetadata,
  kSystemColumnCount
};
constexpr std::string_view kSystemsSql =
    "SELECT x.system_id, s.name, s.system_type, s.description, s.created_at, s.metadata, "
    "x.version_id, v.version_number, v.commit_hash, v.created_at, v.configuration, v.metadata "
    "FROM experimental_systems x LEFT JOIN systems s ON s.system_id = x.system_id LEFT JOIN "
    "system_versions v ON v.version_id = x.version_id WHERE x.experiment_id = ?1 ORDER BY x.id";

// The experiment's sessions, summed from the totals the writer keeps (idx_session_experiment).
enum SessionsCol : size_t {
  kCount,
  kLmCalls,
  kEvents,
  kInputTokens,
  kOutputTokens,
  kTotalTokens,
  kCostCents,
  kFirstCreated,
  kLastCreated,
  kSessionsColumnCount
};
constexpr std::string_view kSessionsSql =
    "SELECT COUNT(*), COALESCE(SUM(tc_llm_calls), 0), COALESCE(SUM(num_events), 0), "
    "COALESCE(SUM(tc_input_tokens), 0), COALESCE(SUM(tc_output_tokens), 0), "
    "COALESCE(SUM(tc_total_tokens), 0), COALESCE(SUM(tc_cost_cents), 0.0), MIN(created_at), "
    "MAX(created_at) FROM session_traces WHERE experiment_id = ?1";

void RenderExperimentMembers(JsonWriter& json, const storage::SqlRow& x) {
  const auto value = [&](std::string_view key, Col col) {
    json.Key(key);
    Value(json, x[col]);
  };
  value("experiment_id", kId);
  value("name", kName);
  value("description", kDescription);
  value("created_at", kCreated);
  value("updated_at", kUpdated);
  json.Key("configuration");
  JsonColumn(json, x[kConfiguration]);
  json.Key("metadata");
  JsonColumn(json, x[kMetadata]);
}

// A query string's value: unreserved characters as they are, every other byte %XX.
std::string PercentEncode(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

}  // namespace

Result<std::string> ListExperiments(storage::ReadStore& store, std::string_view query_string) {
  TC_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(query_string, kParams));
  TC_ASSIGN_OR_RETURN(const int64_t limit, params.Limit(kDefaultLimit, kMaxLimit));
  TC_ASSIGN_OR_RETURN(const std::string_view order, params.Choice("order", kOrders, "desc"));
  const bool descending = order == "desc";
  const char* const direction = descending ? "DESC" : "ASC";
  const char* const after = descending ? "<" : ">";
  std::optional<Cursor> cursor;
  if (const std::string* text = params.Get("cursor")) {
    cursor = DecodeCursor(*text);
    if (!cursor || cursor->sort != kEndpoint ||
        !(IsNull(cursor->key) || std::holds_alternative<std::string>(cursor->key))) {
      return BadParameter("cursor", "not a cursor this endpoint gave");
    }
    if (cursor->order != order) {
      return BadParameter("cursor", fmt::format("was made for order={}; send the same order "
                                                "with it",
                                                cursor->order));
    }
  }
  const bool cursor_in_nulls = cursor && IsNull(cursor->key);

  // The part with a created_at and the part without, in the order of the page.
  std::vector<std::string> sqls;
  std::vector<storage::ReadQuery> queries;
  const auto dated = [&] {
    Where where;
    where.Add("x.created_at IS NOT NULL", {});
    if (cursor && !cursor_in_nulls) {
      where.Add(fmt::format("(x.created_at, x.experiment_id) {} (?, ?)", after),
                {cursor->key, cursor->id});
    }
    sqls.push_back(fmt::format("{}{} ORDER BY x.created_at {}, x.experiment_id {} LIMIT {}",
                               kSelect, where.sql(), direction, direction, limit + 1));
    queries.push_back({{}, std::move(where.params())});
  };
  const auto undated = [&] {
    Where where;
    where.Add("x.created_at IS NULL", {});
    if (cursor_in_nulls) where.Add(fmt::format("x.experiment_id {} ?", after), {cursor->id});
    sqls.push_back(fmt::format("{}{} ORDER BY x.experiment_id {} LIMIT {}", kSelect, where.sql(),
                               direction, limit + 1));
    queries.push_back({{}, std::move(where.params())});
  };
  if (descending) {
    if (!cursor_in_nulls) dated();
    undated();
  } else {
    if (!cursor || cursor_in_nulls) undated();
    dated();
  }
  for (size_t q = 0; q < queries.size(); ++q) queries[q].sql = sqls[q];
  TC_ASSIGN_OR_RETURN(std::vector<storage::SqlRows> answers, store.Read(queries));
  if (answers.size() != queries.size()) {
    return Status::Internal("experiment list: the store answered another number of queries");
  }
  storage::SqlRows rows;
  for (storage::SqlRows& part : answers) {
    for (storage::SqlRow& row : part) {
      if (row.size() != kColumnCount) {
        return Status::Internal("experiment list: a row does not have the selected columns");
      }
      rows.push_back(std::move(row));
    }
  }
  std::optional<std::string> next;
  if (static_cast<int64_t>(rows.size()) > limit) {
    rows.resize(static_cast<size_t>(limit));
    const storage::SqlRow& last = rows.back();
    const auto* id = std::get_if<std::string>(&last[kId]);
    next = EncodeCursor(Cursor{std::string(kEndpoint), std::string(order), last[kCreated],
                               id != nullptr ? *id : ""});
  }
  JsonWriter json;
  json.BeginObject();
  json.Key("data").BeginArray();
  for (const storage::SqlRow& row : rows) {
    json.Element().BeginObject();
    RenderExperimentMembers(json, row);
    json.EndObject();
  }
  json.EndArray();
  PageMeta(json, limit, next);
  json.EndObject();
  return json.Take();
}

Result<std::string> ReadExperiment(storage::ReadStore& store, std::string_view raw_id) {
  TC_ASSIGN_OR_RETURN(const std::string id, PathId(raw_id, "experiment"));
  const std::string experiment_sql = std::string(kSelect) + " WHERE x.experiment_id = ?1";
  std::vector<storage::ReadQuery> queries = {
      {experiment_sql, {id}, /*stop_if_empty=*/true},
      {kSystemsSql, {id}},
      {kSessionsSql, {id}},
  };
  TC_ASSIGN_OR_RETURN(std::vector<storage::SqlRows> rows, store.Read(queries));
  if (rows.size() != queries.size()) {
    return Status::Internal("experiment read: the store answered another number of queries");
  }
  if (rows[0].empty()) {
    JsonWriter quoted;
    quoted.String(id);
    return Status::NotFound(fmt::format("no experiment with id {}", quoted.str()));
  }
  const size_t columns[] = {kColumnCount, kSystemColumnCount, kSessionsColumnCount};
  for (size_t q = 0; q < rows.size(); ++q) {
    for (const storage::SqlRow& row : rows[q]) {
      if (row.size() != columns[q]) {
        return Status::Internal("experiment read: a row does not have the selected columns");
      }
    }
  }
  if (rows[2].size() != 1) {
    return Status::Internal("experiment read: the sessions' totals are not one row");
  }

  JsonWriter json;
  json.BeginObject();
  RenderExperimentMembers(json, rows[0].front());
  json.Key("systems").BeginArray();
  for (const storage::SqlRow& s : rows[1]) {
    const auto value = [&](std::string_view key, SystemCol col) {
      json.Key(key);
      Value(json, s[col]);
    };
    json.Element().BeginObject();
    value("system_id", kSysId);
    value("name", kSysName);
    value("system_type", kSysType);
    value("description", kSysDescription);
    value("created_at", kSysCreated);
    json.Key("metadata");
    JsonColumn(json, s[kSysMetadata]);
    json.Key("version").BeginObject();
    value("version_id", kVerId);
    value("version_number", kVerNumber);
    value("commit_hash", kVerCommit);
    value("created_at", kVerCreated);
    json.Key("configuration");
    JsonColumn(json, s[kVerConfiguration]);
    json.Key("metadata");
    JsonColumn(json, s[kVerMetadata]);
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
  const storage::SqlRow& t = rows[2].front();
  json.Key("sessions").BeginObject();
  const auto integer = [&](std::string_view key, SessionsCol col) {
    json.Key(key).Int(AsInt(t[col]).value_or(0));
  };
  integer("count", kCount);
  integer("lm_calls", kLmCalls);
  integer("events", kEvents);
  integer("input_tokens", kInputTokens);
  integer("output_tokens", kOutputTokens);
  integer("total_tokens", kTotalTokens);
  json.Key("total_cost_usd").Double(SummedDollars(AsDouble(t[kCostCents]).value_or(0)));
  json.Key("first_created_at");
  Value(json, t[kFirstCreated]);
  json.Key("last_created_at");
  Value(json, t[kLastCreated]);
  json.Key("list").String("/v1/sessions?experiment_id=" + PercentEncode(id));
  json.EndObject();
  json.EndObject();
  return json.Take();
}

}  // namespace tc::query
