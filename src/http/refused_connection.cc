#include "refused_connection.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <string_view>
#include <memory>
#include <utility>

#include <boost/asio/write.hpp>

namespace tc::http {

namespace net = boost::asio;
using error_code = boost::system::error_code;

namespace {

// How long a connection over the limit may take to send its request line.
constexpr std::chrono::milliseconds kPeek(250);

class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(StrandSocket socket, const ServerState& state)
      : state_(state), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

  // Reads what the client sends first (waiting at most kPeek), so a liveness probe is answered
  // even at the limit; anything else gets the 503.
  void Start() {
    timer_.expires_after(std::min<StrandTimer::duration>(state_.linger, kPeek));
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) {
        error_code ignored;
        self->socket_.cancel(ignored);  // OnPeek answers 503
      }
    });
    socket_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              self->OnPeek(ec, n);
                            });
  }

 private:
  void OnPeek(error_code ec, size_t n) {
    timer_.cancel();
    const bool health = !ec && IsLivenessProbe(std::string_view(discard_.data(), n));
    if (!health) {
      state_.metrics.http_connections_refused.Add();
    }
    const std::string& answer = health ? state_.healthz_response : state_.refusal_response;
    net::async_write(socket_, net::buffer(answer),
                     [self = shared_from_this()](error_code write_ec, size_t) {
                       self->OnWrite(write_ec);
                     });
  }

  void OnWrite(error_code ec) {
    if (ec) {
      Close();
      return;
    }
    socket_.shutdown(StrandSocket::shutdown_send, ec);
    timer_.expires_after(state_.linger);
    timer_.async_wait([self = shared_from_this()](error_code timer_ec) {
      if (!timer_ec) {
        self->Close();
      }
    });
    DoDrain();
  }

  void DoDrain() {
    socket_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (ec) {
                                self->Close();
                              } else {
                                self->DoDrain();
                              }
                            });
  }

  void Close() {
    error_code ec;
    timer_.cancel();
    socket_.close(ec);
  }

  const ServerState& state_;
  StrandSocket socket_;
  StrandTimer timer_;
  std::array<char, 1024> discard_;
};

}  // namespace

bool IsLivenessProbe(std::string_view request_start) {
  constexpr std::string_view kProbe = "GET /healthz";
  return request_start.size() > kProbe.size() && request_start.substr(0, kProbe.size()) == kProbe &&
         (request_start[kProbe.size()] == ' ' || request_start[kProbe.size()] == '?');
}

void RefuseConnection(StrandSocket socket, const ServerState& state) {
  std::make_shared<Refusal>(std::move(socket), state)->Start();
}

}  // namespace tc::http
