// RenderSessionTrace / CentsToDollars (query/session_trace.h): the SessionTrace.to_dict()
// document built from typed rows, checked by parsing it back.

#include "query/session_trace.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace tc::query {

using storage::SqlRow;
using storage::SqlValue;
namespace {

using simdjson::dom::element;

bool Has(element e, std::string_view ptr) { return !e.at_pointer(ptr).error(); }
std::string Str(element e, std::string_view ptr) {
  std::string_view v;
  EXPECT_EQ(e.at_pointer(ptr).get(v), simdjson::SUCCESS) << ptr;
  return std::string(v);
}
int64_t Int(element e, std::string_view ptr) {
  int64_t v = -1;
  EXPECT_EQ(e.at_pointer(ptr).get(v), simdjson::SUCCESS) << ptr;
  return v;
}
double Dbl(element e, std::string_view ptr) {
  double v = -1;
  EXPECT_EQ(e.at_pointer(ptr).get(v), simdjson::SUCCESS) << ptr;
  return v;
}
bool Bool(element e, std::string_view ptr) {
  bool v = false;
  EXPECT_EQ(e.at_pointer(ptr).get(v), simdjson::SUCCESS) << ptr;
  return v;
}
bool IsNull(element e, std::string_view ptr) {
  element v;
  return !e.at_pointer(ptr).get(v) && v.is_null();
}
size_t Size(element e, std::string_view ptr) {
  simdjson::dom::array v;
  EXPECT_EQ(e.at_pointer(ptr).get(v), simdjson::SUCCESS) << ptr;
  return v.size();
}
std::string Minified(element e, std::string_view ptr) {
  element v;
  EXPECT_EQ(e.at_pointer(ptr).get(v), simdjson::SUCCESS) << ptr;
  return simdjson::minify(v);
}

constexpr size_t Q(SessionQuery q) { return static_cast<size_t>(q); }

SqlRow Session(const std::string& id) {
  return {id,         std::string("2025-01-01T00:00:00+00:00"), int64_t{1},       int64_t{3},
          int64_t{1}, std::string(R"({"env":"crafter"})"),      std::monostate{}, 2500.0,
          int64_t{1}};
}

// id, timestep_id, type, instance, event_time, message_time, created_at, model, provider, in,
// out, total, cost (cents), latency, span, trace, call_records, reward, terminated, truncated,
// state before, state after, metadata, event_metadata
SqlRow Event(int64_t id, SqlValue step, const std::string& type) {
  SqlRow e(24);
  e[0] = id;
  e[1] = std::move(step);
  e[2] = type;
  e[3] = std::string("agent-1");
  e[4] = 1700000000.25;
  e[6] = std::string("2025-01-01T00:00:01+00:00");
  e[22] = std::string(R"({"step_id":"s0"})");
  if (type == "cais") {
    e[7] = std::string("gpt-4o-mini");
    e[9] = int64_t{100};
    e[10] = int64_t{20};
    e[11] = int64_t{120};
    e[12] = 0.0045 * 100.0;  // cents, as ingest stores 0.0045 USD
    e[16] = std::string(R"([{"call_id":"c1"}])");
  } else if (type == "environment") {
    e[17] = 1.5;
    e[18] = int64_t{1};
    e[19] = int64_t{0};
  }
  return e;
}

class RenderTest : public ::testing::Test {
 protected:
  element Render() {
    Result<std::string> out = RenderSessionTrace(rows_);
    EXPECT_TRUE(out.has_value()) << out.error().ToString();
    text_ = out.has_value() ? *out : "";
    element root;
    EXPECT_EQ(parser_.parse(text_).get(root), simdjson::SUCCESS) << text_;
    return root;
  }
  SessionRows rows_;
  std::string text_;
  simdjson::dom::parser parser_;
};

TEST_F(RenderTest, UnknownSessionIsNotFound) {
  Result<std::string> out = RenderSessionTrace(rows_);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), StatusCode::kNotFound);
}

TEST_F(RenderTest, RowOfTheWrongWidthIsAnInternalError) {
  rows_[Q(SessionQuery::kSession)].push_back({std::string("s")});
  Result<std::string> out = RenderSessionTrace(rows_);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code(), StatusCode::kInternal);
}

