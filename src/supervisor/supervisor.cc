#include "supervisor/supervisor.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "common/backoff.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "supervisor/readiness.h"

namespace tc::supervisor {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const char* StateName(State state) {
  switch (state) {
    case State::kIdle: return "idle";
    case State::kStarting: return "starting";
    case State::kReady: return "ready";
    case State::kRestarting: return "restarting";
    case State::kFailed: return "failed";
    case State::kStopping: return "stopping";
    case State::kStopped: return "stopped";
  }
  return "unknown";
}

Supervisor::Supervisor(config::SqldConfig config, Options options)
    : config_(std::move(config)), options_(std::move(options)) {}

Supervisor::Supervisor(config::SqldConfig config) : Supervisor(std::move(config), Options{}) {}

Supervisor::~Supervisor() { Stop(); }

Status Supervisor::Start() {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kIdle) {
      return Status::FailedPrecondition(
          fmt::format("supervisor already started (state {})", StateName(state_)));
    }
    state_ = State::kStarting;
  }
  Result<ServerPlan> plan = BuildServerPlan(config_, options_.kind, options_.extra_args);
  if (!plan.has_value()) {
    Fail(plan.error(), /*notify=*/false);
    return plan.error();
  }
  plan_ = std::move(plan).value();
  plan_.spawn.env = options_.env;
  std::filesystem::path parent = std::filesystem::path(plan_.db_path).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    Status status = Status::FailedPrecondition(
        fmt::format("cannot create directory '{}' for {}: {}", parent.string(), plan_.db_path,
                    ec.message()));
    Fail(status, /*notify=*/false);
    return status;
  }

  std::unique_lock lock(mu_);
  base_url_ = plan_.base_url;
  kind_ = plan_.kind;
  if (stop_.triggered()) {
    return Status::Cancelled("supervisor stopped during Start()");
  }
  monitor_ = std::jthread([this] { Run(); });
  cv_.wait(lock, [&] { return state_ != State::kStarting; });
  if (state_ == State::kReady) {
    return Status::Ok();
  }
  return failure_.ok() ? Status::Cancelled("supervisor stopped during Start()") : failure_;
}

void Supervisor::Stop() {
  stop_.Trigger();
  std::jthread monitor;
  {
    std::lock_guard lock(mu_);
    if (monitor_.joinable() && monitor_.get_id() == std::this_thread::get_id()) {
      return;  // from a callback: the monitor thread sees the latch and finishes by itself
    }
    monitor = std::move(monitor_);
  }
  if (monitor.joinable()) {
    monitor.join();
  }
  std::lock_guard lock(mu_);
  if (state_ != State::kFailed && state_ != State::kStopped) {
    state_ = State::kStopped;
    child_pid_ = -1;
    cv_.notify_all();
  }
}

bool Supervisor::ready() const {
  std::lock_guard lock(mu_);
  return state_ == State::kReady;
}

State Supervisor::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::string Supervisor::base_url() const {
  std::lock_guard lock(mu_);
  return base_url_;
}

uint64_t Supervisor::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

bool Supervisor::WaitReady(milliseconds timeout) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] {
    return state_ == State::kReady || state_ == State::kFailed || state_ == State::kStopping ||
           state_ == State::kStopped;
  });
  return state_ == State::kReady;
}

Status Supervisor::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

pid_t Supervisor::child_pid() const {
  std::lock_guard lock(mu_);
  return child_pid_;
}

ServerKind Supervisor::kind() const {
  std::lock_guard lock(mu_);
  return kind_;
}

void Supervisor::SetState(State state, pid_t pid, bool new_generation) {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    state_ = state;
    child_pid_ = pid;
    if (new_generation) {
      ++generation_;
    }
    generation = generation_;
    cv_.notify_all();
  }
  if (options_.on_state) {
    options_.on_state(state, generation);
  }
}

void Supervisor::Fail(Status status, bool notify) {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    state_ = State::kFailed;
    child_pid_ = -1;
    failure_ = status;
    generation = generation_;
    cv_.notify_all();
  }
  if (options_.on_state) {
    options_.on_state(State::kFailed, generation);
  }
  if (notify && options_.on_failed) {
    options_.on_failed(status);
  }
}

