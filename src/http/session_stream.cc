// GET /v1/stream (docs/api.md §11): the Session's streaming part (split from session.cc; see
// session.h). The request is answered with the head of a server-sent event stream; from then on
// the connection carries only events: the records the feed (feed/feed.h) has after the
// stream's position that match its filter, each as "id: <position>\nevent: record\ndata: ..."
// — a comment when idle, `event: dropped` when the client fell behind the feed's buffer,
// `event: reset` first when the position it resumed from is too old. Nothing more is read but
// to notice the client leave; a write that does not finish within the write timeout ends it.

#include <fmt/format.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <charconv>

#include "query/params.h"
#include "session.h"
#include "session_read.h"

namespace tc::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;

constexpr std::string_view kParams[] = {"types", "session_id", "event_type",
                                        "since", "where",      "access_token"};
// One write carries about this much: what a client may have in flight beyond the socket's
// buffers (the feed's buffer is shared; nothing is queued per client).
constexpr size_t kMaxWriteBytes = 64 << 10;
// What the stream's body starts with: how long a client should wait before reconnecting.
constexpr std::string_view kStreamPreamble = "retry: 1000\n: committed records follow\n\n";

Result<uint64_t> ParsePosition(std::string_view name, std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return query::BadParameter(name, "must be a position: the id: of an event this stream sent");
  }
  return value;
}

struct StreamRequest {
  feed::FeedFilter filter;
  std::optional<filter::Filter> where;
  std::optional<uint64_t> since;  // the resume position (nullopt: live only)
};

// The record's JSON in a feed frame ("id: ..\nevent: record\ndata: {...}\n\n").
std::string_view FrameData(const std::string& frame) {
  constexpr std::string_view kData = "\ndata: ";
  const size_t start = frame.find(kData);
  if (start == std::string::npos) return {};
  std::string_view data = std::string_view(frame).substr(start + kData.size());
  while (!data.empty() && data.back() == '\n') data.remove_suffix(1);
  return data;
}

// The filters and the resume position of a stream request.
Result<StreamRequest> ParseStreamRequest(std::string_view query_string,
                                         std::string_view last_event_id) {
  TC_ASSIGN_OR_RETURN(query::QueryParams params, query::QueryParams::Parse(query_string, kParams));
  feed::FeedFilter filter;
  if (const std::string* types = params.Get("types")) {
    filter.types = 0;
    std::string_view rest = *types;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view name = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      const auto names = feed::RecordTypeNames();
      const auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) {
        return query::BadParameter("types",
                                   fmt::format("\"{}\" is not a record type; the types are {}",
                                               name.substr(0, 64), fmt::join(names, ", ")));
      }
      filter.types |= 1u << static_cast<uint32_t>(it - names.begin());
    }
    if (filter.types == 0) return query::BadParameter("types", "names no record type");
  }
  if (const std::string* session = params.Get("session_id")) filter.session_id = *session;
  if (const std::string* type = params.Get("event_type")) {
    if (*type != "cais" && *type != "environment" && *type != "runtime") {
      return query::BadParameter("event_type", "must be cais, environment or runtime");
    }
    filter.event_type = *type;
  }
  std::optional<uint64_t> since;
  if (!last_event_id.empty()) {  // what a reconnecting EventSource sends
    TC_ASSIGN_OR_RETURN(since, ParsePosition("Last-Event-ID", last_event_id));
  } else if (const std::string* text = params.Get("since")) {
    TC_ASSIGN_OR_RETURN(since, ParsePosition("since", *text));
  }
  std::optional<filter::Filter> where;
  if (const std::string* text = params.Get("where")) {
    Result<filter::Filter> parsed = filter::Filter::Parse(*text);
    if (!parsed.has_value()) {
      return query::BadParameter("where", parsed.error().message() + " (docs/filters.md)");
    }
    where = std::move(parsed).value();
  }
  return StreamRequest{std::move(filter), std::move(where), since};
}

}  // namespace

void Session::HandleStream(std::string_view query_string, Slot& slot) {
  Response& response = slot.response;
  auto parsed = ParseStreamRequest(query_string, request_.last_event_id);
  if (state_.stopping()) {
    SetError(&response, 503, "unavailable", "the collector is shutting down; retry");
    response.retry_after = true;
  } else if (state_.feed == nullptr) {
    SetError(&response, 501, "not_implemented", "this server has no record stream");
  } else if (!parsed.has_value()) {
    SetReadAnswer(parsed.error(), &response);
  } else if (state_.open_streams.fetch_add(1) >= state_.options.stream.max_connections) {
    state_.open_streams.fetch_sub(1);
    SetError(&response, 503, "unavailable",
             fmt::format("{} streams are open, the most stream.max_connections allows; retry",
                         state_.options.stream.max_connections));
    response.retry_after = true;
  } else {
    stream_ = std::make_unique<StreamState>();
    stream_->filter = std::move(parsed->filter);
    stream_->where = std::move(parsed->where);
    const std::optional<uint64_t> since = parsed->since;
    if (!since) {
      stream_->after = state_.feed->last_position();  // live: from now on
    } else if (state_.feed->CanResume(*since)) {
      stream_->after = *since;
    } else {
      stream_->reset = true;
      stream_->after = state_.feed->OldestResumable();
      state_.metrics.stream_resets.Add();
    }
    response.status = 200;
    response.content_type = kEventStreamContentType;
    response.event_stream = true;
    response.body.assign(kStreamPreamble);
    // Nothing is read after this request; the stream ends when the connection does.
    response.close = true;
    stop_reading_ = true;
  }
  MarkReady(slot);
}

