// libFuzzer target: raw request bytes (one or more pipelined HTTP/1.x requests) through the
// collector's request path without sockets: http::RequestParser → MatchRoute →
// IngestHandler::Handle (decoder, FuzzSubmitter) → Finish for durable acks, the way
// http::Session drives them. Every response must pass CheckResponse (http_checks.h), and the
// parser must leave kBodyPadding bytes after every body. See http_session_fuzz.cc for the
// same bytes through a real Session.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/check.h"
#include "http/ingest_handler.h"
#include "http/request_parser.h"
#include "http/router.h"
#include "http_checks.h"
#include "metrics/metrics.h"

namespace {

namespace beast = boost::beast;
using namespace tc;        // NOLINT: a fuzz target's one function
using namespace tc::http;  // NOLINT

class Completions final : public CompletionFactory {
 public:
  pipeline::CompletionFn MakeCompletion() override {
    done = false;
    return [this](const Status& s, std::vector<sink::RecordResult> r) {
      TC_CHECK(!done);  // exactly once
      done = true;
      status = s;
      results = std::move(r);
    };
  }
  bool ChargeBodyMemory(uint64_t) override { return true; }
  bool done = false;
  Status status;
  std::vector<sink::RecordResult> results;
};

void Answer(const IngestHandler& handler, fuzz::FuzzSubmitter& submitter,
            const RequestData& request) {
  const RouteMatch match = MatchRoute(request.method, request.target);
  Response response;
  switch (match.route) {
    case Route::kRecords:
    case Route::kTraces: {
      Completions completions;
      PendingIngest pending;
      const auto outcome = handler.Handle(
          match.route == Route::kRecords ? IngestEndpoint::kRecords : IngestEndpoint::kTraces,
          request, match.query, completions, &pending, &response);
      if (outcome == IngestHandler::Outcome::kPending) {
        TC_CHECK(submitter.RunCompletions() == 1);
        TC_CHECK(completions.done);
        handler.Finish(pending, completions.status, completions.results, &response);
      } else {
        TC_CHECK(submitter.RunCompletions() == 0);
      }
      break;
    }
    case Route::kMethodNotAllowed:
      TC_CHECK(!match.allow.empty());
      SetError(&response, 405, "method_not_allowed", "wrong method");
      break;
    default:
      return;  // answered by the session with fixed bodies
  }
  fuzz::CheckResponse(response.status, response.content_type, response.body);
  std::string head;
  SerializeHead(response, response.close, false, 1, &head);
  fuzz::CheckResponseStream(head + response.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static metrics::Metrics metrics;
  static fuzz::FuzzSubmitter submitter;
  static const ServerOptions options = fuzz::FuzzServerOptions();
  static const IngestHandler handler(options, submitter, metrics);

  std::string_view input(reinterpret_cast<const char*>(data), size);
  RequestData request;
  for (int n = 0; n < 16 && !input.empty(); ++n) {
    request.Clear(64 << 10);
    RequestParser parser(request, nullptr);
    parser.eager(true);
    parser.body_limit(options.http.max_body_bytes);
    parser.header_limit(options.http.max_header_bytes);
    beast::error_code ec;
    while (!parser.is_done()) {
      size_t used = 0;
      if (!input.empty()) {
        used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
        input.remove_prefix(used);
        if (ec == beast::http::error::need_more) {
          ec = {};
        }
        if (ec) {
          break;
        }
      }
      if (used == 0 && !parser.is_done()) {
        parser.put_eof(ec);  // the client sent nothing more
        if (!ec && !parser.is_done()) {
          ec = beast::http::error::partial_message;
        }
        break;
      }
    }
    if (ec) {
      return 0;  // the session answers 400/413/431 or closes
    }
    TC_CHECK(request.body.capacity() >= request.body.size() + kBodyPadding);
    Answer(handler, submitter, request);
    if (!parser.keep_alive()) {
      return 0;
    }
  }
  return 0;
}
