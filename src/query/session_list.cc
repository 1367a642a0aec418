// GET /v1/sessions (session_list.h): the parameters, one SELECT over session_traces and its
// totals columns (storage/ddl.h), and the page.

#include "query/session_list.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cmath>
#include <optional>
#include <vector>

#include "common/json_writer.h"
#include "cursor.h"
#include "paging.h"
#include "query/params.h"
#include "query/session_trace.h"
#include "sql_json.h"
#include "storage/ddl.h"

namespace tc::query {
namespace {

constexpr std::string_view kParams[] = {"from",      "to", "experiment_id", "model", "min_cost_usd",
                                        "has_error", "q",  "sort",          "order", "limit",
                                        "cursor"};
constexpr std::string_view kSorts[] = {"created_at", "cost_usd", "duration_ms", "num_events"};
constexpr std::string_view kOrders[] = {"desc", "asc"};

// The columns each row is read with, in this order.
enum Col : size_t {
  kId,
  kCreated,
  kExperiment,
  kMetadata,
  kTimesteps,
  kEvents,
  kMessages,
  kLmCalls,
  kInputTokens,
  kOutputTokens,
  kTotalTokens,
  kCostCents,
  kDurationMs,
  kErrors,
  kModels,
  kOutcomeReward,
  kEventReward,
  kFirstTime,
  kLastTime,
  kColumnCount
};
constexpr std::string_view kSelect =
    "SELECT s.session_id, s.created_at, s.experiment_id, s.metadata, s.num_timesteps, "
    "s.num_events, s.num_messages, s.tc_llm_calls, s.tc_input_tokens, s.tc_output_tokens, "
    "s.tc_total_tokens, s.tc_cost_cents, s.tc_duration_ms, s.tc_errors, s.tc_models, (SELECT "
    "COALESCE(SUM(o.total_reward), 0.0) FROM outcome_rewards o WHERE o.session_id = "
    "s.session_id), (SELECT COALESCE(SUM(r.reward_value), 0.0) FROM event_rewards r WHERE "
    "r.session_id = s.session_id), s.tc_first_time, s.tc_last_time FROM session_traces s";

struct SortKey {
  std::string_view column;  // in SQL
  Col col;                  // in the row
};
SortKey KeyOf(std::string_view sort) {
  if (sort == "cost_usd") return {"s.tc_cost_cents", kCostCents};
  if (sort == "duration_ms") return {"s.tc_duration_ms", kDurationMs};
  if (sort == "num_events") return {"s.num_events", kEvents};
  return {"s.created_at", kCreated};
}

void RenderRow(JsonWriter& json, const storage::SqlRow& row) {
  json.Element().BeginObject();
  json.Key("session_id");
  Value(json, row[kId]);
  json.Key("created_at");
  Value(json, row[kCreated]);
  json.Key("experiment_id");
  Value(json, row[kExperiment]);
  json.Key("metadata");
  JsonColumn(json, row[kMetadata]);
  json.Key("totals").BeginObject();
  const auto integer = [&](std::string_view key, Col col) {
    json.Key(key).Int(AsInt(row[col]).value_or(0));
  };
  integer("timesteps", kTimesteps);
  integer("events", kEvents);
  integer("lm_calls", kLmCalls);
  integer("messages", kMessages);
  integer("input_tokens", kInputTokens);
  integer("output_tokens", kOutputTokens);
  integer("total_tokens", kTotalTokens);
  json.Key("cost_usd").Double(SummedDollars(AsDouble(row[kCostCents]).value_or(0)));
  json.Key("duration_ms").Double(AsDouble(row[kDurationMs]).value_or(0));
  integer("errors", kErrors);
  json.Key("models");
  if (const auto* models = std::get_if<std::string>(&row[kModels]); models && !models->empty()) {
    json.Raw(*models);  // a JSON array the writer keeps (statements.cc)
  } else {
    json.BeginArray().EndArray();
  }
  json.Key("outcome_reward").Double(AsDouble(row[kOutcomeReward]).value_or(0));
  json.Key("event_reward").Double(AsDouble(row[kEventReward]).value_or(0));
  json.Key("first_event_time");
  Value(json, row[kFirstTime]);
  json.Key("last_event_time");
  Value(json, row[kLastTime]);
  json.EndObject();
  json.EndObject();
}

// q=: sessions with a message whose content has all of q's words (the message index), or, on a
// backend without one, whose content contains q (ASCII case-insensitive) among the newest
// kScannedMessages messages; and sessions whose id or metadata contains q. True: the index was
// used.
Result<bool> AddTextSearch(storage::ReadStore& store, const std::string& q, Where* where) {
  const std::string match = MatchExpression(q);
  if (match.empty()) return BadParameter("q", "has no word to search for");
  TC_ASSIGN_OR_RETURN(const bool indexed, HasMessageIndex(store));
  if (indexed) {
    where->Add(
        "(s.session_id IN (SELECT m.session_id FROM tc_messages_fts f JOIN messages m ON m.id = "
        "f.rowid WHERE tc_messages_fts MATCH ?) OR instr(s.session_id, ?) > 0 OR "
        "instr(s.metadata, ?) > 0)",
        {match, q, q});
  } else {
    where->Add(fmt::format("(s.session_id IN (SELECT m.session_id FROM messages m WHERE m.id > "
                           "(SELECT COALESCE(MAX(id), 0) FROM messages) - {} AND "
                           "instr(lower(m.content), lower(?)) > 0) OR instr(s.session_id, ?) > 0 "
                           "OR instr(s.metadata, ?) > 0)",
                           kScannedMessages),
               {q, q, q});
  }
  return indexed;
}

}  // namespace

Result<std::string> ListSessions(storage::ReadStore& store, std::string_view query_string) {
  TC_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(query_string, kParams));
  TC_ASSIGN_OR_RETURN(const int64_t limit, params.Limit(kDefaultLimit, kMaxLimit));
  TC_ASSIGN_OR_RETURN(const std::string_view sort, params.Choice("sort", kSorts, "created_at"));
  TC_ASSIGN_OR_RETURN(const std::string_view order, params.Choice("order", kOrders, "desc"));
  TC_ASSIGN_OR_RETURN(const std::optional<std::string> from, params.Time("from"));
  TC_ASSIGN_OR_RETURN(const std::optional<std::string> to, params.Time("to"));
  TC_ASSIGN_OR_RETURN(const std::optional<double> min_cost, params.NonNegative("min_cost_usd"));
  TC_ASSIGN_OR_RETURN(const std::optional<bool> has_error, params.Bool("has_error"));
  if (from && to && *from > *to) return BadParameter("from", "is after `to`");
  const SortKey key = KeyOf(sort);
  const bool descending = order == "desc";

