// Where, ReadRows, PageMeta, the time range and the id keyset (paging.h).

#include "paging.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <variant>

#include "cursor.h"
#include "storage/ddl.h"

namespace tc::query {
namespace {

constexpr std::string_view kOrders[] = {"desc", "asc"};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void Where::Add(std::string_view sql, std::vector<storage::SqlValue> values) {
  std::string clause;
  size_t next = 0;
  for (char c : sql) {
    if (c == '?') {
      clause += fmt::format("?{}", params_.size() + 1);
      params_.push_back(std::move(values[next++]));
    } else {
      clause.push_back(c);
    }
  }
  sql_ += sql_.empty() ? " WHERE " : " AND ";
  sql_ += clause;
}

Result<storage::SqlRows> ReadRows(storage::ReadStore& store, std::string_view sql,
                                  std::vector<storage::SqlValue> params, size_t columns,
                                  std::string_view what) {
  storage::ReadQuery query{sql, std::move(params)};
  TC_ASSIGN_OR_RETURN(std::vector<storage::SqlRows> answers, store.Read({&query, 1}));
  if (answers.size() != 1) {
    return Status::Internal(fmt::format("{}: the store answered another number of queries", what));
  }
  for (const storage::SqlRow& row : answers[0]) {
    if (row.size() != columns) {
      return Status::Internal(
          fmt::format("{}: a row of {} columns, not {}", what, row.size(), columns));
    }
  }
  return std::move(answers[0]);
}

std::string MatchExpression(std::string_view q) {
  std::string out;
  size_t at = 0;
  while (at < q.size()) {
    while (at < q.size() && std::isspace(static_cast<unsigned char>(q[at]))) ++at;
    const size_t start = at;
    while (at < q.size() && !std::isspace(static_cast<unsigned char>(q[at]))) ++at;
    if (at == start) break;
    if (!out.empty()) out.push_back(' ');
    out.push_back('"');
    for (char c : q.substr(start, at - start)) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out;
}

Result<bool> HasMessageIndex(storage::ReadStore& store) {
  storage::ReadQuery probe{storage::kMessageIndexExistsSql, {}};
  TC_ASSIGN_OR_RETURN(std::vector<storage::SqlRows> found, store.Read({&probe, 1}));
  return !found.empty() && !found[0].empty();
}

void SearchMeta(JsonWriter& json, bool indexed) {
  json.Key("search").BeginObject();
  json.Key("mode").String(indexed ? "index" : "scan");
  if (!indexed) json.Key("messages_scanned_at_most").Int(kScannedMessages);
  json.EndObject();
}

void PageMeta(JsonWriter& json, int64_t limit, const std::optional<std::string>& next_cursor,
              std::optional<bool> searched) {
  json.Key("meta").BeginObject();
  json.Key("limit").Int(limit);
  json.Key("has_more").Bool(next_cursor.has_value());
  if (searched) SearchMeta(json, *searched);
  json.Key("next_cursor");
  if (next_cursor) {
    json.String(*next_cursor);
  } else {
    json.Null();
  }
  json.EndObject();
}

Result<TimeRange> TimeRangeOf(const QueryParams& params) {
  TimeRange range;
  TC_ASSIGN_OR_RETURN(range.from, params.Time("from"));
  TC_ASSIGN_OR_RETURN(range.to, params.Time("to"));
  if (range.from && range.to && *range.from > *range.to) {
    return BadParameter("from", "is after `to`");
  }
  return range;
}

void AddTimeRange(const TimeRange& range, std::string_view column, Where* where) {
  if (range.from) where->Add(fmt::format("{} >= ?", column), {*range.from});
  if (range.to) where->Add(fmt::format("{} < ?", column), {*range.to});
}

Result<IdPaging> IdPagingOf(const QueryParams& params, std::string_view endpoint,
                            std::string_view id_column, Where* where) {
  IdPaging paging;
  TC_ASSIGN_OR_RETURN(paging.limit, params.Limit(kDefaultLimit, kMaxLimit));
  TC_ASSIGN_OR_RETURN(paging.order, params.Choice("order", kOrders, "desc"));
  paging.descending = paging.order == "desc";
  if (const std::string* text = params.Get("cursor")) {
    const std::optional<Cursor> cursor = DecodeCursor(*text);
    if (!cursor || cursor->sort != endpoint || !std::holds_alternative<int64_t>(cursor->key)) {
      return BadParameter("cursor", "not a cursor this endpoint gave");
    }
    if (cursor->order != paging.order) {
      return BadParameter("cursor", fmt::format("was made for order={}; send the same order "
                                                "with it",
                                                cursor->order));
    }
    where->Add(fmt::format("{} {} ?", id_column, paging.descending ? "<" : ">"), {cursor->key});
  }
  return paging;
}

std::string IdCursor(std::string_view endpoint, const IdPaging& paging, int64_t last_id) {
  return EncodeCursor(Cursor{std::string(endpoint), std::string(paging.order), last_id, ""});
}

Result<std::string> PathId(std::string_view raw, std::string_view what) {
  if (raw.empty()) return BadParameter("id", fmt::format("the {} id is empty", what));
  std::string id;
  id.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '/') {
      return BadParameter("id", fmt::format("a '/' at byte {} of the {} id: send a '/' in an "
                                            "id as %2F",
                                            i, what));
    }
    if (c != '%') {
      id.push_back(c);
      continue;
    }
    const int high = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
    const int low = i + 2 < raw.size() ? HexValue(raw[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return BadParameter("id", fmt::format("a '%' at byte {} of the {} id is not followed by "
                                            "two hex digits",
                                            i, what));
    }
    id.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (!simdjson::validate_utf8(id.data(), id.size())) {
    return BadParameter("id", fmt::format("the {} id is not UTF-8 once percent-decoded", what));
  }
  return id;
}

Result<int64_t> IntegerPathId(std::string_view raw, std::string_view what) {
  int64_t id = 0;
  const bool digits = !raw.empty() && raw.find_first_not_of("0123456789") == std::string_view::npos;
  const auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (!digits || error != std::errc() || end != raw.data() + raw.size()) {
    return BadParameter("id", fmt::format("must be the {}'s integer id (the \"id\" of a list "
                                          "row)",
                                          what));
  }
  return id;
}

}  // namespace tc::query
