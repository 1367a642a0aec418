#pragma once

// Helpers for the supervisor tests: temp dirs, stand-in scripts, stderr capture, listeners,
// and waiting on processes that are not our children (pidfd).

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/unique_fd.h"

namespace tc::supervisor::test {

// The real tursodb binary from $TC_TURSODB (set by CTest). Adds a test failure naming the
// variable and returns "" when it is unset or not executable: callers ASSERT on it.
std::string TursodbPath();

// A fresh directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `body` after "#!/bin/sh\n" to `path` with mode 0755; returns path.
std::string WriteScript(const std::string& path, const std::string& body);

// Redirects this process's stderr (fd 2, where TC_LOG writes) into a file until destroyed.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  std::string Text() const;  // everything written so far

 private:
  TempDir dir_;
  int saved_ = -1;
};

// A TCP socket listening on 127.0.0.1:port (0 = any); *port_out gets the port.
UniqueFd ListenOnLoopback(uint16_t port, uint16_t* port_out);

// True once process `pid` (any process, not only our child) has exited, within `timeout`.
// A pid that no longer exists counts as exited.
bool WaitProcessGone(pid_t pid, std::chrono::milliseconds timeout);

// A pidfd for `pid` (invalid if the process is already gone).
UniqueFd OpenPidfd(pid_t pid);
// POLLIN on a pidfd within timeout.
bool PidfdExited(int pidfd, std::chrono::milliseconds timeout);

// Polls `condition` every 10 ms until it holds or `timeout` passes; its final value.
template <typename F>
bool Eventually(F condition, std::chrono::milliseconds timeout);

}  // namespace tc::supervisor::test

#include <thread>

template <typename F>
bool tc::supervisor::test::Eventually(F condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return condition();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}