TEST_F(RenderTest, BuildsTheToDictDocumentAndTotals) {
  rows_[Q(SessionQuery::kSession)].push_back(Session("s-1"));
  rows_[Q(SessionQuery::kTimesteps)].push_back(
      {int64_t{7}, std::string("s0"), int64_t{0}, int64_t{1},
       std::string("2025-01-01T00:00:00+00:00"), std::monostate{}, std::monostate{}});
  rows_[Q(SessionQuery::kEvents)].push_back(Event(1, int64_t{7}, "cais"));
  rows_[Q(SessionQuery::kEvents)].push_back(Event(2, int64_t{7}, "environment"));
  rows_[Q(SessionQuery::kEvents)].push_back(Event(3, std::monostate{}, "runtime"));
  rows_[Q(SessionQuery::kMessages)].push_back(
      {int64_t{4}, int64_t{7}, std::string("user"), std::string("hello"),
       std::string("2025-01-01T00:00:02+00:00"), std::monostate{}, int64_t{3},
       std::string(R"({"step_id":"s0"})")});
  rows_[Q(SessionQuery::kOutcomeRewards)].push_back({int64_t{1}, std::string("reward"), 2.0,
                                                     int64_t{3}, int64_t{4}, std::monostate{},
                                                     std::string(R"({"a":1})")});
  // The environment event's own reward row (derived: left out) and an explicit one.
  rows_[Q(SessionQuery::kEventRewards)].push_back(
      {int64_t{1}, int64_t{2}, std::monostate{}, int64_t{1}, std::string("reward"), 1.5,
       std::string("sparse"), std::monostate{}, std::monostate{}, std::string("environment")});
  rows_[Q(SessionQuery::kEventRewards)].push_back(
      {int64_t{2}, int64_t{1}, int64_t{4}, std::monostate{}, std::string("reward"), 0.5,
       std::string("achievement_delta"), std::string("k"), std::monostate{}, std::string("judge")});
  element root = Render();
  EXPECT_EQ(Str(root, "/trace/session_id"), "s-1");
  EXPECT_EQ(Str(root, "/trace/metadata/env"), "crafter");
  EXPECT_FALSE(Has(root, "/trace/experiment_id"));
  EXPECT_EQ(Size(root, "/trace/session_time_steps"), 1u);
  EXPECT_EQ(Str(root, "/trace/session_time_steps/0/step_id"), "s0");
  EXPECT_EQ(Int(root, "/trace/session_time_steps/0/turn_number"), 1);
  EXPECT_TRUE(IsNull(root, "/trace/session_time_steps/0/step_metadata"));
  EXPECT_EQ(Size(root, "/trace/session_time_steps/0/events"), 2u);  // runtime: no step
  EXPECT_EQ(Size(root, "/trace/session_time_steps/0/markov_blanket_messages"), 1u);
  EXPECT_EQ(Size(root, "/trace/event_history"), 3u);
  EXPECT_EQ(Str(root, "/trace/event_history/0/model_name"), "gpt-4o-mini");
  EXPECT_EQ(Dbl(root, "/trace/event_history/0/cost_usd") * 100.0, 0.0045 * 100.0);
  EXPECT_EQ(Str(root, "/trace/event_history/0/call_records/0/call_id"), "c1");
  EXPECT_EQ(Dbl(root, "/trace/event_history/0/time_record/event_time"), 1700000000.25);
  EXPECT_FALSE(Has(root, "/trace/event_history/0/reward"));
  EXPECT_EQ(Dbl(root, "/trace/event_history/1/reward"), 1.5);
  EXPECT_TRUE(Bool(root, "/trace/event_history/1/terminated"));
  EXPECT_FALSE(Bool(root, "/trace/event_history/1/truncated"));
  EXPECT_FALSE(Has(root, "/trace/event_history/1/model_name"));
  EXPECT_FALSE(Has(root, "/trace/event_history/2/model_name"));
  EXPECT_FALSE(Has(root, "/trace/event_history/2/reward"));
  // The same text in the step's list and in the history (ingest matches the copies).
  EXPECT_EQ(Minified(root, "/trace/session_time_steps/0/events/0"),
            Minified(root, "/trace/event_history/0"));
  EXPECT_EQ(Str(root, "/trace/markov_blanket_message_history/0/message_type"), "user");
  EXPECT_EQ(Str(root, "/trace/markov_blanket_message_history/0/content/text"), "hello");
  EXPECT_TRUE(IsNull(root, "/trace/markov_blanket_message_history/0/content/json_payload"));
  EXPECT_EQ(Dbl(root, "/trace/outcome_rewards/0/total_reward"), 2.0);
  EXPECT_EQ(Str(root, "/trace/outcome_rewards/0/annotation"), R"({"a":1})");  // text stays text
  EXPECT_EQ(Size(root, "/trace/event_rewards"), 1u);  // the derived one is left out
  EXPECT_EQ(Str(root, "/trace/event_rewards/0/event_ref"), "trace:s-1:event:0");
  EXPECT_EQ(Str(root, "/trace/event_rewards/0/message_ref"), "trace:s-1:message:0");
  EXPECT_EQ(Str(root, "/trace/event_rewards/0/key"), "k");
  EXPECT_EQ(Int(root, "/totals/timesteps"), 1);
  EXPECT_EQ(Int(root, "/totals/events"), 3);
  EXPECT_EQ(Int(root, "/totals/lm_calls"), 1);
  EXPECT_EQ(Int(root, "/totals/messages"), 1);
  EXPECT_EQ(Int(root, "/totals/input_tokens"), 100);
  EXPECT_EQ(Int(root, "/totals/output_tokens"), 20);
  EXPECT_EQ(Int(root, "/totals/total_tokens"), 120);
  EXPECT_DOUBLE_EQ(Dbl(root, "/totals/cost_usd"), 0.0045);
  EXPECT_EQ(Str(root, "/totals/models/0"), "gpt-4o-mini");
  EXPECT_EQ(Dbl(root, "/totals/duration_ms"), 2500.0);
  EXPECT_EQ(Int(root, "/totals/errors"), 1);
  EXPECT_EQ(Dbl(root, "/totals/outcome_reward"), 2.0);
  EXPECT_EQ(Dbl(root, "/totals/event_reward"), 2.0);
}

