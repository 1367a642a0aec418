#pragma once

// DELETE /v1/sessions/{id} (docs/api.md §8), internal to src/http/: who may ask, which session
// the path names, and the answer once the writer has committed (or refused) the deletion. The
// session (session_delete.cc) passes the request to the SessionDeleter and posts the outcome
// back to its strand. Pure functions; no I/O.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "contract/sink.h"
#include "http/api_keys.h"
#include "metrics/metrics.h"
#include "responses.h"
#include "session_id.h"

namespace tc::http {

// Whether `authorization` may delete: true for an admin key. Otherwise fills `out` with 403
// `forbidden` (a collector with no key configured at all, where nothing proves who is asking;
// or a key without the admin scope, which the headers' check refuses before) and counts it in
// metrics.http_forbidden. A missing or wrong key, with keys configured, never gets here: the
// headers were answered 401 already.
bool AuthorizeDelete(const ApiKeys& keys, std::string_view authorization, metrics::Metrics& metrics,
                     Response* out);

// The answer to a deletion the writer finished with `status`:
//   OK → 200 {"deleted":{"session_id":..,"rows":{"session_traces":1,"events":n,...}}}
//        (every table the session had rows in, docs/api.md §8);
//   kNotFound → 404 `not_found`; retryable (store away, shutting down) → 503 `unavailable`
//   + Retry-After; anything else → 500 `internal`.
void SetDeleteAnswer(std::string_view session_id, const Status& status,
                     const sink::DeletedRows& deleted, Response* out);

}  // namespace tc::http
