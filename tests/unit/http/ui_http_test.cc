// The viewer through a real Server (session_ui.cc): GET / sends a browser to /ui/ and keeps
// answering API clients with JSON; /ui/... is GET only and open even when API keys are on (its
// files hold no data: what it shows comes from the read API, which still needs the read
// scope); conditional and gzip requests get 304 and gzip; a 304 has no Content-Length.

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace tc::http::testing {
namespace {

constexpr const char* kBrowserAccept =
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n";

class UiHttpTest : public ServerTest {
 protected:
  std::optional<ClientResponse> Get(const std::string& target, const std::string& headers = {}) {
    return Call(MakeRequest("GET", target, {}, {}, headers));
  }
};

TEST_F(UiHttpTest, RootRedirectsBrowsersAndAnswersJsonToApiClients) {
  StartServer(TestOptions());
  auto browser = Get("/", kBrowserAccept);
  ASSERT_TRUE(browser.has_value());
  EXPECT_EQ(browser->status, 302);
  EXPECT_EQ(browser->header("location"), "/ui/");
  for (const std::string& accept : {std::string(), std::string("Accept: */*\r\n"),
                                    std::string("Accept: application/json\r\n")}) {
    auto api = Get("/", accept);
    ASSERT_TRUE(api.has_value());
    EXPECT_EQ(api->status, 404) << accept;
    EXPECT_EQ(api->header("content-type"), "application/json") << accept;
    EXPECT_NE(api->body.find(R"("code":"not_found")"), std::string::npos) << api->body;
  }
}

TEST_F(UiHttpTest, DeepLinksGetTheAppWithItsHeadersAndAssetsRevalidate) {
  StartServer(TestOptions());
  auto page = Get("/ui/sessions/some%20session?x=1");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page->header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(page->body.find("<html"), std::string::npos);
  const std::string etag = page->header("etag");
  ASSERT_FALSE(etag.empty());
  auto again = Get("/ui/", "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(again->header("content-length"), "");
  auto gz = Get("/ui/", "Accept-Encoding: gzip\r\n");
  ASSERT_TRUE(gz.has_value());
  EXPECT_EQ(gz->header("content-encoding"), "gzip");
  EXPECT_EQ(gz->body.substr(0, 2), std::string("\x1f\x8b", 2));  // the gzip magic
  EXPECT_EQ(
      metrics_.http_requests_by_code[static_cast<size_t>(metrics::HttpPath::kUi)][200 - 100].Get(),
      2u);
}

TEST_F(UiHttpTest, OnlyGetAndUnknownAssetsAre404Json) {
  StartServer(TestOptions());
  auto post = Call(MakeRequest("POST", "/ui/", "[]"));
  ASSERT_TRUE(post.has_value());
  // POST needs nothing here (no keys): the method is what is wrong.
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->header("allow"), "GET");
  auto missing = Get("/ui/assets/missing.js");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("no viewer file at /ui/assets/missing.js"), std::string::npos);
}

TEST_F(UiHttpTest, WithKeysTheViewerIsOpenAndItsDataIsNot) {
  ServerOptions options = TestOptions();
  options.auth.api_keys = "ingest-key";
  options.auth.read_keys = "read-key";
  StartServer(options);
  auto page = Get("/ui/");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->status, 200);
  auto root = Get("/", kBrowserAccept);
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->status, 302);
  auto list = Get("/v1/sessions");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->status, 401);
}

}  // namespace
}  // namespace tc::http::testing
