// The environment layer: TRACECOLLECTOR_<SECTION>_<KEY> for every key, and the seed's variables.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "config/config.h"
#include "config/key_table.h"
#include "config/sources.h"
#include "config/value_codec.h"
#include "config_test_util.h"

namespace tc::config {
namespace {

using ::testing::AllOf;
using testing::Custom;
using ::testing::HasSubstr;
using testing::PlainText;

Config EnvOk(const std::vector<std::string>& env) {
  Config config;
  std::vector<std::string> warnings;
  Status status = ApplyEnvironment(env, &config, &warnings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  return config;
}

std::string EnvError(const std::vector<std::string>& env) {
  Config config;
  std::vector<std::string> warnings;
  Status status = ApplyEnvironment(env, &config, &warnings);
  EXPECT_FALSE(status.ok());
  return status.message();
}

TEST(EnvTest, NamesFollowTheSectionAndKey) {
  EXPECT_EQ(EnvName(*FindKey("http.listen").key), "TRACECOLLECTOR_HTTP_LISTEN");
  EXPECT_EQ(EnvName(*FindKey("queue.max_records").key), "TRACECOLLECTOR_QUEUE_MAX_RECORDS");
  EXPECT_EQ(EnvName(*FindKey("backend").key), "TRACECOLLECTOR_BACKEND");
  EXPECT_EQ(EnvName(*FindKey("retry.initial_ms").key), "TRACECOLLECTOR_RETRY_INITIAL_MS");
  std::set<std::string> names;
  for (const KeySpec& key : Keys()) {
    EXPECT_TRUE(names.insert(EnvName(key)).second) << "two keys share " << EnvName(key);
  }
  EXPECT_EQ(names.count("TRACECOLLECTOR_CONFIG"), 0u);
}

// The clients' variables (examples/, docs) may be exported in the shell that starts the
// collector: they are ignored with a warning naming the collector's own setting.
TEST(EnvTest, TheExampleClientsVariablesAreIgnoredWithAWarning) {
  Config config;
  std::vector<std::string> warnings;
  Status status =
      ApplyEnvironment({"TRACECOLLECTOR_URL=http://127.0.0.1:4318", "TRACECOLLECTOR_API_KEY=k1",
                        "TRACECOLLECTOR_ADMIN_KEY=k2", "TRACECOLLECTOR_READ_KEY=k3"},
                       &config, &warnings);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(config, Config{});
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_THAT(warnings[1], AllOf(HasSubstr("TRACECOLLECTOR_API_KEY is read by the example clients"),
                                 HasSubstr("TRACECOLLECTOR_AUTH_API_KEYS")));
  EXPECT_THAT(warnings[3],
              AllOf(HasSubstr("TRACECOLLECTOR_READ_KEY is read by the example clients"),
                    HasSubstr("TRACECOLLECTOR_AUTH_READ_KEYS")));
  // A near miss of a real setting is still an error.
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_API_KEYS=k1"}), HasSubstr("unknown environment variable"));
}

TEST(EnvTest, EveryKeyHasAWorkingVariable) {
  const Config custom = Custom();
  for (const KeySpec& key : Keys()) {
    SCOPED_TRACE(DottedName(key));
    Config config = EnvOk({EnvName(key) + "=" + PlainText(key, custom)});
    EXPECT_EQ(FormatToml(key, config), FormatToml(key, custom));
  }
}

TEST(EnvTest, AllAtOnceGivesTheWholeConfig) {
  const Config custom = Custom();
  std::vector<std::string> env;
  for (const KeySpec& key : Keys()) {
    env.push_back(EnvName(key) + "=" + PlainText(key, custom));
  }
  Result<Invocation> result = Load({}, env);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->config, custom);
}

TEST(EnvTest, UnknownVariableIsAnError) {
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_COLOUR=red"}),
              AllOf(HasSubstr("unknown environment variable TRACECOLLECTOR_COLOUR"),
                    HasSubstr("TRACECOLLECTOR_<SECTION>_<KEY>")));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_HTTP_LISTN=0.0.0.0:1"}),
              HasSubstr("did you mean TRACECOLLECTOR_HTTP_LISTEN?"));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_HTTP=x"}), HasSubstr("TRACECOLLECTOR_HTTP"));
  // TRACECOLLECTOR_CONFIG belongs to Load; other prefixes are not ours.
  EXPECT_EQ(EnvOk({"TRACECOLLECTOR_CONFIG=/x.toml", "TRACECOLLECTORX=1", "PATH=/bin", "noequals",
                   "TURSO_SOMETHING_ELSE=1"}),
            Defaults());
}

