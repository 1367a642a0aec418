// Session: what is decided from a request's headers before its body is read (API key, body
// budget, "100 Continue"), and the answers to requests the parser refused (framing). Split from
// session.cc; see session.h.

#include <fmt/format.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <string_view>

#include "body_encoding.h"
#include "common/strings.h"
#include "otlp/otlp.h"
#include "session.h"

namespace tc::http {

namespace net = boost::asio;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

bool Session::OnHeaderComplete(const RequestData& request) {
  const ApiKeys& keys = state_.api_keys;
  if (keys.enabled()) {
    const std::string_view target = request.target;
    const size_t question = target.find('?');
    const Access access = keys.Check(
        request.method, target.substr(0, question),
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1),
        request.authorization);
    if (access.verdict == Access::Verdict::kUnauthorized) {
      unauthorized_ = true;
      return false;
    }
    if (access.verdict == Access::Verdict::kForbidden) {
      forbidden_need_ = access.need;
    }
  }
  if (request.content_length > 0 && !OnBodyBytes(request.content_length)) {
    return false;  // before "100 Continue": the client need not send the body
  }
  if (!forbidden_need_.empty()) {
    return true;  // no "100 Continue": its body would be refused
  }
  if (!request.expect_continue || writing_ || owed() != 0 || closed_) {
    return true;
  }
  writing_ = true;
  write_deadline_ = Clock::now() + state_.write_timeout;
  WithStream([&](auto& stream) {
    net::async_write(stream, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](error_code ec, size_t) {
                       self->writing_ = false;
                       if (self->closed_) {
                         return;
                       }
                       if (ec) {
                         self->Close();
                         return;
                       }
                       self->MaybeWrite();
                     });
  });
  return true;
}

bool Session::OnBodyBytes(uint64_t bytes) {
  // A body is held twice until its records are queued: its bytes, and the records decoded
  // from them (about as large again: a record is 688 bytes before its strings), so two 8 MiB
  // bodies cannot be decoded side by side beyond the budget.
  if (closed_) {
    // A read that completed after Close() (its data was already in): nothing may be reserved
    // that Close() would not give back.
    return false;
  }
  if (!forbidden_need_.empty()) {
    forbidden_body_ = true;  // never read: OnReadError answers 403
    return false;
  }
  const uint64_t charge = bytes * kBodyCharge;
  if (!state_.TryReserveBody(charge)) {
    body_refused_ = true;
    return false;
  }
  body_reserved_ += charge;
  return true;
}

bool Session::InflateBody(Response& response) {
  if (!IsGzipCoding(request_.content_encoding)) {
    SetError(&response, 415, "unsupported_media_type",
             fmt::format("Content-Encoding \"{}\" is not supported; send gzip or no encoding",
                         Printable(request_.content_encoding)));
    return false;
  }
  const uint64_t max_bytes = state_.options.http.max_body_bytes;
  // The inflated body is charged like a body read (twice its size: it and its records), on
  // top of the compressed one while both exist; a request that holds the whole budget alone
  // may still grow to max_body_bytes, as an uncompressed body may.
  const uint64_t compressed_charge = body_reserved_;
  std::string inflated;
  const InflateResult result = InflateGzip(
      request_.body, max_bytes, kBodyPadding,
      [this](size_t bytes) {
        const uint64_t charge = bytes * kBodyCharge;
        if (!state_.TryReserveBody(charge, body_reserved_)) return false;
        body_reserved_ += charge;
        return true;
      },
      &inflated);
  if (result == InflateResult::kOk) {
    request_.body.swap(inflated);
    std::string().swap(inflated);  // the compressed bytes: freed, and their charge given back
    state_.ReleaseBody(compressed_charge);
    body_reserved_ -= compressed_charge;
    request_.encoded = false;
    request_.content_encoding.clear();
    return true;
  }
  InflateError(result, max_bytes, response);
  return false;
}

