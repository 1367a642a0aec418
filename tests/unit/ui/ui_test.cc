// The viewer's files as the binary serves them (ui/ui.h) and the build steps behind them
// (ui/asset_build.h): which answer each /ui path gets, caching and revalidation, gzip only when
// asked for (and the same bytes once inflated), the security headers, content negotiation for
// "/", and the placeholder substitution the build relies on.

#include "ui/ui.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "ui/asset.h"
#include "ui/asset_build.h"

namespace tc::ui {
namespace {

std::string Header(const Answer& answer, const std::string& name) {
  const std::string key = name + ": ";
  const size_t at = answer.headers.find(key);
  if (at == std::string::npos) return {};
  const size_t end = answer.headers.find("\r\n", at);
  return answer.headers.substr(at + key.size(), end - at - key.size());
}

std::string Gunzip(std::string_view gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

const Asset* Embedded(std::string_view name) {
  for (size_t i = 0; i < kAssetCount; ++i) {
    if (kAssets[i].name == name) return &kAssets[i];
  }
  return nullptr;
}

class UiServeTest : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("TC_UI_DIR"); }
};

TEST_F(UiServeTest, EveryAppPathIsTheIndexPageRevalidatedWithTheSecurityHeaders) {
  const Asset* index = Embedded("index.html");
  ASSERT_NE(index, nullptr);
  for (const char* path : {"/ui/", "/ui/sessions/s%201", "/ui/live", "/ui/stats", "/ui/anything"}) {
    const Answer a = Serve(path, {});
    EXPECT_EQ(a.status, 200u) << path;
    EXPECT_EQ(a.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(a.body, index->body) << path;
    EXPECT_EQ(Header(a, "Cache-Control"), "no-cache") << path;
    EXPECT_EQ(Header(a, "Content-Security-Policy"), kContentSecurityPolicy) << path;
    EXPECT_EQ(Header(a, "X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(Header(a, "ETag"), index->etag) << path;
  }
  const Answer bare = Serve("/ui", {});
  EXPECT_EQ(bare.status, 301u);
  EXPECT_EQ(Header(bare, "Location"), "/ui/");
}

TEST_F(UiServeTest, IndexReferencesEveryScriptAndStyleByItsHashedUrl) {
  const Asset* index = Embedded("index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->body.find("{{"), std::string_view::npos) << "a placeholder was left";
  size_t referenced = 0;
  for (size_t i = 0; i < kAssetCount; ++i) {
    const Asset& asset = kAssets[i];
    if (asset.name.ends_with(".html")) continue;
    EXPECT_EQ(asset.url, AssetUrl(asset.name, ContentHash(asset.body))) << asset.name;
    if (index->body.find(asset.url) != std::string_view::npos) ++referenced;
  }
  EXPECT_GE(referenced, 2u) << "index.html loads at least a script and a style sheet";
}

TEST_F(UiServeTest, HashedAssetsAreImmutablePlainNamesRevalidateUnknownOnesAre404) {
  const Asset* js = nullptr;
  for (size_t i = 0; i < kAssetCount && js == nullptr; ++i) {
    if (kAssets[i].name.ends_with(".js")) js = &kAssets[i];
  }
  ASSERT_NE(js, nullptr);
  const Answer hashed = Serve(js->url, {});
  EXPECT_EQ(hashed.status, 200u);
  EXPECT_EQ(hashed.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(hashed.body, js->body);
  EXPECT_EQ(Header(hashed, "Cache-Control"), "public, max-age=31536000, immutable");

  const Answer plain = Serve(std::string(kAssetsPrefix) + std::string(js->name), {});
  EXPECT_EQ(plain.status, 200u);
  EXPECT_EQ(Header(plain, "Cache-Control"), "no-cache");

  for (const char* path : {"/ui/assets/nope.js", "/ui/assets/", "/ui/assets/../index.html",
                           "/ui/assets/app.0000000000000000.js"}) {
    EXPECT_EQ(Serve(path, {}).status, 404u) << path;
  }
}

TEST_F(UiServeTest, AMatchingIfNoneMatchIs304WithoutABody) {
  const Asset* index = Embedded("index.html");
  ASSERT_NE(index, nullptr);
  const std::string etag(index->etag);
  for (const std::string& inm : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
    const Answer a = Serve("/ui/", {.accept_encoding = "", .if_none_match = inm});
    EXPECT_EQ(a.status, 304u) << inm;
    EXPECT_TRUE(a.body.empty()) << inm;
    EXPECT_EQ(Header(a, "ETag"), etag) << inm;
  }
  EXPECT_EQ(Serve("/ui/", {.accept_encoding = "", .if_none_match = "\"stale\""}).status, 200u);
}

TEST_F(UiServeTest, GzipOnlyWhenAcceptedAndItInflatesToTheSameBytes) {
  const Asset* index = Embedded("index.html");
  const Asset* big = nullptr;  // the largest asset: gzip helps there
  for (size_t i = 0; i < kAssetCount; ++i) {
    if (big == nullptr || kAssets[i].body.size() > big->body.size()) big = &kAssets[i];
  }
  ASSERT_NE(index, nullptr);
  ASSERT_NE(big, nullptr);
  ASSERT_FALSE(big->gzip.empty()) << big->name << " (" << big->body.size() << " bytes) has no gzip";
  const std::string path = big->name.ends_with(".html") ? "/ui/" : std::string(big->url);
  const Answer gz = Serve(path, {.accept_encoding = "br, gzip;q=0.8", .if_none_match = ""});
  EXPECT_EQ(Header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(gz, "Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), big->body.size());
  EXPECT_EQ(Gunzip(gz.body), big->body);
  for (const char* refused : {"", "identity", "gzip;q=0", "br", "*, gzip;q=0"}) {
    const Answer a = Serve(path, {.accept_encoding = refused, .if_none_match = ""});
    EXPECT_EQ(Header(a, "Content-Encoding"), "") << refused;
    EXPECT_EQ(a.body, big->body) << refused;
  }
}

TEST(UiNegotiationTest, BrowsersPreferHtmlApiClientsDoNot) {
  EXPECT_TRUE(PrefersHtml(
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"));
  EXPECT_TRUE(PrefersHtml("text/html"));
  EXPECT_TRUE(PrefersHtml("application/json;q=0.5, text/html"));
  EXPECT_FALSE(PrefersHtml(""));
  EXPECT_FALSE(PrefersHtml("*/*"));
  EXPECT_FALSE(PrefersHtml("application/json"));
  EXPECT_FALSE(PrefersHtml("application/json, text/html;q=0.5"));
  EXPECT_FALSE(PrefersHtml("text/html;q=0"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("X-GZIP"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));
}

TEST(UiBuildTest, PlaceholdersAreReplacedOrTheBuildFails) {
  const std::map<std::string, std::string> urls = {{"app.js", "/ui/assets/app.1.js"}};
  std::string out, error;
  ASSERT_TRUE(SubstitutePlaceholders("<script src=\"{{app.js}}\"></script>", urls, &out, &error));
  EXPECT_EQ(out, "<script src=\"/ui/assets/app.1.js\"></script>");
  EXPECT_FALSE(SubstitutePlaceholders("{{missing.js}}", urls, &out, &error));
  EXPECT_NE(error.find("missing.js"), std::string::npos);
  EXPECT_FALSE(SubstitutePlaceholders("{{app.js", urls, &out, &error));
  EXPECT_EQ(AssetUrl("app.js", "abc"), "/ui/assets/app.abc.js");
  EXPECT_EQ(AssetUrl("app.js", ""), "/ui/assets/app.js");
  EXPECT_EQ(ContentHash("x"), ContentHash("x"));
  EXPECT_NE(ContentHash("x"), ContentHash("y"));
  EXPECT_EQ(ContentHash("").size(), 16u);
  EXPECT_FALSE(IsAssetName(".hidden.js"));
  EXPECT_FALSE(IsAssetName("a/b.js"));
  EXPECT_TRUE(IsAssetName("app-2.min.js"));
  EXPECT_EQ(ContentTypeFor("x.exe"), "");
  const std::string data(5000, 'a');
  EXPECT_EQ(Gunzip(Gzip(data)), data);
  EXPECT_EQ(Gzip(data), Gzip(data)) << "gzip output depends on the input only (no mtime)";
}

TEST(UiDevModeTest, TcUiDirServesFilesFromDiskUnhashedAndUncached) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tc_ui_dev_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<script src=\"{{main.js}}\"></script>";
  std::ofstream(dir / "main.js") << "console.log(1)";
  setenv("TC_UI_DIR", dir.c_str(), 1);
  const Answer index = Serve("/ui/live", {});
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.body, "<script src=\"/ui/assets/main.js\"></script>");
  EXPECT_EQ(Header(index, "Cache-Control"), "no-store");
  std::ofstream(dir / "main.js") << "changed";  // read again on every request
  EXPECT_EQ(Serve("/ui/assets/main.js", {}).body, "changed");
  EXPECT_EQ(Serve("/ui/assets/none.js", {}).status, 404u);
  EXPECT_EQ(Serve("/ui/assets/..%2Findex.html", {}).status, 404u);
  unsetenv("TC_UI_DIR");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tc::ui
