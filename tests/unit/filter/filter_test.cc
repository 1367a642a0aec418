// The filter language (filter/filter.h, docs/filters.md), table-tested: every operator on every
// type it takes, type mismatches (false, counted), paths into JSON fields, and bad expressions
// refused with the column where they go wrong.

#include "filter/filter.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tc::filter {
namespace {

// An LLM call as GET /v1/stream sends it.
constexpr std::string_view kEvent = R"({
  "position": 42, "type": "event", "id": "ev-1", "session_id": "s-1", "event_type": "cais",
  "system_instance_id": "planner", "model_name": "gpt-4o-mini", "provider": "openai",
  "input_tokens": 120, "output_tokens": 30, "cost_usd": 0.125, "latency_ms": 812,
  "terminated": false,
  "metadata": {"step_id": "t1", "tags": ["prod", "eu"], "otel": {"attributes":
    {"gen_ai.system": "openai", "server.port": 443}}, "note": null},
  "call_records": [{"model_name": "gpt-4o-mini", "usage": {"cost_usd": 0.125}}]
})";

struct Case {
  const char* expression;
  bool matches;
  uint64_t mismatches = 0;
};

TEST(FilterTest, EveryOperatorOnTheTypesItTakes) {
  const Case cases[] = {
      {R"(type == "event")", true},
      {R"(type != "event")", false},
      {R"(event_type == "cais" && cost_usd > 0.10)", true},
      {R"(cost_usd > 0.125)", false},
      {R"(cost_usd >= 0.125)", true},
      {R"(cost_usd < 1)", true},
      {R"(input_tokens <= 120 && input_tokens > 119)", true},
      {R"(input_tokens == 120.0)", true},
      {R"(model_name < "gpu")", true},  // strings order by bytes
      {R"(model_name =~ "^gpt-4")", true},
      {R"(model_name =~ "^claude")", false},
      {R"(model_name =~ "4o-m")", true},  // a partial match
      {R"(model_name contains "mini")", true},
      {R"(model_name startswith "gpt")", true},
      {R"(model_name startswith "mini")", false},
      {R"(provider in ["anthropic", "openai"])", true},
      {R"(provider in ["anthropic"])", false},
      {R"(input_tokens in [1, 120])", true},
      {R"(metadata.tags contains "eu")", true},
      {R"(metadata.tags contains "us")", false},
      {R"(metadata.tags[1] == "eu")", true},
      {R"(metadata.otel.attributes["gen_ai.system"] == "openai")", true},
      {R"(metadata.otel.attributes["server.port"] == 443)", true},
      {R"(call_records[0].usage.cost_usd == 0.125)", true},
      {R"(call_records[5].usage.cost_usd == 0.125)", false},
      {R"(exists(metadata.step_id))", true},
      {R"(exists(metadata.note))", false},  // null is not there
      {R"(exists(reward))", false},
      {R"(!exists(reward) && !(cost_usd < 0.1))", true},
      {R"(terminated)", false},
      {R"(!terminated)", true},
      {R"(reward == null)", true},  // an absent field is null
      {R"(reward != 1)", true},     // and unequal to anything else, without a mismatch
      {R"(reward > 1)", false},     // nothing to order: false, no mismatch
      {R"(model_name == "x" || provider == "openai" && input_tokens == 120)", true},
      {R"((model_name == "x" || provider == "openai") && input_tokens == 121)", false},
      {R"(true)", true},
      {R"(false || position == 42)", true},
      {R"(system_instance_id == 'planner')", true},  // single quotes too
      {R"(session_id == "s-\x")", false},
      // Mismatches: false, and counted.
      {R"(cost_usd == "0.125")", false, 1},
      {R"(cost_usd != "0.125")", false, 1},
      {R"(model_name > 3)", false, 1},
      {R"(input_tokens =~ "1")", false, 1},
      {R"(cost_usd contains "1")", false, 1},
      {R"(input_tokens startswith "1")", false, 1},
      {R"(model_name)", false, 1},
      {R"(metadata == 1)", false, 1},
      {R"(!(cost_usd == "x"))", true, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expression);
    Result<Filter> filter = Filter::Parse(c.expression);
    ASSERT_TRUE(filter.has_value()) << filter.error().ToString();
    uint64_t mismatches = 0;
    EXPECT_EQ(filter->MatchesJson(kEvent, &mismatches), c.matches);
    EXPECT_EQ(mismatches, c.mismatches);
  }
}

