// GET /v1/sessions/{id}: the answer (session_read.h) and the Session's part of it (split from
// session.cc; see session.h).

#include "session_read.h"

#include <fmt/format.h>

#include <utility>

#include "session.h"
#include "session_id.h"

namespace tc::http {

void SetSessionReadAnswer(std::string_view session_id, Result<std::string> document,
                          Response* out) {
  if (document.has_value()) {
    out->status = 200;
    out->content_type = kJsonContentType;
    out->body = std::move(*document);
    return;
  }
  const Status& status = document.error();
  if (status.code() == StatusCode::kNotFound) {
    SetError(out, 404, "not_found", fmt::format("no session with id \"{}\"", session_id));
  } else if (IsRetryable(status)) {
    SetError(out, 503, "unavailable",
             fmt::format("the session cannot be read now ({}); retry", status.message()));
    out->retry_after = true;
  } else {
    SetError(out, 500, "internal",
             fmt::format("reading the session failed: {}", status.ToString()));
  }
}

void Session::HandleSessionGet(std::string_view raw_id, Slot& slot) {
  Response& response = slot.response;
  std::string id;
  std::string problem;
  if (state_.stopping()) {
    SetError(&response, 503, "unavailable", "the collector is shutting down; retry");
    response.retry_after = true;
  } else if (problem = DecodeSessionId(raw_id, state_.options.Limits().max_id_bytes, &id);
             !problem.empty()) {
    SetError(&response, 400, "bad_session_id", problem);
  } else if (state_.reader == nullptr) {
    SetError(&response, 501, "not_implemented", "this server cannot read sessions");
  } else {
    // On this io thread: the reader's connections are its own (never the writer's), and one
    // session's read is bounded (docs/architecture.md, "The read path").
    SetSessionReadAnswer(id, state_.reader->SessionTraceJson(id), &response);
  }
  MarkReady(slot);
}

}  // namespace tc::http
