// libFuzzer target: the filter language (filter/filter.h, docs/filters.md), whose text comes from
// clients (GET /v1/stream?where=). The input is an expression, then optionally a newline and a
// record's JSON. Checks, besides crashes, leaks, hangs and sanitizer reports:
//  - Parse refuses with "at column N: ..." (1 <= N <= length + 1) or "longer than ...";
//  - Parse of the same text twice agrees, and a parsed filter gives the same answer twice on the
//    same record (the input's JSON, and a fixed LLM-call record);
//  - a filter's text is the input's.
// Seeds: tests/fuzz/corpus/filter/ (docs/filters.md's examples and errors).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "filter/filter.h"

namespace {

constexpr std::string_view kRecord =
    R"({"position":7,"type":"event","id":"e1","session_id":"s","event_type":"cais",)"
    R"("model_name":"gpt-4o","input_tokens":120,"cost_usd":0.125,"terminated":false,)"
    R"("metadata":{"tags":["a","b"],"otel":{"attributes":{"gen_ai.system":"openai"}}},)"
    R"("call_records":[{"usage":{"cost_usd":0.125}}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view text = input.substr(0, newline);
  const std::string_view json =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  tc::Result<tc::filter::Filter> filter = tc::filter::Filter::Parse(text);
  tc::Result<tc::filter::Filter> again = tc::filter::Filter::Parse(text);
  TC_CHECK(filter.has_value() == again.has_value());
  if (!filter.has_value()) {
    const std::string& message = filter.error().message();
    TC_CHECK(message == again.error().message());
    if (message.starts_with("at column ")) {
      const size_t column = std::stoul(message.substr(10));
      TC_CHECK(column >= 1 && column <= text.size() + 1);
    } else {
      TC_CHECK(message.starts_with("longer than "));
    }
    return 0;
  }
  TC_CHECK(filter->text() == text);
  for (std::string_view record : {kRecord, json}) {
    uint64_t first = 0;
    uint64_t second = 0;
    const bool a = filter->MatchesJson(record, &first);
    const bool b = again->MatchesJson(record, &second);
    TC_CHECK(a == b && first == second);
  }
  return 0;
}
