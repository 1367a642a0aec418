#pragma once

// What the HTTP layer asks of the writer to answer DELETE /v1/sessions/{id}: delete one session
// whole, and say so after the commit.

#include <functional>
#include <string>

#include "common/status.h"
#include "contract/sink.h"

namespace tc::pipeline {

// Called exactly once per DeleteSession() that returned OK, from the writer thread (never from
// inside DeleteSession), after the transaction committed or failed: OK and the rows deleted;
// kNotFound (no such session: nothing deleted); kUnavailable or another retryable error (the
// database cannot take it now, or shutting down: answer 503 + Retry-After); another error from
// the sink (nothing deleted). Must not block: post the answer to the connection's executor.
using DeleteDoneFn = std::function<void(const Status& status, const sink::DeletedRows& deleted)>;

class SessionDeleter {
 public:
  virtual ~SessionDeleter() = default;
  // Queues the deletion of `session_id` for the writer. Thread-safe. kUnavailable (shutting
  // down; `done` is then never called and is dropped).
  [[nodiscard]] virtual Status DeleteSession(std::string session_id, DeleteDoneFn done) = 0;
};

}  // namespace tc::pipeline
