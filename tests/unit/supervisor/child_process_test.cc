#include "supervisor/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

#include <gtest/gtest.h>

#include "test_util.h"

namespace tc::supervisor {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using test::Eventually;
using test::TempDir;

SpawnSpec Sh(const std::string& script) {
  SpawnSpec spec;
  spec.binary = "/bin/sh";
  spec.args = {"-c", script};
  spec.log_prefix = "standin";
  return spec;
}

// Collects on_line calls (reader thread) for assertions on the test thread.
struct Lines {
  std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(std::string_view)> Callback() {
    return [this](std::string_view line) {
      std::lock_guard lock(mu);
      lines.emplace_back(line);
    };
  }
  std::vector<std::string> Get() {
    std::lock_guard lock(mu);
    return lines;
  }
  bool Has(const std::string& line) {
    std::vector<std::string> all = Get();
    return std::find(all.begin(), all.end(), line) != all.end();
  }
};

long ElapsedMs(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
}

TEST(ChildProcessTest, ReportsExitStatusOfChildThatExitsAtOnce) {
  auto child = ChildProcess::Spawn(Sh("exit 3"));
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  std::optional<ExitInfo> info = child->WaitExit(milliseconds(3000));
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->signaled);
  EXPECT_EQ(info->code, 3);
  EXPECT_EQ(info->ToString(), "exit status 3");
  // Once reaped, signalling is refused rather than hitting a recycled pid.
  EXPECT_EQ(child->Signal(SIGTERM).code(), StatusCode::kUnavailable);
  EXPECT_EQ(child->Stop(milliseconds(100)).code, 3);  // idempotent: the known exit
}

TEST(ChildProcessTest, BinFalseExitsWithOne) {
  SpawnSpec spec;
  spec.binary = "false";  // found on PATH
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  std::optional<ExitInfo> info = child->WaitExit(milliseconds(3000));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->ToString(), "exit status 1");
}

TEST(ChildProcessTest, MissingBinaryIsNotFound) {
  SpawnSpec spec;
  spec.binary = "/nonexistent/dir/sqld";
  auto child = ChildProcess::Spawn(spec);
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().code(), StatusCode::kNotFound);
  EXPECT_NE(child.error().message().find("/nonexistent/dir/sqld"), std::string::npos)
      << child.error().message();

  spec.binary = "tc-no-such-binary-on-path";
  child = ChildProcess::Spawn(spec);
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().code(), StatusCode::kNotFound);
  EXPECT_NE(child.error().message().find("not found on PATH"), std::string::npos)
      << child.error().message();
}

TEST(ChildProcessTest, NonExecutableFileIsRefused) {
  TempDir dir;
  std::ofstream(dir.File("data")) << "not a program\n";
  SpawnSpec spec;
  spec.binary = dir.File("data");
  auto child = ChildProcess::Spawn(spec);
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(child.error().message().find("not an executable"), std::string::npos);
}

TEST(ChildProcessTest, ExecFailureInChildIsReportedWithErrno) {
  TempDir dir;
  std::string path = dir.File("garbage");
  std::ofstream(path) << "\x7f" << "ELF but not really";
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  SpawnSpec spec;
  spec.binary = path;
  auto child = ChildProcess::Spawn(spec);
  ASSERT_FALSE(child.has_value());
  EXPECT_NE(child.error().message().find("exec failed: Exec format error"), std::string::npos)
      << child.error().message();
}

TEST(ChildProcessTest, MissingWorkingDirectoryIsReported) {
  SpawnSpec spec = Sh("exit 0");
  spec.working_dir = "/nonexistent/workdir";
  auto child = ChildProcess::Spawn(spec);
  ASSERT_FALSE(child.has_value());
  EXPECT_NE(child.error().message().find("chdir to '/nonexistent/workdir' failed"),
            std::string::npos)
      << child.error().message();
}