TEST(FilterTest, BadExpressionsSayWhereTheyGoWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "at column 1: an empty expression"},
      {"cost_usd >", "at column 11: expected a value after '>'"},
      {"cost_usd > > 1", "at column 12: expected a value (a string, number, true, false or null)"},
      {"(type == \"event\"", "at column 17: expected ')'"},
      {"type == \"event", "at column 9: a string without its closing quote"},
      {"model_name =~ \"(\"", "at column 15: bad regular expression: missing ): ("},
      {"model_name =~ model", "at column 15: '=~' takes a regular expression in quotes"},
      {"provider in \"openai\"", "at column 13: 'in' takes a list: [\"a\", \"b\"]"},
      {"provider == [1]", "at column 13: a list is only a value after 'in'"},
      {"type == \"a\" type", "at column 13: unexpected 'type' after the expression"},
      {"type = \"a\"", "at column 6: unexpected character '='"},
      {"metadata.", "at column 10: expected a field name after '.'"},
      {"metadata[x]", "at column 10: expected an index (0, 1, ...) or a quoted name in '[ ]'"},
      {"exists(1)", "at column 8: expected a field name"},
      {"cost_usd > 1e999", "at column 12: '1e999' is not a number"},
      {"in == 1", "at column 1: expected a value, not 'in'"},
      {"type == \"a\" && # ", "at column 16: unexpected character '#'"},
  };
  for (const auto& [expression, error] : cases) {
    SCOPED_TRACE(expression);
    Result<Filter> filter = Filter::Parse(expression);
    ASSERT_FALSE(filter.has_value());
    EXPECT_EQ(filter.error().message(), error);
  }
  EXPECT_FALSE(Filter::Parse(std::string(kMaxExpressionBytes + 1, ' ')).has_value());
  std::string deep;
  for (size_t i = 0; i < kMaxDepth + 2; ++i) deep += "(";
  deep += "true";
  for (size_t i = 0; i < kMaxDepth + 2; ++i) deep += ")";
  Result<Filter> too_deep = Filter::Parse(deep);
  ASSERT_FALSE(too_deep.has_value());
  EXPECT_NE(too_deep.error().message().find("nested more than 32 deep"), std::string::npos);
  std::string nots(kMaxDepth * 2, '!');
  EXPECT_FALSE(Filter::Parse(nots + "true").has_value()) << "a chain of ! is bounded too";
}

TEST(FilterTest, WhatIsNotARecordMatchesNothing) {
  Result<Filter> filter = Filter::Parse("true");
  ASSERT_TRUE(filter.has_value());
  EXPECT_TRUE(filter->MatchesJson("{}"));
  EXPECT_FALSE(filter->MatchesJson("[1]"));
  EXPECT_FALSE(filter->MatchesJson("{"));
  EXPECT_EQ(filter->text(), "true");
}

// RE2: a pattern that makes a backtracking engine take exponential time matches at once.
TEST(FilterTest, RegularExpressionsRunInLinearTime) {
  Result<Filter> filter = Filter::Parse(R"(model_name =~ "^(a+)+$")");
  ASSERT_TRUE(filter.has_value());
  const std::string record = R"({"model_name":")" + std::string(5000, 'a') + "!\"}";
  EXPECT_FALSE(filter->MatchesJson(record));
}

// docs/filters.md's examples parse, and its error table is what Parse says.
TEST(FilterTest, TheDocsExamplesAndErrorsAreWhatTheCodeDoes) {
  std::ifstream in(std::string(TC_SOURCE_DIR) + "/docs/filters.md");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  // The ```text block after `heading`, line by line.
  auto block = [&](std::string_view heading) {
    const std::string doc = text.str();
    size_t at = doc.find(heading);
    at = doc.find("```text\n", at);
    const size_t end = doc.find("```", at + 8);
    std::vector<std::string> lines;
    std::istringstream body(doc.substr(at + 8, end - at - 8));
    for (std::string line; std::getline(body, line);) lines.push_back(line);
    return lines;
  };
  const std::vector<std::string> examples = block("## Examples");
  ASSERT_GE(examples.size(), 5u);
  for (std::string line : examples) {
    if (const size_t comment = line.find("  #"); comment != std::string::npos) {
      line.resize(comment);
    }
    Result<Filter> filter = Filter::Parse(line);
    EXPECT_TRUE(filter.has_value()) << line << ": " << filter.error().ToString();
  }
  const std::vector<std::string> errors = block("## Errors");
  ASSERT_GE(errors.size(), 4u);
  for (const std::string& line : errors) {
    const size_t at = line.find("at column");
    ASSERT_NE(at, std::string::npos) << line;
    std::string expression = line.substr(0, at);
    while (!expression.empty() && expression.back() == ' ') expression.pop_back();
    Result<Filter> filter = Filter::Parse(expression);
    ASSERT_FALSE(filter.has_value()) << expression;
    EXPECT_EQ(filter.error().message(), line.substr(at)) << expression;
  }
}

}  // namespace
}  // namespace tc::filter
