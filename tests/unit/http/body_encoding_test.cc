// Gzip request bodies (body_encoding.h): inflated whole, several members as one body, corrupt
// and truncated input refused, the output bounded (a bomb stops at the limit, never allocating
// its size), every byte of growth asked of the budget first; and through a real Server: a gzip
// body is decoded like a plain one, a bomb is 413.

#include "http/body_encoding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

std::string Gzip(std::string_view data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

TEST(InflateGzipTest, InflatesEveryMemberWithinTheLimitAndAsksTheBudgetFirst) {
  const std::string text(300000, 'x');
  size_t asked = 0;
  std::string out;
  auto budget = [&](size_t n) {
    asked += n;
    return true;
  };
  ASSERT_EQ(InflateGzip(Gzip(text) + Gzip("tail"), 1 << 20, 64, budget, &out), InflateResult::kOk);
  EXPECT_EQ(out, text + "tail");
  EXPECT_GE(out.capacity(), out.size() + 64);
  EXPECT_GE(asked, out.size());
  EXPECT_LE(asked, out.size() + (64 << 10) + 1);
}

TEST(InflateGzipTest, BombsStopAtTheLimitAndBadInputIsCorrupt) {
  const std::string bomb = Gzip(std::string(50 << 20, '\0'));  // 50 MiB of zeros, ~50 KiB
  ASSERT_LT(bomb.size(), 100000u);
  size_t asked = 0;
  std::string out;
  EXPECT_EQ(InflateGzip(
                bomb, 1 << 20, 64,
                [&](size_t n) {
                  asked += n;
                  return true;
                },
                &out),
            InflateResult::kTooLarge);
  EXPECT_LE(asked, (1u << 20) + (64u << 10) + 1) << "nothing beyond the limit was allocated";
  EXPECT_TRUE(out.empty());
  auto yes = [](size_t) { return true; };
  EXPECT_EQ(InflateGzip("not gzip at all", 1 << 20, 64, yes, &out), InflateResult::kCorrupt);
  const std::string whole = Gzip(std::string(1000, 'a'));
  EXPECT_EQ(InflateGzip(whole.substr(0, whole.size() - 6), 1 << 20, 64, yes, &out),
            InflateResult::kCorrupt);
  EXPECT_EQ(InflateGzip(
                whole, 1 << 20, 64, [](size_t) { return false; }, &out),
            InflateResult::kRefused);
  EXPECT_TRUE(IsGzipCoding(" GZip "));
  EXPECT_TRUE(IsGzipCoding("x-gzip"));
  EXPECT_FALSE(IsGzipCoding("br"));
  EXPECT_FALSE(IsGzipCoding("gzip, br"));
}

TEST_F(ServerTest, GzipBodiesAreDecodedAndABombIs413) {
  ServerOptions options = TestOptions();
  options.http.max_body_bytes = 1 << 20;
  StartServer(options);
  const std::string body = "[" + SessionRecord("gz-1") + "," + SessionRecord("gz-2") + "]";
  auto ok = Call(MakeRequest("POST", "/v1/records", Gzip(body), "application/json",
                             "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(submitter_.submitted(), 1u);
  auto bomb = Call(MakeRequest("POST", "/v1/records", Gzip(std::string(8 << 20, ' ')),
                               "application/json", "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(bomb.has_value());
  EXPECT_EQ(bomb->status, 413);
  EXPECT_NE(bomb->body.find("inflates to more than max_body_bytes"), std::string::npos);
  EXPECT_EQ(submitter_.submitted(), 1u);
}

}  // namespace
}  // namespace tc::http::testing
