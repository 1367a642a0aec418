#pragma once

// A server-sent events client for tests of GET /v1/stream: one blocking loopback connection,
// every wait bounded by a deadline. Parses the stream into events (id, event, data); comment
// lines (": keepalive") are counted, not returned.

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace tc::testing {

struct SseEvent {
  std::string id;
  std::string event;  // "record", "dropped", "reset", ...
  std::string data;
};

class SseClient {
 public:
  // Connects to 127.0.0.1:`port`, sends "GET `target`" with `headers`, and reads the answer's
  // head (and, for an answer other than 200, its body). `receive_buffer` > 0 sets SO_RCVBUF
  // (a client that reads slowly fills it soon). Throws when it cannot connect.
  SseClient(int port, const std::string& target,
            const std::map<std::string, std::string>& headers = {}, int receive_buffer = 0);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }
  // Lower-case header name → value.
  const std::map<std::string, std::string>& headers() const { return headers_; }
  const std::string& body() const { return body_; }  // an answer other than 200

  // The next event, or nullopt when none arrived within `timeout` or the connection closed.
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout);
  int comments() const { return comments_; }
  bool closed() const { return closed_; }

 private:
  // Reads what is there within `timeout`; false on timeout, EOF or error.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string body_;
  std::string buffer_;
  int comments_ = 0;
  bool closed_ = false;
};

}  // namespace tc::testing
