// Load(): defaults < file < environment < flags, and what short-circuits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config_test_util.h"

namespace tc::config {
namespace {

using ::testing::HasSubstr;
using testing::TempFile;

Config LoadOk(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  Result<Invocation> result = Load(args, env);
  EXPECT_TRUE(result.has_value()) << result.error().ToString();
  return result.has_value() ? result->config : Config{};
}

std::string LoadError(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  Result<Invocation> result = Load(args, env);
  EXPECT_FALSE(result.has_value());
  return result.has_value() ? "" : result.error().message();
}

TEST(LoaderTest, NothingGivenIsDefaults) {
  Config config = LoadOk({}, {"PATH=/usr/bin", "HOME=/root"});
  EXPECT_EQ(config, Defaults());
  EXPECT_EQ(config.http.listen, "127.0.0.1:4318");
  EXPECT_EQ(config.backend, Backend::kAuto);
  EXPECT_EQ(config.ingest.ack, AckMode::kDurable);
  EXPECT_EQ(config.sqld.mode, SqldMode::kSpawn);
  EXPECT_TRUE(Validate(Defaults()).ok());
}

TEST(LoaderTest, FileOverridesDefaults) {
  TempFile file(R"(
backend = "embedded"
[http]
listen = "0.0.0.0:8000"
[queue]
max_records = 5000
[retry]
multiplier = 3.5
)");
  Config config = LoadOk({"--config", file.path()}, {});
  EXPECT_EQ(config.backend, Backend::kEmbedded);
  EXPECT_EQ(config.http.listen, "0.0.0.0:8000");
  EXPECT_EQ(config.queue.max_records, 5000u);
  EXPECT_EQ(config.retry.multiplier, 3.5);
  Config expected = Defaults();
  expected.backend = Backend::kEmbedded;
  expected.http.listen = "0.0.0.0:8000";
  expected.queue.max_records = 5000;
  expected.retry.multiplier = 3.5;
  EXPECT_EQ(config, expected);  // and nothing else changed
}

TEST(LoaderTest, FileFromEnvironmentVariable) {
  TempFile file("[log]\nlevel = \"warn\"\n");
  EXPECT_EQ(LoadOk({}, {"TRACECOLLECTOR_CONFIG=" + file.path()}).log.level, "warn");
}

TEST(LoaderTest, ConfigFlagWinsOverConfigVariable) {
  TempFile file("[log]\nlevel = \"error\"\n");
  Config config = LoadOk({"--config=" + file.path()},
                         {"TRACECOLLECTOR_CONFIG=/nonexistent/tracecollector.toml"});
  EXPECT_EQ(config.log.level, "error");
}

TEST(LoaderTest, EmptyConfigVariableMeansNoFile) {
  EXPECT_EQ(LoadOk({}, {"TRACECOLLECTOR_CONFIG="}), Defaults());
}

TEST(LoaderTest, MissingFileNamesItAndWhereItCameFrom) {
  std::string error = LoadError({"--config", "/nonexistent/x.toml"}, {});
  EXPECT_THAT(error, HasSubstr("--config /nonexistent/x.toml"));
  EXPECT_THAT(error, HasSubstr("No such file"));
  error = LoadError({}, {"TRACECOLLECTOR_CONFIG=/nonexistent/y.toml"});
  EXPECT_THAT(error, HasSubstr("TRACECOLLECTOR_CONFIG /nonexistent/y.toml"));
  EXPECT_THAT(LoadError({"--config="}, {}), HasSubstr("--config"));
  EXPECT_THAT(LoadError({"--config", ::testing::TempDir()}, {}), HasSubstr("directory"));
}

TEST(LoaderTest, EnvironmentOverridesFile) {
  TempFile file("[http]\nlisten = \"0.0.0.0:1111\"\n[queue]\nmax_records = 5000\n");
  Config config = LoadOk({"--config", file.path()}, {"TRACECOLLECTOR_HTTP_LISTEN=0.0.0.0:2222"});
  EXPECT_EQ(config.http.listen, "0.0.0.0:2222");
  EXPECT_EQ(config.queue.max_records, 5000u);  // the file still applies where env is silent
}

TEST(LoaderTest, FlagsOverrideEnvironment) {
  TempFile file("[http]\nlisten = \"0.0.0.0:1111\"\n");
  std::vector<std::string> env = {"TRACECOLLECTOR_HTTP_LISTEN=0.0.0.0:2222",
                                  "TRACECOLLECTOR_QUEUE_MAX_RECORDS=7000",
                                  "TRACECOLLECTOR_BACKEND=sqld"};
  Config config = LoadOk(
      {"--config", file.path(), "--listen", "0.0.0.0:3333", "--set", "queue.max_records=8000"},
      env);
  EXPECT_EQ(config.http.listen, "0.0.0.0:3333");
  EXPECT_EQ(config.queue.max_records, 8000u);
  EXPECT_EQ(config.backend, Backend::kSqld);  // env still applies where flags are silent
}

TEST(LoaderTest, LaterFlagWins) {
  Config config = LoadOk({"--set", "http.listen=0.0.0.0:1", "--listen=0.0.0.0:2"}, {});
  EXPECT_EQ(config.http.listen, "0.0.0.0:2");
  config = LoadOk({"--listen=0.0.0.0:2", "--set", "http.listen=0.0.0.0:1"}, {});
  EXPECT_EQ(config.http.listen, "0.0.0.0:1");
}

TEST(LoaderTest, ValidationSeesTheFinalValues) {
  // The file alone is invalid (batch larger than the queue); the environment repairs it.
  TempFile file("[queue]\nmax_records = 10\n");
  EXPECT_THAT(LoadError({"--config", file.path()}, {}), HasSubstr("batch.max_records"));
  Config config = LoadOk({"--config", file.path()}, {"TRACECOLLECTOR_BATCH_MAX_RECORDS=10"});
  EXPECT_EQ(config.batch.max_records, 10u);
}

TEST(LoaderTest, HelpAndVersionReadNothingElse) {
  std::vector<std::string> broken_env = {"TRACECOLLECTOR_NOPE=1",
                                         "TRACECOLLECTOR_CONFIG=/nonexistent"};
  Result<Invocation> help = Load({"--help"}, broken_env);
  ASSERT_TRUE(help.has_value()) << help.error().ToString();
  EXPECT_TRUE(help->show_help);
  EXPECT_EQ(help->config, Defaults());
  Result<Invocation> version = Load({"--version"}, broken_env);
  ASSERT_TRUE(version.has_value());
  EXPECT_TRUE(version->show_version);
  Result<Invocation> h = Load({"-h"}, {});
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->show_help);
  // An unknown flag is still an error, even next to --help.
  EXPECT_FALSE(Load({"--help", "--bogus"}, {}).has_value());
}

TEST(LoaderTest, CheckConfigIsReported) {
  Result<Invocation> result = Load({"--check-config"}, {});
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->check_config);
  EXPECT_FALSE(result->show_help);
  EXPECT_FALSE(Load({}, {})->check_config);
}

}  // namespace
}  // namespace tc::config
