#pragma once

// The processes the benchmark runs: the collector under test (its port read back from its
// "listening on 127.0.0.1:PORT" log line) and tursodb servers, each with stdout/stderr in a log
// file and PR_SET_PDEATHSIG so none outlives the load generator. Peak memory of a process is
// sampled from /proc/<pid>/status (VmHWM, VmRSS) by a polling thread.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace tc::bench {

class Child {
 public:
  Child() = default;
  // Starts argv[0] with the extra environment entries ("NAME=value"); output to `log_path`.
  // Returns false (with *error) when fork/exec fails.
  bool Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
             const std::string& log_path, std::string* error);
  ~Child();  // SIGKILL + reap if still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends `signal`, waits up to `timeout` for the exit (then SIGKILL). Returns the wait status,
  // or -1 if it had to be killed.
  int Stop(int signal, std::chrono::milliseconds timeout);
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Polls /proc/<pid>/status every 20 ms; keeps the largest VmHWM and VmRSS seen.
class RssPoller {
 public:
  explicit RssPoller(pid_t pid);
  ~RssPoller();  // stops the thread
  RssPoller(const RssPoller&) = delete;
  RssPoller& operator=(const RssPoller&) = delete;

  // Reads once more and stops polling; returns the peak in KiB (max of VmHWM and VmRSS seen).
  uint64_t Finish();

 private:
  void Sample();
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> peak_kib_{0};
  std::thread thread_;
};

// User + system CPU seconds the process has used so far (/proc/<pid>/stat); 0 if unreadable.
double CpuSeconds(pid_t pid);

// A loopback port that was free a moment ago.
uint16_t FreePort();
// True when 127.0.0.1:port accepts a TCP connection within `timeout`.
bool WaitForPort(uint16_t port, std::chrono::milliseconds timeout);
// Waits until `log_path` contains "listening on 127.0.0.1:<port>" (returns the port) or
// `child` exits or the timeout passes (returns 0).
uint16_t WaitForListenLine(Child& child, std::chrono::milliseconds timeout);
// The last `max_bytes` of a file (for error messages).
std::string Tail(const std::string& path, size_t max_bytes);

}  // namespace tc::bench
