// The command-line layer.
#include "config/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "config/config.h"
#include "config/key_table.h"
#include "config/value_codec.h"
#include "config_test_util.h"

namespace tc::config {
namespace {

using ::testing::AllOf;
using testing::Custom;
using ::testing::HasSubstr;
using testing::PlainText;

Config FlagsOk(const std::vector<std::string>& args) {
  Result<Invocation> result = Load(args, {});
  EXPECT_TRUE(result.has_value()) << result.error().ToString();
  return result.has_value() ? result->config : Config{};
}

std::string FlagsError(const std::vector<std::string>& args) {
  Result<Invocation> result = Load(args, {});
  EXPECT_FALSE(result.has_value());
  return result.has_value() ? "" : result.error().message();
}

TEST(FlagsTest, SpaceAndEqualsFormsAreTheSame) {
  EXPECT_EQ(FlagsOk({"--listen", "0.0.0.0:80"}).http.listen, "0.0.0.0:80");
  EXPECT_EQ(FlagsOk({"--listen=0.0.0.0:80"}).http.listen, "0.0.0.0:80");
  EXPECT_EQ(FlagsOk({"--set=log.level=warn"}).log.level, "warn");
  EXPECT_EQ(FlagsOk({"--set", "log.level=warn"}).log.level, "warn");
}

TEST(FlagsTest, BackendAckAndLogLevel) {
  Config config = FlagsOk(
      {"--backend", "embedded", "--ack=queued", "--log-level", "debug", "--log-format", "json"});
  EXPECT_EQ(config.backend, Backend::kEmbedded);
  EXPECT_EQ(config.ingest.ack, AckMode::kQueued);
  EXPECT_EQ(config.log.level, "debug");
  EXPECT_EQ(config.log.format, "json");
}

TEST(FlagsTest, DbSetsTheEmbeddedFileAndTheSqldPath) {
  Config config = FlagsOk({"--db", "/data/traces.db"});
  EXPECT_EQ(config.embedded.path, "/data/traces.db");
  EXPECT_EQ(config.sqld.db_path, "/data/traces.db");
  EXPECT_EQ(config.backend, Backend::kAuto);
  // With --backend sqld the same path is sqld's data directory (whatever the flag order).
  config = FlagsOk({"--db=/data/sqld", "--backend=sqld"});
  EXPECT_EQ(config.sqld.db_path, "/data/sqld");
  EXPECT_EQ(config.backend, Backend::kSqld);
  EXPECT_THAT(FlagsError({"--db="}), AllOf(HasSubstr("--db"), HasSubstr("empty")));
}

TEST(FlagsTest, SqldUrlSelectsAnExternalSqldBackend) {
  Config config = FlagsOk({"--sqld-url", "http://127.0.0.1:8080"});
  EXPECT_EQ(config.sqld.url, "http://127.0.0.1:8080");
  EXPECT_EQ(config.sqld.mode, SqldMode::kExternal);
  EXPECT_EQ(config.backend, Backend::kSqld);
  EXPECT_THAT(FlagsError({"--sqld-url", "postgres://x"}),
              AllOf(HasSubstr("--sqld-url"), HasSubstr("'postgres://x'")));
  EXPECT_THAT(FlagsError({"--sqld-url="}), HasSubstr("--sqld-url"));
}

TEST(FlagsTest, SetReachesEveryKey) {
  const Config custom = Custom();
  for (const KeySpec& key : Keys()) {
    SCOPED_TRACE(DottedName(key));
    Result<std::vector<FlagUse>> uses =
        ParseFlags({"--set", DottedName(key) + "=" + PlainText(key, custom)});
    ASSERT_TRUE(uses.has_value()) << uses.error().ToString();
    Invocation invocation;
    Status status = ApplyFlags(*uses, &invocation);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(FormatToml(key, invocation.config), FormatToml(key, custom));
  }
}

TEST(FlagsTest, SetErrorsNameTheKey) {
  EXPECT_THAT(FlagsError({"--set", "queue.max_recrods=5"}),
              AllOf(HasSubstr("--set"), HasSubstr("unknown key 'queue.max_recrods'"),
                    HasSubstr("did you mean queue.max_records?")));
  EXPECT_THAT(FlagsError({"--set", "queue.max_records"}),
              AllOf(HasSubstr("--set"), HasSubstr("section.key=value")));
  EXPECT_THAT(FlagsError({"--set", "queue.max_records=many"}),
              AllOf(HasSubstr("--set"), HasSubstr("queue.max_records"), HasSubstr("'many'")));
  EXPECT_THAT(FlagsError({"--set", "http=1"}), HasSubstr("unknown key 'http'"));
}

TEST(FlagsTest, UnknownFlagIsAnError) {
  EXPECT_THAT(FlagsError({"--lisen", "0.0.0.0:1"}),
              AllOf(HasSubstr("unknown flag --lisen"), HasSubstr("did you mean --listen?")));
  EXPECT_THAT(FlagsError({"--frobnicate"}), HasSubstr("unknown flag --frobnicate"));
  EXPECT_THAT(FlagsError({"-x"}), HasSubstr("unexpected argument '-x'"));
  EXPECT_THAT(FlagsError({"serve"}), HasSubstr("unexpected argument 'serve'"));
  EXPECT_THAT(FlagsError({"--"}), HasSubstr("unexpected argument '--'"));
}

TEST(FlagsTest, MissingOrUnexpectedValues) {
  EXPECT_THAT(FlagsError({"--listen"}), HasSubstr("--listen needs a value"));
  EXPECT_THAT(FlagsError({"--config", "--check-config"}), HasSubstr("--config needs a value"));
  EXPECT_THAT(FlagsError({"--check-config=yes"}), HasSubstr("--check-config takes no value"));
  EXPECT_THAT(FlagsError({"--help=1"}), HasSubstr("--help takes no value"));
}

TEST(FlagsTest, BadValuesNameTheFlag) {
  EXPECT_THAT(FlagsError({"--backend", "mysql"}),
              AllOf(HasSubstr("--backend"), HasSubstr("auto|embedded|sqld"), HasSubstr("'mysql'")));
  EXPECT_THAT(FlagsError({"--ack", "sometimes"}),
              AllOf(HasSubstr("--ack"), HasSubstr("durable|queued")));
  EXPECT_THAT(FlagsError({"--listen", "localhost"}),
              AllOf(HasSubstr("--listen"), HasSubstr("host:port")));
  EXPECT_THAT(FlagsError({"--listen", "localhost:99999"}), HasSubstr("--listen"));
  EXPECT_THAT(FlagsError({"--log-level", "loud"}),
              AllOf(HasSubstr("--log-level"), HasSubstr("'loud'")));
  EXPECT_THAT(FlagsError({"--log-format", "xml"}),
              AllOf(HasSubstr("--log-format"), HasSubstr("'xml'")));
}

TEST(FlagsTest, HelpTextListsEveryFlagAndPointsAtTheSample) {
  std::string help = HelpText();
  for (const FlagSpec& flag : Flags()) {
    EXPECT_THAT(help, HasSubstr(std::string("--") + std::string(flag.name)));
  }
  EXPECT_THAT(help, HasSubstr("config/tracecollector.toml"));
  EXPECT_THAT(help, HasSubstr("TURSO_DATABASE_URL"));
  std::istringstream lines(help);
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 100u) << line;
  }
}

}  // namespace
}  // namespace tc::config
