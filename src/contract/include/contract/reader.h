#pragma once

// What the HTTP layer asks of the store to answer GET /v1/sessions/{id}: the session's whole
// trace, read from committed data without going through (or waiting for) the writer. Each
// backend implements it (the embedded one with read-only SQLite connections, sqld with its own
// Hrana requests); the SQL and the JSON are shared (storage/session_read.h).

#include <string>
#include <string_view>

#include "common/result.h"

namespace tc::pipeline {

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  // {"trace":{SessionTrace.to_dict()},"totals":{...}} (docs/api.md §9). kNotFound: no such
  // session; kUnavailable (or another retryable error): the store cannot answer now; other
  // errors: a bug or a damaged database. Thread-safe; blocks the calling thread for the query.
  [[nodiscard]] virtual Result<std::string> SessionTraceJson(std::string_view session_id) = 0;
};

}  // namespace tc::pipeline
