#pragma once

// The one validating pass every request body (or NDJSON line) goes through before on-demand
// decoding. simdjson's on-demand API does not validate what it skips (unknown fields, values
// read only for their type) and its structural index disagrees with a string-aware scan on
// some invalid inputs, so a body must be known to be JSON before it is iterated. Internal to
// ingest/; pure, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tc::ingest::internal {

struct JsonCheck {
  bool ok = true;
  bool too_deep = false;  // the only failure that is about a limit, not about the syntax
  // What is wrong and where, e.g. `invalid literal at records[0].x (line 1, column 41)`: the
  // JSON path of the value holding the problem (keys as written, at most 64 bytes each), then
  // the line and column (1-based, bytes) in `text`; `single_line` omits the line.
  std::string message;
};

// Checks that `text` is exactly one JSON value with optional whitespace around it, per
// RFC 8259: the grammar (any number magnitude; \u escapes are not paired up) and UTF-8. Arrays
// and objects may nest at most `max_depth` deep. Reads only `text` (no padding needed).
// Linear time; allocates only on failure or beyond 15 levels of nesting.
JsonCheck CheckJson(std::string_view text, size_t max_depth, bool single_line = false);

// CheckJson() of a whole JSON body as a Status: kInvalidArgument "body is empty", "body is not
// valid JSON: <message>" or "nesting deeper than max_depth (N) at ...".
Status CheckBody(std::string_view body, size_t max_depth);

}  // namespace tc::ingest::internal
