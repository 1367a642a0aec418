#pragma once

// A real http::Session over a socketpair(AF_UNIX), driven on the test's thread: no TCP, no
// ports, no io threads, so a test decides exactly when the session runs and what the client
// has sent or read (the harness of tests/fuzz/http_session_fuzz.cc, for unit tests). Socket
// buffers can be made small, so "a client that does not read" is reached in kilobytes.
// Completions of the FakeSubmitter (its own thread) are posted to the session's strand and
// run by Run*() like any handler. Not thread-safe: one test thread.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "fake_submitter.h"
#include "http/server_options.h"
#include "http/server_state.h"
#include "metrics/metrics.h"
#include "test_client.h"

namespace tc::http::testing {

class SessionPair {
 public:
  // `socket_buffer_bytes` > 0 sets SO_SNDBUF and SO_RCVBUF of both ends (the kernel may round).
  explicit SessionPair(const ServerOptions& options, int socket_buffer_bytes = 0);
  // Closes the client end and runs the session until it is gone; aborts if it is not, or if
  // the body budget was not given back whole.
  ~SessionPair();
  SessionPair(const SessionPair&) = delete;
  SessionPair& operator=(const SessionPair&) = delete;

  // Queues bytes for the client to send; Run*() sends them as the socket takes them.
  void Send(std::string_view bytes) { to_send_.append(bytes); }
  // The client stops reading (what the session writes stays in the socket buffers) or
  // resumes.
  void set_reading(bool reading) { reading_ = reading; }
  // The client half-closes (shutdown(SHUT_WR)) once what it queued is sent; it still reads.
  void ShutdownSend() { shutdown_after_send_ = true; }
  // The client goes away: its end is closed, what it had not sent is dropped.
  void CloseClient();

  // One round: the session's ready handlers, then the client's send and read. True if
  // anything happened.
  bool RunOnce();
  // Rounds until `done()` (true) or `timeout` (false).
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Rounds until nothing happens for `quiet` (the session waits for the client): true, or
  // false after `timeout`.
  bool RunUntilQuiet(std::chrono::milliseconds quiet = std::chrono::milliseconds(100),
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

  size_t unsent() const { return to_send_.size(); }
  bool session_closed() const { return eof_; }  // the session closed its sending side
  const std::string& received() const { return received_; }
  // Every complete response in received() (interim 100s skipped).
  std::vector<ClientResponse> Responses() const;

  ServerState& state() { return *state_; }
  metrics::Metrics& metrics() { return metrics_; }
  FakeSubmitter& submitter() { return submitter_; }

 private:
  boost::asio::io_context ioc_{1};
  metrics::Metrics metrics_;
  FakeSubmitter submitter_;
  std::unique_ptr<ServerState> state_;
  int client_ = -1;
  std::string to_send_;
  std::string received_;
  bool reading_ = true;
  bool eof_ = false;
  bool shutdown_after_send_ = false;
  bool send_shut_ = false;
};

}  // namespace tc::http::testing
