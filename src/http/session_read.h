#pragma once

// The read API's answers (GET /v1/sessions, GET /v1/sessions/{id}; docs/api.md), internal to
// src/http/: the HTTP answer to what src/query/ returned. The session's part (session_read.cc)
// checks the request may read, asks src/query/ over the server's storage::ReadStore and
// answers. Pure functions; no I/O.

#include <string>
#include <string_view>

#include "common/result.h"
#include "responses.h"

namespace tc::http {

// OK → 200 with the reader's document; kNotFound → 404 `not_found`; retryable → 503
// `unavailable` + Retry-After; anything else → 500 `internal`.
void SetSessionReadAnswer(std::string_view session_id, Result<std::string> document, Response* out);

// OK → 200 with the document; kInvalidArgument → 400 `bad_parameter` with the "parameter" the
// query stage names (query::ParameterOf); kNotFound → 404 `not_found`; retryable → 503
// `unavailable` + Retry-After; anything else → 500 `internal`.
void SetReadAnswer(Result<std::string> document, Response* out);

}  // namespace tc::http
