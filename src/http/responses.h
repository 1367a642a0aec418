#pragma once

// HTTP responses as the session writes them: a status, a JSON (or text) body, and the few
// headers this server ever sends. The session serializes the head itself (no Beast message
// objects on the hot path) and reuses the strings of a Response across requests.

#include <cstdint>
#include <string>
#include <string_view>

#include "contract/readiness.h"
#include "metrics/metrics.h"

namespace tc::http {

inline constexpr std::string_view kJsonContentType = "application/json";
// The body of every /healthz answer (a session's, or the one given over the connection limit).
inline constexpr std::string_view kHealthzBody = R"({"status":"ok"})";
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4";
inline constexpr std::string_view kEventStreamContentType = "text/event-stream";

// One response being built. Not thread-safe; owned by one session slot.
struct Response {
  unsigned status = 200;
  std::string body;                                   // reused: cleared, capacity kept
  std::string_view content_type = kJsonContentType;   // must point at static storage
  std::string_view allow;                             // "Allow:" header (405); static storage
  bool retry_after = false;                           // add "Retry-After: <retry_after_s>"
  bool www_authenticate = false;                      // add "WWW-Authenticate: Bearer" (401)
  bool close = false;                                 // "Connection: close", then close
  // GET /v1/stream: the head of a server-sent event stream (no Content-Length; no-cache, no
  // proxy buffering; the body follows until the connection closes).
  bool event_stream = false;
  // More header lines, each ending "\r\n" (the viewer's Cache-Control, ETag, ...); reused.
  std::string headers;

  void Reset() {
    status = 200;
    body.clear();
    content_type = kJsonContentType;
    allow = {};
    retry_after = false;
    www_authenticate = false;
    close = false;
    event_stream = false;
    headers.clear();
  }
};

// "OK", "Multi-Status", ...; "Unknown" for codes this server never sends.
std::string_view ReasonPhrase(unsigned status);

// Writes the status line and headers of `response` into `*head` (cleared first).
// `close`: send "Connection: close"; `keep_alive_10`: an HTTP/1.0 client asked for keep-alive
// (send "Connection: keep-alive").
void SerializeHead(const Response& response, bool close, bool keep_alive_10,
                   uint32_t retry_after_s, std::string* head);

// Sets `*response` to `status` with {"error":{"code":..,"message":..}}.
void SetError(Response* response, unsigned status, std::string_view code,
              std::string_view message);

// GET /readyz: 200 {"status":"ready","store":"ok",...} when readiness.status is OK, else 503
// with the error member and the same fields ("status":"unready").
void SetReadiness(Response* response, const pipeline::Readiness& readiness);

// Appends the member `"error":{"code":..,"message":..}` (no surrounding braces), for bodies
// that carry more members after the error ("results").
void AppendErrorMember(std::string* out, std::string_view code, std::string_view message);

}  // namespace tc::http
