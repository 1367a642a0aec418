#include "http/server_options.h"

#include <charconv>
#include <string>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

namespace tc::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

ServerOptions ServerOptions::FromConfig(const config::Config& config) {
  ServerOptions options;
  options.http = config.http;
  options.tls = config.tls;
  options.ingest = config.ingest;
  options.auth = config.auth;
  options.stream = config.stream;
  options.otlp = config.otlp;
  options.retry_after_s = config.queue.retry_after_s;
  return options;
}

ingest::IngestLimits ServerOptions::Limits() const {
  ingest::IngestLimits limits;
  limits.max_records_per_request = ingest.max_records_per_request;
  limits.max_string_bytes = ingest.max_string_bytes;
  limits.max_array_items = ingest.max_array_items;
  limits.max_depth = ingest.max_depth;
  return limits;
}

Result<tcp::endpoint> ParseListenAddress(std::string_view listen) {
  const std::string quoted = "listen address \"" + std::string(listen) + "\"";
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument(quoted + ": expected host:port");
  }
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return Status::InvalidArgument(quoted + ": port must be a number from 0 to 65535");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    return Status::InvalidArgument(quoted + ": missing host (use 0.0.0.0 for all interfaces)");
  }
  boost::system::error_code error;
  const net::ip::address address = net::ip::make_address(std::string(host), error);
  if (!error) {
    return tcp::endpoint(address, static_cast<uint16_t>(port));
  }
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(std::string(host), std::string(port_text),
                                  tcp::resolver::numeric_service | tcp::resolver::passive,
                                  error);
  if (error || results.empty()) {
    return Status::InvalidArgument(quoted + ": cannot resolve host \"" + std::string(host) +
                                   "\": " + (error ? error.message() : "no address"));
  }
  return results.begin()->endpoint();
}

}  // namespace tc::http
