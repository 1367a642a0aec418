#pragma once

// Shared helpers for the config tests: a temp file per test and a Config with every field set
// to a valid non-default value.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/config.h"
#include "config/key_table.h"
#include "config/value_codec.h"

namespace tc::config::testing {

// A file in the test temp dir, removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "tc_config_" + info->test_suite_name() + "_" + info->name() +
            "_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) + ".toml";
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

// Every field differs from Defaults() and the whole is valid.
inline Config Custom() {
  Config c;
  c.backend = Backend::kSqld;
  c.shutdown_timeout_ms = 1500;
  c.http = {"[::1]:9999", 3, 1234567, 8000, 111, 222, 4, 77, 2345678, 5, 33};
  c.tls = {
      "0.0.0.0:9443", "/etc/tc/server.pem", "/etc/tc/server.key", "/etc/tc/ca.pem", "1.3", 2500};
  c.ingest = {500, 4096, 300, 32, AckMode::kQueued, 3600, 50};
  c.queue = {2000, 4194304, 7};
  c.batch = {100, 1048576, 3};
  c.retry = {10, 20000, 1.5};
  c.embedded = {"dir with \"quotes\" \\ and\ttab/\xc3\xbc.db", "NORMAL", 250, true};
  c.sqld.mode = SqldMode::kExternal;
  c.sqld.url = "https://db.example.turso.io";
  c.sqld.auth_token = "s3cr3t-token";
  c.sqld.binary = "/opt/tursodb";
  c.sqld.db_path = "/var/lib/tc";
  c.sqld.http_port = 0;
  c.sqld.pool_size = 3;
  c.sqld.echo_sql = true;
  c.sqld.timeout_ms = 999;
  c.sqld.tls_verify = false;
  c.retention = {"30d", 1 << 30, 5000, 50};
  c.stream = {5000, 1 << 20, 2000, 16};
  c.otlp = {"session.id,user.id", true, 500};
  c.sqld.restart_backoff_ms = 0;
  c.sqld.max_restarts = 0;
  c.sqld.restart_window_s = 30;
  c.sqld.ready_timeout_ms = 2500;
  c.sqld.stop_grace_ms = 0;
  c.spool = {false, "/var/spool/tc", 1 << 20, 65536};
  c.auth = {"k1,k2", "/etc/tc/keys",       "r1,r2", "/etc/tc/read_keys",
            "a1,a2", "/etc/tc/admin_keys", true};
  c.log.level = "debug";
  c.log.format = "json";
  return c;
}

// The key's value in `config` as an environment variable or --set would spell it.
inline std::string PlainText(const KeySpec& key, Config config) {
  FieldPtr field = key.field(config);
  if (auto* s = std::get_if<std::string*>(&field)) {
    return **s;
  }
  std::string text = FormatToml(key, config);
  if (text.size() >= 2 && text.front() == '"') {  // enums
    return text.substr(1, text.size() - 2);
  }
  return text;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace tc::config::testing
