#include "supervisor/child_process.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "common/log.h"
#include "common/paths.h"
#include "common/thread_name.h"
#include "common/unique_fd.h"
#include "fork_exec.h"
#include "supervisor/stop_latch.h"

namespace tc::supervisor {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string ExitInfo::ToString() const {
  if (!signaled) {
    return fmt::format("exit status {}", code);
  }
  const char* abbrev = ::sigabbrev_np(code);
  return abbrev == nullptr ? fmt::format("killed by signal {}", code)
                           : fmt::format("killed by signal {} (SIG{})", code, abbrev);
}

struct ChildProcess::State {
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd output;  // read by `reader` only
  std::string binary_path;
  std::string prefix;
  std::function<void(std::string_view)> on_line;
  std::vector<std::string> watch_for;
  milliseconds stop_grace{0};

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::optional<ExitInfo> exit;    // guarded by mu; set once reaped
  std::deque<std::string> tail;    // guarded by mu
  std::vector<bool> matched;       // guarded by mu; parallel to watch_for
  bool output_closed = false;      // guarded by mu

  StopLatch reader_stop;
  std::jthread reader;  // last member: joined first on destruction

  void EmitLine(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    TC_LOG(kInfo, "supervisor", "{}: {}", prefix, line);
    {
      std::lock_guard lock(mu);
      tail.emplace_back(line);
      if (tail.size() > kTailLines) {
        tail.pop_front();
      }
      for (size_t i = 0; i < watch_for.size(); ++i) {
        if (line.find(watch_for[i]) != std::string_view::npos) {
          matched[i] = true;
        }
      }
    }
    if (on_line) {
      on_line(line);
    }
  }

  // Reader thread body: split the pipe into lines until EOF or reader_stop.
  void ReadOutput() {
    SetThreadName("tc-child-output");
    std::string pending;
    char buf[4096];
    bool stop = false;
    while (!stop) {
      pollfd fds[2] = {{output.get(), POLLIN, 0}, {reader_stop.fd(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) {
          continue;
        }
        break;
      }
      stop = (fds[1].revents & POLLIN) != 0;
      if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      ssize_t n = ::read(output.get(), buf, sizeof(buf));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      pending.append(buf, static_cast<size_t>(n));
      size_t begin = 0;
      for (size_t nl; (nl = pending.find('\n', begin)) != std::string::npos; begin = nl + 1) {
        EmitLine(std::string_view(pending).substr(begin, nl - begin));
      }
      pending.erase(0, begin);
      while (pending.size() >= kMaxLineBytes) {
        EmitLine(std::string_view(pending).substr(0, kMaxLineBytes));
        pending.erase(0, kMaxLineBytes);
      }
    }
    if (!pending.empty()) {
      EmitLine(pending);
    }
    std::lock_guard lock(mu);
    output_closed = true;
    cv.notify_all();
  }

  std::optional<ExitInfo> TryReapLocked() {
    if (exit) {
      return exit;
    }
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid) {
      exit = WIFSIGNALED(status) ? ExitInfo{true, WTERMSIG(status)}
                                 : ExitInfo{false, WEXITSTATUS(status)};
    } else if (r < 0 && errno == ECHILD) {
      exit = ExitInfo{false, -1};  // reaped behind our back (a waitpid(-1) elsewhere)
    }
    return exit;
  }
};

Result<ChildProcess> ChildProcess::Spawn(const SpawnSpec& spec) {
  TC_ASSIGN_OR_RETURN(std::string executable, FindExecutable(spec.binary));
  TC_ASSIGN_OR_RETURN(internal::ForkedChild forked, internal::ForkExec(executable, spec));
  auto state = std::make_unique<State>();
  state->pid = forked.pid;
  state->pidfd = std::move(forked.pidfd);
  state->output = std::move(forked.output);
  state->binary_path = std::move(executable);
  state->prefix = spec.log_prefix;
  state->on_line = spec.on_line;
  state->watch_for = spec.watch_for;
  state->matched.assign(spec.watch_for.size(), false);
  state->stop_grace = spec.stop_grace;
  State* raw = state.get();
  state->reader = std::jthread([raw] { raw->ReadOutput(); });
  TC_LOG(kDebug, "supervisor", "spawned {} (pid {})", raw->binary_path, raw->pid);
  return ChildProcess(std::move(state));
}

ChildProcess::ChildProcess(std::unique_ptr<State> state) : state_(std::move(state)) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept = default;

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Destroy();
    state_ = std::move(other.state_);
  }
  return *this;
}

