#include "supervisor/supervisor.h"

#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "supervisor/readiness.h"
#include "test_util.h"

namespace tc::supervisor {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using test::Eventually;

constexpr char kSelectOne[] = R"({"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]})";

long ElapsedMs(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
}

// Fast settings so each test stays within a few seconds.
config::SqldConfig FastConfig(const std::string& binary, const std::string& db_path) {
  config::SqldConfig config;
  config.binary = binary;
  config.db_path = db_path;
  config.http_port = 0;
  config.restart_backoff_ms = 20;
  config.max_restarts = 5;
  config.restart_window_s = 60;
  config.ready_timeout_ms = 5000;
  config.stop_grace_ms = 2000;
  return config;
}

// Records on_state / on_failed calls.
struct Observer {
  std::mutex mu;
  std::vector<State> states;
  std::vector<Status> failures;
  Supervisor::Options Options() {
    Supervisor::Options options;
    options.on_state = [this](State state, uint64_t) {
      std::lock_guard lock(mu);
      states.push_back(state);
    };
    options.on_failed = [this](const Status& status) {
      std::lock_guard lock(mu);
      failures.push_back(status);
    };
    return options;
  }
  bool Saw(State state) {
    std::lock_guard lock(mu);
    return std::find(states.begin(), states.end(), state) != states.end();
  }
  std::vector<Status> Failures() {
    std::lock_guard lock(mu);
    return failures;
  }
};

Status ProbePipeline(const Supervisor& supervisor) {
  return ProbeOnce({supervisor.base_url() + "/v2/pipeline", kSelectOne}, milliseconds(2000));
}

// Kills the current child with SIGKILL and waits for the next generation to be ready.
::testing::AssertionResult KillAndAwaitRestart(Supervisor& supervisor) {
  uint64_t before = supervisor.generation();
  pid_t pid = supervisor.child_pid();
  if (pid <= 0 || ::kill(pid, SIGKILL) != 0) {
    return ::testing::AssertionFailure() << "no child to kill (pid " << pid << ")";
  }
  if (!Eventually([&] { return supervisor.generation() > before && supervisor.ready(); },
                  milliseconds(5000))) {
    return ::testing::AssertionFailure()
           << "no restart: state " << StateName(supervisor.state()) << ", generation "
           << supervisor.generation();
  }
  return ::testing::AssertionSuccess();
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tursodb_ = test::TursodbPath();
    ASSERT_FALSE(tursodb_.empty());
  }
  std::string tursodb_;
  test::TempDir dir_;
};

TEST_F(SupervisorTest, StartsTursodbServesPipelineAndStopsIt) {
  test::StderrCapture capture;
  Observer observer;
  Supervisor::Options options = observer.Options();
  options.env = {"RUST_LOG=info"};  // makes tursodb log its start line
  Supervisor supervisor(FastConfig(tursodb_, dir_.File("nested/dir/traces.db")), options);
  EXPECT_EQ(supervisor.state(), State::kIdle);
  EXPECT_EQ(supervisor.generation(), 0u);
  auto start = Clock::now();
  ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
  RecordProperty("start_ms", std::to_string(ElapsedMs(start)));
  EXPECT_TRUE(supervisor.ready());
  EXPECT_TRUE(supervisor.WaitReady(milliseconds(0)));
  EXPECT_EQ(supervisor.state(), State::kReady);
  EXPECT_EQ(supervisor.generation(), 1u);
  EXPECT_EQ(supervisor.kind(), ServerKind::kTursodb);
  EXPECT_EQ(supervisor.base_url().rfind("http://127.0.0.1:", 0), 0u) << supervisor.base_url();
  EXPECT_TRUE(ProbePipeline(supervisor).ok());
  struct stat st {};
  EXPECT_EQ(::stat(dir_.File("nested/dir/traces.db").c_str(), &st), 0);  // parent dirs made

  pid_t pid = supervisor.child_pid();
  ASSERT_GT(pid, 0);
  UniqueFd pidfd = test::OpenPidfd(pid);
  auto stop_start = Clock::now();
  supervisor.Stop();
  RecordProperty("stop_ms", std::to_string(ElapsedMs(stop_start)));
  EXPECT_LT(ElapsedMs(stop_start), 1500);
  EXPECT_TRUE(test::PidfdExited(pidfd.get(), milliseconds(0)));
  EXPECT_EQ(supervisor.state(), State::kStopped);
  EXPECT_FALSE(supervisor.ready());
  EXPECT_EQ(supervisor.child_pid(), -1);
  EXPECT_TRUE(observer.Saw(State::kReady) && observer.Saw(State::kStopping) &&
              observer.Saw(State::kStopped));
  EXPECT_TRUE(observer.Failures().empty());
  std::string log = capture.Text();
  EXPECT_NE(log.find("msg=\"tursodb: "), std::string::npos) << log;
  EXPECT_NE(log.find("Starting TursoSyncServer"), std::string::npos) << log;
}

