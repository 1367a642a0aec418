// Validate(): ranges from the key table, single-value checks and cross-field rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "config/config.h"
#include "config_test_util.h"

namespace tc::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string Invalid(const Config& config) {
  Status status = Validate(config);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  return status.message();
}

TEST(ValidateTest, DefaultsAndCustomAreValid) {
  EXPECT_TRUE(Validate(Defaults()).ok());
  Status status = Validate(testing::Custom());
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(ValidateTest, ListenAddresses) {
  for (const char* good : {"127.0.0.1:4318", "0.0.0.0:0", "localhost:80", "[::1]:4318",
                           "[::]:65535", "collector.internal:8080"}) {
    Config config;
    config.http.listen = good;
    EXPECT_TRUE(Validate(config).ok()) << good;
  }
  for (const char* bad :
       {"localhost", "4318", ":4318", "host:", "host:65536", "host:-1", "host:80a", "a b:80",
        "[::1]4318", "[::1]:", "[]:80", "[host]:80", "http://host:80"}) {
    Config config;
    config.http.listen = bad;
    EXPECT_THAT(Invalid(config), AllOf(HasSubstr("http.listen"), HasSubstr("host:port"))) << bad;
    config.http.listen = "127.0.0.1:0";
    config.tls = {bad, "c.pem", "k.pem", "", "1.2", 1000};
    EXPECT_THAT(Invalid(config), AllOf(HasSubstr("tls.listen"), HasSubstr("host:port"))) << bad;
  }
  Config config;
  config.http.listen = "::1:4318";
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("http.listen"), HasSubstr("brackets")));
}

// http.listen may be empty only with an HTTPS listener; tls.listen needs a certificate and key.
TEST(ValidateTest, TlsListener) {
  Config config;
  config.http.listen = "";
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("http.listen"), HasSubstr("tls.listen")));
  config.tls.listen = "127.0.0.1:0";
  EXPECT_THAT(Invalid(config), HasSubstr("tls.cert_file: required when tls.listen is set"));
  config.tls.cert_file = "c.pem";
  EXPECT_THAT(Invalid(config), HasSubstr("tls.key_file: required when tls.listen is set"));
  config.tls.key_file = "k.pem";
  EXPECT_TRUE(Validate(config).ok());
  config.tls.min_version = "1.1";
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("tls.min_version"), HasSubstr("1.3")));
}

TEST(ValidateTest, SizesMustBePositive) {
  Config config;
  config.queue.max_records = 0;
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("queue.max_records"), HasSubstr("at least 1")));
  config = Defaults();
  config.http.max_body_bytes = 0;
  EXPECT_THAT(Invalid(config), HasSubstr("http.max_body_bytes"));
  config = Defaults();
  config.sqld.pool_size = 0;
  EXPECT_THAT(Invalid(config), HasSubstr("sqld.pool_size"));
  config = Defaults();
  config.http.io_threads = -1;
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("http.io_threads"), HasSubstr("between 0 and")));
  config = Defaults();
  config.ingest.max_depth = 5000;
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("ingest.max_depth"), HasSubstr("1024")));
  config = Defaults();
  config.shutdown_timeout_ms = 0;
  EXPECT_THAT(Invalid(config), HasSubstr("shutdown_timeout_ms"));
}

TEST(ValidateTest, BatchMustFitTheQueue) {
  Config config;
  config.batch.max_records = 5000;
  config.queue.max_records = 4999;
  EXPECT_THAT(Invalid(config),
              AllOf(HasSubstr("batch.max_records"), HasSubstr("queue.max_records (4999)")));
  config.queue.max_records = 5000;
  EXPECT_TRUE(Validate(config).ok());  // equal is fine
  config = Defaults();
  config.batch.max_bytes = config.queue.max_bytes + 1;
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("batch.max_bytes"), HasSubstr("queue.max_bytes")));
}

TEST(ValidateTest, Synchronous) {
  Config config;
  for (const char* good : {"FULL", "NORMAL", "EXTRA"}) {
    config.embedded.synchronous = good;
    EXPECT_TRUE(Validate(config).ok()) << good;
  }
  for (const char* bad : {"OFF", "full", ""}) {
    config.embedded.synchronous = bad;
    EXPECT_THAT(Invalid(config),
                AllOf(HasSubstr("embedded.synchronous"), HasSubstr("FULL|NORMAL|EXTRA")));
  }
}

TEST(ValidateTest, LogLevel) {
  Config config;
  config.log.level = "verbose";
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("log.level"), HasSubstr("'verbose'")));
  config.log.level = "warn";
  EXPECT_TRUE(Validate(config).ok());
}

TEST(ValidateTest, PathsMustNotBeEmpty) {
  Config config;
  config.embedded.path = "";
  EXPECT_THAT(Invalid(config), HasSubstr("embedded.path"));
  config = Defaults();
  config.sqld.db_path = "";
  EXPECT_THAT(Invalid(config), HasSubstr("sqld.db_path"));
}

TEST(ValidateTest, SqldModeAndUrlGoTogether) {
  Config config;
  config.sqld.mode = SqldMode::kExternal;
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("sqld.url"), HasSubstr("required")));
  config.sqld.url = "libsql://x.turso.io";
  EXPECT_TRUE(Validate(config).ok());
  config.sqld.mode = SqldMode::kSpawn;
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("sqld.url"), HasSubstr("spawn")));
  config.sqld.mode = SqldMode::kExternal;
  config.sqld.url = "ftp://x";
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("sqld.url"), HasSubstr("'ftp://x'")));
  config.sqld.url = "http://";
  EXPECT_THAT(Invalid(config), HasSubstr("sqld.url"));
}

TEST(ValidateTest, Retry) {
  Config config;
  config.retry.initial_ms = 100;
  config.retry.max_ms = 99;
  EXPECT_THAT(Invalid(config), AllOf(HasSubstr("retry.max_ms"), HasSubstr("retry.initial_ms")));
  for (double bad : {0.5, 0.0, 1000.0, std::nan(""), HUGE_VAL}) {
    config = Defaults();
    config.retry.multiplier = bad;
    EXPECT_THAT(Invalid(config), HasSubstr("retry.multiplier")) << bad;
  }
  config = Defaults();
  config.retry.multiplier = 1.0;
  EXPECT_TRUE(Validate(config).ok());
}

}  // namespace
}  // namespace tc::config
