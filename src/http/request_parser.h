#pragma once

// A Beast request parser that keeps only what the router and the ingest handler need and
// writes the body straight into a simdjson-padded std::string (one copy, no header-field
// allocations). One parser per message (Beast parsers are single-use); the RequestData it
// fills is owned by the session and reused across requests, so its strings keep their capacity.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/verb.hpp>

namespace tc::http {

// Readable bytes guaranteed after the body's end (>= simdjson::SIMDJSON_PADDING; checked in
// the .cc).
inline constexpr size_t kBodyPadding = 64;

struct RequestData {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  int version = 11;                 // 10 or 11
  std::string target;               // path and query as received
  std::string content_type;         // empty when absent
  std::string authorization;        // the Authorization header's value; empty when absent
  uint64_t content_length = 0;      // 0 when absent (chunked or no body)
  bool expect_continue = false;     // "Expect: 100-continue"
  bool encoded = false;             // a Content-Encoding other than identity
  std::string content_encoding;     // its value (empty when absent or identity)
  std::string idempotency_key;      // the Idempotency-Key header's value (the last one sent)
  uint32_t idempotency_keys = 0;    // how many Idempotency-Key field lines were sent
  std::string last_event_id;        // the Last-Event-ID header (GET /v1/stream); empty if absent
  // The viewer (GET / and /ui/...): Accept, Accept-Encoding and If-None-Match, each field line
  // of a repeated header joined by ", " (a list either way); empty when absent. Bounded by the
  // header limit like every field.
  std::string accept;
  std::string accept_encoding;
  std::string if_none_match;
  std::string body;                 // capacity() >= size() + kBodyPadding once parsed

  // Clears for the next message; drops buffers grown past `keep_capacity` bytes so one big
  // request does not pin memory for the connection's lifetime.
  void Clear(size_t keep_capacity);
};

// Framing and metadata limits the parser enforces beyond Beast's (RFC 9112 §6.1, §7.1):
// Transfer-Encoding must be exactly "chunked" (anything else, or any in an HTTP/1.0 request, is
// a framing error: the body's end could not be known, and its bytes would be read as the next
// request), and a chunk's extensions and the trailer section are bounded. The read buffer's own
// cap (Session) bounds a chunk-size line however long its leading zeros.
inline constexpr size_t kMaxChunkExtensionBytes = 4096;
inline constexpr size_t kMaxTrailerBytes = 8192;

// Why the parser stopped a request (read by the session to answer it).
enum class FramingError {
  kNone,
  kTransferCodingNotChunked,  // 400: the final coding is not chunked (request smuggling)
  kUnsupportedTransferCoding, // 501: chunked after another coding (gzip, ...)
  kTransferEncodingHttp10,    // 400: Transfer-Encoding in an HTTP/1.0 request
  kChunkExtensionTooLong,     // 400
  kTrailerTooLong,            // 431
};

// Called from inside the read operation: once the header is complete (before the body), and
// for a chunked body with each chunk's size before the chunk is read. Returning
// false stops the read before those bytes are parsed: the read completes with
// beast::http::error::bad_field and the observer answers the request itself.
class HeaderObserver {
 public:
  virtual bool OnHeaderComplete(const RequestData& request) = 0;
  virtual bool OnBodyBytes(uint64_t bytes) = 0;

 protected:
  ~HeaderObserver() = default;
};

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // `out` (cleared by the caller) and `observer` (may be null) must outlive the parser.
  RequestParser(RequestData& out, HeaderObserver* observer) : out_(out), observer_(observer) {}

  // Set when the parser itself refused the request (the read then fails with
  // beast::http::error::bad_transfer_encoding, bad_chunk_extension or header_limit).
  FramingError framing_error() const { return framing_error_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_str,
                       string_view target, int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body,
                                 error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  // Records why the request is refused and fails the read with `code`.
  void Refuse(FramingError error, boost::beast::http::error code, error_code& ec);

  RequestData& out_;
  HeaderObserver* observer_;
  FramingError framing_error_ = FramingError::kNone;
  bool transfer_encoding_seen_ = false;
  std::string transfer_encoding_;  // every Transfer-Encoding field line, joined by ","
  size_t trailer_bytes_ = 0;
};

// The origin-form of a request target: "http://host:port/v1/records?x" → "/v1/records?x"
// (absolute-form, RFC 9112 §3.2.2, which servers must accept); other targets unchanged.
std::string_view OriginForm(std::string_view target);

}  // namespace tc::http
