#pragma once

// Runs the real tracecollector binary for integration tests: on a loopback port it picks
// itself (--listen 127.0.0.1:0; the port is read back from its "listening on" log line), with
// its log captured to a file. The binary's path comes from $TC_COLLECTOR_BIN (set by CTest).

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tc::testing {

class CollectorProcess {
 public:
  // `args` are appended after --listen 127.0.0.1:0; `env` entries "K=V" are added to the
  // environment. Waits (up to `timeout`) until it listens; throws with the log if it does not.
  CollectorProcess(std::vector<std::string> args, std::vector<std::string> env,
                   const std::string& log_path,
                   std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~CollectorProcess();  // SIGKILL if still running
  CollectorProcess(const CollectorProcess&) = delete;
  CollectorProcess& operator=(const CollectorProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string Log() const;

  // Sends `signal` and waits for exit; returns the exit status as from waitpid
  // (use WIFEXITED/WEXITSTATUS). -1 on timeout (then the process is SIGKILLed).
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void Kill9();
  bool Running();

  static std::string BinaryPath();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// The tursodb binary (npm turso@0.6.0) the sqld-backend tests run; throws if it is missing, so
// those tests fail loudly instead of skipping.
std::string TursodbPath();

// Starts a process with stdout+stderr to `log_path`; returns its pid.
pid_t SpawnLogged(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  const std::string& log_path);

}  // namespace tc::testing
