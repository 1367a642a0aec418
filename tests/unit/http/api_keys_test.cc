// ApiKeys: loading from the config string and the key file, and the comparison.

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

TEST(ApiKeysTest, AdminKeysHaveTheAdminScopeAndIngestKeysDoNot) {
  KeyFile file("# admins\nfile-admin\n");
  ApiKeys keys = MustLoad(
      {.api_keys = "ingest,both", .admin_keys = "admin, both", .admin_keys_file = file.path()});
  EXPECT_TRUE(keys.enabled());
  EXPECT_EQ(keys.size(), 4u);  // "both" once
  EXPECT_EQ(keys.admin_size(), 3u);
  EXPECT_EQ(keys.Scope("Bearer ingest"), KeyScope::kIngest);
  EXPECT_EQ(keys.Scope("Bearer admin"), KeyScope::kAdmin);
  EXPECT_EQ(keys.Scope("bearer  file-admin "), KeyScope::kAdmin);
  EXPECT_EQ(keys.Scope("Bearer both"), KeyScope::kAdmin);  // in both lists: admin
  EXPECT_EQ(keys.Scope("Bearer nope"), KeyScope::kNone);
  EXPECT_EQ(keys.Scope(""), KeyScope::kNone);
  EXPECT_TRUE(keys.Authorize("Bearer admin"));  // an admin key ingests too
  EXPECT_TRUE(keys.Authorize("Bearer ingest"));
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