ChildProcess::~ChildProcess() { Destroy(); }

void ChildProcess::Destroy() {
  if (!state_) {
    return;
  }
  Stop(state_->stop_grace);
  // Normally EOF follows the exit at once; a grandchild still holding the pipe must not hang us.
  WaitOutputClosed(milliseconds(500));
  state_->reader_stop.Trigger();
  if (state_->reader.joinable()) {
    state_->reader.join();
  }
  state_.reset();
}

pid_t ChildProcess::pid() const { return state_->pid; }
int ChildProcess::pidfd() const { return state_->pidfd.get(); }
const std::string& ChildProcess::binary_path() const { return state_->binary_path; }

std::optional<ExitInfo> ChildProcess::TryReap() {
  std::lock_guard lock(state_->mu);
  return state_->TryReapLocked();
}

std::optional<ExitInfo> ChildProcess::WaitExit(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto info = TryReap()) {
      return info;
    }
    auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      return std::nullopt;
    }
    pollfd pfd{state_->pidfd.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) > 0) {
      // Exited: the zombie is reapable now; loop once more to collect it.
      if (auto info = TryReap()) {
        return info;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
}

Status ChildProcess::Signal(int sig) {
  std::lock_guard lock(state_->mu);  // held so the pid cannot be reaped (and reused) meanwhile
  if (state_->TryReapLocked()) {
    return Status::Unavailable(fmt::format("pid {} has already exited", state_->pid));
  }
  if (::kill(-state_->pid, sig) == 0) {
    return Status::Ok();
  }
  // The child left its process group: signal just the process.
  if (::syscall(SYS_pidfd_send_signal, state_->pidfd.get(), sig, nullptr, 0) == 0) {
    return Status::Ok();
  }
  return Status::Internal(fmt::format("kill pid {}: {}", state_->pid, std::strerror(errno)));
}

ExitInfo ChildProcess::Stop(milliseconds grace) {
  if (auto info = TryReap()) {
    return *info;
  }
  (void)Signal(SIGTERM);
  if (auto info = WaitExit(grace)) {
    return *info;
  }
  TC_LOG(kWarn, "supervisor", "{} (pid {}) still running {} ms after SIGTERM; sending SIGKILL",
         state_->prefix, state_->pid, grace.count());
  while (true) {
    (void)Signal(SIGKILL);
    if (auto info = WaitExit(milliseconds(5000))) {
      return *info;
    }
    TC_LOG(kError, "supervisor", "{} (pid {}) survives SIGKILL; still waiting", state_->prefix,
           state_->pid);
  }
}

std::vector<std::string> ChildProcess::RecentOutput() const {
  std::lock_guard lock(state_->mu);
  return {state_->tail.begin(), state_->tail.end()};
}

std::string ChildProcess::RecentOutputText(size_t max_lines) const {
  std::vector<std::string> lines = RecentOutput();
  size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
  std::string text;
  for (size_t i = first; i < lines.size(); ++i) {
    if (!text.empty()) {
      text += " | ";
    }
    text += lines[i];
  }
  return text.empty() ? "(no output)" : text;
}

bool ChildProcess::OutputMatched(std::string_view pattern) const {
  std::lock_guard lock(state_->mu);
  for (size_t i = 0; i < state_->watch_for.size(); ++i) {
    if (state_->watch_for[i] == pattern && state_->matched[i]) {
      return true;
    }
  }
  return false;
}

bool ChildProcess::WaitOutputClosed(milliseconds timeout) const {
  std::unique_lock lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [&] { return state_->output_closed; });
}

}  // namespace tc::supervisor
