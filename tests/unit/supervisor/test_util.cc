#include "test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace tc::supervisor::test {

std::string TursodbPath() {
  const char* path = std::getenv("TC_TURSODB");
  if (path == nullptr || *path == '\0') {
    ADD_FAILURE() << "TC_TURSODB is not set: run the tests through ctest (it sets it) after "
                     "scripts/install-deps.sh --test";
    return "";
  }
  if (::access(path, X_OK) != 0) {
    ADD_FAILURE() << "TC_TURSODB=" << path
                  << " is not executable: run scripts/install-deps.sh --test";
    return "";
  }
  return path;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                      "/tc-supervisor-XXXXXX";
  char* made = ::mkdtemp(templ.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
  }
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string WriteScript(const std::string& path, const std::string& body) {
  {
    std::ofstream out(path);
    out << "#!/bin/sh\n" << body << "\n";
  }
  ::chmod(path.c_str(), 0755);
  return path;
}

StderrCapture::StderrCapture() {
  std::fflush(stderr);
  saved_ = ::dup(STDERR_FILENO);
  int fd = ::open(dir_.File("stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

StderrCapture::~StderrCapture() {
  std::fflush(stderr);
  ::dup2(saved_, STDERR_FILENO);
  ::close(saved_);
}

std::string StderrCapture::Text() const {
  std::ifstream in(dir_.File("stderr"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

UniqueFd ListenOnLoopback(uint16_t port, uint16_t* port_out) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd.get(), 16) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1:" << port << ": " << std::strerror(errno);
    return UniqueFd();
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  if (port_out != nullptr) {
    *port_out = ntohs(addr.sin_port);
  }
  return fd;
}

UniqueFd OpenPidfd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

bool PidfdExited(int pidfd, std::chrono::milliseconds timeout) {
  pollfd pfd{pidfd, POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

bool WaitProcessGone(pid_t pid, std::chrono::milliseconds timeout) {
  UniqueFd pidfd = OpenPidfd(pid);
  if (!pidfd.valid()) {
    return errno == ESRCH;
  }
  return PidfdExited(pidfd.get(), timeout);
}

}  // namespace tc::supervisor::test