void Session::StartStreaming() {
  stream_->active = true;
  stream_->last_write = Clock::now();
  state_.metrics.stream_connections.Add(1);
  std::weak_ptr<Session> weak = weak_from_this();
  stream_->waiter = state_.feed->AddWaiter([weak] {
    const std::shared_ptr<Session> self = weak.lock();
    if (self == nullptr || self->stream_wake_.exchange(true)) return;
    net::post(self->strand_, [self] {
      self->stream_wake_.store(false);
      self->PumpStream();
    });
  });
  DoStreamRead();
  PumpStream();
}

void Session::PumpStream(bool keepalive) {
  if (closed_ || writing_ || stream_ == nullptr || !stream_->active) return;
  StreamState& s = *stream_;
  s.prefix.clear();
  s.entries.clear();
  if (s.reset) {
    s.reset = false;
    fmt::format_to(std::back_inserter(s.prefix),
                   "id: {0}\nevent: reset\ndata: {{\"position\":{0},\"message\":\"the position "
                   "to resume from is no longer kept; records before this one are not sent: "
                   "read them with the read API\"}}\n\n",
                   s.after);
  }
  feed::FeedRead read = state_.feed->Read(s.after, s.filter, kMaxWriteBytes);
  if (read.missed > 0) {
    state_.metrics.stream_records_dropped.Add(static_cast<int64_t>(read.missed));
    fmt::format_to(std::back_inserter(s.prefix),
                   "event: dropped\ndata: {{\"count\":{},\"after\":{}}}\n\n", read.missed, s.after);
  }
  s.after = read.after;
  s.entries = std::move(read.entries);
  if (s.where) {
    // Tested here, on the connection's strand, not under the feed's lock: a costly filter
    // slows only its own stream. Read on until something matches or the feed has no more.
    bool more = !s.entries.empty();  // the feed may have more after these
    for (;;) {
      uint64_t mismatches = 0;
      std::erase_if(s.entries, [&](const std::shared_ptr<const feed::FeedEntry>& entry) {
        return !s.where->MatchesJson(FrameData(entry->frame), &mismatches);
      });
      state_.metrics.stream_filter_mismatches.Add(static_cast<int64_t>(mismatches));
      if (!s.entries.empty() || !more) break;
      read = state_.feed->Read(s.after, s.filter, kMaxWriteBytes);
      if (read.missed > 0) break;  // read again next time, and said with event: dropped
      s.after = read.after;
      more = !read.entries.empty();
      s.entries = std::move(read.entries);
    }
  }
  if (s.prefix.empty() && s.entries.empty()) {
    if (!keepalive) return;
    s.prefix.assign(": keepalive\n\n");
  }
  s.buffers.clear();
  if (!s.prefix.empty()) s.buffers.push_back(net::buffer(s.prefix));
  for (const auto& entry : s.entries) s.buffers.push_back(net::buffer(entry->frame));
  writing_ = true;
  write_deadline_ = Clock::now() + state_.write_timeout;
  WithStream([&](auto& stream) {
    net::async_write(stream, s.buffers,
                     beast::bind_front_handler(&Session::OnStreamWrite, shared_from_this()));
  });
}

void Session::OnStreamWrite(error_code ec, size_t /*bytes*/) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    Close();
    return;
  }
  stream_->last_write = Clock::now();
  state_.metrics.stream_records_sent.Add(static_cast<int64_t>(stream_->entries.size()));
  stream_->entries.clear();
  PumpStream();
}

void Session::DoStreamRead() {
  if (closed_) return;
  buffer_.consume(buffer_.size());
  WithStream([&](auto& stream) {
    stream.async_read_some(buffer_.prepare(4096),
                           [self = shared_from_this()](error_code ec, size_t) {
                             if (self->closed_) return;
                             if (ec) {
                               self->Close();  // the client left (or the connection broke)
                               return;
                             }
                             self->DoStreamRead();
                           });
  });
}

void Session::EndStream() {
  if (stream_ == nullptr) return;
  if (stream_->active) {
    state_.metrics.stream_connections.Add(-1);
    if (stream_->waiter != 0) state_.feed->RemoveWaiter(stream_->waiter);
  }
  state_.open_streams.fetch_sub(1);
  stream_.reset();
}

}  // namespace tc::http