TEST_F(SupervisorTest, RestartsAfterKill9WithANewGeneration) {
  Observer observer;
  Supervisor supervisor(FastConfig(tursodb_, dir_.File("traces.db")), observer.Options());
  ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
  std::string url = supervisor.base_url();
  pid_t first = supervisor.child_pid();
  auto start = Clock::now();
  ASSERT_TRUE(KillAndAwaitRestart(supervisor));
  RecordProperty("restart_ms", std::to_string(ElapsedMs(start)));
  EXPECT_EQ(supervisor.generation(), 2u);
  EXPECT_NE(supervisor.child_pid(), first);
  EXPECT_EQ(supervisor.base_url(), url);  // same port after a restart
  EXPECT_TRUE(ProbePipeline(supervisor).ok());
  EXPECT_TRUE(observer.Saw(State::kRestarting));
  ASSERT_TRUE(KillAndAwaitRestart(supervisor));
  EXPECT_EQ(supervisor.generation(), 3u);
  EXPECT_TRUE(observer.Failures().empty());
}

TEST_F(SupervisorTest, CrashLoopOfKilledChildrenGivesUp) {
  Observer observer;
  config::SqldConfig config = FastConfig(tursodb_, dir_.File("traces.db"));
  config.max_restarts = 2;
  Supervisor supervisor(config, observer.Options());
  ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
  ASSERT_TRUE(KillAndAwaitRestart(supervisor));  // restart 1
  ASSERT_TRUE(KillAndAwaitRestart(supervisor));  // restart 2
  pid_t last = supervisor.child_pid();
  ASSERT_EQ(::kill(last, SIGKILL), 0);           // a third death within the window
  ASSERT_TRUE(Eventually([&] { return supervisor.state() == State::kFailed; },
                         milliseconds(3000)));
  EXPECT_FALSE(supervisor.ready());
  EXPECT_FALSE(supervisor.WaitReady(milliseconds(1000)));
  EXPECT_EQ(supervisor.generation(), 3u);
  EXPECT_EQ(supervisor.child_pid(), -1);
  EXPECT_EQ(supervisor.failure().code(), StatusCode::kUnavailable);
  EXPECT_NE(supervisor.failure().message().find("giving up"), std::string::npos);
  std::vector<Status> failures = observer.Failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].message().find("killed by signal 9 (SIGKILL)"), std::string::npos)
      << failures[0].message();
  supervisor.Stop();
  EXPECT_EQ(supervisor.state(), State::kFailed);  // stays observable after Stop()
}

TEST_F(SupervisorTest, FailedRestartsCountTowardsTheCrashLoop) {
  // A wrapper that runs tursodb until a marker file exists, then refuses to start.
  std::string marker = dir_.File("refuse");
  std::string wrapper = test::WriteScript(
      dir_.File("tursodb-wrapper"),
      "if [ -e \"$TC_REFUSE\" ]; then echo \"refusing to start\" >&2; exit 4; fi\n"
      "exec '" + tursodb_ + "' \"$@\"");
  Observer observer;
  Supervisor::Options options = observer.Options();
  options.env = {"TC_REFUSE=" + marker};
  config::SqldConfig config = FastConfig(wrapper, dir_.File("traces.db"));
  config.max_restarts = 3;
  Supervisor supervisor(config, options);
  ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
  EXPECT_EQ(supervisor.kind(), ServerKind::kTursodb);
  std::ofstream(marker) << "x";
  auto start = Clock::now();
  ASSERT_EQ(::kill(supervisor.child_pid(), SIGKILL), 0);
  ASSERT_TRUE(Eventually([&] { return supervisor.state() == State::kFailed; },
                         milliseconds(5000)));
  // Backoff 20 + 40 + 80 ms before the three failed attempts.
  EXPECT_GE(ElapsedMs(start), 140);
  EXPECT_EQ(supervisor.generation(), 1u);
  ASSERT_EQ(observer.Failures().size(), 1u);
  std::string message = supervisor.failure().message();
  EXPECT_NE(message.find("3 restarts within 60 s"), std::string::npos) << message;
  EXPECT_NE(message.find("refusing to start"), std::string::npos) << message;
  EXPECT_NE(message.find("exit status 4"), std::string::npos) << message;
}

TEST_F(SupervisorTest, ZeroMaxRestartsGivesUpAtTheFirstDeath) {
  Observer observer;
  config::SqldConfig config = FastConfig(tursodb_, dir_.File("traces.db"));
  config.max_restarts = 0;
  Supervisor supervisor(config, observer.Options());
  ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
  ASSERT_EQ(::kill(supervisor.child_pid(), SIGKILL), 0);
  ASSERT_TRUE(Eventually([&] { return supervisor.state() == State::kFailed; },
                         milliseconds(3000)));
  EXPECT_EQ(observer.Failures().size(), 1u);
}

