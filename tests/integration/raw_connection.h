#pragma once

// A raw loopback TCP connection for tests that send what no well-behaved client would (slow
// bytes, broken framing, pipelined requests whose answers are never read); every wait is
// bounded by a timeout.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tc::testing {

class RawConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // `receive_buffer` > 0 sets SO_RCVBUF before connecting (a client that reads nothing then
  // leaves the server's answers in the server).
  explicit RawConnection(int port, int receive_buffer = 0)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Sends what the socket takes within `timeout` (the peer may stop reading); bytes sent, or
  // -1 once the connection failed.
  int64_t SendFor(std::string_view bytes, std::chrono::milliseconds timeout) {
    size_t sent = 0;
    const auto deadline = Clock::now() + timeout;
    while (sent < bytes.size() && Clock::now() < deadline) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (n > 0) sent += static_cast<size_t>(n);
    }
    return static_cast<int64_t>(sent);
  }
  // Sends `total` bytes of `filler` (repeated) while reading: stops as soon as a whole
  // response head has arrived, the connection fails, or `timeout` passes. Returns what
  // arrived; *sent says how much was sent.
  std::string SendUntilAnswered(std::string_view filler, uint64_t total,
                                std::chrono::milliseconds timeout, uint64_t* sent) {
    std::string out;
    *sent = 0;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && out.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd_, static_cast<short>(POLLIN | (*sent < total ? POLLOUT : 0)), 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
          out.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) break;
      }
      if ((p.revents & POLLOUT) && *sent < total) {
        const size_t len = static_cast<size_t>(std::min<uint64_t>(filler.size(), total - *sent));
        const ssize_t n = ::send(fd_, filler.data(), len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;
        if (n > 0) *sent += static_cast<uint64_t>(n);
      }
    }
    return out;
  }
  // Reads until the peer closes or `timeout` passes. Returns what arrived; *closed tells which.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout, bool* closed) {
    std::string out;
    *closed = false;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        *closed = true;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace tc::testing
