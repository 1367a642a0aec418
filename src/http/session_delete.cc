// DELETE /v1/sessions/{id}: the checks and answers (session_delete.h), and the Session's part
// of it (split from session.cc; see session.h): ask the SessionDeleter, answer when the writer
// reports back.

#include "session_delete.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <utility>

#include "common/json_writer.h"
#include "session.h"

namespace tc::http {

namespace net = boost::asio;

bool AuthorizeDelete(const ApiKeys& keys, std::string_view authorization, metrics::Metrics& metrics,
                     Response* out) {
  if (keys.Scope(authorization).Has(kAdminScope)) {
    return true;
  }
  metrics.http_forbidden.Add();
  if (!keys.enabled()) {
    SetError(out, 403, "forbidden",
             "deleting a session needs an admin key, and this collector has none: set "
             "auth.admin_keys or auth.admin_keys_file, then send \"Authorization: Bearer <key>\"");
  } else {
    // With keys, the headers' check (ApiKeys::Check) refused such a key already.
    SetError(out, 403, "forbidden", ForbiddenMessage(kAdminScope));
  }
  return false;
}

void SetDeleteAnswer(std::string_view session_id, const Status& status,
                     const sink::DeletedRows& deleted, Response* out) {
  if (status.code() == StatusCode::kNotFound) {
    SetError(out, 404, "not_found", fmt::format("no session with id \"{}\"", session_id));
    return;
  }
  if (IsRetryable(status)) {
    SetError(out, 503, "unavailable",
             fmt::format("the session cannot be deleted now ({}); retry", status.message()));
    out->retry_after = true;
    return;
  }
  if (!status.ok()) {
    SetError(out, 500, "internal",
             fmt::format("deleting the session failed: {}", status.ToString()));
    return;
  }
  out->status = 200;
  out->content_type = kJsonContentType;
  JsonWriter json;
  json.BeginObject().Key("deleted").BeginObject();
  json.Key("session_id").String(session_id);
  json.Key("rows").BeginObject();
  for (const auto& [table, rows] : deleted.tables) {
    json.Key(table).Uint(rows);
  }
  json.EndObject().EndObject().EndObject();
  out->body = json.Take();
}

// ---- the session's part -------------------------------------------------------------------

void Session::HandleSessionDelete(std::string_view raw_id, uint64_t seq, Slot& slot) {
  Response& response = slot.response;
  std::string id;
  std::string problem;
  if (!AuthorizeDelete(state_.api_keys, request_.authorization, state_.metrics, &response)) {
    // answered 403
  } else if (state_.stopping()) {
    SetError(&response, 503, "unavailable", "the collector is shutting down; retry");
    response.retry_after = true;
  } else if (problem = DecodeSessionId(raw_id, state_.options.Limits().max_id_bytes, &id);
             !problem.empty()) {
    SetError(&response, 400, "bad_session_id", problem);
  } else if (state_.deleter == nullptr) {
    SetError(&response, 501, "not_implemented", "this server cannot delete sessions");
  } else {
    pipeline::DeleteDoneFn done = [gate = state_.gate, weak = weak_from_this(), seq, id](
                                      const Status& status, const sink::DeletedRows& deleted) {
      gate->RunIfOpen([&] {
        std::shared_ptr<Session> self = weak.lock();
        if (self == nullptr) {
          return;  // the connection is gone; nobody to answer
        }
        const Strand strand = self->strand_;
        net::post(strand, [self = std::move(self), seq, id, status, deleted] {
          self->OnSessionDeleted(seq, id, status, deleted);
        });
      });
    };
    const Status queued = state_.deleter->DeleteSession(id, std::move(done));
    if (queued.ok()) {
      return;  // OnSessionDeleted() answers once the writer has run it
    }
    SetDeleteAnswer(id, queued, {}, &response);
  }
  MarkReady(slot);
}

void Session::OnSessionDeleted(uint64_t seq, const std::string& id, const Status& status,
                               const sink::DeletedRows& deleted) {
  if (closed_ || seq < head_seq_ || seq >= next_seq_) {
    return;
  }
  Slot& slot = SlotFor(seq);
  if (slot.seq != seq || slot.ready) {
    return;
  }
  SetDeleteAnswer(id, status, deleted, &slot.response);
  MarkReady(slot);
}

}  // namespace tc::http
