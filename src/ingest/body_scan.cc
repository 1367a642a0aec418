#include "ingest/body_scan.h"

#include <fmt/format.h>

namespace tc::ingest::internal {

Status CheckStructure(std::string_view body, size_t max_depth, bool per_line) {
  size_t depth = 0;
  bool value_ended = false;  // the top-level container closed
  size_t line = 1;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      } else if (c == '\n' && per_line) {  // an unterminated string ends with its line
        in_string = false;
        depth = 0;
        ++line;
      }
      continue;
    }
    if (value_ended && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      return Status::InvalidArgument(
          fmt::format("body is not valid JSON: content after the top-level value at byte {}", i));
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (++depth > max_depth) {
          return Status::InvalidArgument(
              per_line
                  ? fmt::format("line {}: nesting deeper than max_depth ({}) at byte {}", line,
                                max_depth, i)
                  : fmt::format("nesting deeper than max_depth ({}) at byte {}", max_depth, i));
        }
        break;
      case '}':
      case ']':
        if (depth > 0 && --depth == 0 && !per_line) value_ended = true;
        break;
      case '\n':
        if (per_line) depth = 0;
        ++line;
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

bool IsBlank(std::string_view body) {
  for (char c : body) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

}  // namespace tc::ingest::internal
