// The TOML file layer: every error names the key or section and its line:column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/sources.h"
#include "config_test_util.h"

namespace tc::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::TempFile;

std::string TomlError(const std::string& text) {
  Config config;
  std::vector<std::string> warnings;
  Status status = ApplyToml(text, "test.toml", &config, &warnings);
  EXPECT_FALSE(status.ok()) << text;
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  return status.message();
}

Config TomlOk(const std::string& text) {
  Config config;
  std::vector<std::string> warnings;
  Status status = ApplyToml(text, "test.toml", &config, &warnings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  return config;
}

TEST(TomlTest, EmptyDocumentChangesNothing) {
  EXPECT_EQ(TomlOk(""), Defaults());
  EXPECT_EQ(TomlOk("# only a comment\n\n[http]\n"), Defaults());
}

TEST(TomlTest, EverySectionAndNestedSection) {
  Config config = TomlOk(R"(
backend = "sqld"
shutdown_timeout_ms = 100
[http]
io_threads = 2
[ingest]
ack = "queued"
[queue]
retry_after_s = 3
[batch]
max_delay_ms = 0
[retry]
max_ms = 9000
[embedded]
synchronous = "EXTRA"
[sqld]
echo_sql = true
http_port = 0
[log]
level = "debug"
)");
  EXPECT_EQ(config.backend, Backend::kSqld);
  EXPECT_EQ(config.shutdown_timeout_ms, 100u);
  EXPECT_EQ(config.http.io_threads, 2);
  EXPECT_EQ(config.ingest.ack, AckMode::kQueued);
  EXPECT_EQ(config.queue.retry_after_s, 3u);
  EXPECT_EQ(config.batch.max_delay_ms, 0u);
  EXPECT_EQ(config.embedded.synchronous, "EXTRA");
  EXPECT_TRUE(config.sqld.echo_sql);
  EXPECT_EQ(config.sqld.http_port, 0);
  EXPECT_EQ(config.retry.max_ms, 9000u);
  EXPECT_EQ(config.log.level, "debug");
}

TEST(TomlTest, InlineTablesAndDottedKeysWork) {
  Config config = TomlOk("sqld = { pool_size = 2 }\nretry = { initial_ms = 7 }\n");
  EXPECT_EQ(config.sqld.pool_size, 2u);
  EXPECT_EQ(config.retry.initial_ms, 7u);
  EXPECT_EQ(TomlOk("http.listen = \"0.0.0.0:1\"\n").http.listen, "0.0.0.0:1");
}

TEST(TomlTest, FloatKeyAcceptsAnInteger) {
  EXPECT_EQ(TomlOk("[retry]\nmultiplier = 3\n").retry.multiplier, 3.0);
}

TEST(TomlTest, UnknownKeyIsNamedWithLineAndColumn) {
  EXPECT_THAT(TomlError("[http]\nlisten = \"a:1\"\n  listen_addr = \"x:1\"\n"),
              AllOf(HasSubstr("test.toml:3:3"), HasSubstr("unknown key 'listen_addr' in [http]"),
                    HasSubstr("listen")));
  EXPECT_THAT(TomlError("colour = 1\n"),
              AllOf(HasSubstr("test.toml:1:1"), HasSubstr("'colour'"), HasSubstr("top level")));
  EXPECT_THAT(TomlError("[retry]\nmax = 1\n"),
              AllOf(HasSubstr("test.toml:2:1"), HasSubstr("'max' in [retry]"),
                    HasSubstr("initial_ms, max_ms, multiplier")));
}

TEST(TomlTest, UnknownSectionIsNamedWithLineAndColumn) {
  EXPECT_THAT(TomlError("[http]\n[sink]\nurl = \"x\"\n"),
              AllOf(HasSubstr("test.toml:2:"), HasSubstr("unknown section 'sink'")));
  EXPECT_THAT(TomlError("[sqld.retries]\n"),
              AllOf(HasSubstr("test.toml:1:"), HasSubstr("'retries' in [sqld]")));
  EXPECT_THAT(TomlError("[log.file]\npath = \"x\"\n"), HasSubstr("unknown section 'file'"));
}

TEST(TomlTest, WrongTypeIsNamed) {
  EXPECT_THAT(TomlError("[http]\nlisten = 4318\n"),
              AllOf(HasSubstr("test.toml:2:10"), HasSubstr("http.listen"),
                    HasSubstr("expected a string, got an integer")));
  EXPECT_THAT(TomlError("[queue]\nmax_records = \"100\"\n"),
              AllOf(HasSubstr("queue.max_records"), HasSubstr("got a string")));
  EXPECT_THAT(TomlError("[sqld]\necho_sql = \"yes\"\n"),
              AllOf(HasSubstr("sqld.echo_sql"), HasSubstr("expected a boolean")));
  EXPECT_THAT(TomlError("[queue]\nmax_records = 1.5\n"),
              AllOf(HasSubstr("queue.max_records"), HasSubstr("got a float")));
  EXPECT_THAT(TomlError("[retry]\nmultiplier = true\n"),
              AllOf(HasSubstr("retry.multiplier"), HasSubstr("expected a number")));
  EXPECT_THAT(TomlError("http = 5\n"), HasSubstr("[http] must be a table, got an integer"));
  EXPECT_THAT(TomlError("[[http]]\nlisten = \"a:1\"\n"), HasSubstr("[http] must be a table"));
  EXPECT_THAT(TomlError("[http.listen]\n"),
              AllOf(HasSubstr("http.listen"), HasSubstr("got a table")));
  EXPECT_THAT(TomlError("[log]\nlevel = [\"info\"]\n"),
              AllOf(HasSubstr("log.level"), HasSubstr("got an array")));
}

TEST(TomlTest, BadValuesAreNamed) {
  EXPECT_THAT(TomlError("backend = \"postgres\"\n"),
              AllOf(HasSubstr("test.toml:1:11"), HasSubstr("backend"),
                    HasSubstr("one of auto|embedded|sqld"), HasSubstr("'postgres'")));
  EXPECT_THAT(TomlError("[sqld]\nhttp_port = 70000\n"),
              AllOf(HasSubstr("test.toml:2:"), HasSubstr("sqld.http_port"),
                    HasSubstr("between 0 and 65535")));
  EXPECT_THAT(TomlError("[queue]\nmax_records = -1\n"),
              AllOf(HasSubstr("queue.max_records"), HasSubstr("non-negative")));
  EXPECT_THAT(TomlError("[queue]\nmax_records = 0\n"),
              AllOf(HasSubstr("queue.max_records"), HasSubstr("at least 1")));
  EXPECT_THAT(TomlError("[http]\nlisten = \"nohost\"\n"),
              AllOf(HasSubstr("test.toml:2:"), HasSubstr("http.listen"), HasSubstr("host:port")));
  EXPECT_THAT(TomlError("[embedded]\nsynchronous = \"OFF\"\n"),
              AllOf(HasSubstr("embedded.synchronous"), HasSubstr("FULL|NORMAL|EXTRA")));
  EXPECT_THAT(TomlError("[http]\nmax_header_bytes = 5000000000\n"),
              AllOf(HasSubstr("http.max_header_bytes"), HasSubstr("4294967295")));
}

TEST(TomlTest, SyntaxErrorsHaveLineAndColumn) {
  EXPECT_THAT(TomlError("[http]\nlisten = \n"), HasSubstr("test.toml:2:"));
  EXPECT_THAT(TomlError("[http\n"), HasSubstr("test.toml:1:"));
  // A duplicate key is a TOML error, not a silent override.
  EXPECT_THAT(TomlError("[http]\nio_threads = 1\nio_threads = 2\n"), HasSubstr("test.toml:3:"));
}

TEST(TomlTest, LoadReportsTheFilePath) {
  TempFile file("[queue]\nmax_recods = 1\n");
  Result<Invocation> result = Load({"--config", file.path()}, {});
  ASSERT_FALSE(result.has_value());
  EXPECT_THAT(result.error().message(),
              AllOf(HasSubstr(file.path() + ":2:1"), HasSubstr("max_recods")));
}

}  // namespace
}  // namespace tc::config
