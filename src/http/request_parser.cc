#include "request_parser.h"

#include <simdjson.h>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace tc::http {

static_assert(kBodyPadding >= simdjson::SIMDJSON_PADDING);

namespace beast = boost::beast;

void RequestData::Clear(size_t keep_capacity) {
  method = beast::http::verb::unknown;
  version = 11;
  target.clear();
  content_type.clear();
  authorization.clear();
  content_length = 0;
  expect_continue = false;
  encoded = false;
  content_encoding.clear();
  idempotency_key.clear();
  idempotency_keys = 0;
  last_event_id.clear();
  accept.clear();
  accept_encoding.clear();
  if_none_match.clear();
  if (body.capacity() > keep_capacity) {
    std::string().swap(body);
  } else {
    body.clear();
  }
}

std::string_view OriginForm(std::string_view target) {
  if (target.empty() || target.front() == '/') {
    return target;
  }
  const size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos ||
      !(beast::iequals(target.substr(0, scheme_end), "http") ||
        beast::iequals(target.substr(0, scheme_end), "https"))) {
    return target;  // authority-form, asterisk-form or garbage: routed as is (404)
  }
  const std::string_view rest = target.substr(scheme_end + 3);
  const size_t path = rest.find_first_of("/?");
  if (path == std::string_view::npos) {
    return "/";
  }
  return rest.substr(path);  // "?x" with an empty path: routed as is (404), like "" would be
}

void RequestParser::Refuse(FramingError error, beast::http::error code, error_code& ec) {
  framing_error_ = error;
  ec = code;
}

void RequestParser::on_request_impl(beast::http::verb method, string_view /*method_str*/,
                                    string_view target, int version, error_code& /*ec*/) {
  out_.method = method;
  out_.version = version;
  const std::string_view origin = OriginForm(std::string_view(target.data(), target.size()));
  out_.target.assign(origin.data(), origin.size());
}

void RequestParser::on_response_impl(int /*code*/, string_view /*reason*/, int /*version*/,
                                     error_code& ec) {
  ec = beast::http::error::bad_version;  // never called for a request parser
}

namespace {

// A repeated list header is the same as one with its values joined by commas (RFC 9110 §5.3).
void AppendListField(std::string& field, std::string_view value) {
  if (!field.empty()) field.append(", ");
  field.append(value.data(), value.size());
}

}  // namespace

void RequestParser::on_field_impl(beast::http::field name, string_view name_string,
                                  string_view value, error_code& ec) {
  if (is_header_done()) {
    // A trailer field: counted, never used (it must not change how the body is read or who
    // sent it).
    trailer_bytes_ += name_string.size() + value.size() + 4;
    if (trailer_bytes_ > kMaxTrailerBytes) {
      Refuse(FramingError::kTrailerTooLong, beast::http::error::header_limit, ec);
    }
    return;
  }
  if (name == beast::http::field::transfer_encoding) {
    if (transfer_encoding_seen_) {
      transfer_encoding_.push_back(',');
    }
    transfer_encoding_seen_ = true;
    transfer_encoding_.append(value.data(), value.size());
  } else if (name == beast::http::field::content_type) {
    out_.content_type.assign(value.data(), value.size());
  } else if (name == beast::http::field::expect) {
    out_.expect_continue = beast::iequals(value, "100-continue");
  } else if (name == beast::http::field::authorization) {
    out_.authorization.assign(value.data(), value.size());
  } else if (name == beast::http::field::content_encoding) {
    out_.encoded = !value.empty() && !beast::iequals(value, "identity");
    if (out_.encoded) out_.content_encoding.assign(value.data(), value.size());
  } else if (beast::iequals(name_string, "idempotency-key")) {
    out_.idempotency_key.assign(value.data(), value.size());
    ++out_.idempotency_keys;
  } else if (beast::iequals(name_string, "last-event-id")) {
    out_.last_event_id.assign(value.data(), value.size());
  } else if (name == beast::http::field::accept) {
    AppendListField(out_.accept, value);
  } else if (name == beast::http::field::accept_encoding) {
    AppendListField(out_.accept_encoding, value);
  } else if (name == beast::http::field::if_none_match) {
    AppendListField(out_.if_none_match, value);
  }
}

void RequestParser::on_header_impl(error_code& ec) {
  if (transfer_encoding_seen_) {
    // Beast has already refused Transfer-Encoding with Content-Length and a repeated
    // "chunked"; a final coding other than chunked it would take as "no body".
    if (out_.version < 11) {
      Refuse(FramingError::kTransferEncodingHttp10, beast::http::error::bad_transfer_encoding,
             ec);
      return;
    }
    size_t codings = 0;
    bool last_chunked = false;
    for (const auto coding : beast::http::token_list(transfer_encoding_)) {
      ++codings;
      last_chunked = beast::iequals(coding, "chunked");
    }
    if (!last_chunked) {
      Refuse(FramingError::kTransferCodingNotChunked, beast::http::error::bad_transfer_encoding,
             ec);
      return;
    }
    if (codings != 1) {
      Refuse(FramingError::kUnsupportedTransferCoding, beast::http::error::bad_transfer_encoding,
             ec);
      return;
    }
  }
  // Known here, and already checked against body_limit.
  out_.content_length = content_length() ? *content_length() : 0;
  if (observer_ != nullptr && !observer_->OnHeaderComplete(out_)) {
    ec = beast::http::error::bad_field;
  }
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code& /*ec*/) {
  // basic_parser has already checked content_length against body_limit.
  out_.body.clear();
  if (content_length) {
    out_.body.reserve(static_cast<size_t>(*content_length) + kBodyPadding);
  }
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& /*ec*/) {
  out_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t size, string_view extensions,
                                         error_code& ec) {
  if (extensions.size() > kMaxChunkExtensionBytes) {
    Refuse(FramingError::kChunkExtensionTooLong, beast::http::error::bad_chunk_extension, ec);
    return;
  }
  if (size != 0 && observer_ != nullptr && !observer_->OnBodyBytes(size)) {
    ec = beast::http::error::bad_field;
  }
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                              error_code& /*ec*/) {
  out_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code& /*ec*/) {
  // Chunked bodies (or none) may lack the padding; a Content-Length body already has it.
  if (out_.body.capacity() < out_.body.size() + kBodyPadding) {
    out_.body.reserve(out_.body.size() + kBodyPadding);
  }
}

}  // namespace tc::http
