#pragma once

// A raw HTTP/1.1 client for the server tests: one TCP connection, its own io_context, every
// operation bounded by a timeout (io_context::run_for). Sends bytes exactly as given (so tests
// can pipeline, stall mid-request or send malformed input) and parses responses with Beast.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tc::http::testing {

using namespace std::chrono_literals;

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool keep_alive = true;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A parsed response as the tests read it.
ClientResponse ToClientResponse(
    boost::beast::http::response<boost::beast::http::string_body>&& message);

// "POST /v1/records HTTP/1.1" request text with Host and Content-Length.
std::string MakeRequest(std::string_view method, std::string_view target, std::string_view body = {},
                        std::string_view content_type = "application/json",
                        std::string_view extra_headers = {});

class TestClient {
 public:
  explicit TestClient(uint16_t port, std::chrono::milliseconds timeout = 2s);
  bool connected() const { return connected_; }

  bool Send(std::string_view bytes, std::chrono::milliseconds timeout = 2s);
  // The next response; nullopt on timeout, error or close.
  std::optional<ClientResponse> Read(std::chrono::milliseconds timeout = 3s);
  // Whatever bytes arrive next (raw); empty on timeout or close.
  std::string ReadSome(std::chrono::milliseconds timeout);
  // Half-closes: the server sees end of stream, the connection stays readable.
  void ShutdownSend();
  void Close();
  // Sends `request` and reads one response.
  std::optional<ClientResponse> RoundTrip(std::string_view request);
  // True if the server closes the connection (EOF or reset) within `timeout`; data received
  // meanwhile is discarded.
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

// JSON body access by JSON pointer for assertions.
class Json {
 public:
  explicit Json(const std::string& text) { valid_ = !parser_.parse(text).get(root_); }
  bool valid() const { return valid_; }
  std::string Str(const char* pointer) {
    std::string_view v;
    if (!valid_ || root_.at_pointer(pointer).get(v)) {
      return "<missing>";
    }
    return std::string(v);
  }
  int64_t Int(const char* pointer) {
    int64_t v = 0;
    if (!valid_ || root_.at_pointer(pointer).get(v)) {
      return -1;
    }
    return v;
  }
  bool Has(const char* pointer) {
    simdjson::dom::element e;
    return valid_ && !root_.at_pointer(pointer).get(e);
  }
  size_t Size(const char* pointer) {
    simdjson::dom::array a;
    if (!valid_ || root_.at_pointer(pointer).get(a)) {
      return 0;
    }
    return a.size();
  }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

}  // namespace tc::http::testing