TEST(ChildProcessTest, ForwardsStdoutAndStderrLinesWithPrefix) {
  test::StderrCapture capture;
  Lines lines;
  SpawnSpec spec = Sh("echo first-out; echo second-err >&2; printf 'crlf\\r\\n'; printf tail");
  spec.on_line = lines.Callback();
  {
    auto child = ChildProcess::Spawn(spec);
    ASSERT_TRUE(child.has_value()) << child.error().ToString();
    ASSERT_TRUE(child->WaitExit(milliseconds(3000)).has_value());
    ASSERT_TRUE(child->WaitOutputClosed(milliseconds(3000)));
    EXPECT_EQ(child->RecentOutput(),
              (std::vector<std::string>{"first-out", "second-err", "crlf", "tail"}));
    EXPECT_EQ(child->RecentOutputText(2), "crlf | tail");
  }
  EXPECT_EQ(lines.Get(), (std::vector<std::string>{"first-out", "second-err", "crlf", "tail"}));
  std::string log = capture.Text();
  EXPECT_NE(log.find("component=supervisor msg=\"standin: first-out\""), std::string::npos) << log;
  EXPECT_NE(log.find("msg=\"standin: second-err\""), std::string::npos) << log;
  EXPECT_NE(log.find("msg=\"standin: tail\""), std::string::npos) << log;
}

TEST(ChildProcessTest, KeepsOnlyTheLastLinesAndSplitsHugeLines) {
  SpawnSpec spec = Sh("i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done; "
                      "head -c 10000 /dev/zero | tr '\\0' x");
  spec.watch_for = {"line57", "never-printed"};
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ASSERT_TRUE(child->WaitOutputClosed(milliseconds(3000)));
  std::vector<std::string> tail = child->RecentOutput();
  ASSERT_EQ(tail.size(), ChildProcess::kTailLines);
  EXPECT_EQ(tail.back().size(), 10000 - 2 * ChildProcess::kMaxLineBytes);
  EXPECT_EQ(tail[tail.size() - 2], std::string(ChildProcess::kMaxLineBytes, 'x'));
  EXPECT_EQ(tail[tail.size() - 4], "line99");
  EXPECT_TRUE(child->OutputMatched("line57"));  // seen, though no longer in the tail
  EXPECT_FALSE(child->OutputMatched("never-printed"));
}

TEST(ChildProcessTest, PassesEnvironmentAdditionsAndWorkingDirectory) {
  TempDir dir;
  Lines lines;
  SpawnSpec spec = Sh("echo \"var=$TC_TEST_VAR\"; echo \"home=$HOME\"; pwd");
  spec.env = {"TC_TEST_VAR=hello world", "HOME=/tc/home"};
  spec.working_dir = dir.path();
  spec.on_line = lines.Callback();
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ASSERT_TRUE(child->WaitOutputClosed(milliseconds(3000)));
  EXPECT_EQ(lines.Get(),
            (std::vector<std::string>{"var=hello world", "home=/tc/home", dir.path()}));

  spec.env = {"NOEQUALS"};
  auto bad = ChildProcess::Spawn(spec);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
}

TEST(ChildProcessTest, ChildInheritsNoFdsSignalMaskOrIgnoredSignals) {
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int leaked = ::fcntl(devnull, F_DUPFD, 77);  // deliberately without FD_CLOEXEC
  ::close(devnull);
  ASSERT_GE(leaked, 77);
  sigset_t term, saved;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &saved), 0);
  auto old_int = ::signal(SIGINT, SIG_IGN);

  Lines lines;
  SpawnSpec spec = Sh("for f in /proc/$$/fd/*; do echo fd=${f##*/}; done; "
                      // exec: a forking shell briefly blocks all signals itself
                      "exec grep -E '^Sig(Blk|Ign)' /proc/self/status");
  spec.on_line = lines.Callback();
  auto child = ChildProcess::Spawn(spec);
  ::signal(SIGINT, old_int);
  ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  ::close(leaked);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ASSERT_TRUE(child->WaitOutputClosed(milliseconds(3000)));
  std::vector<std::string> got = lines.Get();
  EXPECT_TRUE(lines.Has("fd=0") && lines.Has("fd=1") && lines.Has("fd=2"));
  EXPECT_FALSE(lines.Has("fd=" + std::to_string(leaked)));
  EXPECT_TRUE(lines.Has("SigBlk:\t0000000000000000"));
  // SIGINT (bit 2) must not be inherited as ignored.
  for (const std::string& line : got) {
    if (line.rfind("SigIgn:", 0) == 0) {
      unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      EXPECT_EQ(mask & (1ULL << (SIGINT - 1)), 0ULL) << line;
    }
  }
}

