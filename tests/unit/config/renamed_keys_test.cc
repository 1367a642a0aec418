// Renamed keys: [sqld.retry] became [retry]. The old names still work in every source (TOML,
// TRACECOLLECTOR_* variables, --set), set the new key, and each use adds a warning naming the
// new name; within one source the new name wins over the old one whatever the order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "config/config.h"
#include "config/flags.h"
#include "config/key_table.h"
#include "config/render.h"
#include "config/sources.h"
#include "config_test_util.h"

namespace tc::config {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using testing::TempFile;

struct Applied {
  Config config;
  std::vector<std::string> warnings;
};

Applied Toml(const std::string& text) {
  Applied out;
  Status status = ApplyToml(text, "test.toml", &out.config, &out.warnings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

Applied Env(const std::vector<std::string>& env) {
  Applied out;
  Status status = ApplyEnvironment(env, &out.config, &out.warnings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

Applied Flags(const std::vector<std::string>& args) {
  Applied out;
  Result<std::vector<FlagUse>> uses = ParseFlags(args);
  EXPECT_TRUE(uses.has_value()) << uses.error().ToString();
  if (!uses.has_value()) {
    return out;
  }
  Invocation invocation;
  Status status = ApplyFlags(*uses, &invocation);
  EXPECT_TRUE(status.ok()) << status.ToString();
  out.config = invocation.config;
  out.warnings = invocation.warnings;
  return out;
}

TEST(RenamedKeysTest, EveryOldNameLeadsToAKeyAndIsNoKeyItself) {
  ASSERT_FALSE(RenamedKeys().empty());
  std::set<std::string_view> old_names;
  for (const RenamedKey& renamed : RenamedKeys()) {
    SCOPED_TRACE(renamed.old_name);
    EXPECT_TRUE(old_names.insert(renamed.old_name).second) << "listed twice";
    const KeyMatch by_new = FindKey(renamed.new_name);
    ASSERT_TRUE(by_new);
    EXPECT_EQ(by_new.renamed, nullptr);
    const KeyMatch by_old = FindKey(renamed.old_name);
    EXPECT_EQ(by_old.key, by_new.key);
    EXPECT_EQ(by_old.renamed, &renamed);
    const KeyMatch by_env = FindKeyByEnv(EnvNameOf(renamed.old_name));
    EXPECT_EQ(by_env.key, by_new.key);
    EXPECT_EQ(by_env.renamed, &renamed);
    for (const KeySpec& key : Keys()) {
      EXPECT_NE(DottedName(key), renamed.old_name) << "an old name must not be a key";
      EXPECT_NE(EnvName(key), EnvNameOf(renamed.old_name));
    }
  }
}

TEST(RenamedKeysTest, RetryIsItsOwnSection) {
  EXPECT_TRUE(IsSection("retry"));
  EXPECT_EQ(EnvName(*FindKey("retry.max_ms").key), "TRACECOLLECTOR_RETRY_MAX_MS");
  EXPECT_EQ(FindKey("sqld.retry.max_ms").key, FindKey("retry.max_ms").key);
  EXPECT_TRUE(IsSection("sqld.retry"));  // still read, as a table of old names
  EXPECT_FALSE(IsSection("sqld.retr"));
}

TEST(RenamedKeysTest, NewNamesWorkWithoutWarnings) {
  Applied toml = Toml("[retry]\ninitial_ms = 20\nmax_ms = 300\nmultiplier = 3\n");
  EXPECT_EQ(toml.config.retry, (RetryConfig{20, 300, 3.0}));
  EXPECT_TRUE(toml.warnings.empty());
  Applied env = Env({"TRACECOLLECTOR_RETRY_INITIAL_MS=20", "TRACECOLLECTOR_RETRY_MAX_MS=300",
                     "TRACECOLLECTOR_RETRY_MULTIPLIER=3"});
  EXPECT_EQ(env.config.retry, (RetryConfig{20, 300, 3.0}));
  EXPECT_TRUE(env.warnings.empty());
  Applied flags = Flags(
      {"--set", "retry.initial_ms=20", "--set", "retry.max_ms=300", "--set", "retry.multiplier=3"});
  EXPECT_EQ(flags.config.retry, (RetryConfig{20, 300, 3.0}));
  EXPECT_TRUE(flags.warnings.empty());
}

TEST(RenamedKeysTest, OldNamesInTomlSetTheNewKeysWithAWarning) {
  Applied a = Toml(
      "[sqld]\npool_size = 2\n[sqld.retry]\ninitial_ms = 20\nmax_ms = 300\n"
      "multiplier = 3\n");
  EXPECT_EQ(a.config.retry, (RetryConfig{20, 300, 3.0}));
  EXPECT_EQ(a.config.sqld.pool_size, 2u);
  ASSERT_THAT(a.warnings, SizeIs(3));
  EXPECT_THAT(a.warnings[0], AllOf(HasSubstr("test.toml:4:1"), HasSubstr("sqld.retry.initial_ms"),
                                   HasSubstr("deprecated"), HasSubstr("use retry.initial_ms")));
  EXPECT_THAT(a.warnings[1], AllOf(HasSubstr("test.toml:5:1"), HasSubstr("use retry.max_ms")));
  EXPECT_THAT(a.warnings[2], AllOf(HasSubstr("test.toml:6:1"), HasSubstr("use retry.multiplier")));
  // Inline and dotted spellings of the old table too.
  Applied b = Toml("sqld = { retry = { max_ms = 400 } }\n");
  EXPECT_EQ(b.config.retry.max_ms, 400u);
  EXPECT_THAT(b.warnings, ElementsAre(HasSubstr("use retry.max_ms")));
  Applied c = Toml("[sqld]\nretry.max_ms = 500\n");
  EXPECT_EQ(c.config.retry.max_ms, 500u);
  EXPECT_THAT(c.warnings, ElementsAre(HasSubstr("use retry.max_ms")));
}

TEST(RenamedKeysTest, OldNamesInTomlAreCheckedLikeTheNewOnes) {
  Config config;
  std::vector<std::string> warnings;
  Status status = ApplyToml("[sqld.retry]\nmultiplier = true\n", "test.toml", &config, &warnings);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("test.toml:2:"), HasSubstr("sqld.retry.multiplier"),
                                      HasSubstr("expected a number")));
  status = ApplyToml("[sqld.retry]\nmax = 1\n", "test.toml", &config, &warnings);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("test.toml:2:1"), HasSubstr("'max' in [sqld.retry]"),
                    HasSubstr("initial_ms, max_ms, multiplier")));
}

TEST(RenamedKeysTest, InTomlTheNewNameWinsWhateverTheOrder) {
  Applied old_first = Toml("[sqld.retry]\nmax_ms = 100\n[retry]\nmax_ms = 200\n");
  EXPECT_EQ(old_first.config.retry.max_ms, 200u);
  EXPECT_THAT(old_first.warnings, ElementsAre(HasSubstr("sqld.retry.max_ms")));
  Applied new_first = Toml("[retry]\nmax_ms = 200\n[sqld.retry]\nmax_ms = 100\n");
  EXPECT_EQ(new_first.config.retry.max_ms, 200u);
  EXPECT_THAT(new_first.warnings, ElementsAre(HasSubstr("sqld.retry.max_ms")));
}

TEST(RenamedKeysTest, OldVariablesSetTheNewKeysWithAWarning) {
  Applied a =
      Env({"TRACECOLLECTOR_SQLD_RETRY_INITIAL_MS=20", "TRACECOLLECTOR_SQLD_RETRY_MAX_MS=300",
           "TRACECOLLECTOR_SQLD_RETRY_MULTIPLIER=3"});
  EXPECT_EQ(a.config.retry, (RetryConfig{20, 300, 3.0}));
  ASSERT_THAT(a.warnings, SizeIs(3));
  EXPECT_THAT(a.warnings[0],
              AllOf(HasSubstr("TRACECOLLECTOR_SQLD_RETRY_INITIAL_MS"), HasSubstr("deprecated"),
                    HasSubstr("use TRACECOLLECTOR_RETRY_INITIAL_MS")));
  EXPECT_THAT(a.warnings[1], HasSubstr("use TRACECOLLECTOR_RETRY_MAX_MS"));
  EXPECT_THAT(a.warnings[2], HasSubstr("use TRACECOLLECTOR_RETRY_MULTIPLIER"));
  Config config;
  std::vector<std::string> warnings;
  Status bad = ApplyEnvironment({"TRACECOLLECTOR_SQLD_RETRY_MAX_MS=soon"}, &config, &warnings);
  EXPECT_THAT(bad.message(),
              AllOf(HasSubstr("TRACECOLLECTOR_SQLD_RETRY_MAX_MS"), HasSubstr("'soon'")));
}

TEST(RenamedKeysTest, InTheEnvironmentTheNewNameWinsWhateverTheOrder) {
  Applied old_first =
      Env({"TRACECOLLECTOR_SQLD_RETRY_MAX_MS=100", "TRACECOLLECTOR_RETRY_MAX_MS=200"});
  EXPECT_EQ(old_first.config.retry.max_ms, 200u);
  EXPECT_THAT(old_first.warnings, SizeIs(1));
  Applied new_first =
      Env({"TRACECOLLECTOR_RETRY_MAX_MS=200", "TRACECOLLECTOR_SQLD_RETRY_MAX_MS=100"});
  EXPECT_EQ(new_first.config.retry.max_ms, 200u);
  EXPECT_THAT(new_first.warnings, SizeIs(1));
}

TEST(RenamedKeysTest, OldNamesWithSetSetTheNewKeysWithAWarning) {
  Applied a = Flags({"--set", "sqld.retry.initial_ms=20", "--set=sqld.retry.max_ms=300", "--set",
                     "sqld.retry.multiplier=3"});
  EXPECT_EQ(a.config.retry, (RetryConfig{20, 300, 3.0}));
  ASSERT_THAT(a.warnings, SizeIs(3));
  EXPECT_THAT(a.warnings[0], AllOf(HasSubstr("--set sqld.retry.initial_ms"),
                                   HasSubstr("deprecated"), HasSubstr("use retry.initial_ms")));
  EXPECT_THAT(a.warnings[1], HasSubstr("use retry.max_ms"));
  EXPECT_THAT(a.warnings[2], HasSubstr("use retry.multiplier"));
  Result<Invocation> bad = Load({"--set", "sqld.retry.max_ms=0"}, {});
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), AllOf(HasSubstr("--set"), HasSubstr("sqld.retry.max_ms")));
}

