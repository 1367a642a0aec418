#include "fork_exec.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <string_view>
#include <vector>

#include <fmt/format.h>

extern char** environ;  // NOLINT: POSIX

namespace tc::supervisor::internal {
namespace {

#ifndef CLOSE_RANGE_CLOEXEC
constexpr unsigned kCloseRangeCloexec = 1U << 2;
#else
constexpr unsigned kCloseRangeCloexec = CLOSE_RANGE_CLOEXEC;
#endif

// What the child reports through the error pipe when a step before exec (or exec) fails.
enum ChildStage : int { kStagePdeathsig = 1, kStageDup, kStageChdir, kStageExec };

struct ChildFailure {
  int stage;
  int err;
};

const char* StageName(int stage) {
  switch (stage) {
    case kStagePdeathsig: return "prctl(PR_SET_PDEATHSIG)";
    case kStageDup: return "dup2";
    case kStageChdir: return "chdir";
    case kStageExec: return "exec";
  }
  return "spawn";
}

// Everything the child needs, prepared before fork() so the child never allocates.
struct ChildSetup {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* working_dir;  // null: inherit
  int devnull;
  int output_write;
  int error_write;
  int max_fd;  // for the close_range fallback
  pid_t parent;
};

[[noreturn]] void ChildFail(const ChildSetup& s, int stage) {
  ChildFailure failure{stage, errno};
  ssize_t n = ::write(s.error_write, &failure, sizeof(failure));
  (void)n;
  ::_exit(127);
}

// Runs in the forked child: async-signal-safe calls only.
[[noreturn]] void RunChild(const ChildSetup& s) {
  ::setpgid(0, 0);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    ChildFail(s, kStagePdeathsig);
  }
  if (::getppid() != s.parent) {
    ::_exit(127);  // the collector died before prctl took effect: nobody wants this child
  }
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) {
      continue;
    }
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    ::sigaction(sig, &action, nullptr);  // EINVAL for libc-reserved signals: harmless
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::dup2(s.devnull, STDIN_FILENO) < 0 || ::dup2(s.output_write, STDOUT_FILENO) < 0 ||
      ::dup2(s.output_write, STDERR_FILENO) < 0) {
    ChildFail(s, kStageDup);
  }
  for (int fd = 0; fd <= 2; ++fd) {
    ::fcntl(fd, F_SETFD, 0);  // dup2(fd, fd) would have kept FD_CLOEXEC
  }
  if (s.working_dir != nullptr && ::chdir(s.working_dir) != 0) {
    ChildFail(s, kStageChdir);
  }
  // Nothing of the collector's (listening sockets, database files) may leak into the child.
  if (::syscall(SYS_close_range, 3U, ~0U, kCloseRangeCloexec) != 0) {
    for (int fd = 3; fd <= s.max_fd; ++fd) {
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
  ::execve(s.path, s.argv, s.envp);
  ChildFail(s, kStageExec);
}

std::string_view EnvName(std::string_view entry) { return entry.substr(0, entry.find('=')); }

Result<std::vector<std::string>> MergeEnv(const std::vector<std::string>& additions) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    env.emplace_back(*e);
  }
  for (const std::string& add : additions) {
    if (add.find('=') == std::string::npos || add.front() == '=') {
      return Status::InvalidArgument(fmt::format("environment entry '{}' is not NAME=value", add));
    }
    bool replaced = false;
    for (std::string& existing : env) {
      if (EnvName(existing) == EnvName(add)) {
        existing = add;
        replaced = true;
      }
    }
    if (!replaced) {
      env.push_back(add);
    }
  }
  return env;
}

std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) {
    pointers.push_back(s.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Internal(fmt::format("pipe2: {}", std::strerror(errno)));
  }
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return Status::Ok();
}

void ReapBlocking(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Result<ForkedChild> ForkExec(const std::string& executable, const SpawnSpec& spec) {
  std::vector<std::string> argv_strings;
  argv_strings.push_back(spec.binary);
  argv_strings.insert(argv_strings.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv = PointersTo(argv_strings);
  TC_ASSIGN_OR_RETURN(std::vector<std::string> env_strings, MergeEnv(spec.env));
  std::vector<char*> envp = PointersTo(env_strings);

  UniqueFd output_read, output_write, error_read, error_write;
  TC_RETURN_IF_ERROR(MakePipe(&output_read, &output_write));
  TC_RETURN_IF_ERROR(MakePipe(&error_read, &error_write));
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull.valid()) {
    return Status::Internal(fmt::format("open /dev/null: {}", std::strerror(errno)));
  }
  rlimit nofile{};
  int max_fd = 65535;
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY) {
    max_fd = static_cast<int>(std::min<rlim_t>(nofile.rlim_cur, 1 << 20)) - 1;
  }
  ChildSetup setup{executable.c_str(),
                   argv.data(),
                   envp.data(),
                   spec.working_dir.empty() ? nullptr : spec.working_dir.c_str(),
                   devnull.get(),
                   output_write.get(),
                   error_write.get(),
                   max_fd,
                   ::getpid()};

  // Block every signal across fork() so no handler of the collector runs in the child before
  // it resets dispositions; the child then unblocks everything.
  sigset_t all, saved;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t pid = ::fork();
  if (pid == 0) {
    RunChild(setup);
  }
  int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (pid < 0) {
    return Status::Internal(fmt::format("fork: {}", std::strerror(fork_errno)));
  }
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins, errors are benign
  output_write.Reset();
  error_write.Reset();
  devnull.Reset();

  ChildFailure failure{};
  ssize_t n;
  do {
    n = ::read(error_read.get(), &failure, sizeof(failure));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    ::kill(pid, SIGKILL);
    ReapBlocking(pid);
    return Status::Internal(fmt::format("reading the spawn report: {}", std::strerror(err)));
  }
  if (n != 0) {
    ReapBlocking(pid);  // the child _exit()s right after reporting
    if (n == static_cast<ssize_t>(sizeof(failure))) {
      StatusCode code = failure.stage == kStageExec && failure.err == ENOENT
                            ? StatusCode::kNotFound
                            : StatusCode::kFailedPrecondition;
      std::string what = failure.stage == kStageChdir
                             ? fmt::format("chdir to '{}'", spec.working_dir)
                             : std::string(StageName(failure.stage));
      return Status(code, fmt::format("cannot start '{}': {} failed: {}", executable, what,
                                      std::strerror(failure.err)));
    }
    return Status::Internal(fmt::format("cannot start '{}': bad report from child", executable));
  }

  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    int err = errno;
    ::kill(pid, SIGKILL);
    ReapBlocking(pid);
    return Status::Internal(fmt::format("pidfd_open: {}", std::strerror(err)));
  }
  return ForkedChild{pid, std::move(pidfd), std::move(output_read)};
}

}  // namespace tc::supervisor::internal
