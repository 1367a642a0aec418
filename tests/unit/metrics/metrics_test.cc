#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/prometheus_text.h"
#include "prometheus_parse.h"

namespace tc::metrics {
namespace {

using testing::PromText;

PromText Parsed(const Metrics& m) {
  PromText text;
  EXPECT_TRUE(text.Parse(m.RenderPrometheus())) << text.error;
  return text;
}

TEST(HistogramTest, BucketsAreCumulativeWithSumAndCount) {
  static constexpr double kBounds[] = {1, 5, 10};
  Histogram h(kBounds);
  for (double v : {0.5, 1.0, 3.0, 7.0, 100.0}) {
    h.Observe(v);
  }
  const Histogram::Snapshot s = h.Take();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 4}));  // 1 is "le 1"
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum, 111.5);
}

TEST(HistogramTest, ConcurrentObservationsAreAllCounted) {
  static constexpr double kBounds[] = {1, 2};
  Histogram h(kBounds);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) {
        h.Observe(1.5);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(h.Take().count, 40000u);
  EXPECT_DOUBLE_EQ(h.Take().sum, 60000.0);
  EXPECT_EQ(h.Take().cumulative[1], 40000u);
}

TEST(RenderTest, EveryLineParsesAndEveryFamilyHasHelpAndType) {
  auto m = std::make_unique<Metrics>();
  m->records_received.Add(7);
  PromText text = Parsed(*m);
  ASSERT_FALSE(text.types.empty());
  for (const auto& [family, type] : text.types) {
    EXPECT_TRUE(text.helps.count(family)) << family;
    EXPECT_EQ(family.rfind("tracecollector_", 0), 0u) << family;
    if (type == "counter") {
      EXPECT_EQ(family.substr(family.size() - 6), "_total") << family;
    }
  }
  EXPECT_EQ(text.Get("tracecollector_records_received_total"), 7);
}