Result<ChildProcess> Supervisor::SpawnAndWaitReady() {
  if (stop_.triggered()) {
    return Status::Cancelled("stop requested");
  }
  TC_RETURN_IF_ERROR(CheckLoopbackPortFree(plan_.port));
  auto start = Clock::now();
  TC_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(plan_.spawn));
  TC_LOG(kInfo, "supervisor", "started {} (pid {}): {} {}", ServerKindName(plan_.kind),
         child.pid(), plan_.binary, fmt::join(plan_.spawn.args, " "));
  ReadyOptions ready;
  ready.timeout = milliseconds(config_.ready_timeout_ms);
  ready.interval = options_.probe_interval;
  ready.probe_timeout = std::min(ready.timeout, milliseconds(1000));
  Status status = WaitUntilReady(child, plan_.probe, ready, &stop_);
  if (!status.ok()) {
    child.Stop(milliseconds(config_.stop_grace_ms));
    return status;
  }
  TC_LOG(kInfo, "supervisor", "{} ready at {} (pid {}) after {} ms", ServerKindName(plan_.kind),
         plan_.base_url, child.pid(),
         std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
  return child;
}

void Supervisor::Run() {
  SetThreadName("tc-supervisor");
  const char* name = ServerKindName(plan_.kind);
  Result<ChildProcess> first = SpawnAndWaitReady();
  if (!first.has_value()) {
    if (stop_.triggered()) {
      SetState(State::kStopped, -1);
    } else {
      TC_LOG(kError, "supervisor", "{} failed to start: {}", name, first.error().ToString());
      Fail(first.error(), /*notify=*/false);
    }
    return;
  }
  std::optional<ChildProcess> child(std::move(first).value());
  SetState(State::kReady, child->pid(), /*new_generation=*/true);

  // Doubling restart delays from restart_backoff_ms up to max_backoff (never below the first),
  // without jitter: one child, nothing to spread, and the logged delay is the one waited.
  const milliseconds initial_backoff(std::max<uint32_t>(1, config_.restart_backoff_ms));
  Backoff backoff({.initial = initial_backoff,
                   .max = std::max(options_.max_backoff, initial_backoff),
                   .multiplier = 2.0,
                   .jitter = false});
  const auto window = std::chrono::seconds(config_.restart_window_s);
  auto ready_since = Clock::now();
  std::deque<Clock::time_point> attempts;  // restart attempts within the window

  while (true) {
    pollfd fds[2] = {{child->pidfd(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
    }
    if (stop_.triggered()) {
      break;
    }
    ExitInfo exit = child->WaitExit(milliseconds(5000)).value_or(ExitInfo{false, -1});
    child->WaitOutputClosed(milliseconds(500));
    TC_LOG(kWarn, "supervisor", "{} (pid {}) exited unexpectedly: {}; last output: {}", name,
           child->pid(), exit.ToString(), child->RecentOutputText());
    child.reset();
    SetState(State::kRestarting, -1);
    if (Clock::now() - ready_since >= window) {
      backoff.Reset();
    }
    Status last_error = Status::Unavailable(fmt::format("{} {}", name, exit.ToString()));
    while (!child) {
      auto now = Clock::now();
      while (!attempts.empty() && now - attempts.front() >= window) {
        attempts.pop_front();
      }
      if (attempts.size() >= config_.max_restarts) {
        Status status = Status::Unavailable(fmt::format(
            "{} keeps dying: {} restarts within {} s already (sqld.max_restarts = {}); giving "
            "up. Last failure: {}",
            name, attempts.size(), config_.restart_window_s, config_.max_restarts,
            last_error.message()));
        TC_LOG(kError, "supervisor", "{}", status.message());
        Fail(status, /*notify=*/true);
        return;
      }
      attempts.push_back(now);
      const milliseconds delay = backoff.Next();
      TC_LOG(kInfo, "supervisor", "restarting {} in {} ms (restart {} of at most {} per {} s)",
             name, delay.count(), attempts.size(), config_.max_restarts,
             config_.restart_window_s);
      if (stop_.WaitFor(delay)) {
        SetState(State::kStopped, -1);
        return;
      }
      Result<ChildProcess> next = SpawnAndWaitReady();
      if (next.has_value()) {
        child.emplace(std::move(next).value());
      } else if (stop_.triggered()) {
        SetState(State::kStopped, -1);
        return;
      } else {
        last_error = next.error();
        TC_LOG(kWarn, "supervisor", "restart of {} failed: {}", name, last_error.ToString());
      }
    }
    SetState(State::kReady, child->pid(), /*new_generation=*/true);
    ready_since = Clock::now();
  }

  SetState(State::kStopping, child->pid());
  TC_LOG(kInfo, "supervisor", "stopping {} (pid {}, grace {} ms)", name, child->pid(),
         config_.stop_grace_ms);
  ExitInfo exit = child->Stop(milliseconds(config_.stop_grace_ms));
  TC_LOG(kInfo, "supervisor", "{} stopped: {}", name, exit.ToString());
  child.reset();
  SetState(State::kStopped, -1);
}

}  // namespace tc::supervisor
