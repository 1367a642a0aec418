#pragma once

// GET /v1/sessions (docs/api.md, "GET /v1/sessions"): sessions newest first (or by cost,
// duration or event count), filtered, with their totals, a page at a time. Paging is by an
// opaque cursor holding the last row's (sort key, session_id): each page is one index range,
// never an OFFSET, and following next_cursor to the end visits each session once even while
// sessions are written.

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "storage/read_store.h"

namespace tc::query {

// `query_string`: the request's query, after '?', still percent-encoded. Answers
// {"data":[...],"meta":{"limit":..,"has_more":..,"next_cursor":..}}. A bad parameter is
// kInvalidArgument (ParameterOf names it); the store's errors as they are.
Result<std::string> ListSessions(storage::ReadStore& store, std::string_view query_string);

// The parameter a kInvalidArgument of the read API names ("limit"), for the error body's
// "parameter" member; empty for any other status.
std::string_view ParameterOf(const Status& status);

}  // namespace tc::query
