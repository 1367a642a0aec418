#pragma once

// ChildProcess: one spawned program, owned RAII-style (pid + pidfd + output reader thread).
//
// Guarantees:
// - The child runs in its own process group (a terminal's Ctrl-C does not reach it; the
//   collector decides when it stops) with an empty signal mask and default dispositions, stdin
//   from /dev/null, and no fd of the collector besides 0/1/2 (all others are closed at exec).
// - It gets PR_SET_PDEATHSIG(SIGKILL): it never outlives the collector, even after kill -9.
//   Linux delivers it when the *thread* that called Spawn() exits, so spawn from a thread that
//   lives as long as the child should (the Supervisor spawns from its monitor thread).
// - stdout and stderr share one pipe, read by a std::jthread that logs each line as
//   TC_LOG(kInfo, "supervisor", "<log_prefix>: <line>") and keeps the last lines for errors.
// - The destructor stops the child (Stop(stop_grace)) and joins the reader.
//
// Thread-safety: every const method, Signal(), TryReap(), WaitExit() and Stop() may be called
// from any thread concurrently (internal mutex). Move construction/assignment must not race
// with other calls on the same object.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tc::supervisor {

struct SpawnSpec {
  std::string binary;                 // path, or bare name looked up on PATH (FindExecutable,
                                      // common/paths.h)
  std::vector<std::string> args;      // argv[1..]; argv[0] is `binary` as given
  std::vector<std::string> env;       // "NAME=value": added to / replacing the collector's env
  std::string working_dir;            // empty: the collector's working directory
  std::string log_prefix = "child";   // output lines are logged as "<log_prefix>: <line>"
  // Optional observer of every output line (without the newline), called on the reader thread
  // after the line is logged. Must not call back into this ChildProcess's Stop()/destructor.
  std::function<void(std::string_view line)> on_line;
  // Substrings to remember when seen in the output (see OutputMatched()).
  std::vector<std::string> watch_for;
  std::chrono::milliseconds stop_grace{5000};  // used by the destructor
};

struct ExitInfo {
  bool signaled = false;  // true: killed by signal `code`; false: exited with status `code`
  int code = 0;
  // "exit status 3" / "killed by signal 9 (Killed)"
  std::string ToString() const;
};

class ChildProcess {
 public:
  static constexpr size_t kTailLines = 40;      // lines kept for RecentOutput()
  static constexpr size_t kMaxLineBytes = 4096;  // longer lines are split

  // Errors: binary not found / not executable (see FindExecutable), working_dir or exec failure
  // (errno text, reported through a CLOEXEC pipe from the child), pipe/fork/pidfd_open failure
  // (kInternal). On error no process is left behind.
  static Result<ChildProcess> Spawn(const SpawnSpec& spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const;
  // Owned by this object; POLLIN once the child has exited (reaped or not).
  int pidfd() const;
  const std::string& binary_path() const;  // the resolved executable

  // Non-blocking: reaps the child if it has exited; its ExitInfo once exited, else nullopt.
  std::optional<ExitInfo> TryReap();
  // Blocks up to `timeout` for the child to exit; its ExitInfo if it did.
  std::optional<ExitInfo> WaitExit(std::chrono::milliseconds timeout);
  // Sends `sig` to the child's process group (the child and anything it forked). kUnavailable
  // once the child has been reaped.
  Status Signal(int sig);
  // SIGTERM, wait up to `grace`, then SIGKILL; reaps. Idempotent: returns the known ExitInfo.
  ExitInfo Stop(std::chrono::milliseconds grace);

  // The last kTailLines output lines, oldest first.
  std::vector<std::string> RecentOutput() const;
  // RecentOutput() joined as "line | line | ..." (at most `max_lines`, the newest).
  std::string RecentOutputText(size_t max_lines = 10) const;
  // True when a SpawnSpec::watch_for pattern has appeared in some output line.
  bool OutputMatched(std::string_view pattern) const;
  // Blocks up to `timeout` until the output pipe reached EOF (every line has been logged).
  bool WaitOutputClosed(std::chrono::milliseconds timeout) const;

 private:
  struct State;
  explicit ChildProcess(std::unique_ptr<State> state);
  void Destroy();

  std::unique_ptr<State> state_;  // null only after a move
};

}  // namespace tc::supervisor
