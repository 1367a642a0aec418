#pragma once

// Supervisor: owns the sqld (or tursodb) child for the collector's lifetime.
//
//   Start():  resolve binary + port (server_preset.h), create db_path's parent directory, spawn,
//             wait until the readiness probe answers (ready_timeout_ms). No retry on this first
//             start: its error is returned (binary missing, port busy, child exited, timeout).
//   then:     a monitor thread (std::jthread) polls the child's pidfd. When the child dies
//             unexpectedly it is restarted on the same port after an exponential backoff
//             (restart_backoff_ms, doubling up to Options::max_backoff, back to the start after
//             restart_window_s of healthy running) and re-probed; a failed restart attempt
//             counts as another crash. More than max_restarts restart attempts within
//             restart_window_s: give up loudly (TC_LOG error, state kFailed, on_failed).
//   Stop():   stops the child (SIGTERM, stop_grace_ms, SIGKILL, reap), joins the monitor. Safe
//             without Start() and twice. The destructor calls it.
//
// Children are spawned on the monitor thread, which outlives them (PR_SET_PDEATHSIG is tied
// to the spawning thread: see child_process.h).
//
// Thread-safety: all methods are safe to call from any thread. Start() once. Callbacks run
// without internal locks held, on the monitor thread (on_state also on Start()'s caller when
// Start() fails before spawning); they may call the observers and Stop() (which then only
// requests the stop) but must not destroy the Supervisor.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "supervisor/server_preset.h"
#include "supervisor/stop_latch.h"

namespace tc::supervisor {

enum class State {
  kIdle,        // constructed, Start() not called
  kStarting,    // first spawn + readiness wait in progress
  kReady,       // a child is up and answered the probe
  kRestarting,  // the child died; backoff / respawn / readiness wait in progress
  kFailed,      // gave up (start failure or crash loop); stays so, also after Stop()
  kStopping,
  kStopped,
};
const char* StateName(State state);

class Supervisor {
 public:
  struct Options {
    std::optional<ServerKind> kind;                 // default: from the binary's name
    std::vector<std::string> extra_args;            // appended to the preset argv
    std::vector<std::string> env;                   // "NAME=value" for the child
    std::chrono::milliseconds max_backoff{10000};   // cap of the doubling restart delay
    std::chrono::milliseconds probe_interval{50};
    // Called once when the supervisor gives up after a crash loop (not for Start() errors,
    // which Start() returns). The app should shut down or degrade.
    std::function<void(const Status&)> on_failed;
    // Called on every state change, with the generation at that moment.
    std::function<void(State, uint64_t generation)> on_state;
  };

  Supervisor(config::SqldConfig config, Options options);
  explicit Supervisor(config::SqldConfig config);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Blocks until the first child is ready (OK) or failed (its error; state kFailed). A second
  // call: kFailedPrecondition. Stop() from another thread meanwhile: kCancelled.
  Status Start();
  void Stop();

  bool ready() const;
  State state() const;
  // "http://127.0.0.1:PORT"; empty before Start() resolved the port. Stable across restarts.
  std::string base_url() const;
  // Incremented each time a newly spawned child becomes ready: 1 after Start(), +1 per restart.
  uint64_t generation() const;
  // Waits until ready (true) or until timeout / kFailed / stopping (false).
  bool WaitReady(std::chrono::milliseconds timeout) const;
  // The error that made it kFailed (OK otherwise).
  Status failure() const;
  // The current child's pid, or -1 when none is running.
  pid_t child_pid() const;
  // Which server is run; meaningful once Start() has resolved the binary.
  ServerKind kind() const;

 private:
  void Run();  // monitor thread
  Result<ChildProcess> SpawnAndWaitReady();
  void SetState(State state, pid_t pid, bool new_generation = false);
  void Fail(Status status, bool notify);

  const config::SqldConfig config_;
  const Options options_;
  ServerPlan plan_;  // written by Start() before the monitor thread exists, then read-only
  StopLatch stop_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  State state_ = State::kIdle;  // guarded by mu_
  uint64_t generation_ = 0;     // guarded by mu_
  pid_t child_pid_ = -1;        // guarded by mu_
  std::string base_url_;        // guarded by mu_
  ServerKind kind_ = ServerKind::kSqld;  // guarded by mu_
  Status failure_;              // guarded by mu_
  std::jthread monitor_;        // guarded by mu_ (moved out by Stop() to join)
};

}  // namespace tc::supervisor
