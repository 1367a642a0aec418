#pragma once

// A loopback HTTP server for the Hrana sink's tests that answers pipeline POSTs with injected
// faults a real server cannot be made to produce on demand (5xx, 429 + Retry-After, 400
// STREAM_EXPIRED, stalls, connections torn before / after the request reached the database or
// in the middle of the response), and otherwise forwards them to a real tursodb.
//
// With `emulate_sqld`, it also answers like sqld where tursodb differs: GET /health, /v2 and
// /v3 → 200, POST /v3/pipeline accepted, a trailing {"type":"close"} request stripped before
// forwarding and answered, keep-alive. (tursodb itself fails a whole pipeline that contains
// "close".) That checks the sqld dialect's request shape; it is not sqld.
//
// One I/O thread (Boost.Asio); forwarding blocks it (tests send one request at a time).
// Thread-safe: Inject() and the accessors may be called from the test thread.

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace tc::testing {

struct Fault {
  enum class Kind {
    kStatus,             // answer `status` with `body` (and Retry-After when set); no forwarding
    kStall,              // read the request, never answer (the client times out); no forwarding
    kTearBeforeForward,  // read the request, close the connection; nothing reaches the database
    kTearAfterForward,   // forward (the database commits), then close without answering
    kTearMidResponse,    // forward, send the first half of the response bytes, close
  };
  Kind kind = Kind::kStatus;
  int status = 500;
  std::string body;
  std::string content_type = "text/plain";
  std::string retry_after;
};

class FaultServer {
 public:
  // Listens on 127.0.0.1:<any free port>; forwards to http://127.0.0.1:<upstream_port>.
  explicit FaultServer(int upstream_port, bool emulate_sqld = false);
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The next `times` pipeline POSTs get `fault` (queued after faults already injected).
  void Inject(const Fault& fault, int times = 1);
  size_t pending_faults();

  uint64_t pipeline_requests() const;
  uint64_t forwarded_requests() const;
  // Headers and body of the last pipeline POST, for assertions ("" when absent).
  std::string LastHeader(const std::string& name);
  std::string LastBody();

  struct Impl;  // fault_server.cc

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace tc::testing
