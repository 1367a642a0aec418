#include "support/collector_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

extern char** environ;

namespace tc::testing {

pid_t SpawnLogged(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  const std::string& log_path) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> c_argv, c_env;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  for (const auto& e : env_strings) c_env.push_back(const_cast<char*>(e.c_str()));
  c_env.push_back(nullptr);
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log_path);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
  ::close(fd);
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

std::string CollectorProcess::BinaryPath() {
  const char* bin = std::getenv("TC_COLLECTOR_BIN");
  if (bin != nullptr) return bin;
#ifdef TC_COLLECTOR_BIN_DEFAULT
  return TC_COLLECTOR_BIN_DEFAULT;
#else
  throw std::runtime_error("TC_COLLECTOR_BIN is not set");
#endif
}

std::string TursodbPath() {
  const char* bin = std::getenv("TC_TURSODB");
  std::string path = bin != nullptr ? bin : TC_TURSODB_DEFAULT;
  if (::access(path.c_str(), X_OK) != 0) {
    throw std::runtime_error("tursodb not found at " + path +
                             " (run scripts/install-deps.sh --test)");
  }
  return path;
}

CollectorProcess::CollectorProcess(std::vector<std::string> args, std::vector<std::string> env,
                                   const std::string& log_path, std::chrono::milliseconds timeout)
    : log_path_(log_path) {
  std::vector<std::string> argv = {BinaryPath(), "--listen", "127.0.0.1:0"};
  for (auto& a : args) argv.push_back(std::move(a));
  pid_ = SpawnLogged(argv, env, log_path);
  const std::regex listening(R"(listening on [0-9.]+:([0-9]+))");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string log = Log();
    if (std::regex_search(log, m, listening)) {
      port_ = std::stoi(m[1]);
      return;
    }
    if (!Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill9();
  throw std::runtime_error("collector did not start listening; log:\n" + Log());
}

CollectorProcess::~CollectorProcess() {
  if (pid_ > 0) Kill9();
}

std::string CollectorProcess::Log() const { return ReadFile(log_path_); }

bool CollectorProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int CollectorProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill9();
  return -1;
}

void CollectorProcess::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace tc::testing
