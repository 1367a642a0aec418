// GET /v1/messages and GET /v1/messages/{id} (records_read.h): one SELECT over messages (its
// step id from session_timesteps), keyset paged by messages.id.

#include <fmt/format.h>

#include "common/json_writer.h"
#include "paging.h"
#include "query/params.h"
#include "query/records_read.h"
#include "sql_json.h"

namespace tc::query {
namespace {

constexpr std::string_view kEndpoint = "messages";
constexpr std::string_view kParams[] = {"session_id", "message_type", "from",   "to",
                                        "q",          "limit",        "cursor", "order"};
constexpr std::string_view kMessageTypes[] = {"user", "assistant", "system", "tool_use",
                                              "tool_result"};

enum Col : size_t {
  kId,
  kSession,
  kStep,
  kType,
  kContent,
  kTimestamp,
  kEventTime,
  kMessageTime,
  kMetadata,
  kColumnCount
};
constexpr std::string_view kSelect =
    "SELECT m.id, m.session_id, (SELECT t.step_id FROM session_timesteps t WHERE t.id = "
    "m.timestep_id), m.message_type, m.content, m.timestamp, m.event_time, m.message_time, "
    "m.metadata FROM messages m";

void RenderMessage(JsonWriter& json, const storage::SqlRow& m) {
  json.BeginObject();
  const auto value = [&](std::string_view key, Col col) {
    json.Key(key);
    Value(json, m[col]);
  };
  value("id", kId);
  value("session_id", kSession);
  value("step_id", kStep);
  value("message_type", kType);
  json.Key("content");
  TextColumn(json, m[kContent]);  // the stored text (a JSON payload as its compact text)
  value("timestamp", kTimestamp);
  json.Key("time_record").BeginObject();
  value("event_time", kEventTime);
  value("message_time", kMessageTime);
  json.EndObject();
  json.Key("metadata");
  JsonColumn(json, m[kMetadata]);
  json.EndObject();
}

}  // namespace

Result<std::string> ListMessages(storage::ReadStore& store, std::string_view query_string) {
  TC_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(query_string, kParams));
  TC_ASSIGN_OR_RETURN(const std::string_view type,
                      params.Choice("message_type", kMessageTypes, ""));
  TC_ASSIGN_OR_RETURN(const TimeRange range, TimeRangeOf(params));
  // As for events (events.cc): a session's messages through idx_message_session_step, the
  // other filters then kept off their indexes.
  Where where;
  std::optional<bool> searched;  // q=: through the message index, or a bounded scan
  if (const std::string* q = params.Get("q")) {
    const std::string match = MatchExpression(*q);
    if (match.empty()) return BadParameter("q", "has no word to search for");
    TC_ASSIGN_OR_RETURN(const bool indexed, HasMessageIndex(store));
    searched = indexed;
    if (indexed) {
      where.Add("m.id IN (SELECT rowid FROM tc_messages_fts WHERE tc_messages_fts MATCH ?)",
                {match});
    } else {
      where.Add(fmt::format("m.id > (SELECT COALESCE(MAX(id), 0) FROM messages) - {} AND "
                            "instr(lower(m.content), lower(?)) > 0",
                            kScannedMessages),
                {*q});
    }
  }
  const std::string* session = params.Get("session_id");
  const std::string_view plus = session != nullptr ? "+" : "";
  if (session != nullptr) where.Add("m.session_id = ?", {*session});
  if (!type.empty()) where.Add(fmt::format("{}m.message_type = ?", plus), {std::string(type)});
  AddTimeRange(range, fmt::format("{}m.timestamp", plus), &where);
  TC_ASSIGN_OR_RETURN(const IdPaging paging, IdPagingOf(params, kEndpoint, "m.id", &where));
  const std::string sql = fmt::format("{}{} ORDER BY m.id {} LIMIT {}", kSelect, where.sql(),
                                      paging.descending ? "DESC" : "ASC", paging.limit + 1);
  TC_ASSIGN_OR_RETURN(storage::SqlRows rows, ReadRows(store, sql, std::move(where.params()),
                                                      kColumnCount, "message list"));
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
    RenderMessage(json, row);
  }
  json.EndArray();
  PageMeta(json, paging.limit, next, searched);
  json.EndObject();
  return json.Take();
}

Result<std::string> ReadMessage(storage::ReadStore& store, std::string_view raw_id) {
  TC_ASSIGN_OR_RETURN(const int64_t id, IntegerPathId(raw_id, "message"));
  const std::string sql = std::string(kSelect) + " WHERE m.id = ?1";
  TC_ASSIGN_OR_RETURN(storage::SqlRows rows,
                      ReadRows(store, sql, {id}, kColumnCount, "message read"));
  if (rows.empty()) return Status::NotFound(fmt::format("no message with id {}", id));
  JsonWriter json;
  RenderMessage(json, rows.front());
  return json.Take();
}

}  // namespace tc::query