TEST_F(SupervisorTest, StartFailsClearlyWhenTheBinaryIsMissing) {
  Supervisor supervisor(FastConfig(dir_.File("no-such-sqld"), dir_.File("db")));
  Status status = supervisor.Start();
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
  EXPECT_NE(status.message().find("no-such-sqld"), std::string::npos);
  EXPECT_EQ(supervisor.state(), State::kFailed);
  EXPECT_EQ(supervisor.failure().code(), StatusCode::kNotFound);
  EXPECT_FALSE(supervisor.WaitReady(milliseconds(0)));
}

TEST_F(SupervisorTest, StartFailsClearlyWhenThePortIsInUse) {
  uint16_t port = 0;
  UniqueFd listener = test::ListenOnLoopback(0, &port);
  config::SqldConfig config = FastConfig(tursodb_, dir_.File("db"));
  config.http_port = port;
  Supervisor supervisor(config);
  Status status = supervisor.Start();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(port) + " is already in use"),
            std::string::npos)
      << status.message();
}

TEST_F(SupervisorTest, StartFailsWithTheOutputOfAChildThatExits) {
  std::string fake = test::WriteScript(dir_.File("sqld"),
                                       "echo \"fatal: unexpected argument $1\" >&2; exit 3");
  Supervisor supervisor(FastConfig(fake, dir_.File("db")));
  auto start = Clock::now();
  Status status = supervisor.Start();
  EXPECT_LT(ElapsedMs(start), 2000);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("exit status 3"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("fatal: unexpected argument --db-path"), std::string::npos)
      << status.message();
  EXPECT_EQ(supervisor.state(), State::kFailed);
}

TEST_F(SupervisorTest, StartTimesOutWhenTheChildNeverBecomesReady) {
  std::string fake = test::WriteScript(dir_.File("sqld"), "exec sleep 100");
  config::SqldConfig config = FastConfig(fake, dir_.File("db"));
  config.ready_timeout_ms = 400;
  Supervisor supervisor(config);
  auto start = Clock::now();
  Status status = supervisor.Start();
  EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded) << status.ToString();
  EXPECT_NE(status.message().find("/health"), std::string::npos) << status.message();
  EXPECT_GE(ElapsedMs(start), 400);
  EXPECT_LT(ElapsedMs(start), 2500);
}

TEST_F(SupervisorTest, StopDuringStartCancelsIt) {
  std::string fake = test::WriteScript(dir_.File("sqld"), "exec sleep 100");
  config::SqldConfig config = FastConfig(fake, dir_.File("db"));
  config.ready_timeout_ms = 20000;
  Supervisor supervisor(config);
  std::jthread stopper([&] {
    std::this_thread::sleep_for(milliseconds(200));
    supervisor.Stop();
  });
  auto start = Clock::now();
  Status status = supervisor.Start();
  EXPECT_EQ(status.code(), StatusCode::kCancelled) << status.ToString();
  EXPECT_LT(ElapsedMs(start), 2000);
  stopper.join();
  EXPECT_EQ(supervisor.state(), State::kStopped);
}

TEST_F(SupervisorTest, StopIsSafeWithoutStartAndTwice) {
  Supervisor supervisor(FastConfig(tursodb_, dir_.File("db")));
  supervisor.Stop();
  supervisor.Stop();
  EXPECT_EQ(supervisor.state(), State::kStopped);
  EXPECT_EQ(supervisor.Start().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SupervisorTest, SecondStartIsRefusedAndDestructorStopsTheChild) {
  UniqueFd pidfd;
  {
    Supervisor supervisor(FastConfig(tursodb_, dir_.File("db")));
    ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
    EXPECT_EQ(supervisor.Start().code(), StatusCode::kFailedPrecondition);
    pidfd = test::OpenPidfd(supervisor.child_pid());
    ASSERT_TRUE(pidfd.valid());
    supervisor.Stop();
    supervisor.Stop();
  }
  EXPECT_TRUE(test::PidfdExited(pidfd.get(), milliseconds(0)));
  {
    Supervisor supervisor(FastConfig(tursodb_, dir_.File("db")));
    ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
    pidfd = test::OpenPidfd(supervisor.child_pid());
  }  // no Stop(): the destructor does it
  EXPECT_TRUE(test::PidfdExited(pidfd.get(), milliseconds(0)));
}

TEST_F(SupervisorTest, StopFromTheFailureCallbackDoesNotDeadlock) {
  config::SqldConfig config = FastConfig(tursodb_, dir_.File("traces.db"));
  config.max_restarts = 0;
  std::atomic<bool> called{false};
  Supervisor::Options options;
  Supervisor* self = nullptr;
  options.on_failed = [&](const Status&) {
    self->Stop();
    called = true;
  };
  Supervisor supervisor(config, options);
  self = &supervisor;
  ASSERT_TRUE(supervisor.Start().ok()) << supervisor.failure().ToString();
  ASSERT_EQ(::kill(supervisor.child_pid(), SIGKILL), 0);
  EXPECT_TRUE(Eventually([&] { return called.load(); }, milliseconds(3000)));
  supervisor.Stop();
  EXPECT_EQ(supervisor.state(), State::kFailed);
}

}  // namespace
}  // namespace tc::supervisor
