// ApiKeys: loading from the config strings and the key files, the comparison, the scopes each
// list gives and each request needs, and where the token comes from (header, ?access_token=).

#include "http/api_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace tc::http {
namespace {

namespace fs = std::filesystem;
using boost::beast::http::verb;

class KeyFile {
 public:
  explicit KeyFile(const std::string& content)
      : path_(fs::temp_directory_path() /
              ("tc_api_keys_" + std::to_string(::getpid()) + "_" + std::to_string(++counter_))) {
    std::ofstream(path_) << content;
  }
  ~KeyFile() { fs::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

ApiKeys MustLoad(const config::AuthConfig& auth) {
  auto keys = ApiKeys::Load(auth);
  EXPECT_TRUE(keys.has_value()) << keys.error().ToString();
  return keys.has_value() ? std::move(keys).value() : ApiKeys();
}

TEST(ApiKeysTest, NoKeysMeansOpenAndNothingRequired) {
  ApiKeys keys = MustLoad({});
  EXPECT_FALSE(keys.enabled());
  EXPECT_FALSE(keys.Required(verb::post, "/v1/records"));
  EXPECT_FALSE(keys.Authorize("Bearer anything"));
}

TEST(ApiKeysTest, CommaSeparatedKeysTrimmedEmptySkipped) {
  ApiKeys keys = MustLoad({.api_keys = " alpha , ,beta-2,"});
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys.Matches("alpha"));
  EXPECT_TRUE(keys.Matches("beta-2"));
  EXPECT_FALSE(keys.Matches("alph"));
  EXPECT_FALSE(keys.Matches("alphaa"));
  EXPECT_FALSE(keys.Matches("Alpha"));
  EXPECT_FALSE(keys.Matches(""));
  EXPECT_FALSE(keys.Matches(std::string("alpha\0", 6)));  // padding is not a match
}

TEST(ApiKeysTest, FileKeysUnitedWithConfigKeysCommentsAndBlankLinesIgnored) {
  KeyFile file("# deploy keys\n\nfile-key-1\r\n   file-key-2  \n# old-key\n");
  ApiKeys keys = MustLoad({.api_keys = "cfg", .api_keys_file = file.path()});
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_TRUE(keys.Matches("cfg"));
  EXPECT_TRUE(keys.Matches("file-key-1"));
  EXPECT_TRUE(keys.Matches("file-key-2"));
  EXPECT_FALSE(keys.Matches("old-key"));
  EXPECT_FALSE(keys.Matches("# deploy keys"));
}

TEST(ApiKeysTest, MissingFileIsAnErrorNamingTheFile) {
  auto keys = ApiKeys::Load({.api_keys = "cfg", .api_keys_file = "/nonexistent/tc-keys"});
  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(keys.error().message().find("/nonexistent/tc-keys"), std::string::npos);
}

TEST(ApiKeysTest, FileWithoutKeysIsAnError) {
  KeyFile file("# nothing here\n\n   \n");
  auto keys = ApiKeys::Load({.api_keys_file = file.path()});
  ASSERT_FALSE(keys.has_value());
  EXPECT_NE(keys.error().message().find("holds no key"), std::string::npos);
}

TEST(ApiKeysTest, BadKeysRefusedWithoutPrintingThem) {
  KeyFile file("good\nsecret with-space\n");
  auto from_file = ApiKeys::Load({.api_keys_file = file.path()});
  ASSERT_FALSE(from_file.has_value());
  EXPECT_NE(from_file.error().message().find("line 2"), std::string::npos);
  EXPECT_EQ(from_file.error().message().find("secret"), std::string::npos);

  auto too_long = ApiKeys::Load({.api_keys = "ok," + std::string(kMaxKeyBytes + 1, 'x')});
  ASSERT_FALSE(too_long.has_value());
  EXPECT_NE(too_long.error().message().find("key number 2"), std::string::npos);
  EXPECT_TRUE(ApiKeys::Load({.api_keys = std::string(kMaxKeyBytes, 'x')}).has_value());
  EXPECT_FALSE(ApiKeys::Load({.api_keys = "caf\xc3\xa9"}).has_value());
}

TEST(ApiKeysTest, AuthorizeParsesTheBearerScheme) {
  ApiKeys keys = MustLoad({.api_keys = "k3y"});
  EXPECT_TRUE(keys.Authorize("Bearer k3y"));
  EXPECT_TRUE(keys.Authorize("bearer   k3y "));
  EXPECT_TRUE(keys.Authorize("BEARER\tk3y"));
  EXPECT_FALSE(keys.Authorize(""));
  EXPECT_FALSE(keys.Authorize("k3y"));
  EXPECT_FALSE(keys.Authorize("Bearer"));
  EXPECT_FALSE(keys.Authorize("Bearer "));
  EXPECT_FALSE(keys.Authorize("Bearerk3y"));
  EXPECT_FALSE(keys.Authorize("Basic k3y"));
  EXPECT_FALSE(keys.Authorize("Bearer k3y extra"));
  EXPECT_FALSE(keys.Authorize("Bearer " + std::string(10000, 'k')));
}

TEST(ApiKeysTest, RequiredOnEveryPostAndOnMetricsOnlyWhenProtected) {
  ApiKeys open_metrics = MustLoad({.api_keys = "k"});
  EXPECT_TRUE(open_metrics.Required(verb::post, "/v1/records"));
  EXPECT_TRUE(open_metrics.Required(verb::post, "/v1/traces"));
  EXPECT_TRUE(open_metrics.Required(verb::post, "/v1/anything"));
  EXPECT_FALSE(open_metrics.Required(verb::get, "/metrics"));
  EXPECT_FALSE(open_metrics.Required(verb::get, "/healthz"));
  EXPECT_FALSE(open_metrics.Required(verb::post, "/healthz"));
  EXPECT_FALSE(open_metrics.Required(verb::get, "/readyz"));

  ApiKeys protected_metrics = MustLoad({.api_keys = "k", .protect_metrics = true});
  EXPECT_TRUE(protected_metrics.Required(verb::get, "/metrics"));
  EXPECT_FALSE(protected_metrics.Required(verb::get, "/readyz"));
}

TEST(ApiKeysTest, EachListGivesItsScopeAndAKeyInSeveralListsHasTheirUnion) {
  KeyFile admins("# admins\nfile-admin\n");
  KeyFile readers("file-reader\n");
  ApiKeys keys = MustLoad({.api_keys = "ingest,ingest-read,both",
                           .read_keys = "reader,ingest-read",
                           .read_keys_file = readers.path(),
                           .admin_keys = "admin, both",
                           .admin_keys_file = admins.path()});
  EXPECT_TRUE(keys.enabled());
  EXPECT_EQ(keys.size(), 7u);  // "ingest-read" and "both" once
  EXPECT_EQ(keys.count(kAdminScope), 3u);
  EXPECT_EQ(keys.count(kReadScope), 6u);    // reader, file-reader, ingest-read and the admins
  EXPECT_EQ(keys.count(kIngestScope), 5u);  // ingest, ingest-read and the admins
  EXPECT_EQ(keys.Scope("Bearer ingest"), kIngestScope);
  EXPECT_EQ(keys.Scope("Bearer reader"), kReadScope);
  EXPECT_EQ(keys.Scope("Bearer file-reader"), kReadScope);
  EXPECT_EQ(keys.Scope("Bearer ingest-read"), kIngestScope | kReadScope);
  EXPECT_EQ(keys.Scope("Bearer admin"), kAdminKeyScopes);  // admin implies ingest and read
  EXPECT_EQ(keys.Scope("bearer  file-admin "), kAdminKeyScopes);
  EXPECT_EQ(keys.Scope("Bearer both"), kAdminKeyScopes);
  EXPECT_EQ(keys.Scope("Bearer nope"), kNoScope);
  EXPECT_EQ(keys.Scope(""), kNoScope);
  EXPECT_TRUE(keys.Authorize("Bearer reader"));  // a valid key, whatever its scope
  EXPECT_EQ(keys.Match("ingest-read"), kIngestScope | kReadScope);
  EXPECT_EQ(keys.Match("ingest-rea"), kNoScope);
}

TEST(ApiKeysTest, AllowsWhenTheKeyHasOneOfTheScopesNeeded) {
  EXPECT_TRUE(Allows(kNoScope, kNoScope));  // open
  EXPECT_TRUE(Allows(kIngestScope, kIngestScope));
  EXPECT_FALSE(Allows(kIngestScope, kReadScope));
  EXPECT_FALSE(Allows(kReadScope, kIngestScope));
  EXPECT_FALSE(Allows(kIngestScope | kReadScope, kAdminScope));
  EXPECT_TRUE(Allows(kIngestScope | kReadScope, kReadScope));
  for (Scopes need : {kIngestScope, kReadScope, kAdminScope, kAnyKey}) {
    EXPECT_TRUE(Allows(kAdminKeyScopes, need)) << int(need.bits);
    EXPECT_FALSE(Allows(kNoScope, need)) << int(need.bits);
  }
  EXPECT_TRUE(Allows(kReadScope, kAnyKey));
  EXPECT_TRUE(kAdminKeyScopes.Has(kIngestScope | kReadScope));
  EXPECT_FALSE(kReadScope.Has(kIngestScope | kReadScope));
}

TEST(ApiKeysTest, NeededScopePerMethodAndPath) {
  ApiKeys keys = MustLoad({.api_keys = "k"});
  EXPECT_EQ(keys.Needed(verb::post, "/v1/records"), kIngestScope);
  EXPECT_EQ(keys.Needed(verb::post, "/v1/traces"), kIngestScope);
  EXPECT_EQ(keys.Needed(verb::post, "/v1/future-ingest"), kIngestScope);
  EXPECT_EQ(keys.Needed(verb::post, "/v1/sessions/s1"), kIngestScope);  // a POST is a POST
  for (const char* path : {"/v1/sessions/s1", "/v1/sessions", "/v1/events", "/v1/events/e1",
                           "/v1/messages", "/v1/experiments/x", "/v1/stats", "/v1/stream"}) {
    EXPECT_EQ(keys.Needed(verb::get, path), kReadScope) << path;
    EXPECT_EQ(keys.Needed(verb::put, path), kReadScope) << path;  // probing is reading
    EXPECT_EQ(keys.Needed(verb::delete_, path), kAdminScope) << path;
  }
  EXPECT_EQ(keys.Needed(verb::delete_, "/v1/other"), kAdminScope);
  EXPECT_EQ(keys.Needed(verb::get, "/v1/records"), kNoScope);  // 405 for anyone
  EXPECT_EQ(keys.Needed(verb::get, "/nothing"), kNoScope);     // 404 for anyone
  for (verb method : {verb::get, verb::post, verb::delete_}) {
    EXPECT_EQ(keys.Needed(method, "/healthz"), kNoScope);
    EXPECT_EQ(keys.Needed(method, "/readyz"), kNoScope);
  }
  EXPECT_EQ(keys.Needed(verb::get, "/metrics"), kNoScope);
  EXPECT_EQ(MustLoad({.read_keys = "r", .protect_metrics = true}).Needed(verb::get, "/metrics"),
            kAnyKey);
  EXPECT_EQ(ApiKeys().Needed(verb::get, "/v1/sessions/s1"), kNoScope);  // no keys: open
  EXPECT_EQ(ApiKeys().Needed(verb::post, "/v1/records"), kNoScope);
}

TEST(ApiKeysTest, CheckAllowsOr401sOr403sNamingTheScope) {
  ApiKeys keys =
      MustLoad({.api_keys = "ingest,both", .read_keys = "reader,both", .admin_keys = "admin"});
  using V = Access::Verdict;
  auto verdict = [&](verb method, std::string_view path, std::string_view authorization,
                     std::string_view query = "") {
    return keys.Check(method, path, query, authorization).verdict;
  };
  EXPECT_EQ(verdict(verb::post, "/v1/records", "Bearer ingest"), V::kAllowed);
  EXPECT_EQ(verdict(verb::post, "/v1/records", "Bearer reader"), V::kForbidden);
  EXPECT_EQ(verdict(verb::post, "/v1/records", "Bearer both"), V::kAllowed);
  EXPECT_EQ(verdict(verb::post, "/v1/records", "Bearer admin"), V::kAllowed);
  EXPECT_EQ(verdict(verb::post, "/v1/records", "Bearer wrong"), V::kUnauthorized);
  EXPECT_EQ(verdict(verb::post, "/v1/records", ""), V::kUnauthorized);
  EXPECT_EQ(verdict(verb::get, "/v1/sessions/s1", "Bearer reader"), V::kAllowed);
  EXPECT_EQ(verdict(verb::get, "/v1/sessions/s1", "Bearer ingest"), V::kForbidden);
  EXPECT_EQ(verdict(verb::get, "/v1/sessions/s1", "Bearer both"), V::kAllowed);
  EXPECT_EQ(verdict(verb::get, "/v1/sessions/s1", "Bearer admin"), V::kAllowed);
  EXPECT_EQ(verdict(verb::get, "/v1/sessions/s1", ""), V::kUnauthorized);
  EXPECT_EQ(verdict(verb::delete_, "/v1/sessions/s1", "Bearer both"), V::kForbidden);
  EXPECT_EQ(verdict(verb::delete_, "/v1/sessions/s1", "Bearer admin"), V::kAllowed);
  EXPECT_EQ(verdict(verb::get, "/healthz", ""), V::kAllowed);
  const Access forbidden = keys.Check(verb::get, "/v1/stats", "", "Bearer ingest");
  EXPECT_EQ(forbidden.need, kReadScope);
  EXPECT_EQ(ForbiddenMessage(forbidden.need),
            "this request needs the read scope, which this API key lacks: list the key in "
            "auth.read_keys or auth.read_keys_file (an admin key has every scope)");
  EXPECT_NE(ForbiddenMessage(kIngestScope).find("needs the ingest scope"), std::string::npos);
  EXPECT_NE(ForbiddenMessage(kIngestScope).find("auth.api_keys or auth.api_keys_file"),
            std::string::npos);
  EXPECT_NE(ForbiddenMessage(kAdminScope).find("auth.admin_keys or auth.admin_keys_file"),
            std::string::npos);
  // ?access_token= counts on GET /v1/stream only.
  EXPECT_EQ(verdict(verb::get, "/v1/stream", "", "access_token=reader"), V::kAllowed);
  EXPECT_EQ(verdict(verb::get, "/v1/stream", "", "access_token=ingest"), V::kForbidden);
  EXPECT_EQ(verdict(verb::get, "/v1/stream", "", "access_token=wrong"), V::kUnauthorized);
  EXPECT_EQ(verdict(verb::get, "/v1/sessions/s1", "", "access_token=reader"), V::kUnauthorized);
  EXPECT_EQ(verdict(verb::post, "/v1/stream", "", "access_token=both"), V::kUnauthorized);
}

TEST(ApiKeysTest, PresentedTokenFromTheHeaderOrOnTheStreamFromAccessToken) {
  // The header, on any path.
  EXPECT_EQ(PresentedToken("/v1/records", "", "Bearer k3y"), "k3y");
  EXPECT_EQ(PresentedToken("/v1/records", "", " bearer \t k3y \r"), "k3y");
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token=other", "Bearer k3y"), "k3y");  // wins
  EXPECT_EQ(PresentedToken("/v1/records", "", "Basic k3y"), "");
  EXPECT_EQ(PresentedToken("/v1/records", "", "Bearer"), "");
  EXPECT_EQ(PresentedToken("/v1/records", "", "Bearerk3y"), "");
  // A header that is present but malformed is not replaced by the query.
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token=k3y", "Basic k3y"), "");
  // The query: /v1/stream only, no header (or a blank one), percent-decoded, '+' kept.
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token=k3y", ""), "k3y");
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token=k3y", "  "), "k3y");
  EXPECT_EQ(PresentedToken("/v1/stream", "since=5&access_token=a%2Fb%3d%2B+c&x=1", ""), "a/b=++c");
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token=", ""), "");
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token", ""), "");
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token=k%2", ""), "");  // bad escape: nothing
  EXPECT_EQ(PresentedToken("/v1/stream", "access_token=k%zz", ""), "");
  EXPECT_EQ(PresentedToken("/v1/stream", "token=k3y", ""), "");
  EXPECT_EQ(
      PresentedToken("/v1/stream", "access_token=" + std::string(3 * kMaxKeyBytes + 1, 'k'), ""),
      "");
  EXPECT_EQ(PresentedToken("/v1/streams", "access_token=k3y", ""), "");
  EXPECT_EQ(PresentedToken("/v1/sessions/s1", "access_token=k3y", ""), "");
  EXPECT_EQ(PresentedToken("/v1/records", "access_token=k3y", ""), "");
}

TEST(ApiKeysTest, AccessTokenMatchesInConstantTimeLikeTheHeader) {
  ApiKeys keys = MustLoad({.read_keys = "a/b+c"});
  EXPECT_EQ(keys.Match(PresentedToken("/v1/stream", "access_token=a%2Fb%2Bc", "")), kReadScope);
  EXPECT_EQ(keys.Match(PresentedToken("/v1/stream", "access_token=a%2fb+c", "")), kReadScope);
  EXPECT_EQ(keys.Match(PresentedToken("/v1/stream", "access_token=a%2Fb%20c", "")), kNoScope);
}

TEST(ApiKeysTest, AdminKeysAloneTurnAuthenticationOnAndDeleteAlwaysNeedsAKey) {
  ApiKeys admin_only = MustLoad({.admin_keys = "a"});
  EXPECT_TRUE(admin_only.enabled());
  EXPECT_TRUE(admin_only.Required(verb::post, "/v1/records"));
  EXPECT_TRUE(admin_only.Required(verb::delete_, "/v1/sessions/x"));
  EXPECT_TRUE(admin_only.Required(verb::delete_, "/v1/other"));
  EXPECT_FALSE(admin_only.Required(verb::delete_, "/healthz"));
  EXPECT_FALSE(ApiKeys().Required(verb::delete_, "/v1/sessions/x"));  // no keys: open
}

TEST(ApiKeysTest, ReadKeysAloneTurnAuthenticationOnToo) {
  ApiKeys read_only = MustLoad({.read_keys = "r"});
  EXPECT_TRUE(read_only.enabled());
  EXPECT_TRUE(read_only.Required(verb::post, "/v1/records"));
  EXPECT_EQ(read_only.Check(verb::post, "/v1/records", "", "Bearer r").verdict,
            Access::Verdict::kForbidden);
}

TEST(ApiKeysTest, ReadKeyErrorsNameTheReadSetting) {
  auto bad = ApiKeys::Load({.read_keys = "ok,has space"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("auth.read_keys: key number 2"), std::string::npos)
      << bad.error().message();
  auto missing = ApiKeys::Load({.read_keys_file = "/nonexistent/readers"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("auth.read_keys_file \"/nonexistent/readers\""),
            std::string::npos)
      << missing.error().message();
}

TEST(ApiKeysTest, AdminKeyErrorsNameTheAdminSetting) {
  auto bad = ApiKeys::Load({.admin_keys = "ok,has space"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("auth.admin_keys: key number 2"), std::string::npos)
      << bad.error().message();
  auto missing = ApiKeys::Load({.admin_keys_file = "/nonexistent/admins"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("auth.admin_keys_file \"/nonexistent/admins\""),
            std::string::npos)
      << missing.error().message();
}

}  // namespace
}  // namespace tc::http
