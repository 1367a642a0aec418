#include "router.h"

namespace tc::http {

namespace {

struct PathEntry {
  std::string_view path;
  boost::beast::http::verb method;
  Route route;
  std::string_view allow;
};

constexpr PathEntry kPaths[] = {
    {"/v1/records", boost::beast::http::verb::post, Route::kRecords, "POST"},
    {"/v1/traces", boost::beast::http::verb::post, Route::kTraces, "POST"},
    {"/healthz", boost::beast::http::verb::get, Route::kHealthz, "GET"},
    {"/readyz", boost::beast::http::verb::get, Route::kReadyz, "GET"},
    {"/metrics", boost::beast::http::verb::get, Route::kMetrics, "GET"},
    {"/v1/sessions", boost::beast::http::verb::get, Route::kSessionList, "GET"},
    {"/v1/stream", boost::beast::http::verb::get, Route::kStream, "GET"},
    {"/v1/events", boost::beast::http::verb::get, Route::kEventList, "GET"},
    {"/v1/messages", boost::beast::http::verb::get, Route::kMessageList, "GET"},
    {"/v1/experiments", boost::beast::http::verb::get, Route::kExperimentList, "GET"},
    {"/v1/stats/models", boost::beast::http::verb::get, Route::kStatsModels, "GET"},
    {"/v1/stats/usage", boost::beast::http::verb::get, Route::kStatsUsage, "GET"},
    {"/", boost::beast::http::verb::get, Route::kRoot, "GET"},
};

// GET-only paths with an {id} after the prefix.
struct PrefixEntry {
  std::string_view prefix;
  Route route;
};

constexpr PrefixEntry kGetPrefixes[] = {
    {"/v1/events/", Route::kEventGet},
    {"/v1/messages/", Route::kMessageGet},
    {"/v1/experiments/", Route::kExperimentGet},
};

}  // namespace

RouteMatch MatchRoute(boost::beast::http::verb method, std::string_view target) {
  RouteMatch match;
  const size_t question = target.find('?');
  match.path = target.substr(0, question);
  if (question != std::string_view::npos) {
    match.query = target.substr(question + 1);
  }
  for (const PathEntry& entry : kPaths) {
    if (match.path == entry.path) {
      if (method == entry.method) {
        match.route = entry.route;
      } else {
        match.route = Route::kMethodNotAllowed;
        match.allow = entry.allow;
      }
      return match;
    }
  }
  if (match.path.starts_with(kSessionsPrefix)) {
    match.param = match.path.substr(kSessionsPrefix.size());
    if (method == boost::beast::http::verb::delete_) {
      match.route = Route::kSession;
    } else if (method == boost::beast::http::verb::get) {
      match.route = Route::kSessionGet;
    } else {
      match.route = Route::kMethodNotAllowed;
      match.allow = "GET, DELETE";
    }
    return match;
  }
  if (match.path == "/ui" || match.path.starts_with("/ui/")) {
    if (method == boost::beast::http::verb::get) {
      match.route = Route::kUi;
    } else {
      match.route = Route::kMethodNotAllowed;
      match.allow = "GET";
    }
    return match;
  }
  for (const PrefixEntry& entry : kGetPrefixes) {
    if (match.path.starts_with(entry.prefix)) {
      match.param = match.path.substr(entry.prefix.size());
      if (method == boost::beast::http::verb::get) {
        match.route = entry.route;
      } else {
        match.route = Route::kMethodNotAllowed;
        match.allow = "GET";
      }
      return match;
    }
  }
  match.route = Route::kNotFound;
  return match;
}

bool FindQueryParam(std::string_view query, std::string_view name, std::string_view* value) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      *value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      return true;
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace tc::http
