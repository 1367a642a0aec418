#include "support/temp_dir.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace tc::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/tc-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  if (std::getenv("TC_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

// Binds a loopback TCP socket to `port` (0: the kernel picks); returns the bound port, or 0.
int BindAndRelease(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return 0;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The lower end of the kernel's ephemeral port range (what bind(0) and connect() draw from).
int EphemeralLow() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  int high = 0;
  return (in >> low >> high) ? low : 32768;
}

}  // namespace

int FreePort() {
  // Below the ephemeral range: a test that restarts a server on the same port (kill -9, then
  // start again) must not find it taken by some other process's bind(0) or outgoing connection
  // meanwhile. Drawn at random from [low / 2, low), checked free now.
  const int low = EphemeralLow();
  if (low >= 4096) {
    thread_local std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> pick(low / 2, low - 1);
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (int port = BindAndRelease(pick(rng)); port != 0) {
        return port;
      }
    }
  }
  if (int port = BindAndRelease(0); port != 0) {
    return port;
  }
  throw std::runtime_error("bind failed");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace tc::testing
