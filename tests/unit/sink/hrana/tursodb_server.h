#pragma once

// Runs the real tursodb (npm turso@0.6.0) as `tursodb <file> --sync-server 127.0.0.1:<port>`
// for the Hrana sink's tests. The binary comes from $TC_TURSODB (set by CTest); a missing
// binary throws, so the tests fail instead of skipping.

#include <sys/types.h>

#include <string>

namespace tc::testing {

class TursodbServer {
 public:
  // Starts on a free loopback port and waits (up to 10 s) until it accepts connections.
  explicit TursodbServer(std::string db_path);
  ~TursodbServer();  // Stop()
  TursodbServer(const TursodbServer&) = delete;
  TursodbServer& operator=(const TursodbServer&) = delete;

  // SIGINT and wait (SIGKILL after 5 s). tursodb releases its file locks when it exits.
  void Stop();
  // Starts again on the same file (a new port).
  void Restart();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& db_path() const { return db_path_; }

 private:
  void Start();

  std::string db_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace tc::testing
