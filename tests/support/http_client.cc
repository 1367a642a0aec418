#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace tc::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  int port;
  net::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::string host, int port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() {
  if (impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

HttpResponse HttpClient::Post(const std::string& target, const std::string& body,
                              const std::string& content_type,
                              const std::map<std::string, std::string>& extra_headers) {
  return Send("POST", target, body, content_type, extra_headers);
}

HttpResponse HttpClient::Get(const std::string& target,
                             const std::map<std::string, std::string>& extra_headers) {
  return Send("GET", target, "", "", extra_headers);
}

HttpResponse HttpClient::Delete(const std::string& target,
                                const std::map<std::string, std::string>& extra_headers) {
  return Send("DELETE", target, "", "", extra_headers);
}

HttpResponse HttpClient::Send(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& content_type,
                              const std::map<std::string, std::string>& extra_headers) {
  HttpResponse out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!impl_->stream) {
      impl_->stream = std::make_unique<beast::tcp_stream>(impl_->ioc);
      impl_->stream->expires_after(std::chrono::seconds(60));
      impl_->stream->connect(
          tcp::endpoint(net::ip::make_address(impl_->host), static_cast<uint16_t>(impl_->port)),
          ec);
      if (ec) {
        impl_->stream.reset();
        out.error = "connect: " + ec.message();
        return out;
      }
      impl_->buffer.clear();
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, impl_->host);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    for (const auto& [k, v] : extra_headers) req.set(k, v);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    impl_->stream->expires_after(std::chrono::seconds(60));
    http::write(*impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->stream.reset();
      out.error = ec.message();
      if (attempt == 0 && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                           ec == net::error::broken_pipe)) {
        continue;  // the server closed an idle keep-alive connection: reconnect once
      }
      return out;
    }
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      out.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive()) impl_->stream.reset();
    out.error.clear();
    return out;
  }
  return out;
}

}  // namespace tc::testing
