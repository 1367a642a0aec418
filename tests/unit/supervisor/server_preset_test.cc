#include "supervisor/server_preset.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace tc::supervisor {
namespace {

using Args = std::vector<std::string>;

TEST(ServerPresetTest, KindFollowsTheBinaryName) {
  EXPECT_EQ(KindFromBinary("sqld"), ServerKind::kSqld);
  EXPECT_EQ(KindFromBinary("/usr/local/bin/sqld"), ServerKind::kSqld);
  EXPECT_EQ(KindFromBinary("/opt/libsql-server"), ServerKind::kSqld);
  EXPECT_EQ(KindFromBinary("tursodb"), ServerKind::kTursodb);
  EXPECT_EQ(KindFromBinary("/x/cli-linux-x64-gnu/tursodb"), ServerKind::kTursodb);
  EXPECT_EQ(KindFromBinary("/tursodb-dir/sqld"), ServerKind::kSqld);
  EXPECT_STREQ(ServerKindName(ServerKind::kTursodb), "tursodb");
  EXPECT_STREQ(ServerKindName(ServerKind::kSqld), "sqld");
}

TEST(ServerPresetTest, ArgvPerKind) {
  EXPECT_EQ(ServerArgs(ServerKind::kSqld, "/data/sqld", 8080),
            (Args{"--db-path", "/data/sqld", "--http-listen-addr", "127.0.0.1:8080",
                  "--no-welcome"}));
  EXPECT_EQ(ServerArgs(ServerKind::kTursodb, "/data/t.db", 18090),
            (Args{"/data/t.db", "--sync-server", "127.0.0.1:18090"}));
}

TEST(ServerPresetTest, PlanForTursodbOnAFreePort) {
  std::string tursodb = test::TursodbPath();
  ASSERT_FALSE(tursodb.empty());
  config::SqldConfig config;
  config.binary = tursodb;
  config.db_path = "/tmp/tc-plan-test/traces.db";
  config.http_port = 0;
  config.stop_grace_ms = 1234;
  Result<ServerPlan> plan = BuildServerPlan(config, std::nullopt, {"--quiet"});
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->kind, ServerKind::kTursodb);
  EXPECT_NE(plan->port, 0);
  std::string addr = "127.0.0.1:" + std::to_string(plan->port);
  EXPECT_EQ(plan->base_url, "http://" + addr);
  EXPECT_EQ(plan->spawn.args,
            (Args{"/tmp/tc-plan-test/traces.db", "--sync-server", addr, "--quiet"}));
  EXPECT_EQ(plan->spawn.log_prefix, "tursodb");
  EXPECT_EQ(plan->spawn.stop_grace.count(), 1234);
  EXPECT_EQ(plan->probe.url, "http://" + addr + "/v2/pipeline");
  EXPECT_EQ(plan->probe.body, R"({"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]})");
  EXPECT_TRUE(CheckLoopbackPortFree(plan->port).ok());  // picked and released
}

TEST(ServerPresetTest, PlanForSqldUsesHealthAndAbsoluteDbPath) {
  test::TempDir dir;
  config::SqldConfig config;
  config.binary = test::WriteScript(dir.File("sqld"), "exit 0");
  config.db_path = "relative-dir";
  Result<uint16_t> port = PickFreeLoopbackPort();
  ASSERT_TRUE(port.has_value());
  config.http_port = *port;
  Result<ServerPlan> plan = BuildServerPlan(config);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->kind, ServerKind::kSqld);
  EXPECT_EQ(plan->port, *port);
  EXPECT_EQ(plan->db_path.front(), '/');
  EXPECT_EQ(plan->db_path.substr(plan->db_path.size() - 13), "/relative-dir");
  std::string addr = "127.0.0.1:" + std::to_string(*port);
  EXPECT_EQ(plan->spawn.args,
            (Args{"--db-path", plan->db_path, "--http-listen-addr", addr, "--no-welcome"}));
  EXPECT_EQ(plan->probe.url, "http://" + addr + "/health");
  EXPECT_TRUE(plan->probe.body.empty());

  // An explicit kind wins over the name.
  plan = BuildServerPlan(config, ServerKind::kTursodb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->kind, ServerKind::kTursodb);
  EXPECT_EQ(plan->spawn.args[1], "--sync-server");
}

TEST(ServerPresetTest, PortInUseIsAClearError) {
  uint16_t port = 0;
  UniqueFd listener = test::ListenOnLoopback(0, &port);
  ASSERT_TRUE(listener.valid());
  Status status = CheckLoopbackPortFree(port);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "127.0.0.1:" + std::to_string(port) +
                                  " is already in use (another process listens there)");

  config::SqldConfig config;
  config.binary = "/bin/sh";
  config.http_port = port;
  Result<ServerPlan> plan = BuildServerPlan(config);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), StatusCode::kFailedPrecondition);
}

TEST(ServerPresetTest, MissingBinaryAndEmptyDbPathAreErrors) {
  config::SqldConfig config;
  config.binary = "/nonexistent/sqld";
  config.http_port = 0;
  Result<ServerPlan> plan = BuildServerPlan(config);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), StatusCode::kNotFound);
  EXPECT_NE(plan.error().message().find("/nonexistent/sqld"), std::string::npos);

  config.binary = "/bin/sh";
  config.db_path = "";
  EXPECT_EQ(BuildServerPlan(config).error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tc::supervisor
