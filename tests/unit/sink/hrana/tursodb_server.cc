#include "unit/sink/hrana/tursodb_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "support/collector_process.h"
#include "support/temp_dir.h"

namespace tc::testing {
namespace {

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);  // at once: an idle connection would block tursodb's single thread
  return ok;
}

}  // namespace

TursodbServer::TursodbServer(std::string db_path) : db_path_(std::move(db_path)) { Start(); }

TursodbServer::~TursodbServer() { Stop(); }

void TursodbServer::Start() {
  const std::string binary = TursodbPath();
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    const std::string log = db_path_ + ".tursodb.log";
    pid_ = SpawnLogged({binary, db_path_, "--sync-server", "127.0.0.1:" + std::to_string(port_)},
                       {}, log);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Accepts(port_)) {
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // exited (port taken in the meantime?): try another port
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Stop();
  }
  throw std::runtime_error("tursodb did not start; see " + db_path_ + ".tursodb.log");
}

void TursodbServer::Stop() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
}

void TursodbServer::Restart() {
  Stop();
  Start();
}

}  // namespace tc::testing
