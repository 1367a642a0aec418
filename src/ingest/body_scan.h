#pragma once

// Body helpers: blank bodies and NDJSON lines. Internal to ingest/ (also used by the fuzz
// checks). Validation is json_check.h.

#include <cstddef>
#include <string>
#include <string_view>

namespace tc::ingest::internal {

// True when `body` holds only JSON whitespace.
bool IsBlank(std::string_view body);

// The non-blank lines of an NDJSON body ('\n' separated, a trailing '\r' removed).
struct NdjsonLine {
  std::string_view text;
  size_t line_number = 0;  // 1-based
};
template <typename Fn>
void ForEachNdjsonLine(std::string_view body, Fn&& fn) {
  size_t line_number = 0;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    ++line_number;
    std::string_view line = body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!IsBlank(line)) fn(NdjsonLine{line, line_number});
    start = end + 1;
  }
}

}  // namespace tc::ingest::internal
