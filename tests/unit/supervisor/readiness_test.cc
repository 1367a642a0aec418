#include "supervisor/readiness.h"

#include <thread>

#include <gtest/gtest.h>

#include "supervisor/server_preset.h"
#include "test_util.h"

namespace tc::supervisor {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kSelectOne[] = R"({"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]})";

long ElapsedMs(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
}

std::string LoopbackUrl(uint16_t port, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

SpawnSpec Sleeper() {
  SpawnSpec spec;
  spec.binary = "sleep";
  spec.args = {"100"};
  return spec;
}

SpawnSpec Tursodb(const std::string& binary, const std::string& db, uint16_t port) {
  SpawnSpec spec;
  spec.binary = binary;
  spec.args = ServerArgs(ServerKind::kTursodb, db, port);
  spec.log_prefix = "tursodb";
  spec.watch_for = {std::string(kAddressInUse)};
  return spec;
}

TEST(ReadinessTest, ProbeOfClosedPortIsUnavailable) {
  Result<uint16_t> port = PickFreeLoopbackPort();
  ASSERT_TRUE(port.has_value());
  Status status = ProbeOnce({LoopbackUrl(*port, "/health"), ""}, milliseconds(500));
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("/health"), std::string::npos) << status.message();
}

TEST(ReadinessTest, ProbeOfSilentListenerTimesOut) {
  uint16_t port = 0;
  UniqueFd listener = test::ListenOnLoopback(0, &port);  // accepts (backlog), never answers
  auto start = Clock::now();
  Status status = ProbeOnce({LoopbackUrl(port, "/health"), ""}, milliseconds(300));
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_GE(ElapsedMs(start), 290);
  EXPECT_LT(ElapsedMs(start), 2000);
}

TEST(ReadinessTest, ChildThatNeverBecomesReadyTimesOut) {
  Result<uint16_t> port = PickFreeLoopbackPort();
  ASSERT_TRUE(port.has_value());
  auto child = ChildProcess::Spawn(Sleeper());
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ReadyOptions options;
  options.timeout = milliseconds(400);
  auto start = Clock::now();
  Status status = WaitUntilReady(*child, {LoopbackUrl(*port, "/health"), ""}, options, nullptr);
  EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded) << status.ToString();
  EXPECT_NE(status.message().find("not ready after"), std::string::npos) << status.message();
  EXPECT_GE(ElapsedMs(start), 400);
  EXPECT_LT(ElapsedMs(start), 2000);
  EXPECT_FALSE(child->TryReap().has_value());  // left running for the caller to stop
}

TEST(ReadinessTest, ChildExitingEarlyIsReportedWithItsOutput) {
  SpawnSpec spec;
  spec.binary = "/bin/sh";
  spec.args = {"-c", "echo 'Error: bad configuration' >&2; exit 3"};
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ReadyOptions options;
  options.timeout = milliseconds(5000);
  auto start = Clock::now();
  Status status = WaitUntilReady(*child, {LoopbackUrl(1, "/health"), ""}, options, nullptr);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("exited before becoming ready (exit status 3)"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("Error: bad configuration"), std::string::npos)
      << status.message();
  EXPECT_LT(ElapsedMs(start), 1500);
}

TEST(ReadinessTest, StopLatchCancelsTheWait) {
  auto child = ChildProcess::Spawn(Sleeper());
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  StopLatch stop;
  std::jthread trigger([&] {
    std::this_thread::sleep_for(milliseconds(150));
    stop.Trigger();
  });
  ReadyOptions options;
  options.timeout = milliseconds(10000);
  options.interval = milliseconds(5000);  // the latch must wake the sleep, not the interval
  auto start = Clock::now();
  Status status = WaitUntilReady(*child, {LoopbackUrl(1, "/health"), ""}, options, &stop);
  EXPECT_EQ(status.code(), StatusCode::kCancelled) << status.ToString();
  EXPECT_LT(ElapsedMs(start), 1500);
}

TEST(ReadinessTest, RealTursodbBecomesReadyOnPipelineProbeButHasNoHealth) {
  std::string tursodb = test::TursodbPath();
  ASSERT_FALSE(tursodb.empty());
  test::TempDir dir;
  Result<uint16_t> port = PickFreeLoopbackPort();
  ASSERT_TRUE(port.has_value());
  auto child = ChildProcess::Spawn(Tursodb(tursodb, dir.File("db"), *port));
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ReadyOptions options;
  options.timeout = milliseconds(5000);
  auto start = Clock::now();
  Status status =
      WaitUntilReady(*child, {LoopbackUrl(*port, "/v2/pipeline"), kSelectOne}, options, nullptr);
  ASSERT_TRUE(status.ok()) << status.ToString();
  RecordProperty("tursodb_ready_ms", std::to_string(ElapsedMs(start)));
  Status health = ProbeOnce({LoopbackUrl(*port, "/health"), ""}, milliseconds(1000));
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_NE(health.message().find("HTTP 404"), std::string::npos) << health.message();
  auto stop_start = Clock::now();
  ExitInfo exit = child->Stop(milliseconds(3000));
  EXPECT_EQ(exit.ToString(), "killed by signal 15 (SIGTERM)");  // tursodb has no handler
  EXPECT_LT(ElapsedMs(stop_start), 1000);
}

TEST(ReadinessTest, RealTursodbOnBusyPortIsReportedAsAddressInUse) {
  std::string tursodb = test::TursodbPath();
  ASSERT_FALSE(tursodb.empty());
  test::TempDir dir;
  uint16_t port = 0;
  UniqueFd listener = test::ListenOnLoopback(0, &port);
  auto child = ChildProcess::Spawn(Tursodb(tursodb, dir.File("db"), port));
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ReadyOptions options;
  options.timeout = milliseconds(5000);
  // The probe itself would hang on our silent listener; the child's exit must end the wait.
  options.probe_timeout = milliseconds(200);
  Status status =
      WaitUntilReady(*child, {LoopbackUrl(port, "/v2/pipeline"), kSelectOne}, options, nullptr);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_NE(status.message().find("already in use"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("exit status 1"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace tc::supervisor
