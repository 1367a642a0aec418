#pragma once

// The one classification of everything that can go wrong talking Hrana over HTTP: transport
// failures (curl), HTTP error statuses, and errors of single statements inside a 200 response.
// Every layer of the Hrana sink goes through ClassifyFailure(), so the retry decision is made
// in one place (and unit-tested as a table in tests/unit/sink/hrana/hrana_errors_test.cc).

#include <string_view>

#include "common/status.h"

namespace tc::sink {

namespace hrana {
struct Error;
}  // namespace hrana

// What was observed; fill the fields that apply. Exactly one layer is described:
//   curl_code != 0                 the exchange failed below HTTP (no complete response)
//   else http_status != 200        the server answered with an error status
//   else                           one statement (or one pipeline request) failed inside a 200
struct HranaFailure {
  int curl_code = 0;             // CURLcode
  long http_status = 200;        // HTTP status of the response
  std::string_view body;         // response body of an error status (text or JSON)
  std::string_view retry_after;  // Retry-After header of that response, if any
  std::string_view error_code;   // Hrana error code ("SQLITE_CONSTRAINT", "BATCH_STEP_ERROR", ...)
  std::string_view message;      // curl's error text, or the statement's error message
};

// Result codes (the Status message says what happened, with the server's words):
//   kUnavailable        retryable: connection refused/reset/torn, HTTP 5xx/429/503, 400
//                       STREAM_EXPIRED, SQLITE_BUSY/LOCKED, TRANSACTION_BUSY, disk I/O error,
//                       "cannot start a transaction within a transaction" (tursodb's leaked txn)
//   kResourceExhausted  retryable: SQLITE_FULL / SQLITE_NOMEM (as the embedded sink reports them)
//   kDeadlineExceeded   retryable: client timeout, HTTP 408/504, TRANSACTION_TIMEOUT
//   kUnauthenticated    permanent: HTTP 401/403 (bad or missing token)
//   kAlreadyExists      a statement hit a UNIQUE / PRIMARY KEY conflict (a failed claim)
//   kFailedPrecondition the database refused one statement's data (CHECK, NOT NULL, FOREIGN KEY,
//                       type, too big, ...): a per-record refusal, never retried
//   kInternal           permanent: protocol errors (HTTP 400 other than STREAM_EXPIRED, 404,
//                       unparsable pipeline), SQL the server cannot prepare (a bug in the
//                       statement catalogue), bad URL, TLS verification failure, out of memory
// Whether a retryable failure left anything committed is NOT decided here: see hrana_sink.h.
Status ClassifyFailure(const HranaFailure& failure);
// ClassifyFailure of one statement's (or pipeline request's) error inside a 200 response.
Status ClassifyError(const hrana::Error& error);

// The SQLite primary result code named by a statement error, or -1: from an extended or primary
// Hrana code ("SQLITE_CONSTRAINT_UNIQUE" → 19) or tursodb's message suffix ("... (19)").
int SqlitePrimaryCode(std::string_view error_code, std::string_view message);

}  // namespace tc::sink