TEST(ChildProcessTest, RunsInItsOwnProcessGroup) {
  SpawnSpec spec;
  spec.binary = "sleep";
  spec.args = {"100"};
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  EXPECT_EQ(::getpgid(child->pid()), child->pid());
  EXPECT_NE(::getpgid(child->pid()), ::getpgid(0));
}

TEST(ChildProcessTest, StopSendsSigtermFirst) {
  SpawnSpec spec;
  spec.binary = "sleep";
  spec.args = {"100"};
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  EXPECT_FALSE(child->TryReap().has_value());
  auto start = Clock::now();
  ExitInfo info = child->Stop(milliseconds(3000));
  EXPECT_LT(ElapsedMs(start), 1000);
  EXPECT_TRUE(info.signaled);
  EXPECT_EQ(info.code, SIGTERM);
  EXPECT_EQ(info.ToString(), "killed by signal 15 (SIGTERM)");
}

TEST(ChildProcessTest, StopKillsAChildThatIgnoresSigtermAfterGrace) {
  Lines lines;
  SpawnSpec spec = Sh("trap '' TERM; echo armed; sleep 100");
  spec.on_line = lines.Callback();
  auto child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ASSERT_TRUE(Eventually([&] { return lines.Has("armed"); }, milliseconds(3000)));
  auto start = Clock::now();
  ExitInfo info = child->Stop(milliseconds(300));
  long elapsed = ElapsedMs(start);
  EXPECT_GE(elapsed, 300);
  EXPECT_LT(elapsed, 2000);
  EXPECT_TRUE(info.signaled);
  EXPECT_EQ(info.code, SIGKILL);
  // The grandchild `sleep` (same process group, also ignoring TERM) died too: the pipe closed.
  EXPECT_TRUE(child->WaitOutputClosed(milliseconds(1000)));
}

TEST(ChildProcessTest, DestructorStopsTheChild) {
  UniqueFd pidfd;
  {
    SpawnSpec spec;
    spec.binary = "sleep";
    spec.args = {"100"};
    auto child = ChildProcess::Spawn(spec);
    ASSERT_TRUE(child.has_value()) << child.error().ToString();
    pidfd = test::OpenPidfd(child->pid());
    ASSERT_TRUE(pidfd.valid());
    EXPECT_FALSE(test::PidfdExited(pidfd.get(), milliseconds(0)));
  }
  EXPECT_TRUE(test::PidfdExited(pidfd.get(), milliseconds(0)));
}

TEST(ChildProcessTest, MovesTransferOwnership) {
  SpawnSpec spec;
  spec.binary = "sleep";
  spec.args = {"100"};
  auto first = ChildProcess::Spawn(spec);
  auto second = ChildProcess::Spawn(spec);
  ASSERT_TRUE(first.has_value() && second.has_value());
  UniqueFd first_fd = test::OpenPidfd(first->pid());
  UniqueFd second_fd = test::OpenPidfd(second->pid());
  ChildProcess moved(std::move(*first));
  EXPECT_FALSE(test::PidfdExited(first_fd.get(), milliseconds(50)));  // the move kept it
  moved = std::move(*second);  // stops the first, adopts the second
  EXPECT_TRUE(test::PidfdExited(first_fd.get(), milliseconds(1000)));
  EXPECT_FALSE(test::PidfdExited(second_fd.get(), milliseconds(50)));
  EXPECT_EQ(moved.Stop(milliseconds(1000)).code, SIGTERM);
}

}  // namespace
}  // namespace tc::supervisor
