#include "http/refused_connection.h"

#include <array>
#include <memory>
#include <utility>

#include <boost/asio/write.hpp>

namespace tc::http {

namespace net = boost::asio;
using error_code = boost::system::error_code;

namespace {

class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(StrandSocket socket, const ServerState& state)
      : state_(state), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

  void Start() {
    net::async_write(socket_, net::buffer(state_.refusal_response),
                     [self = shared_from_this()](error_code ec, size_t) { self->OnWrite(ec); });
  }

 private:
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

void RefuseConnection(StrandSocket socket, const ServerState& state) {
  std::make_shared<Refusal>(std::move(socket), state)->Start();
}

}  // namespace tc::http
