// ToToml round trips; the sample file and the docs are what the tables generate.
#include "config/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "config/config.h"
#include "config/key_table.h"
#include "config/sources.h"
#include "config/value_codec.h"
#include "config_test_util.h"

namespace tc::config {
namespace {

using testing::Custom;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;
using testing::TempFile;

const std::string kSource = TC_SOURCE_DIR;

Config LoadFile(const std::string& text) {
  TempFile file(text);
  Result<Invocation> result = Load({"--config", file.path()}, {});
  EXPECT_TRUE(result.has_value()) << result.error().ToString() << "\n" << text;
  return result.has_value() ? result->config : Config{};
}

TEST(RenderTest, CustomDiffersFromDefaultsInEveryKey) {
  // So the round trips below cover every key.
  for (const KeySpec& key : Keys()) {
    EXPECT_NE(FormatToml(key, Custom()), FormatToml(key, Defaults())) << DottedName(key);
  }
}

TEST(RenderTest, ToTomlRoundTripsDefaults) { EXPECT_EQ(LoadFile(ToToml(Defaults())), Defaults()); }

TEST(RenderTest, ToTomlRoundTripsEveryKey) {
  Config custom = Custom();
  custom.sqld.auth_token.clear();  // secrets are never printed; see the next test
  custom.auth.api_keys.clear();
  custom.auth.read_keys.clear();
  custom.auth.admin_keys.clear();
  EXPECT_EQ(LoadFile(ToToml(custom)), custom);
}

TEST(RenderTest, ToTomlRedactsSecretsWithAPlaceholderThatCannotBeLoaded) {
  Config custom = Custom();
  std::string text = ToToml(custom);
  EXPECT_THAT(text, Not(HasSubstr(custom.sqld.auth_token)));
  EXPECT_THAT(text, Not(HasSubstr(custom.auth.api_keys)));
  EXPECT_THAT(text, Not(HasSubstr(custom.auth.read_keys)));
  EXPECT_THAT(text, Not(HasSubstr(custom.auth.admin_keys)));
  EXPECT_THAT(text, HasSubstr("\nauth_token = \"<redacted>\"  # set, not printed"));
  EXPECT_THAT(text, HasSubstr("\napi_keys = \"<redacted>\"  # set, not printed"));
  EXPECT_THAT(text, HasSubstr("\nread_keys = \"<redacted>\"  # set, not printed"));
  EXPECT_THAT(text, HasSubstr("\nadmin_keys = \"<redacted>\"  # set, not printed"));
  // Loaded back as it is, it fails: a secret never silently becomes "none".
  TempFile file(text);
  Result<Invocation> refused = Load({"--config", file.path()}, {});
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message(), HasSubstr(": holds '<redacted>', the placeholder"));
  // Without the placeholder lines it gives everything but the secrets.
  std::string without;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("<redacted>") == std::string::npos) without += line + "\n";
  }
  Config loaded = LoadFile(without);
  EXPECT_EQ(loaded.sqld.auth_token, "");
  EXPECT_EQ(loaded.auth.api_keys, "");
  EXPECT_EQ(loaded.auth.read_keys, "");
  EXPECT_EQ(loaded.auth.admin_keys, "");
  loaded.sqld.auth_token = custom.sqld.auth_token;
  loaded.auth.api_keys = custom.auth.api_keys;
  loaded.auth.read_keys = custom.auth.read_keys;
  loaded.auth.admin_keys = custom.auth.admin_keys;
  EXPECT_EQ(loaded, custom);
}

TEST(RenderTest, FloatsStayFloats) {
  Config config;
  config.retry.multiplier = 2.0;
  EXPECT_THAT(ToToml(config), HasSubstr("multiplier = 2.0\n"));
  config.retry.multiplier = 1.1;
  EXPECT_EQ(LoadFile(ToToml(config)).retry.multiplier, 1.1);
}

TEST(RenderTest, SampleFileIsTheGeneratedOne) {
  std::string sample = ReadFile(kSource + "/config/tracecollector.toml");
  EXPECT_EQ(sample, SampleToml())
      << "regenerate: build/src/config/tc_config_gen sample > config/tracecollector.toml";
}

TEST(RenderTest, SampleFileLoadsToDefaults) {
  Result<Invocation> result = Load({"--config", kSource + "/config/tracecollector.toml"}, {});
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->config, Defaults());
}

TEST(RenderTest, SampleFileShowsEveryKeyWithHelpDefaultAndVariable) {
  std::string sample = SampleToml();
  for (const KeySpec& key : Keys()) {
    SCOPED_TRACE(DottedName(key));
    std::string line = std::string(key.name) + " = " + FormatToml(key, Defaults()) + "\n";
    EXPECT_THAT(sample, HasSubstr(line));
    EXPECT_THAT(sample, HasSubstr("Environment: " + EnvName(key)));
  }
  std::istringstream lines(sample);
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 100u) << line;
  }
}

TEST(RenderTest, DocsAreCurrent) {
  std::string doc = ReadFile(kSource + "/docs/configuration.md");
  for (const char* block : {"keys", "flags", "env-aliases"}) {
    EXPECT_THAT(doc, HasSubstr(std::string("<!-- BEGIN GENERATED: ") + block + " -->"));
  }
  Result<std::string> updated = UpdateGeneratedBlocks(doc);
  ASSERT_TRUE(updated.has_value()) << updated.error().ToString();
  EXPECT_EQ(*updated, doc) << "regenerate: build/src/config/tc_config_gen docs "
                              "docs/configuration.md";
  for (const KeySpec& key : Keys()) {
    EXPECT_THAT(doc, HasSubstr(EnvName(key)));
  }
}

TEST(RenderTest, UpdateGeneratedBlocksRejectsBrokenMarkers) {
  EXPECT_FALSE(UpdateGeneratedBlocks("<!-- BEGIN GENERATED: keys -->\nno end\n").has_value());
  EXPECT_FALSE(UpdateGeneratedBlocks("<!-- BEGIN GENERATED: nope -->\n<!-- END GENERATED: nope -->")
                   .has_value());
  Result<std::string> filled = UpdateGeneratedBlocks(
      "a\n<!-- BEGIN GENERATED: flags -->\nold\n<!-- END GENERATED: flags -->\nb\n");
  ASSERT_TRUE(filled.has_value());
  EXPECT_THAT(*filled, HasSubstr("--sqld-url"));
  EXPECT_THAT(*filled, Not(HasSubstr("old")));
}

}  // namespace
}  // namespace tc::config
