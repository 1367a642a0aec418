#pragma once

// What the HTTP server is configured with: the [http], [tls], [ingest] and [auth] sections plus the
// Retry-After value of [queue]. (Server::Create reads the API keys of `auth`.)

#include <cstdint>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "common/result.h"
#include "config/config.h"
#include "ingest/decoder.h"

namespace tc::http {

struct ServerOptions {
  config::HttpConfig http;  // http.listen empty = no cleartext listener
  config::TlsConfig tls;    // tls.listen empty = no HTTPS listener
  config::IngestConfig ingest;
  config::AuthConfig auth;     // no key configured = ingest is open
  config::StreamConfig stream;  // GET /v1/stream
  config::OtlpConfig otlp;      // POST /v1/traces with OTLP bodies
  uint32_t retry_after_s = 1;  // Retry-After on 429/503

  static ServerOptions FromConfig(const config::Config& config);
  // The decoder's limits from `ingest` (max_id_bytes keeps the decoder's default).
  ingest::IngestLimits Limits() const;
};

// "127.0.0.1:4318", "0.0.0.0:0", "[::1]:8080", "localhost:4318" → endpoint. Host names are
// resolved (first address). kInvalidArgument names the text and what is wrong with it.
Result<boost::asio::ip::tcp::endpoint> ParseListenAddress(std::string_view listen);

}  // namespace tc::http
