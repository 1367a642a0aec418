#include "http/request_parser.h"

#include <simdjson.h>

#include <boost/beast/core/string.hpp>

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
  if (body.capacity() > keep_capacity) {
    std::string().swap(body);
  } else {
    body.clear();
  }
}

void RequestParser::on_request_impl(beast::http::verb method, string_view /*method_str*/,
                                    string_view target, int version, error_code& /*ec*/) {
  out_.method = method;
  out_.version = version;
  out_.target.assign(target.data(), target.size());
}

void RequestParser::on_response_impl(int /*code*/, string_view /*reason*/, int /*version*/,
                                     error_code& ec) {
  ec = beast::http::error::bad_version;  // never called for a request parser
}

void RequestParser::on_field_impl(beast::http::field name, string_view /*name_string*/,
                                  string_view value, error_code& /*ec*/) {
  if (name == beast::http::field::content_type) {
    out_.content_type.assign(value.data(), value.size());
  } else if (name == beast::http::field::expect) {
    out_.expect_continue = beast::iequals(value, "100-continue");
  } else if (name == beast::http::field::authorization) {
    out_.authorization.assign(value.data(), value.size());
  } else if (name == beast::http::field::content_encoding) {
    out_.encoded = !value.empty() && !beast::iequals(value, "identity");
  }
}

void RequestParser::on_header_impl(error_code& ec) {
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

void RequestParser::on_chunk_header_impl(std::uint64_t size, string_view /*extensions*/,
                                         error_code& ec) {
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