TEST(RenamedKeysTest, WithSetTheNewNameWinsWhateverTheOrder) {
  Applied old_first = Flags({"--set", "sqld.retry.max_ms=100", "--set", "retry.max_ms=200"});
  EXPECT_EQ(old_first.config.retry.max_ms, 200u);
  EXPECT_THAT(old_first.warnings, SizeIs(1));
  Applied new_first = Flags({"--set", "retry.max_ms=200", "--set", "sqld.retry.max_ms=100"});
  EXPECT_EQ(new_first.config.retry.max_ms, 200u);
  EXPECT_THAT(new_first.warnings, SizeIs(1));
  // Other flags keep their order.
  Applied mixed = Flags(
      {"--set", "log.level=warn", "--set", "sqld.retry.max_ms=100", "--set", "log.level=error"});
  EXPECT_EQ(mixed.config.retry.max_ms, 100u);
  EXPECT_EQ(mixed.config.log.level, "error");
}

TEST(RenamedKeysTest, LoadCollectsTheWarningsOfEverySourceAndKeepsThePrecedence) {
  TempFile file("[sqld.retry]\ninitial_ms = 20\nmax_ms = 300\n");
  Result<Invocation> result = Load({"--config", file.path(), "--set", "sqld.retry.multiplier=3"},
                                   {"TRACECOLLECTOR_SQLD_RETRY_MAX_MS=400"});
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  // File < environment < flags, as for any key.
  EXPECT_EQ(result->config.retry, (RetryConfig{20, 400, 3.0}));
  EXPECT_THAT(result->warnings,
              ElementsAre(AllOf(HasSubstr(file.path() + ":2:1"), HasSubstr("retry.initial_ms")),
                          AllOf(HasSubstr(file.path() + ":3:1"), HasSubstr("retry.max_ms")),
                          HasSubstr("TRACECOLLECTOR_RETRY_MAX_MS"),
                          HasSubstr("--set sqld.retry.multiplier")));
  EXPECT_TRUE(Load({}, {})->warnings.empty());
}

TEST(RenamedKeysTest, CheckConfigPrintsTheNewName) {
  Result<Invocation> result = Load({"--check-config", "--set", "sqld.retry.max_ms=300"}, {});
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  const std::string text = ToToml(result->config);
  EXPECT_THAT(text, HasSubstr("\n[retry]\ninitial_ms = 50\nmax_ms = 300\nmultiplier = 2.0\n"));
  EXPECT_THAT(text, Not(HasSubstr("sqld.retry")));
  EXPECT_THAT(SampleToml(), Not(HasSubstr("\n[sqld.retry]\n")));  // (its help mentions it)
}

}  // namespace
}  // namespace tc::config
