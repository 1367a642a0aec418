#include "session_pair.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cerrno>
#include <stdexcept>

#include "common/check.h"
#include "http/session.h"

namespace tc::http::testing {

namespace net = boost::asio;
namespace beast = boost::beast;

SessionPair::SessionPair(const ServerOptions& options, int socket_buffer_bytes)
    : state_(std::make_unique<ServerState>(options, ApiKeys(), submitter_, nullptr, metrics_)) {
  int fds[2];
  TC_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
  if (socket_buffer_bytes > 0) {
    for (int fd : fds) {
      for (int option : {SO_SNDBUF, SO_RCVBUF}) {
        TC_CHECK(setsockopt(fd, SOL_SOCKET, option, &socket_buffer_bytes,
                            sizeof(socket_buffer_bytes)) == 0);
      }
    }
  }
  client_ = fds[1];
  StrandSocket socket(net::make_strand(ioc_));
  boost::system::error_code ec;
  socket.assign(net::ip::tcp::v4(), fds[0], ec);
  TC_CHECK(!ec);
  auto session = std::make_shared<Session>(std::move(socket), *state_);
  state_->Register(session);
  session->Start();
}

void SessionPair::CloseClient() {
  if (client_ >= 0) {
    close(client_);
    client_ = -1;
  }
  to_send_.clear();
}

SessionPair::~SessionPair() {
  CloseClient();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (state_->open_connections() != 0 && std::chrono::steady_clock::now() < deadline) {
    if (ioc_.poll() == 0) {
      ioc_.run_one_for(std::chrono::milliseconds(5));
    }
  }
  TC_CHECK(state_->open_connections() == 0);
  TC_CHECK(state_->body_bytes_in_flight() == 0);  // bodies and unwritten answers given back
  submitter_.set_mode(FakeSubmitter::Mode::kAuto);
  while (ioc_.poll() > 0) {
  }
}

bool SessionPair::RunOnce() {
  bool progress = ioc_.poll() > 0;
  if (client_ < 0) {
    return progress;
  }
  while (!to_send_.empty()) {
    const ssize_t n = send(client_, to_send_.data(), to_send_.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        to_send_.clear();  // the session closed its end
      }
      break;
    }
    to_send_.erase(0, static_cast<size_t>(n));
    progress = true;
  }
  if (shutdown_after_send_ && !send_shut_ && to_send_.empty()) {
    TC_CHECK(shutdown(client_, SHUT_WR) == 0);
    send_shut_ = true;
    progress = true;
  }
  while (reading_ && !eof_) {
    char buf[16384];
    const ssize_t n = read(client_, buf, sizeof(buf));
    if (n > 0) {
      received_.append(buf, static_cast<size_t>(n));
      progress = true;
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      eof_ = true;
      progress = true;
    } else {
      break;
    }
  }
  return progress;
}

bool SessionPair::RunUntil(const std::function<bool()>& done,
                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    if (!RunOnce()) {
      ioc_.run_one_for(std::chrono::milliseconds(1));
    }
  }
  return true;
}

bool SessionPair::RunUntilQuiet(std::chrono::milliseconds quiet,
                                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto last_progress = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    if (RunOnce()) {
      last_progress = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_progress >= quiet) {
      return true;
    } else {
      ioc_.run_one_for(std::chrono::milliseconds(1));
    }
  }
  return false;
}

std::vector<ClientResponse> SessionPair::Responses() const {
  std::vector<ClientResponse> out;
  std::string_view rest = received_;
  while (!rest.empty()) {
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.eager(true);
    beast::error_code ec;
    const size_t used = parser.put(net::buffer(rest.data(), rest.size()), ec);
    if (ec || !parser.is_done()) {
      break;  // incomplete (or not HTTP): the tests look at what is complete
    }
    rest.remove_prefix(used);
    auto message = parser.release();
    if (message.result_int() == 100) {
      continue;
    }
    out.push_back(ToClientResponse(std::move(message)));
  }
  return out;
}

}  // namespace tc::http::testing