void Session::InflateError(InflateResult result, uint64_t max_bytes, Response& response) const {
  unsigned status = 400;
  std::string_view code = "invalid_body";
  std::string message = "the body is not valid gzip (Content-Encoding: gzip)";
  int grpc_code = 3;  // google.rpc.Code INVALID_ARGUMENT
  if (result == InflateResult::kTooLarge) {
    status = 413;
    code = "payload_too_large";
    message = fmt::format("the gzip body inflates to more than max_body_bytes ({})", max_bytes);
    grpc_code = 8;  // RESOURCE_EXHAUSTED
  } else if (result == InflateResult::kRefused) {
    status = 429;
    code = "overloaded";
    message = fmt::format(
        "too many request bodies in flight (http.max_body_bytes_in_flight = {}); "
        "retry",
        state_.options.http.max_body_bytes_in_flight);
    grpc_code = 8;
    response.retry_after = true;
  }
  // An OTLP protobuf exporter reads a google.rpc.Status (docs/otlp.md); anyone else the JSON
  // error every endpoint answers.
  const std::string_view type = request_.content_type;
  if (boost::beast::iequals(Trim(type.substr(0, type.find(';')), " \t"),
                            otlp::kProtobufContentType)) {
    response.status = status;
    response.content_type = otlp::kProtobufContentType;
    response.body = otlp::StatusBody(otlp::Encoding::kProtobuf, grpc_code, message);
  } else {
    SetError(&response, status, code, message);
  }
}

bool Session::ChargeBodyMemory(uint64_t bytes) {
  // Like the inflated body's chunks: a request alone in the budget may take any size.
  if (!state_.TryReserveBody(bytes, body_reserved_)) return false;
  body_reserved_ += bytes;
  return true;
}

void Session::ReleaseBody() {
  if (body_reserved_ != 0) {
    state_.ReleaseBody(body_reserved_);
    body_reserved_ = 0;
  }
}

void Session::QueueFramingError(FramingError framing, bool in_body) {
  const size_t limit = ReadBufferLimit(state_.options.http);
  switch (framing) {
    case FramingError::kTransferCodingNotChunked:
      QueueClosingError(400, "bad_request",
                        "Transfer-Encoding must be \"chunked\" (its final coding is not, so the "
                        "body's end cannot be known; RFC 9112 section 6.3)");
      return;
    case FramingError::kUnsupportedTransferCoding:
      QueueClosingError(501, "not_implemented",
                        "the only transfer coding taken is \"chunked\"; send the body "
                        "uncompressed, with Content-Length or Transfer-Encoding: chunked");
      return;
    case FramingError::kTransferEncodingHttp10:
      QueueClosingError(400, "bad_request",
                        "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 section 6.1)");
      return;
    case FramingError::kChunkExtensionTooLong:
      QueueClosingError(400, "bad_request",
                        fmt::format("chunk extensions exceed {} bytes", kMaxChunkExtensionBytes));
      return;
    case FramingError::kTrailerTooLong:
      QueueClosingError(431, "headers_too_large",
                        fmt::format("the trailer section exceeds {} bytes", kMaxTrailerBytes));
      return;
    case FramingError::kNone:
      break;
  }
  // The read buffer is full: a line the parser needs whole is longer than the buffer.
  if (in_body) {
    QueueClosingError(
        400, "bad_request",
        fmt::format("a chunk-size line or the trailer section exceeds {} bytes", limit));
  } else {
    QueueClosingError(431, "headers_too_large",
                      fmt::format("request headers exceed max_header_bytes ({})",
                                  state_.options.http.max_header_bytes));
  }
}

// Missing, malformed or wrong key: one answer for all three (nothing tells which it was), then
// close (the body was never read). /v1/stream also names ?access_token= (and never echoes it).
void Session::QueueUnauthorized() {
  state_.metrics.http_unauthorized.Add();
  const RouteMatch match = MatchRoute(request_.method, request_.target);
  Slot& slot = OpenClosingSlot(metrics::HttpPathFrom(match.path));
  SetError(&slot.response, 401, "unauthorized",
           match.path == "/v1/stream"
               ? "a valid API key is required: send \"Authorization: Bearer <key>\" or "
                 "?access_token=<key>"
               : "a valid API key is required: send \"Authorization: Bearer <key>\"");
  slot.response.www_authenticate = true;
  FinishClosingSlot(slot);
}

void Session::SetForbidden(Response* response, Scopes need) {
  state_.metrics.http_forbidden.Add();
  SetError(response, 403, "forbidden", ForbiddenMessage(need));
}

}  // namespace tc::http
