#include "test_client.h"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tc::http::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Runs the io_context until `done` or the timeout; on timeout cancels and drains.
bool RunUntil(net::io_context& ioc, tcp::socket& socket, const bool& done,
              std::chrono::milliseconds timeout) {
  ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    ioc.run_one_until(deadline);
  }
  if (!done) {
    error_code ignored;
    socket.cancel(ignored);
    ioc.restart();
    ioc.run_for(1s);
    return false;
  }
  return true;
}

}  // namespace

std::string MakeRequest(std::string_view method, std::string_view target, std::string_view body,
                        std::string_view content_type, std::string_view extra_headers) {
  std::string out = fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, target);
  if (!content_type.empty() && (method == "POST" || !body.empty())) {
    out += fmt::format("Content-Type: {}\r\n", content_type);
  }
  if (method == "POST" || !body.empty()) {
    out += fmt::format("Content-Length: {}\r\n", body.size());
  }
  out += extra_headers;
  out += "\r\n";
  out += body;
  return out;
}

TestClient::TestClient(uint16_t port, std::chrono::milliseconds timeout) : socket_(ioc_) {
  bool done = false;
  error_code result;
  socket_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                        [&](error_code ec) {
                          result = ec;
                          done = true;
                        });
  connected_ = RunUntil(ioc_, socket_, done, timeout) && !result;
}

bool TestClient::Send(std::string_view bytes, std::chrono::milliseconds timeout) {
  bool done = false;
  error_code result;
  net::async_write(socket_, net::buffer(bytes.data(), bytes.size()),
                   [&](error_code ec, size_t) {
                     result = ec;
                     done = true;
                   });
  return RunUntil(ioc_, socket_, done, timeout) && !result;
}

std::optional<ClientResponse> TestClient::Read(std::chrono::milliseconds timeout) {
  while (true) {
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(64 << 20);
    bool done = false;
    error_code result;
    beast::http::async_read(socket_, buffer_, parser, [&](error_code ec, size_t) {
      result = ec;
      done = true;
    });
    if (!RunUntil(ioc_, socket_, done, timeout) || result) {
      return std::nullopt;
    }
    auto message = parser.release();
    if (message.result_int() == 100) {
      continue;  // interim response
    }
    return ToClientResponse(std::move(message));
  }
}

ClientResponse ToClientResponse(
    beast::http::response<beast::http::string_body>&& message) {
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  response.body = std::move(message.body());
  response.keep_alive = message.keep_alive();
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    response.headers[name] = std::string(field.value());
  }
  return response;
}

std::optional<ClientResponse> TestClient::RoundTrip(std::string_view request) {
  if (!Send(request)) {
    return std::nullopt;
  }
  return Read();
}

void TestClient::ShutdownSend() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void TestClient::Close() {
  error_code ignored;
  socket_.close(ignored);
}

std::string TestClient::ReadSome(std::chrono::milliseconds timeout) {
  if (buffer_.size() == 0) {
    bool done = false;
    error_code result;
    socket_.async_read_some(buffer_.prepare(4096), [&](error_code ec, size_t n) {
      result = ec;
      buffer_.commit(n);
      done = true;
    });
    if (!RunUntil(ioc_, socket_, done, timeout) || result) {
      return std::string();
    }
  }
  std::string out(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  return out;
}

bool TestClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool done = false;
    error_code result;
    socket_.async_read_some(buffer_.prepare(4096), [&](error_code ec, size_t n) {
      result = ec;
      buffer_.commit(n);
      done = true;
    });
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!RunUntil(ioc_, socket_, done, std::max(left, std::chrono::milliseconds(1)))) {
      return false;
    }
    buffer_.consume(buffer_.size());
    if (result) {
      return true;  // eof or reset
    }
  }
  return false;
}

}  // namespace tc::http::testing
