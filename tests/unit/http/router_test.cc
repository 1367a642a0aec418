#include "http/router.h"

#include <gtest/gtest.h>

#include <tuple>
#include <utility>

#include "http/ingest_handler.h"

namespace tc::http {
namespace {

using boost::beast::http::verb;

TEST(RouterTest, MatchesExactPathsAndSplitsTheQuery) {
  RouteMatch m = MatchRoute(verb::post, "/v1/records?ack=queued&x=1");
  EXPECT_EQ(m.route, Route::kRecords);
  EXPECT_EQ(m.path, "/v1/records");
  EXPECT_EQ(m.query, "ack=queued&x=1");
  EXPECT_EQ(MatchRoute(verb::post, "/v1/traces").route, Route::kTraces);
  EXPECT_EQ(MatchRoute(verb::get, "/healthz").route, Route::kHealthz);
  EXPECT_EQ(MatchRoute(verb::get, "/readyz").route, Route::kReadyz);
  EXPECT_EQ(MatchRoute(verb::get, "/metrics").route, Route::kMetrics);
  EXPECT_EQ(MatchRoute(verb::post, "/v1/records/").route, Route::kNotFound);
  EXPECT_EQ(MatchRoute(verb::get, "/").route, Route::kRoot);
  EXPECT_EQ(MatchRoute(verb::get, "/?x=1").route, Route::kRoot);
  EXPECT_EQ(MatchRoute(verb::post, "/").route, Route::kMethodNotAllowed);
}

TEST(RouterTest, EverythingUnderUiIsTheViewerGetOnly) {
  for (const char* target : {"/ui", "/ui/", "/ui/sessions/a%2Fb", "/ui/assets/app.1.js?v=2"}) {
    EXPECT_EQ(MatchRoute(verb::get, target).route, Route::kUi) << target;
    const RouteMatch m = MatchRoute(verb::post, target);
    EXPECT_EQ(m.route, Route::kMethodNotAllowed) << target;
    EXPECT_EQ(m.allow, "GET");
  }
  EXPECT_EQ(MatchRoute(verb::get, "/uix").route, Route::kNotFound);
  EXPECT_EQ(MatchRoute(verb::get, "/v1/ui/").route, Route::kNotFound);
}

TEST(RouterTest, WrongMethodSaysWhichOneIsAllowed) {
  RouteMatch m = MatchRoute(verb::get, "/v1/records");
  EXPECT_EQ(m.route, Route::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
  m = MatchRoute(verb::head, "/healthz");
  EXPECT_EQ(m.route, Route::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET");
}

TEST(RouterTest, SessionPathTakesAParameterAndGetOrDelete) {
  RouteMatch m = MatchRoute(verb::delete_, "/v1/sessions/s%2F1?x=1");
  EXPECT_EQ(m.route, Route::kSession);
  EXPECT_EQ(m.param, "s%2F1");  // still encoded: the handler decodes and validates it
  EXPECT_EQ(m.query, "x=1");
  m = MatchRoute(verb::delete_, "/v1/sessions/");
  EXPECT_EQ(m.route, Route::kSession);
  EXPECT_EQ(m.param, "");
  m = MatchRoute(verb::get, "/v1/sessions/s%201");
  EXPECT_EQ(m.route, Route::kSessionGet);
  EXPECT_EQ(m.param, "s%201");
  m = MatchRoute(verb::put, "/v1/sessions/s1");
  EXPECT_EQ(m.route, Route::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, DELETE");
  // The list is another path: GET only.
  EXPECT_EQ(MatchRoute(verb::get, "/v1/sessions?limit=5").route, Route::kSessionList);
  EXPECT_EQ(MatchRoute(verb::get, "/v1/sessions?limit=5").query, "limit=5");
  EXPECT_EQ(MatchRoute(verb::delete_, "/v1/sessions").route, Route::kMethodNotAllowed);
  EXPECT_EQ(MatchRoute(verb::delete_, "/v1/sessions").allow, "GET");
  EXPECT_EQ(MatchRoute(verb::delete_, "/v1/records").route, Route::kMethodNotAllowed);
  EXPECT_EQ(MatchRoute(verb::delete_, "/v1/session/s1").route, Route::kNotFound);
}

TEST(RouterTest, RecordAndStatsReadsAreGetOnlyWithAnIdAfterTheirPrefix) {
  for (const auto& [target, route] : {std::pair{"/v1/events?limit=5", Route::kEventList},
                                      {"/v1/messages", Route::kMessageList},
                                      {"/v1/experiments", Route::kExperimentList},
                                      {"/v1/stats/models?from=2026-01-01", Route::kStatsModels},
                                      {"/v1/stats/usage", Route::kStatsUsage}}) {
    EXPECT_EQ(MatchRoute(verb::get, target).route, route) << target;
    EXPECT_EQ(MatchRoute(verb::post, target).route, Route::kMethodNotAllowed) << target;
    EXPECT_EQ(MatchRoute(verb::post, target).allow, "GET") << target;
  }
  EXPECT_EQ(MatchRoute(verb::get, "/v1/events?limit=5").query, "limit=5");
  for (const auto& [target, route, param] :
       {std::tuple{"/v1/events/12?x=1", Route::kEventGet, "12"},
        {"/v1/events/", Route::kEventGet, ""},
        {"/v1/messages/7", Route::kMessageGet, "7"},
        {"/v1/experiments/exp%2F1", Route::kExperimentGet, "exp%2F1"},
        {"/v1/experiments/a/b", Route::kExperimentGet, "a/b"}}) {
    const RouteMatch m = MatchRoute(verb::get, target);
    EXPECT_EQ(m.route, route) << target;
    EXPECT_EQ(m.param, param) << target;  // still encoded: src/query/ checks it
    EXPECT_EQ(MatchRoute(verb::delete_, target).route, Route::kMethodNotAllowed) << target;
    EXPECT_EQ(MatchRoute(verb::delete_, target).allow, "GET") << target;
  }
  EXPECT_EQ(MatchRoute(verb::get, "/v1/stats").route, Route::kNotFound);
  EXPECT_EQ(MatchRoute(verb::get, "/v1/stats/models/x").route, Route::kNotFound);
  EXPECT_EQ(MatchRoute(verb::get, "/v1/eventsx").route, Route::kNotFound);
}

TEST(RouterTest, FindsQueryParameters) {
  std::string_view value;
  EXPECT_TRUE(FindQueryParam("a=1&ack=queued", "ack", &value));
  EXPECT_EQ(value, "queued");
  EXPECT_TRUE(FindQueryParam("ack", "ack", &value));
  EXPECT_EQ(value, "");
  EXPECT_FALSE(FindQueryParam("acks=1&back=2", "ack", &value));
  EXPECT_FALSE(FindQueryParam("", "ack", &value));
}

TEST(RouterTest, BodyFormatFromContentType) {
  ingest::BodyFormat f = ingest::BodyFormat::kNdjson;
  EXPECT_TRUE(ParseBodyFormat("", IngestEndpoint::kRecords, &f));
  EXPECT_EQ(f, ingest::BodyFormat::kJson);
  EXPECT_TRUE(ParseBodyFormat("Application/JSON; charset=utf-8", IngestEndpoint::kTraces, &f));
  EXPECT_EQ(f, ingest::BodyFormat::kJson);
  EXPECT_TRUE(ParseBodyFormat("application/x-ndjson", IngestEndpoint::kRecords, &f));
  EXPECT_EQ(f, ingest::BodyFormat::kNdjson);
  EXPECT_TRUE(ParseBodyFormat("application/jsonl", IngestEndpoint::kRecords, &f));
  EXPECT_FALSE(ParseBodyFormat("application/x-ndjson", IngestEndpoint::kTraces, &f));
  EXPECT_FALSE(ParseBodyFormat("text/plain", IngestEndpoint::kRecords, &f));
  EXPECT_FALSE(ParseBodyFormat("application/jsonx", IngestEndpoint::kRecords, &f));
}

}  // namespace
}  // namespace tc::http