TEST(EnvTest, BadValueNamesTheVariable) {
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_QUEUE_MAX_RECORDS=lots"}),
              AllOf(HasSubstr("TRACECOLLECTOR_QUEUE_MAX_RECORDS"), HasSubstr("'lots'")));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_QUEUE_MAX_RECORDS=10k"}),
              HasSubstr("TRACECOLLECTOR_QUEUE_MAX_RECORDS"));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_QUEUE_MAX_RECORDS="}),
              HasSubstr("TRACECOLLECTOR_QUEUE_MAX_RECORDS"));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_HTTP_LISTEN=4318"}),
              AllOf(HasSubstr("TRACECOLLECTOR_HTTP_LISTEN"), HasSubstr("host:port")));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_BACKEND=mysql"}),
              AllOf(HasSubstr("TRACECOLLECTOR_BACKEND"), HasSubstr("auto|embedded|sqld")));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_SQLD_TLS_VERIFY=maybe"}),
              AllOf(HasSubstr("TRACECOLLECTOR_SQLD_TLS_VERIFY"), HasSubstr("true, false")));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_SQLD_HTTP_PORT=65536"}),
              AllOf(HasSubstr("TRACECOLLECTOR_SQLD_HTTP_PORT"), HasSubstr("65535")));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_HTTP_IO_THREADS=-2"}),
              HasSubstr("TRACECOLLECTOR_HTTP_IO_THREADS"));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_RETRY_MULTIPLIER=fast"}),
              HasSubstr("TRACECOLLECTOR_RETRY_MULTIPLIER"));
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_LOG_LEVEL=chatty"}),
              AllOf(HasSubstr("TRACECOLLECTOR_LOG_LEVEL"), HasSubstr("debug|info|warn|error")));
}

// A choice's value is accepted in any case (an operator writes TRACECOLLECTOR_LOG_LEVEL=WARN)
// and kept in its canonical case, so the rest of the program and --check-config see one spelling.
TEST(EnvTest, ChoicesAreAcceptedInAnyCase) {
  const Config config =
      EnvOk({"TRACECOLLECTOR_BACKEND=Embedded", "TRACECOLLECTOR_LOG_LEVEL=WARN",
             "TRACECOLLECTOR_LOG_FORMAT=Json", "TRACECOLLECTOR_INGEST_ACK=QUEUED",
             "TRACECOLLECTOR_SQLD_MODE=External", "TRACECOLLECTOR_EMBEDDED_SYNCHRONOUS=normal"});
  EXPECT_EQ(config.backend, Backend::kEmbedded);
  EXPECT_EQ(config.log.level, "warn");
  EXPECT_EQ(config.log.format, "json");
  EXPECT_EQ(config.ingest.ack, AckMode::kQueued);
  EXPECT_EQ(config.sqld.mode, SqldMode::kExternal);
  EXPECT_EQ(config.embedded.synchronous, "NORMAL");
  // The same through a flag and the file's layer, and printed canonically.
  Result<Invocation> loaded =
      Load({"--log-level", "Error", "--backend", "SQLD"}, {"TRACECOLLECTOR_LOG_FORMAT=LOGFMT"});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->config.log.level, "error");
  EXPECT_EQ(loaded->config.backend, Backend::kSqld);
  EXPECT_THAT(ToToml(loaded->config),
              AllOf(HasSubstr("backend = \"sqld\""), HasSubstr("level = \"error\""),
                    HasSubstr("format = \"logfmt\"")));
  // Still only the listed words.
  EXPECT_THAT(EnvError({"TRACECOLLECTOR_LOG_LEVEL=WARNINGS"}), HasSubstr("debug|info|warn|error"));
}

TEST(EnvTest, TursoDatabaseUrlSelectsAnExternalServer) {
  Config config = EnvOk({"TURSO_DATABASE_URL=libsql://db-org.turso.io"});
  EXPECT_EQ(config.sqld.url, "libsql://db-org.turso.io");
  EXPECT_EQ(config.sqld.mode, SqldMode::kExternal);
  EXPECT_EQ(config.backend, Backend::kAuto);  // backend stays for "auto" (or a file/flag) to pick
  EXPECT_TRUE(Validate(config).ok());
}

