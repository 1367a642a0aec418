#pragma once

// Maps a request line to an endpoint. Exact paths, and one path with a parameter; the query
// string is handed on.
//   POST /v1/records   POST /v1/traces   GET /healthz   GET /readyz   GET /metrics
//   GET /v1/sessions   GET /v1/sessions/{id}   DELETE /v1/sessions/{id}  (`param`: everything after
//   the prefix, still percent-encoded)
//   GET /v1/events[/{id}]   GET /v1/messages[/{id}]   GET /v1/experiments[/{id}]
//   GET /v1/stats/models   GET /v1/stats/usage   GET /   GET /ui[/...]

#include <string_view>

#include <boost/beast/http/verb.hpp>

namespace tc::http {

enum class Route {
  kRecords,
  kTraces,
  kHealthz,
  kReadyz,
  kMetrics,
  kSession,           // DELETE /v1/sessions/{id}
  kSessionGet,        // GET /v1/sessions/{id}
  kSessionList,       // GET /v1/sessions
  kStream,            // GET /v1/stream
  kEventList,         // GET /v1/events
  kEventGet,          // GET /v1/events/{id}
  kMessageList,       // GET /v1/messages
  kMessageGet,        // GET /v1/messages/{id}
  kExperimentList,    // GET /v1/experiments
  kExperimentGet,     // GET /v1/experiments/{id}
  kStatsModels,       // GET /v1/stats/models
  kStatsUsage,        // GET /v1/stats/usage
  kRoot,              // GET /: a browser is sent to the viewer, anyone else gets the 404
  kUi,                // GET /ui and /ui/...: the viewer (ui/ui.h)
  kNotFound,          // 404
  kMethodNotAllowed,  // 405; `allow` says which method the path takes
};

struct RouteMatch {
  Route route = Route::kNotFound;
  std::string_view path;   // points into the target
  std::string_view query;  // after '?', empty if none; points into the target
  std::string_view allow;  // static storage; set for kMethodNotAllowed
  std::string_view param;  // the {id} routes: the raw {id} (may be empty); points into the target
};

inline constexpr std::string_view kSessionsPrefix = "/v1/sessions/";

RouteMatch MatchRoute(boost::beast::http::verb method, std::string_view target);

// The value of `name` in an application/x-www-form-urlencoded query ("a=1&ack=queued"), without
// percent-decoding. False if absent; a name without '=' has an empty value.
bool FindQueryParam(std::string_view query, std::string_view name, std::string_view* value);

}  // namespace tc::http
