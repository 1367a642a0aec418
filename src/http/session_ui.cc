// Session: the viewer's files (GET /ui/...) and the redirect of a browser from / to /ui/ (split
// from session.cc; see session.h). The files are embedded in the binary (ui/ui.h): answering
// is a table lookup and a copy, so it stays on the strand.

#include <fmt/format.h>

#include "session.h"
#include "ui/ui.h"

namespace tc::http {

void Session::HandleUi(std::string_view path, Slot& slot) {
  Response& response = slot.response;
  ui::Answer answer = ui::Serve(path, {request_.accept_encoding, request_.if_none_match});
  if (answer.status == 404) {
    SetError(&response, 404, "not_found", fmt::format("no viewer file at {}", Printable(path)));
  } else {
    response.status = answer.status;
    response.content_type = answer.content_type;
    response.body.assign(answer.body);
  }
  response.headers.append(answer.headers);
  MarkReady(slot);
}

void Session::HandleRoot(Slot& slot) {
  Response& response = slot.response;
  if (ui::PrefersHtml(request_.accept)) {
    // A browser opening the collector's address: the viewer. An API client (Accept: */* or
    // application/json) gets the JSON 404 it always got.
    response.status = 302;
    response.content_type = {};
    response.headers.append("Location: /ui/\r\n");
  } else {
    SetError(&response, 404, "not_found", "no endpoint at /; the viewer is at /ui/");
  }
  MarkReady(slot);
}

}  // namespace tc::http