TEST(RenderTest, RequestsByPathAndCodeFoldUnknownPaths) {
  auto m = std::make_unique<Metrics>();
  m->CountRequest(HttpPathFrom("/v1/records"), 200, 0.003);
  m->CountRequest(HttpPathFrom("/v1/records"), 200, 0.2);
  m->CountRequest(HttpPathFrom("/v1/records"), 429, 0.0001);
  m->CountRequest(HttpPathFrom("/etc/passwd"), 404, 0.0001);
  m->CountRequest(HttpPathFrom("/random/1"), 404, 0.0001);
  PromText text = Parsed(*m);
  const std::string req = "tracecollector_http_requests_total";
  EXPECT_EQ(text.Get(req, {{"path", "/v1/records"}, {"code", "200"}}), 2);
  EXPECT_EQ(text.Get(req, {{"path", "/v1/records"}, {"code", "429"}}), 1);
  EXPECT_EQ(text.Get(req, {{"path", "other"}, {"code", "404"}}), 2);
  EXPECT_EQ(m->http_requests.Get(), 5u);
  EXPECT_EQ(m->http_responses_4xx.Get(), 3u);
  EXPECT_EQ(m->http_responses_429.Get(), 1u);

  const std::string lat = "tracecollector_http_request_duration_seconds";
  EXPECT_EQ(text.types[lat], "histogram");
  const std::map<std::string, std::string> records = {{"path", "/v1/records"}};
  EXPECT_EQ(text.Get(lat + "_count", records), 3);
  EXPECT_NEAR(*text.Get(lat + "_sum", records), 0.2031, 1e-9);
  auto bucket = [&](const std::string& le) {
    return text.Get(lat + "_bucket", {{"path", "/v1/records"}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.0005"), 1);
  EXPECT_EQ(bucket("0.0025"), 1);
  EXPECT_EQ(bucket("0.005"), 2);
  EXPECT_EQ(bucket("0.25"), 3);
  EXPECT_EQ(bucket("+Inf"), 3);
  // Buckets never decrease.
  double last = 0;
  for (const auto& s : text.samples) {
    if (s.name == lat + "_bucket" && s.labels.at("path") == "/v1/records") {
      EXPECT_GE(s.value, last);
      last = s.value;
    }
  }
}

TEST(RenderTest, EachReadEndpointHasItsPathLabelAndEveryIdIsOne) {
  for (const auto& [path, label] : {std::pair{"/v1/sessions/s1", "/v1/sessions/{id}"},
                                    {"/v1/sessions", "/v1/sessions"},
                                    {"/v1/events/12", "/v1/events/{id}"},
                                    {"/v1/events/", "/v1/events/{id}"},
                                    {"/v1/events", "/v1/events"},
                                    {"/v1/messages/9", "/v1/messages/{id}"},
                                    {"/v1/messages", "/v1/messages"},
                                    {"/v1/experiments/exp-a", "/v1/experiments/{id}"},
                                    {"/v1/experiments", "/v1/experiments"},
                                    {"/v1/stats/models", "/v1/stats/models"},
                                    {"/v1/stats/usage", "/v1/stats/usage"},
                                    {"/v1/stats/other", "other"},
                                    {"/ui", "/ui"},
                                    {"/ui/sessions/s1", "/ui"},
                                    {"/ui/assets/app.0123.js", "/ui"},
                                    {"/uix", "other"},
                                    {"/v1/stats", "other"}}) {
    EXPECT_EQ(HttpPathName(HttpPathFrom(path)), label) << path;
  }
  // Every label is rendered (and only once: a per-path array indexed by the enum).
  auto m = std::make_unique<Metrics>();
  for (size_t p = 0; p < kHttpPathCount; ++p) {
    m->CountRequest(static_cast<HttpPath>(p), 200, 0.001);
  }
  PromText text = Parsed(*m);
  for (size_t p = 0; p < kHttpPathCount; ++p) {
    const std::string label(HttpPathName(static_cast<HttpPath>(p)));
    EXPECT_EQ(text.Get("tracecollector_http_requests_total", {{"path", label}, {"code", "200"}}), 1)
        << label;
  }
}

TEST(RenderTest, RefusedByReasonAndCommitHistograms) {
  auto m = std::make_unique<Metrics>();
  m->records_refused_invalid.Add(2);
  m->records_refused_overload.Add(3);
  m->records_refused_database.Add(4);
  m->records_refused_spool_full.Add(5);
  m->ObserveCommit(0.004, 100);
  m->ObserveCommit(0.02, 3);
  PromText text = Parsed(*m);
  const std::string refused = "tracecollector_records_refused_total";
  EXPECT_EQ(text.Get(refused, {{"reason", "invalid"}}), 2);
  EXPECT_EQ(text.Get(refused, {{"reason", "overload"}}), 3);
  EXPECT_EQ(text.Get(refused, {{"reason", "database"}}), 4);
  EXPECT_EQ(text.Get(refused, {{"reason", "spool_full"}}), 5);
  EXPECT_EQ(text.Get("tracecollector_commit_duration_seconds_count"), 2);
  EXPECT_EQ(text.Get("tracecollector_commit_duration_seconds_bucket", {{"le", "0.005"}}), 1);
  EXPECT_EQ(text.Get("tracecollector_batch_size_records_bucket", {{"le", "5"}}), 1);
  EXPECT_EQ(text.Get("tracecollector_batch_size_records_bucket", {{"le", "100"}}), 2);
  EXPECT_EQ(text.Get("tracecollector_batch_size_records_sum"), 103);
}

TEST(RenderTest, ChildStateOnlyWhenSupervisedAndBuildInfo) {
  auto m = std::make_unique<Metrics>();
  PromText before = Parsed(*m);
  EXPECT_FALSE(before.Get("tracecollector_sqld_child_restarts_total").has_value());
  m->child_state = ChildState::kRestarting;
  m->child_restarts.Add();
  PromText after = Parsed(*m);
  EXPECT_EQ(after.Get("tracecollector_sqld_child_restarts_total"), 1);
  EXPECT_EQ(after.Get("tracecollector_sqld_child_state", {{"state", "restarting"}}), 1);
  EXPECT_EQ(after.Get("tracecollector_sqld_child_state", {{"state", "ready"}}), 0);
  EXPECT_EQ(after.Get("tracecollector_build_info", {{"version", std::string(Version())},
                                                    {"build_type", std::string(BuildType())},
                                                    {"compiler", std::string(Compiler())}}),
            1);
  EXPECT_NE(Version(), "unknown");
}

TEST(TextWriterTest, EscapesLabelValuesAndHelp) {
  TextWriter w("x_");
  w.Family("m", "gauge", "line1\nback\\slash \"quoted\"");
  w.Sample("m", {{"l", "a\"b\\c\nd"}}, 1.5);
  const std::string out = w.Take();
  EXPECT_EQ(out,
            "# HELP x_m line1\\nback\\\\slash \"quoted\"\n# TYPE x_m gauge\n"
            "x_m{l=\"a\\\"b\\\\c\\nd\"} 1.5\n");
  PromText text;
  ASSERT_TRUE(text.Parse(out)) << text.error;
  EXPECT_EQ(text.Get("x_m", {{"l", "a\"b\\c\nd"}}), 1.5);
}

}  // namespace
}  // namespace tc::metrics
