// What the read API's endpoints share (src/query/paging.h, internal): the {id} of a path, the
// id keyset of GET /v1/events and /v1/messages, the WHERE clause's parameter numbers.

#include "query/paging.h"

#include <gtest/gtest.h>

#include "query/cursor.h"

namespace tc::query {
namespace {

constexpr std::string_view kAllowed[] = {"limit", "order", "cursor"};

QueryParams Parse(std::string_view raw) {
  Result<QueryParams> params = QueryParams::Parse(raw, kAllowed);
  EXPECT_TRUE(params.has_value()) << raw;
  return params.has_value() ? *params : *QueryParams::Parse("", kAllowed);
}

std::string ParameterOfError(const Status& status) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  return std::string(ParameterOf(status));
}

TEST(PathIdTest, IntegerIdsAreDigitsWithinInt64) {
  EXPECT_EQ(*IntegerPathId("7", "event"), 7);
  EXPECT_EQ(*IntegerPathId("0042", "event"), 42);
  EXPECT_EQ(*IntegerPathId("9223372036854775807", "event"), INT64_MAX);
  for (std::string_view bad :
       {"", "abc", "1.5", "-1", "+1", " 1", "1 ", "1e3", "9223372036854775808", "12%20"}) {
    Result<int64_t> id = IntegerPathId(bad, "event");
    ASSERT_FALSE(id.has_value()) << bad;
    EXPECT_EQ(ParameterOfError(id.error()), "id") << bad;
  }
}

TEST(PathIdTest, TextIdsArePercentDecodedPathSegments) {
  EXPECT_EQ(*PathId("exp-1", "experiment"), "exp-1");
  EXPECT_EQ(*PathId("exp%2F%C3%BC%20x+y", "experiment"), "exp/ü x+y");  // '+' is a '+'
  for (std::string_view bad : {"", "a/b", "%zz", "%4", "%FF"}) {
    Result<std::string> id = PathId(bad, "experiment");
    ASSERT_FALSE(id.has_value()) << bad;
    EXPECT_EQ(ParameterOfError(id.error()), "id") << bad;
  }
}

TEST(WhereTest, NumbersEachValueInOrder) {
  Where where;
  EXPECT_EQ(where.sql(), "");
  where.Add("a = ?", {int64_t{1}});
  where.Add("b IS NULL", {});
  where.Add("(c, d) < (?, ?)", {std::string("x"), 2.5});
  EXPECT_EQ(where.sql(), " WHERE a = ?1 AND b IS NULL AND (c, d) < (?2, ?3)");
  ASSERT_EQ(where.params().size(), 3u);
  EXPECT_EQ(where.params()[1], storage::SqlValue(std::string("x")));
}

TEST(IdPagingTest, DefaultsAndTheCursorsCondition) {
  Where none;
  Result<IdPaging> defaults = IdPagingOf(Parse(""), "events", "e.id", &none);
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->limit, 50);
  EXPECT_EQ(defaults->order, "desc");
  EXPECT_TRUE(defaults->descending);
  EXPECT_EQ(none.sql(), "");

  // A cursor continues after its id, in its order.
  const std::string desc = IdCursor("events", *defaults, 120);
  Where after;
  Result<IdPaging> next = IdPagingOf(Parse("limit=5&cursor=" + desc), "events", "e.id", &after);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->limit, 5);
  EXPECT_EQ(after.sql(), " WHERE e.id < ?1");
  EXPECT_EQ(after.params()[0], storage::SqlValue(int64_t{120}));

  Where asc_where;
  Result<IdPaging> asc = IdPagingOf(Parse("order=asc"), "messages", "m.id", &asc_where);
  ASSERT_TRUE(asc.has_value());
  Where asc_after;
  ASSERT_TRUE(IdPagingOf(Parse("order=asc&cursor=" + IdCursor("messages", *asc, 9)), "messages",
                         "m.id", &asc_after)
                  .has_value());
  EXPECT_EQ(asc_after.sql(), " WHERE m.id > ?1");

  // Refused: another endpoint's cursor, another order's, another key type, not a cursor.
  const std::string text_key = EncodeCursor(Cursor{"events", "desc", std::string("9"), ""});
  const std::pair<std::string, std::string> bad_cases[] = {
      {"order=asc&cursor=" + desc, "cursor"},
      {"cursor=" + IdCursor("messages", *defaults, 3), "cursor"},
      {"cursor=" + text_key, "cursor"},
      {"cursor=abc", "cursor"},
      {"order=up", "order"},
      {"limit=0", "limit"},
  };
  for (const auto& [query, parameter] : bad_cases) {
    Where where;
    Result<IdPaging> paging = IdPagingOf(Parse(query), "events", "e.id", &where);
    ASSERT_FALSE(paging.has_value()) << query;
    EXPECT_EQ(ParameterOfError(paging.error()), parameter) << query;
  }
}

TEST(CursorTest, ANullKeyRoundTripsAndIsNotAnEmptyText) {
  const Cursor null_key{"experiments", "desc", storage::SqlValue{}, "exp-1"};
  const std::optional<Cursor> back = DecodeCursor(EncodeCursor(null_key));
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(back->key));
  EXPECT_EQ(back->id, "exp-1");
  const Cursor empty_text{"experiments", "desc", std::string(), "exp-1"};
  EXPECT_NE(EncodeCursor(null_key), EncodeCursor(empty_text));
  EXPECT_TRUE(std::holds_alternative<std::string>(DecodeCursor(EncodeCursor(empty_text))->key));
}

}  // namespace
}  // namespace tc::query
