#include "common/log.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <string>

namespace tc::log {
namespace {

using std::chrono::seconds;

const auto kTs = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));

TEST(LogFormatTest, LogfmtQuotesWhatNeedsIt) {
  const Field fields[] = {{"records", "12"}, {"path", "/a b"}, {"why", "say \"x\"\nnext"}};
  EXPECT_EQ(FormatLine(Format::kLogfmt, kTs, Level::kWarn, "pipeline", "batch \"late\"", fields),
            "ts=2023-11-14T22:13:20.123Z level=warn component=pipeline msg=\"batch \\\"late\\\"\" "
            "records=12 path=\"/a b\" why=\"say \\\"x\\\"\\nnext\"\n");
  EXPECT_EQ(FormatLine(Format::kLogfmt, kTs, Level::kInfo, "app", ""),
            "ts=2023-11-14T22:13:20.123Z level=info component=app msg=\"\"\n");
}

TEST(LogFormatTest, JsonIsOneValidObjectPerLineWithEscapes) {
  const std::string nasty = "quote \" backslash \\ newline \n tab \t ctrl \x01 utf8 \xc3\xa9";
  const Field fields[] = {{"repeated", "3"}, {"detail", nasty}};
  const std::string line =
      FormatLine(Format::kJson, kTs, Level::kError, "sink", nasty, fields);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(line).get(root)) << line;
  std::string_view v;
  ASSERT_FALSE(root["ts"].get(v));
  EXPECT_EQ(v, "2023-11-14T22:13:20.123Z");
  ASSERT_FALSE(root["level"].get(v));
  EXPECT_EQ(v, "error");
  ASSERT_FALSE(root["component"].get(v));
  EXPECT_EQ(v, "sink");
  ASSERT_FALSE(root["msg"].get(v));
  EXPECT_EQ(v, nasty);
  ASSERT_FALSE(root["detail"].get(v));
  EXPECT_EQ(v, nasty);
  ASSERT_FALSE(root["repeated"].get(v));
  EXPECT_EQ(v, "3");
}

TEST(LogFormatTest, ParseFormatAndLevel) {
  Format f;
  EXPECT_TRUE(ParseFormat("json", &f));
  EXPECT_EQ(f, Format::kJson);
  EXPECT_TRUE(ParseFormat("logfmt", &f));
  EXPECT_EQ(f, Format::kLogfmt);
  EXPECT_FALSE(ParseFormat("xml", &f));
  Level l;
  EXPECT_TRUE(ParseLevel("warning", &l));
  EXPECT_EQ(l, Level::kWarn);
  EXPECT_FALSE(ParseLevel("loud", &l));
}

TEST(RateLimiterTest, OncePerWindowThenTheSuppressedCount) {
  RateLimiter limiter(seconds(10));
  const auto t0 = RateLimiter::Clock::time_point(seconds(1000));
  auto first = limiter.Check("sink|write failed", t0);
  EXPECT_TRUE(first.write);
  EXPECT_EQ(first.suppressed, 0u);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_FALSE(limiter.Check("sink|write failed", t0 + seconds(i)).write);
  }
  // Another key is independent.
  EXPECT_TRUE(limiter.Check("http|accept failed", t0 + seconds(1)).write);
  auto after = limiter.Check("sink|write failed", t0 + seconds(10));
  EXPECT_TRUE(after.write);
  EXPECT_EQ(after.suppressed, 5u);
  // The window restarts from the line written.
  EXPECT_FALSE(limiter.Check("sink|write failed", t0 + seconds(19)).write);
  auto third = limiter.Check("sink|write failed", t0 + seconds(20));
  EXPECT_TRUE(third.write);
  EXPECT_EQ(third.suppressed, 1u);
}

TEST(RateLimiterTest, KeyTableIsBounded) {
  RateLimiter limiter(seconds(10));
  const auto t0 = RateLimiter::Clock::time_point(seconds(1000));
  for (size_t i = 0; i < RateLimiter::kMaxKeys + 10; ++i) {
    EXPECT_TRUE(limiter.Check("key" + std::to_string(i), t0).write);
  }
  // Forgotten when the table filled up: written again rather than growing without bound.
  EXPECT_TRUE(limiter.Check("key0", t0 + seconds(1)).write);
}

}  // namespace
}  // namespace tc::log
