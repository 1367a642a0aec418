#pragma once

// A read endpoint's query string, decoded and checked (src/query/ and http's stream). Every problem
// is a kInvalidArgument made by BadParameter, whose message starts with the parameter's name
// (ParameterOf reads it back for the error body's "parameter" member).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "query/session_list.h"  // ParameterOf

namespace tc::query {

// kInvalidArgument: `parameter "<name>": <what>`.
Status BadParameter(std::string_view name, std::string_view what);

class QueryParams {
 public:
  // Splits `raw` ("a=1&b=x%20y", without the '?') on '&' and '=', percent-decodes names and
  // values ('+' is a space). Refused: a malformed escape, a value that is not UTF-8 or longer
  // than 4 KiB, a name not in `allowed` (the message lists them), a name given twice. Empty
  // pairs ("a=1&&b=2") are skipped.
  static Result<QueryParams> Parse(std::string_view raw, std::span<const std::string_view> allowed);

  // The value of `name`, or null when it was not given.
  const std::string* Get(std::string_view name) const;

  // `limit`: 1..max_limit, default `fallback`.
  Result<int64_t> Limit(int64_t fallback, int64_t max_limit) const;
  // One of `choices`; `fallback` when absent.
  Result<std::string_view> Choice(std::string_view name, std::span<const std::string_view> choices,
                                  std::string_view fallback) const;
  // "true"/"false" (also 1/0); nullopt when absent.
  Result<std::optional<bool>> Bool(std::string_view name) const;
  // A finite number >= 0; nullopt when absent.
  Result<std::optional<double>> NonNegative(std::string_view name) const;
  // RFC 3339 ("2026-12-05T03:40:16Z", "...16.25+02:00", or a date "2026-12-05" = its midnight
  // UTC) or Unix seconds ("1764905000", "1764905000.5"), as the stored datetime text form
  // ("2026-12-05T03:40:16.000000+00:00", common/time_format.h); nullopt when absent.
  Result<std::optional<std::string>> Time(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace tc::query
