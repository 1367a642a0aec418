#pragma once

// What the read API's endpoints share (internal to src/query/): the WHERE clause a request's
// filters build, one SELECT read through the store with its rows checked, the "meta" member of
// a page, and the keyset paging of the lists ordered by a table's integer id (GET /v1/events,
// GET /v1/messages).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "common/result.h"
#include "query/params.h"
#include "storage/read_store.h"

namespace tc::query {

inline constexpr int64_t kDefaultLimit = 50;
inline constexpr int64_t kMaxLimit = 1000;

// A WHERE clause and its parameters, ?1.. in order.
class Where {
 public:
  // Appends "<sql with ? for the value>"; `sql` holds exactly one '?' per value, in order.
  void Add(std::string_view sql, std::vector<storage::SqlValue> values);
  // " WHERE a AND b", or empty.
  const std::string& sql() const { return sql_; }
  std::vector<storage::SqlValue>& params() { return params_; }

 private:
  std::string sql_;
  std::vector<storage::SqlValue> params_;
};

// The rows of one SELECT; kInternal when the store answers another number of queries or a row
// without `columns` columns (a backend bug). `what` names the endpoint in those messages.
Result<storage::SqlRows> ReadRows(storage::ReadStore& store, std::string_view sql,
                                  std::vector<storage::SqlValue> params, size_t columns,
                                  std::string_view what);

// "meta":{"limit":..,"has_more":..,"next_cursor":..} (the key and its object), with
// "search":{...} (SearchMeta) when `searched` (q= was given; true: through the message index).
void PageMeta(JsonWriter& json, int64_t limit, const std::optional<std::string>& next_cursor,
              std::optional<bool> searched = std::nullopt);

// q= (GET /v1/sessions, GET /v1/messages). Without the message index (storage/ddl.h) a search
// looks at this many of the newest messages only.
inline constexpr int64_t kScannedMessages = 100000;
// The FTS5 query for `q`: every word quoted (so none is read as an operator), all required;
// empty when `q` has no word.
std::string MatchExpression(std::string_view q);
// Whether the message index exists (one query).
Result<bool> HasMessageIndex(storage::ReadStore& store);
// "search":{"mode":"index"} or {"mode":"scan","messages_scanned_at_most":N}.
void SearchMeta(JsonWriter& json, bool indexed);

// `from` and `to` (QueryParams::Time), with `from` after `to` refused.
struct TimeRange {
  std::optional<std::string> from, to;
};
Result<TimeRange> TimeRangeOf(const QueryParams& params);
// Adds "<column> >= from" and "<column> < to" for the bounds given.
void AddTimeRange(const TimeRange& range, std::string_view column, Where* where);

// A list ordered by an integer id (the table's rowid, so each page is one rowid or index
// range): `limit`, `order` (desc by default) and `cursor` (made by IdCursor for the same
// `endpoint` and order; its condition "<id_column> < last" or "> last" is added to `where`).
struct IdPaging {
  int64_t limit = kDefaultLimit;
  std::string_view order;  // "desc" or "asc"
  bool descending = true;
};
Result<IdPaging> IdPagingOf(const QueryParams& params, std::string_view endpoint,
                            std::string_view id_column, Where* where);
std::string IdCursor(std::string_view endpoint, const IdPaging& paging, int64_t last_id);

// The decoded `{id}` of a path (".../{id}", still percent-encoded as sent): kInvalidArgument
// naming "id" when empty, holding a raw '/', a malformed escape, or not UTF-8 once decoded.
Result<std::string> PathId(std::string_view raw, std::string_view what);
// An integer `{id}` (digits only, within int64): kInvalidArgument naming "id" otherwise.
Result<int64_t> IntegerPathId(std::string_view raw, std::string_view what);

}  // namespace tc::query