  Where where;
  if (from) where.Add("s.created_at >= ?", {*from});
  if (to) where.Add("s.created_at < ?", {*to});
  if (const std::string* experiment = params.Get("experiment_id")) {
    where.Add("s.experiment_id = ?", {*experiment});
  }
  if (const std::string* model = params.Get("model")) {
    // tc_models is a JSON array of strings: a quoted name right after '[' or ',' is an element.
    std::string quoted;
    AppendJsonString(quoted, *model);
    where.Add("(instr(s.tc_models, '[' || ?) > 0 OR instr(s.tc_models, ',' || ?) > 0)",
              {quoted, quoted});
  }
  std::optional<bool> indexed;  // q given: searched with the message index, or by a scan
  if (const std::string* q = params.Get("q")) {
    TC_ASSIGN_OR_RETURN(indexed, AddTextSearch(store, *q, &where));
  }
  if (min_cost) where.Add("s.tc_cost_cents >= ?", {*min_cost * 100.0});
  if (has_error) where.Add(*has_error ? "s.tc_errors > 0" : "s.tc_errors = 0", {});
  if (const std::string* text = params.Get("cursor")) {
    const std::optional<Cursor> cursor = DecodeCursor(*text);
    if (!cursor) return BadParameter("cursor", "not a cursor this endpoint gave");
    if (cursor->sort != sort || cursor->order != order) {
      return BadParameter("cursor", fmt::format("was made for sort={}&order={}; send the same "
                                                "sort and order with it",
                                                cursor->sort, cursor->order));
    }
    const bool text_key = key.col == kCreated;
    const bool int_key = key.col == kEvents;
    if (text_key != std::holds_alternative<std::string>(cursor->key) ||
        int_key != std::holds_alternative<int64_t>(cursor->key) || IsNull(cursor->key)) {
      return BadParameter("cursor", "not a cursor this endpoint gave");
    }
    where.Add(fmt::format("({}, s.session_id) {} (?, ?)", key.column, descending ? "<" : ">"),
              {cursor->key, cursor->id});
  }
  const std::string sql =
      fmt::format("{}{} ORDER BY {} {}, s.session_id {} LIMIT {}", kSelect, where.sql(), key.column,
                  descending ? "DESC" : "ASC", descending ? "DESC" : "ASC", limit + 1);
  storage::ReadQuery query{sql, std::move(where.params())};
  TC_ASSIGN_OR_RETURN(std::vector<storage::SqlRows> answers, store.Read({&query, 1}));
  if (answers.size() != 1) {
    return Status::Internal("session list: the store answered another number of queries");
  }
  storage::SqlRows& rows = answers[0];
  for (const storage::SqlRow& row : rows) {
    if (row.size() != kColumnCount) {
      return Status::Internal("session list: a row does not have the selected columns");
    }
  }
  const bool has_more = static_cast<int64_t>(rows.size()) > limit;
  if (has_more) rows.resize(static_cast<size_t>(limit));

  JsonWriter json;
  json.BeginObject();
  json.Key("data").BeginArray();
  for (const storage::SqlRow& row : rows) RenderRow(json, row);
  json.EndArray();
  json.Key("meta").BeginObject();
  json.Key("limit").Int(limit);
  json.Key("has_more").Bool(has_more);
  if (indexed) SearchMeta(json, *indexed);
  json.Key("next_cursor");
  if (has_more) {
    const storage::SqlRow& last = rows.back();
    storage::SqlValue last_key = last[key.col];
    if (key.col == kCostCents || key.col == kDurationMs) {
      last_key = AsDouble(last_key).value_or(0);  // REAL columns: compare as REAL
    }
    const auto* id = std::get_if<std::string>(&last[kId]);
    json.String(EncodeCursor(
        Cursor{std::string(sort), std::string(order), std::move(last_key), id ? *id : ""}));
  } else {
    json.Null();
  }
  json.EndObject();
  json.EndObject();
  return json.Take();
}

}  // namespace tc::query