// Ingest stores dollars * 100.0; the dollars printed must give those cents back (not every
// double is such a product, so only stored values are checked).
TEST(CentsToDollarsTest, GivesBackTheStoredCents) {
  for (double dollars : {0.0045, 0.001, 0.003, 1.23456, 0.0007, 0.000001, 0.1729, 17.29}) {
    const double cents = dollars * 100.0;
    EXPECT_EQ(CentsToDollars(cents) * 100.0, cents) << dollars;
  }
}

}  // namespace
}  // namespace tc::query

namespace tc::query {
namespace {

TEST(TraceOptionsTest, BodiesIsTheOnlyParameterAndATrueOrFalse) {
  EXPECT_TRUE(ParseTraceOptions("").value().bodies);
  EXPECT_FALSE(ParseTraceOptions("bodies=false").value().bodies);
  EXPECT_TRUE(ParseTraceOptions("bodies=true").value().bodies);
  for (const char* bad : {"bodies=maybe", "bodies=false&bodies=true", "body=false", "x=1"}) {
    Result<TraceOptions> r = ParseTraceOptions(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << bad;
  }
  // Without bodies the three body columns are not even read.
  const std::string_view light = SessionQuerySql(SessionQuery::kEvents, {.bodies = false});
  EXPECT_EQ(light.find("call_records"), std::string_view::npos);
  EXPECT_EQ(light.find("system_state"), std::string_view::npos);
  EXPECT_NE(SessionQuerySql(SessionQuery::kEvents).find("call_records"), std::string_view::npos);
}

TEST(TraceOptionsTest, WithoutBodiesEachEventCarriesItsIdInsteadOfItsBodies) {
  SessionRows rows;
  rows[static_cast<size_t>(SessionQuery::kSession)].push_back(Session("s-1"));
  SqlRow cais = Event(41, std::monostate{}, "cais");
  cais[16] = std::monostate{};  // as the light query selects it
  rows[static_cast<size_t>(SessionQuery::kEvents)].push_back(cais);
  rows[static_cast<size_t>(SessionQuery::kEvents)].push_back(
      Event(42, std::monostate{}, "environment"));
  Result<std::string> out = RenderSessionTrace(rows, {.bodies = false});
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  simdjson::dom::parser parser;
  element root;
  ASSERT_EQ(parser.parse(*out).get(root), simdjson::SUCCESS) << *out;
  EXPECT_EQ(Int(root, "/trace/event_history/0/id"), 41);
  EXPECT_EQ(Int(root, "/trace/event_history/1/id"), 42);
  EXPECT_EQ(Str(root, "/trace/event_history/0/model_name"), "gpt-4o-mini");
  EXPECT_EQ(Str(root, "/trace/event_history/0/event_type"), "cais");
  EXPECT_EQ(Str(root, "/trace/event_history/1/event_type"), "environment");
  for (const char* member : {"call_records", "system_state_before", "system_state_after"}) {
    EXPECT_FALSE(Has(root, std::string("/trace/event_history/0/") + member)) << member;
    EXPECT_FALSE(Has(root, std::string("/trace/event_history/1/") + member)) << member;
  }
  EXPECT_DOUBLE_EQ(Dbl(root, "/totals/cost_usd"), 0.0045);
  // With bodies (the default) there is no id: the document posts back as it is.
  Result<std::string> full = RenderSessionTrace(rows);
  ASSERT_TRUE(full.has_value());
  ASSERT_EQ(parser.parse(*full).get(root), simdjson::SUCCESS);
  EXPECT_FALSE(Has(root, "/trace/event_history/0/id"));
  EXPECT_FALSE(Has(root, "/trace/event_history/0/event_type"));
  EXPECT_TRUE(Has(root, "/trace/event_history/0/call_records"));
}

}  // namespace
}  // namespace tc::query
