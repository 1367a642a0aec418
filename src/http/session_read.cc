// GET /v1/sessions/{id}: the answer (session_read.h) and the Session's part of it (split from
// session.cc; see session.h).

#include "session_read.h"

#include <fmt/format.h>

#include <utility>

#include "common/json_writer.h"
#include "query/session_list.h"
#include "query/session_trace.h"
#include "session.h"
#include "session_id.h"

namespace tc::http {

void SetReadAnswer(Result<std::string> document, Response* out) {
  if (document.has_value()) {
    out->status = 200;
    out->content_type = kJsonContentType;
    out->body = std::move(*document);
    return;
  }
  const Status& status = document.error();
  if (status.code() == StatusCode::kInvalidArgument) {
    SetError(out, 400, "bad_parameter", status.message());
    const std::string_view parameter = query::ParameterOf(status);
    if (!parameter.empty()) {  // {"error":{...,"parameter":"limit"}}
      out->body.resize(out->body.size() - 2);
      out->body.append(",\"parameter\":");
      AppendJsonString(out->body, parameter);
      out->body.append("}}");
    }
  } else if (status.code() == StatusCode::kNotFound) {
    SetError(out, 404, "not_found", status.message());
  } else if (IsRetryable(status)) {
    SetError(out, 503, "unavailable", fmt::format("cannot read now ({}); retry", status.message()));
    out->retry_after = true;
  } else {
    SetError(out, 500, "internal", fmt::format("the read failed: {}", status.ToString()));
  }
}

void SetSessionReadAnswer(std::string_view session_id, Result<std::string> document,
                          Response* out) {
  if (!document.has_value() && document.error().code() == StatusCode::kNotFound) {
    SetError(out, 404, "not_found", fmt::format("no session with id \"{}\"", session_id));
  } else if (!document.has_value() && IsRetryable(document.error())) {
    SetError(out, 503, "unavailable",
             fmt::format("the session cannot be read now ({}); retry", document.error().message()));
    out->retry_after = true;
  } else {
    SetReadAnswer(std::move(document), out);
  }
}

bool Session::RefuseRead(Response& response) {
  if (state_.stopping()) {
    SetError(&response, 503, "unavailable", "the collector is shutting down; retry");
    response.retry_after = true;
  } else if (state_.reader == nullptr) {
    SetError(&response, 501, "not_implemented", "this server cannot read sessions");
  } else {
    return false;
  }
  return true;
}

void Session::HandleSessionList(std::string_view query_string, Slot& slot) {
  Response& response = slot.response;
  if (!RefuseRead(response)) {
    // On this io thread, like GET /v1/sessions/{id}: one page is one bounded index range.
    SetReadAnswer(query::ListSessions(*state_.reader, query_string), &response);
  }
  MarkReady(slot);
}

void Session::HandleSessionGet(std::string_view raw_id, Slot& slot) {
  Response& response = slot.response;
  std::string id;
  if (std::string problem = DecodeSessionId(raw_id, state_.options.Limits().max_id_bytes, &id);
      !problem.empty() && !state_.stopping()) {
    SetError(&response, 400, "bad_session_id", problem);
  } else if (!RefuseRead(response)) {
    // On this io thread: the reader's connections are its own (never the writer's), and one
    // session's read is bounded (docs/architecture.md, "The read path").
    SetSessionReadAnswer(id, query::ReadSessionTrace(*state_.reader, id), &response);
  }
  MarkReady(slot);
}

}  // namespace tc::http
