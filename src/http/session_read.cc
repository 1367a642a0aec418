// GET /v1/sessions/{id}: the answer (session_read.h) and the Session's part of it (split from
// session.cc; see session.h).

#include "session_read.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <utility>

#include "common/json_writer.h"
#include "query/session_list.h"
#include "query/session_trace.h"
#include "read_handlers.h"
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

void Session::RunRead(Slot& slot, std::function<void(Response*)> work) {
  const uint64_t seq = slot.seq;
  std::shared_ptr<Session> self = shared_from_this();
  const bool posted = state_.read_pool.TryPost([self, seq, work = std::move(work)] {
    Response response;
    work(&response);
    boost::asio::post(self->strand_, [self, seq, response = std::move(response)]() mutable {
      self->OnReadDone(seq, std::move(response));
    });
  });
  if (!posted) {
    SetError(&slot.response, 503, "unavailable",
             "too many reads in flight (http.max_reads_in_flight); retry");
    slot.response.retry_after = true;
    MarkReady(slot);
  }
}

void Session::OnReadDone(uint64_t seq, Response response) {
  if (closed_ || seq < head_seq_ || seq >= next_seq_) return;
  Slot& slot = SlotFor(seq);
  if (slot.seq != seq || slot.ready) return;
  const bool close = slot.response.close;  // decided when the request was read
  slot.response = std::move(response);
  slot.response.close = slot.response.close || close;
  MarkReady(slot);
}

void Session::HandleSessionList(std::string_view query_string, Slot& slot) {
  if (RefuseRead(slot.response)) {
    MarkReady(slot);
    return;
  }
  // On a read thread (read_pool.h): one page is one bounded index range.
  RunRead(slot, [reader = state_.reader, query = std::string(query_string)](Response* out) {
    SetReadAnswer(query::ListSessions(*reader, query), out);
  });
}

void Session::HandleRecordRead(Slot& slot) {
  if (RefuseRead(slot.response)) {
    MarkReady(slot);
    return;
  }
  // The route is matched again on the read thread, over a copy of the target.
  RunRead(slot, [reader = state_.reader, target = request_.target](Response* out) {
    AnswerRecordRead(MatchRoute(boost::beast::http::verb::get, target), *reader, out);
  });
}

void Session::HandleSessionGet(std::string_view raw_id, std::string_view query_string, Slot& slot) {
  Response& response = slot.response;
  std::string id;
  if (std::string problem = DecodeSessionId(raw_id, state_.options.Limits().max_id_bytes, &id);
      !problem.empty() && !state_.stopping()) {
    SetError(&response, 400, "bad_session_id", problem);
  } else if (!RefuseRead(response)) {
    // On a read thread: the reader's connections are its own (never the writer's), and one
    // session's read is bounded (docs/architecture.md, "The read path").
    RunRead(slot, [reader = state_.reader, id = std::move(id),
                   query = std::string(query_string)](Response* out) {
      Result<query::TraceOptions> options = query::ParseTraceOptions(query);
      if (!options.has_value()) {
        SetReadAnswer(options.error(), out);  // 400 bad_parameter
        return;
      }
      SetSessionReadAnswer(id, query::ReadSessionTrace(*reader, id, *options), out);
    });
    return;
  }
  MarkReady(slot);
}

}  // namespace tc::http
