#include "http_checks.h"

#include <simdjson.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <utility>

#include "common/check.h"

namespace tc::fuzz {

namespace {

namespace beast = boost::beast;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "response check failed: %s: %.*s\n", what,
               static_cast<int>(std::min<size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

}  // namespace

Status FuzzSubmitter::Submit(pipeline::Submission& submission) {
  TC_CHECK(!submission.records.empty());  // the handler never submits an empty request
  const std::string& first = submission.records.front().key;
  if (StartsWith(first, "overload")) {
    return Status::ResourceExhausted("admission queue full (fuzz)");
  }
  if (StartsWith(first, "unavail")) {
    return Status::Unavailable("sink down (fuzz)");
  }
  if (submission.on_done) {
    Pending pending;
    for (const schema::Record& record : submission.records) {
      pending.keys.push_back(record.key);
    }
    pending.on_done = std::move(submission.on_done);
    pending_.push_back(std::move(pending));
  }
  submission.records.clear();
  return Status::Ok();
}

size_t FuzzSubmitter::RunCompletions() {
  std::vector<Pending> pending;
  pending.swap(pending_);
  for (Pending& p : pending) {
    if (StartsWith(p.keys.front(), "fail")) {
      p.on_done(Status::Unavailable("shutdown deadline passed (fuzz)"), {});
      continue;
    }
    std::vector<sink::RecordResult> results(p.keys.size());
    for (size_t i = 0; i < p.keys.size(); ++i) {
      if (StartsWith(p.keys[i], "dup")) {
        results[i].outcome = sink::RecordOutcome::kDuplicate;
      } else if (StartsWith(p.keys[i], "refuse")) {
        results[i].outcome = sink::RecordOutcome::kRefused;
        results[i].message = "FOREIGN KEY constraint failed";
      }
    }
    p.on_done(Status::Ok(), std::move(results));
  }
  return pending.size();
}

http::ServerOptions FuzzServerOptions() {
  http::ServerOptions options;
  options.http.listen = "127.0.0.1:0";
  options.http.io_threads = 1;
  options.http.max_body_bytes = 16 << 10;
  options.http.max_header_bytes = 2 << 10;
  options.http.read_timeout_ms = 20000;
  options.http.idle_timeout_ms = 20000;
  options.http.max_pipelined = 4;
  options.ingest.max_records_per_request = 200;
  options.ingest.max_string_bytes = 2048;
  options.ingest.max_array_items = 200;
  options.ingest.max_depth = 24;
  options.retry_after_s = 1;
  return options;
}

void CheckResponse(unsigned status, std::string_view content_type, std::string_view body) {
  if (http::ReasonPhrase(status) == "Unknown") {
    Fail("status the server should never send", std::to_string(status));
  }
  if (status == 100) {
    return;
  }
  if (content_type == http::kPrometheusContentType) {
    return;
  }
  // The viewer (GET / and /ui/..., src/ui/): redirects and 304s have no body; its files are
  // HTML, scripts, styles and images.
  if (status == 301 || status == 302 || status == 304) {
    if (!body.empty()) Fail("a redirect or 304 with a body", body);
    return;
  }
  for (std::string_view viewer : {"text/html", "text/javascript", "text/css", "image/"}) {
    if (content_type.substr(0, viewer.size()) == viewer) return;
  }
  // OTLP answers in protobuf (src/http/otlp_ingest.cc): an ExportTraceServiceResponse or a
  // google.rpc.Status.
  if (content_type == "application/x-protobuf") {
    return;
  }
  if (content_type != http::kJsonContentType) {
    Fail("unexpected content type", content_type);
  }
  static simdjson::dom::parser parser;
  const simdjson::padded_string copy(body);
  simdjson::dom::object object;
  if (parser.parse(copy).get(object) != simdjson::SUCCESS) {
    Fail("body is not a JSON object", body);
  }
  // OTLP/JSON answers: {} or {"partialSuccess":{...}} (200), {"code":N,"message":...} (errors).
  if (status == 200 &&
      (object.size() == 0 || object["partialSuccess"].error() == simdjson::SUCCESS)) {
    return;
  }
  if (status >= 400 && object["code"].error() == simdjson::SUCCESS &&
      object["message"].error() == simdjson::SUCCESS) {
    return;
  }
  if (status == 200 || status == 202 || status == 207) {
    uint64_t total = 0;
    uint64_t accepted = 0;
    uint64_t refused = 0;
    if (object["total"].get(total) || object["accepted"].get(accepted) ||
        object["refused"].get(refused)) {
      // /healthz and /readyz answer {"status":...} only.
      std::string_view state;
      if (object["status"].get(state) || (state != "ok" && state != "ready")) {
        Fail("2xx body without total/accepted/refused", body);
      }
      return;
    }
    if (total != accepted + refused) {
      Fail("total != accepted + refused", body);
    }
    simdjson::dom::array results;
    const bool has_results = object["results"].get(results) == simdjson::SUCCESS;
    if ((status == 207) != (refused > 0) || has_results != (refused > 0)) {
      Fail("207/results/refused disagree", body);
    }
    // One entry per position, unless the list was cut (http/ingest_results.h): then the
    // omitted ones make up the rest.
    uint64_t omitted = 0;
    bool truncated = false;
    if (object["results_truncated"].get(truncated) == simdjson::SUCCESS) {
      if (!truncated || object["results_omitted"].get(omitted) || omitted == 0) {
        Fail("results_truncated without a positive results_omitted", body);
      }
    }
    if (has_results && results.size() + omitted != total) {
      Fail("results has not one entry per position", body);
    }
  } else {
    simdjson::dom::object error;
    std::string_view code;
    if (object["error"].get(error) || error["code"].get(code) || code.empty()) {
      Fail("error body without error.code", body);
    }
  }
}

size_t CheckResponseStream(std::string_view bytes) {
  size_t finals = 0;
  while (!bytes.empty()) {
    beast::http::response_parser<beast::http::string_body> parser;
    parser.eager(true);
    parser.body_limit(64 << 20);
    beast::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec || !parser.is_done()) {
      Fail(ec ? "unparsable response" : "truncated response", bytes);
    }
    bytes.remove_prefix(used);
    const auto& message = parser.get();
    const unsigned status = message.result_int();
    const auto type = message.find(beast::http::field::content_type);
    const std::string_view content_type =
        type == message.end() ? std::string_view() : std::string_view(type->value());
    CheckResponse(status, content_type, message.body());
    if (status >= 200) {
      ++finals;
    }
  }
  return finals;
}

}  // namespace tc::fuzz
