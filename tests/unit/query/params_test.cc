// QueryParams and the paging cursor (src/query/params.h, cursor.h; internal headers, reached
// through the stage's folder like the other stages' unit tests).

#include "query/params.h"

#include <gtest/gtest.h>

#include "query/cursor.h"

namespace tc::query {
namespace {

constexpr std::string_view kAllowed[] = {"limit", "from", "to", "q", "flag", "cost"};

QueryParams Parse(std::string_view raw) {
  Result<QueryParams> params = QueryParams::Parse(raw, kAllowed);
  EXPECT_TRUE(params.has_value()) << raw << ": " << params.error().ToString();
  return params.has_value() ? *params : *QueryParams::Parse("", kAllowed);
}

std::string Problem(std::string_view raw) {
  Result<QueryParams> params = QueryParams::Parse(raw, kAllowed);
  if (params.has_value()) return "";
  EXPECT_EQ(params.error().code(), StatusCode::kInvalidArgument);
  return std::string(ParameterOf(params.error()));
}

TEST(QueryParamsTest, DecodesAndRefusesWhatIsNotAQueryString) {
  QueryParams p = Parse("q=a+b%20c%2Bd&&limit=5");
  ASSERT_NE(p.Get("q"), nullptr);
  EXPECT_EQ(*p.Get("q"), "a b c+d");
  EXPECT_EQ(p.Get("from"), nullptr);
  EXPECT_EQ(*p.Limit(50, 1000), 5);
  EXPECT_EQ(*Parse("").Limit(50, 1000), 50);
  EXPECT_EQ(Problem("nope=1"), "nope");
  EXPECT_EQ(Problem("q=1&q=2"), "q");
  EXPECT_EQ(Problem("q=%4"), "q");
  EXPECT_EQ(Problem("q=%C3%28"), "q");  // not UTF-8 once decoded
  EXPECT_EQ(Problem("q=" + std::string(5000, 'x')), "q");
  EXPECT_EQ(ParameterOf(Status::InvalidArgument("something else")), "");
  EXPECT_EQ(ParameterOf(Status::NotFound("parameter \"x\": no")), "");
}

TEST(QueryParamsTest, TypedValues) {
  for (std::string_view bad : {"limit=0", "limit=1001", "limit=-1", "limit=1.5", "limit=5x"}) {
    EXPECT_EQ(ParameterOf(Parse(bad).Limit(50, 1000).error()), "limit") << bad;
  }
  EXPECT_EQ(*Parse("flag=true").Bool("flag"), true);
  EXPECT_EQ(*Parse("flag=0").Bool("flag"), false);
  EXPECT_FALSE(Parse("flag=yes").Bool("flag").has_value());
  EXPECT_EQ(*Parse("cost=0.25").NonNegative("cost"), 0.25);
  for (std::string_view bad : {"cost=-0.1", "cost=inf", "cost=nan", "cost=", "cost=1e999"}) {
    EXPECT_FALSE(Parse(bad).NonNegative("cost").has_value()) << bad;
  }
}

TEST(QueryParamsTest, TimesBecomeTheStoredDatetimeText) {
  const auto time = [](std::string_view raw) -> std::string {
    Result<std::optional<std::string>> t = Parse(raw).Time("from");
    return t.has_value() && t->has_value() ? **t : "error";
  };
  EXPECT_EQ(time("from=2026-12-05T03:40:16Z"), "2026-12-05T03:40:16.000000+00:00");
  EXPECT_EQ(time("from=2026-12-05T03:40:16.25%2B02:00"), "2026-12-05T01:40:16.250000+00:00");
  EXPECT_EQ(time("from=2026-12-05t23:30:00-01:30"), "2026-12-06T01:00:00.000000+00:00");
  EXPECT_EQ(time("from=2026-12-05"), "2026-12-05T00:00:00.000000+00:00");
  EXPECT_EQ(time("from=2024-02-29T00:00:00Z"), "2024-02-29T00:00:00.000000+00:00");
  EXPECT_EQ(time("from=1764906016"), "2025-12-05T03:40:16.000000+00:00");
  EXPECT_EQ(time("from=1764906016.5"), "2025-12-05T03:40:16.500000+00:00");
  for (std::string_view bad :
       {"from=2026-02-30", "from=2026-13-01", "from=2026-12-05T25:00:00Z", "from=2026-12-05T10:00",
        "from=2026-12-05T10:00:00", "from=2026-12-05T10:00:00.Z", "from=-5", "from=yesterday",
        "from=1e300", "from="}) {
    EXPECT_EQ(time(bad), "error") << bad;
  }
}

TEST(CursorTest, RoundTripsEveryKeyTypeAndRefusesOtherText) {
  for (const storage::SqlValue& key :
       {storage::SqlValue(int64_t{-42}), storage::SqlValue(0.1 + 0.2),
        storage::SqlValue(std::string("2026-01-01T00:00:00.000000+00:00\nwith:colon"))}) {
    const Cursor cursor{"cost_usd", "asc", key, "id with\nnewline:and é"};
    const std::optional<Cursor> back = DecodeCursor(EncodeCursor(cursor));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->sort, "cost_usd");
    EXPECT_EQ(back->order, "asc");
    EXPECT_EQ(back->key, key);  // a REAL exactly: the next page starts right after it
    EXPECT_EQ(back->id, cursor.id);
  }
  for (std::string_view bad : {"", "a", "!!!!", "bm90IGEgY3Vyc29y", "YzEKYQpiCng1OmFiY2Rl"}) {
    EXPECT_FALSE(DecodeCursor(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tc::query