TEST(EnvTest, TursoDatabaseUrlAcceptsTheSeedsForms) {
  // The seed's default, an SQLAlchemy URL wrapping the http URL.
  EXPECT_EQ(EnvOk({"TURSO_DATABASE_URL=sqlite+libsql://http://127.0.0.1:8080"}).sqld.url,
            "http://127.0.0.1:8080");
  EXPECT_EQ(EnvOk({"TURSO_DATABASE_URL=sqlite+libsql://db.turso.io"}).sqld.url,
            "libsql://db.turso.io");
  EXPECT_EQ(EnvOk({"TURSO_DATABASE_URL=https://db.turso.io"}).sqld.url, "https://db.turso.io");
  EXPECT_THAT(EnvError({"TURSO_DATABASE_URL=file:/tmp/traces.db"}),
              AllOf(HasSubstr("TURSO_DATABASE_URL"), HasSubstr("file:/tmp/traces.db")));
  // Empty counts as unset (a common compose-file default).
  EXPECT_EQ(EnvOk({"TURSO_DATABASE_URL="}), Defaults());
}

TEST(EnvTest, SeedVariablesMapToTheirKeys) {
  Config config = EnvOk({"TURSO_AUTH_TOKEN=tok-123", "TURSO_POOL_SIZE=16", "TURSO_ECHO_SQL=true",
                         "SQLD_HTTP_PORT=9090", "SQLD_BINARY=/usr/local/bin/sqld",
                         "SQLD_DB_PATH=/data/traces"});
  EXPECT_EQ(config.sqld.auth_token, "tok-123");
  EXPECT_EQ(config.sqld.pool_size, 16u);
  EXPECT_TRUE(config.sqld.echo_sql);
  EXPECT_EQ(config.sqld.http_port, 9090);
  EXPECT_EQ(config.sqld.binary, "/usr/local/bin/sqld");
  EXPECT_EQ(config.sqld.db_path, "/data/traces");
  EXPECT_EQ(config.sqld.mode, SqldMode::kSpawn);
}

TEST(EnvTest, EchoSqlAcceptsTrueFalseOneZero) {
  EXPECT_TRUE(EnvOk({"TURSO_ECHO_SQL=1"}).sqld.echo_sql);
  EXPECT_TRUE(EnvOk({"TURSO_ECHO_SQL=TRUE"}).sqld.echo_sql);
  EXPECT_FALSE(EnvOk({"TURSO_ECHO_SQL=0"}).sqld.echo_sql);
  EXPECT_FALSE(EnvOk({"TURSO_ECHO_SQL=false"}).sqld.echo_sql);
  EXPECT_THAT(EnvError({"TURSO_ECHO_SQL=yes please"}),
              AllOf(HasSubstr("TURSO_ECHO_SQL"), HasSubstr("'yes please'")));
}

TEST(EnvTest, BadSeedValuesNameTheVariable) {
  EXPECT_THAT(EnvError({"TURSO_POOL_SIZE=eight"}), HasSubstr("TURSO_POOL_SIZE"));
  EXPECT_THAT(EnvError({"TURSO_POOL_SIZE=0"}), HasSubstr("TURSO_POOL_SIZE"));
  EXPECT_THAT(EnvError({"SQLD_HTTP_PORT=99999"}), HasSubstr("SQLD_HTTP_PORT"));
}

TEST(EnvTest, TracecollectorVariablesWinOverSeedVariables) {
  // Regardless of their order in the environment.
  Config config = EnvOk({"TRACECOLLECTOR_SQLD_POOL_SIZE=6", "TURSO_POOL_SIZE=4"});
  EXPECT_EQ(config.sqld.pool_size, 6u);
}

TEST(EnvTest, FirstOccurrenceOfADuplicateCounts) {
  EXPECT_EQ(EnvOk({"TRACECOLLECTOR_LOG_LEVEL=warn", "TRACECOLLECTOR_LOG_LEVEL=bogus"}).log.level,
            "warn");
}

TEST(EnvTest, SeedUrlWithFlagsAndFilesThroughLoad) {
  // TURSO_DATABASE_URL + --backend sqld: the usual way to point the collector at Turso.
  Result<Invocation> result = Load(
      {"--backend", "sqld"}, {"TURSO_DATABASE_URL=libsql://x.turso.io", "TURSO_AUTH_TOKEN=secret"});
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->config.backend, Backend::kSqld);
  EXPECT_EQ(result->config.sqld.mode, SqldMode::kExternal);
  EXPECT_EQ(result->config.sqld.auth_token, "secret");
}

}  // namespace
}  // namespace tc::config
