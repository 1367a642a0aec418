#pragma once

// GET /v1/sessions/{id} (docs/api.md §9), internal to src/http/: the answer to what the
// TraceReader returned. The session's part (session_read.cc) decodes the id (session_id.h), asks
// the reader and answers. Pure function; no I/O.

#include <string>
#include <string_view>

#include "common/result.h"
#include "responses.h"

namespace tc::http {

// OK → 200 with the reader's document; kNotFound → 404 `not_found`; retryable → 503
// `unavailable` + Retry-After; anything else → 500 `internal`.
void SetSessionReadAnswer(std::string_view session_id, Result<std::string> document, Response* out);

}  // namespace tc::http
