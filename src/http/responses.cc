#include "responses.h"

#include <fmt/format.h>

#include <iterator>

#include "common/json_writer.h"

namespace tc::http {

std::string_view ReasonPhrase(unsigned status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 207: return "Multi-Status";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

void SerializeHead(const Response& response, bool close, bool keep_alive_10,
                   uint32_t retry_after_s, std::string* head) {
  head->clear();
  auto out = std::back_inserter(*head);
  fmt::format_to(out, "HTTP/1.1 {} {}\r\n", response.status, ReasonPhrase(response.status));
  if (!response.content_type.empty()) {
    fmt::format_to(out, "Content-Type: {}\r\n", response.content_type);
  }
  if (response.event_stream) {
    head->append("Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n");
  } else if (response.status != 304) {  // a 304 has no body, and no length of its own
    fmt::format_to(out, "Content-Length: {}\r\n", response.body.size());
  }
  if (response.retry_after) {
    fmt::format_to(out, "Retry-After: {}\r\n", retry_after_s);
  }
  if (response.www_authenticate) {
    head->append("WWW-Authenticate: Bearer realm=\"tracecollector\"\r\n");
  }
  if (!response.allow.empty()) {
    fmt::format_to(out, "Allow: {}\r\n", response.allow);
  }
  head->append(response.headers);
  if (close) {
    head->append("Connection: close\r\n");
  } else if (keep_alive_10) {
    head->append("Connection: keep-alive\r\n");
  }
  head->append("\r\n");
}

void AppendErrorMember(std::string* out, std::string_view code, std::string_view message) {
  out->append("\"error\":{\"code\":");
  AppendJsonString(*out, code);
  out->append(",\"message\":");
  AppendJsonString(*out, message);
  out->push_back('}');
}

void SetError(Response* response, unsigned status, std::string_view code,
              std::string_view message) {
  response->status = status;
  response->content_type = kJsonContentType;
  response->body.clear();
  response->body.push_back('{');
  AppendErrorMember(&response->body, code, message);
  response->body.push_back('}');
}

void SetReadiness(Response* response, const pipeline::Readiness& readiness) {
  const bool ready = readiness.status.ok();
  response->status = ready ? 200 : 503;
  response->content_type = kJsonContentType;
  JsonWriter json;
  json.BeginObject();
  if (!ready) {
    json.Key("error").BeginObject();
    json.Key("code").String("unavailable").Key("message").String(readiness.status.message());
    json.EndObject();
  }
  json.Key("status").String(ready ? "ready" : "unready");
  json.Key("store").String(readiness.store_ok ? "ok" : "unavailable");
  if (!readiness.store_ok) json.Key("store_error").String(readiness.store_error);
  if (readiness.has_spool) {
    json.Key("spool").BeginObject();
    json.Key("bytes").Uint(readiness.spool_bytes).Key("max_bytes").Uint(readiness.spool_max_bytes);
    json.EndObject();
  }
  json.EndObject();
  response->body = json.Take();
}

}  // namespace tc::http
