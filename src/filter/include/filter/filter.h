#pragma once

// The filter language (docs/filters.md): a boolean expression over one record in its
// /v1/records JSON form, e.g.
//   type == "event" && event_type == "cais" && cost_usd > 0.10 && model_name =~ "^gpt-4"
// Parsed once (a bad expression is an error with its column), then evaluated against many
// records. Evaluation never fails: a comparison of values of different types is false (and
// counted), a path that names nothing is null. Thread-safe after Parse (Matches is const).

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tc::filter {

struct Program;  // the parsed expression (internal)

// Bounds Parse enforces on text that may come from a client.
inline constexpr size_t kMaxExpressionBytes = 4096;
inline constexpr size_t kMaxDepth = 32;  // nesting of parentheses and operators

class Filter {
 public:
  // kInvalidArgument "at column 17: expected a value after '>'" (columns count from 1).
  static Result<Filter> Parse(std::string_view text);

  // Whether `record` (a JSON object: a record in the /v1/records form, as GET /v1/stream sends
  // it) matches. `*mismatches` (if given) grows by the comparisons whose operands had types the
  // operator cannot compare.
  bool Matches(simdjson::dom::element record, uint64_t* mismatches = nullptr) const;
  // The same for JSON text (parsed here; text that is not a JSON object matches nothing).
  bool MatchesJson(std::string_view json, uint64_t* mismatches = nullptr) const;

  const std::string& text() const;

 private:
  explicit Filter(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

}  // namespace tc::filter
