// No orphan after the collector is SIGKILLed: tc_standin_parent plays the collector (it owns a
// child through ChildProcess or Supervisor); we kill -9 it and the child must die within 1 s.
// This test process becomes a child subreaper so the orphaned child is reparented to us and we
// can reap it and check how it died (PR_SET_PDEATHSIG -> SIGKILL).

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <atomic>
#include <mutex>

#include <gtest/gtest.h>

#include "supervisor/child_process.h"
#include "test_util.h"

namespace tc::supervisor {
namespace {

using std::chrono::milliseconds;
using test::Eventually;

class OrphanTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }

  // Starts tc_standin_parent with `args`; returns the pid of the grandchild it reports.
  pid_t StartParent(const std::vector<std::string>& args) {
    SpawnSpec spec;
    spec.binary = TC_STANDIN_PARENT;
    spec.args = args;
    spec.log_prefix = "standin-parent";
    spec.on_line = [this](std::string_view line) {
      if (line.rfind("child_pid=", 0) == 0) {
        grandchild_ = std::stoi(std::string(line.substr(10)));
      }
    };
    auto parent = ChildProcess::Spawn(spec);
    EXPECT_TRUE(parent.has_value()) << parent.error().ToString();
    if (!parent.has_value()) {
      return -1;
    }
    parent_.emplace(std::move(parent).value());
    EXPECT_TRUE(Eventually([&] { return grandchild_.load() > 0; }, milliseconds(5000)))
        << "parent said: " << parent_->RecentOutputText();
    return grandchild_.load();
  }

  // kill -9 the parent; the grandchild must be gone within a second, killed by SIGKILL.
  void KillParentAndExpectGrandchildDead(pid_t grandchild) {
    UniqueFd pidfd = test::OpenPidfd(grandchild);
    ASSERT_TRUE(pidfd.valid()) << "grandchild " << grandchild << " already gone";
    ASSERT_FALSE(test::PidfdExited(pidfd.get(), milliseconds(0)));
    ASSERT_EQ(::kill(parent_->pid(), SIGKILL), 0);  // just the parent, not its group
    std::optional<ExitInfo> parent_exit = parent_->WaitExit(milliseconds(2000));
    ASSERT_TRUE(parent_exit.has_value());
    EXPECT_EQ(parent_exit->code, SIGKILL);
    EXPECT_TRUE(test::PidfdExited(pidfd.get(), milliseconds(1000)))
        << "grandchild " << grandchild << " outlived its parent";
    int status = 0;
    ASSERT_EQ(::waitpid(grandchild, &status, 0), grandchild);  // reparented to us (subreaper)
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
  }

  std::atomic<pid_t> grandchild_{-1};
  std::optional<ChildProcess> parent_;
};

TEST_F(OrphanTest, ChildDiesWhenItsParentIsKilled) {
  pid_t grandchild = StartParent({"child", "sleep", "100"});
  ASSERT_GT(grandchild, 0);
  KillParentAndExpectGrandchildDead(grandchild);
}

TEST_F(OrphanTest, SupervisedTursodbDiesWhenTheCollectorIsKilled) {
  std::string tursodb = test::TursodbPath();
  ASSERT_FALSE(tursodb.empty());
  test::TempDir dir;
  pid_t grandchild = StartParent({"supervisor", tursodb, dir.File("traces.db")});
  ASSERT_GT(grandchild, 0);
  KillParentAndExpectGrandchildDead(grandchild);
}

}  // namespace
}  // namespace tc::supervisor
