#pragma once

// The read API's record and stats endpoints (GET /v1/events[/{id}], /v1/messages[/{id}],
// /v1/experiments[/{id}], /v1/stats/models, /v1/stats/usage; docs/api.md §11-§14), internal to
// src/http/: src/query/ builds the whole answer from the route's query string or {id}; this
// turns it into the HTTP answer (SetReadAnswer). The session checks the request may read first
// (Session::RefuseRead) and calls this on its io thread, like GET /v1/sessions: each of these
// reads is one bounded page, one row, or one aggregate over a time range.

#include "responses.h"
#include "router.h"
#include "storage/read_store.h"

namespace tc::http {

// Reads through `store` and sets `*out`: 200 with the document, 400 `bad_parameter` naming the
// parameter (the {id} is "id"), 404 `not_found`, 503 `unavailable` or 500 `internal`.
void AnswerRecordRead(const RouteMatch& match, storage::ReadStore& store, Response* out);

}  // namespace tc::http
