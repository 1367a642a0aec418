// tc_standin_parent: a process that owns a child the way the collector does, for tests that
// kill -9 it and check that the child dies too (PR_SET_PDEATHSIG).
//
//   tc_standin_parent child BINARY [ARGS...]   ChildProcess::Spawn(BINARY ARGS...)
//   tc_standin_parent supervisor TURSODB DBFILE Supervisor running tursodb on a free port
//
// Prints "child_pid=<pid>" on stdout once the child runs (is ready), then sleeps until killed.
// Exits 2 with "error=<message>" on failure.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "supervisor/child_process.h"
#include "supervisor/supervisor.h"

namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::printf("error=%s\n", message.c_str());
  std::fflush(stdout);
  std::_Exit(2);
}

[[noreturn]] void ReportAndWait(pid_t pid) {
  std::printf("child_pid=%d\n", static_cast<int>(pid));
  std::fflush(stdout);
  while (true) {
    ::pause();
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args[0] == "child") {
    tc::supervisor::SpawnSpec spec;
    spec.binary = args[1];
    spec.args.assign(args.begin() + 2, args.end());
    spec.log_prefix = "grandchild";
    auto child = tc::supervisor::ChildProcess::Spawn(spec);
    if (!child.has_value()) {
      Fail(child.error().ToString());
    }
    ReportAndWait(child->pid());
  }
  if (args.size() == 3 && args[0] == "supervisor") {
    tc::config::SqldConfig config;
    config.binary = args[1];
    config.db_path = args[2];
    config.http_port = 0;
    tc::supervisor::Supervisor supervisor(config);
    tc::Status status = supervisor.Start();
    if (!status.ok()) {
      Fail(status.ToString());
    }
    ReportAndWait(supervisor.child_pid());
  }
  Fail("usage: tc_standin_parent child BINARY [ARGS...] | supervisor TURSODB DBFILE");
}
