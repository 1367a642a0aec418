#include "session.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <utility>

#include "common/log.h"
#include "read_handlers.h"

namespace tc::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

// What a connection keeps of its request and answer buffers between requests (enough for a
// few records and a 200's answer); anything larger is released once used, so idle and
// keep-alive connections hold little (http.max_connections of them must fit the memory bound).
constexpr size_t kKeepCapacity = 4 << 10;

void ShrinkIfLarge(std::string& text) {
  if (text.capacity() > kKeepCapacity) {
    std::string().swap(text);
  }
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out(text.substr(0, 200));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) {
      c = '?';
    }
  }
  return out;
}

size_t ReadBufferLimit(const config::HttpConfig& http) {
  // Beast needs a request head whole in the buffer (and stops it at max_header_bytes); the
  // rest is room for a chunk line, a trailer section and read-ahead.
  return std::max<size_t>(http.max_header_bytes, kMaxTrailerBytes + kMaxChunkExtensionBytes) +
         (16 << 10);
}

Session::Session(StrandSocket socket, ServerState& state, TlsContextPtr tls)
    : state_(state),
      strand_(socket.get_executor()),
      tls_context_(std::move(tls)),
      tick_timer_(strand_),
      slots_(std::max<uint32_t>(1, state.options.http.max_pipelined)) {
  write_buffers_.reserve(2 * slots_.size());
  buffer_.max_size(ReadBufferLimit(state.options.http));
  if (tls_context_) {
    tls_.emplace(std::move(socket), *tls_context_);
  } else {
    plain_.emplace(std::move(socket));
  }
}

void Session::Start() {
  net::dispatch(strand_, [self = shared_from_this()] {
    error_code ec;
    self->socket().set_option(tcp::no_delay(true), ec);
    self->ArmTick();
    if (!self->tls_) {
      self->DoRead();
      return;
    }
    self->handshaking_ = true;
    self->handshake_deadline_ = Clock::now() + self->state_.handshake_timeout;
    self->tls_->async_handshake(TlsStream::server,
                                beast::bind_front_handler(&Session::OnHandshake, self));
  });
}

// ---- TLS handshake ------------------------------------------------------------------------

void Session::OnHandshake(error_code ec) {
  handshaking_ = false;
  if (closed_) {
    return;  // the tick closed it (timeout, counted there) or the server is shutting down
  }
  if (!ec) {
    DoRead();
    return;
  }
  const bool cleartext_http =
      ec.category() == net::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
  if (cleartext_http) {
    state_.metrics.tls_handshake_failures_cleartext.Add();
    AnswerPlainHttpOnTlsPort();
    return;
  }
  state_.metrics.tls_handshake_failures_error.Add();
  TC_LOG_LIMITED(kDebug, "http", "TLS handshake failed: {}", ec.message());
  Close();
}

void Session::AnswerPlainHttpOnTlsPort() {
  // OpenSSL read the request line and stopped; nothing was sent yet. The socket leaves the
  // TLS stream (no TLS operation is pending) and the answer goes out in cleartext.
  StrandSocket socket(std::move(tls_->next_layer()));
  tls_.reset();
  plain_.emplace(std::move(socket));
  QueueClosingError(400, "https_required",
                    "this port speaks HTTPS (tls.listen); send the request with https://");
}

void Session::PostClose() {
  net::post(strand_, [self = shared_from_this()] { self->Close(); });
}

void Session::CloseWithoutIoThreads() { Close(); }

// ---- reading ------------------------------------------------------------------------------

void Session::DoRead() {
  if (closed_ || stop_reading_ || reading_) {
    return;
  }
  if (owed() >= slots_.size() || answer_bytes_ > kMaxQueuedAnswerBytes) {
    read_paused_ = true;  // resumed by OnWrite once a slot is free or answers were read
    return;
  }
  read_paused_ = false;
  timed_out_ = false;
  forbidden_need_ = kNoScope;
  reading_ = true;
  // A pipelined request already (partly) in the buffer is on the read clock; otherwise the
  // connection is idle until its first byte arrives (the tick notices and switches). (Waiting
  // with async_wait for that byte would cost an epoll_ctl per request: asio re-arms
  // non-speculative waits.)
  if (buffer_.size() > 0) {
    phase_ = ReadPhase::kRequest;
    read_deadline_ = Clock::now() + state_.read_timeout;
  } else {
    phase_ = ReadPhase::kIdle;
    read_deadline_ = Clock::now() + state_.idle_timeout;
  }
  request_.Clear(kKeepCapacity);
  ReleaseBody();
  parser_.emplace(request_, static_cast<HeaderObserver*>(this));
  parser_->body_limit(state_.options.http.max_body_bytes);
  parser_->header_limit(state_.options.http.max_header_bytes);
  WithStream([&](auto& stream) {
    beast::http::async_read(stream, buffer_,
                            static_cast<beast::http::basic_parser<true>&>(*parser_),
                            beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  });
}

void Session::OnRead(error_code ec, size_t /*bytes*/) {
  reading_ = false;
  if (closed_) {
    ReleaseBody();  // reserved by a read that completed after Close()
    return;
  }
  if (lingering_) {
    if (ec) {
      Close();
    } else {
      DoDrain();  // a closing response went out meanwhile: discard the rest
    }
    return;
  }
  if (ec) {
    OnReadError(ec);
    return;
  }
  HandleRequest();
  // The body is decoded and handed on: give its bytes back to the budget now, not when the
  // next read starts (which waits while the pipelining slots are full or a closing answer is
  // queued).
  request_.Clear(kKeepCapacity);
  ReleaseBody();
  DoRead();
}

void Session::OnReadError(error_code ec) {
  std::string().swap(request_.body);  // a partial body is never used
  ReleaseBody();
  if (unauthorized_) {
    unauthorized_ = false;
    QueueUnauthorized();
    return;
  }
  if (forbidden_body_) {
    // A valid key without the scope, and a body that is not read: 403, then close.
    forbidden_body_ = false;
    Slot& slot =
        OpenClosingSlot(metrics::HttpPathFrom(MatchRoute(request_.method, request_.target).path));
    SetForbidden(&slot.response, std::exchange(forbidden_need_, kNoScope));
    FinishClosingSlot(slot);
    return;
  }
  if (body_refused_) {
    body_refused_ = false;
    QueueClosingError(
        429, "overloaded",
        fmt::format("too many request bodies in flight (http.max_body_bytes_in_flight = {}); "
                    "retry later",
                    state_.options.http.max_body_bytes_in_flight),
        /*retry_after=*/true);
    return;
  }
  if (timed_out_) {
    timed_out_ = false;
    QueueClosingError(408, "request_timeout",
                      fmt::format("the request did not arrive within read_timeout_ms ({})",
                                  state_.options.http.read_timeout_ms));
    return;
  }
  const FramingError framing = parser_ ? parser_->framing_error() : FramingError::kNone;
  const bool in_body = parser_ && parser_->is_header_done();
  if (framing != FramingError::kNone || ec == beast::http::error::buffer_overflow) {
    QueueFramingError(framing, in_body);
  } else if (ec == beast::http::error::body_limit) {
    QueueClosingError(
        413, "payload_too_large",
        fmt::format("body exceeds max_body_bytes ({})", state_.options.http.max_body_bytes));
  } else if (ec == beast::http::error::header_limit) {
    QueueClosingError(431, "headers_too_large",
                      fmt::format("request headers exceed max_header_bytes ({})",
                                  state_.options.http.max_header_bytes));
  } else if (ec == beast::http::error::end_of_stream) {
    // The client finished sending: answer what it asked, then close.
    peer_eof_ = true;
    stop_reading_ = true;
    if (owed() == 0) {
      Close();
    }
  } else if (ec.category() ==
                 beast::http::make_error_code(beast::http::error::bad_target).category() &&
             ec != beast::http::error::partial_message) {
    QueueClosingError(400, "bad_request", "malformed HTTP request: " + ec.message());
  } else {
    Close();  // connection reset, partial message, aborted
  }
}

// ---- requests -----------------------------------------------------------------------------

void Session::HandleRequest() {
  const uint64_t seq = next_seq_++;
  state_.AddOwed(1);
  Slot& slot = SlotFor(seq);
  slot.seq = seq;
  slot.ready = false;
  slot.response.Reset();
  const bool keep_alive = parser_->keep_alive();
  slot.keep_alive_10 = keep_alive && request_.version == 10;
  slot.started = Clock::now();
  const bool stopping = state_.stopping();
  slot.response.close = !keep_alive || stopping;
  if (slot.response.close) {
    stop_reading_ = true;
  }

  const RouteMatch match = MatchRoute(request_.method, request_.target);
  slot.path = metrics::HttpPathFrom(match.path);
  Response& response = slot.response;
  if (!forbidden_need_.empty()) {
    // Decided from the headers (OnHeaderComplete): before anything else about the request.
    SetForbidden(&response, std::exchange(forbidden_need_, kNoScope));
    MarkReady(slot);
    return;
  }
  switch (match.route) {
    case Route::kRecords:
    case Route::kTraces:
      if (stopping) {
        SetError(&response, 503, "unavailable", "the collector is shutting down; retry");
        response.retry_after = true;
        break;
      }
      HandleIngest(
          match.route == Route::kRecords ? IngestEndpoint::kRecords : IngestEndpoint::kTraces,
          match.query, seq, slot);
      return;
    case Route::kSession:
      HandleSessionDelete(match.param, seq, slot);
      return;
    case Route::kSessionGet:
      HandleSessionGet(match.param, match.query, slot);
      return;
    case Route::kSessionList:
      HandleSessionList(match.query, slot);
      return;
    case Route::kStream:
      HandleStream(match.query, slot);
      return;
    case Route::kEventList:
    case Route::kEventGet:
    case Route::kMessageList:
    case Route::kMessageGet:
    case Route::kExperimentList:
    case Route::kExperimentGet:
    case Route::kStatsModels:
    case Route::kStatsUsage:
      HandleRecordRead(slot);  // on a read thread, like GET /v1/sessions (session_read.cc)
      return;
    case Route::kUi:
      HandleUi(match.path, slot);
      return;
    case Route::kRoot:
      HandleRoot(slot);
      return;
    case Route::kHealthz:
      response.body.assign(kHealthzBody);
      break;
    case Route::kReadyz: {
      pipeline::Readiness readiness =
          state_.readiness && !stopping ? state_.readiness() : pipeline::Readiness{};
      if (stopping) readiness.status = Status::Unavailable("shutting down");
      SetReadiness(&response, readiness);
      break;
    }
    case Route::kMetrics:
      response.body = state_.metrics.RenderPrometheus();
      response.content_type = kPrometheusContentType;
      break;
    case Route::kNotFound:
      if (stopping) {
        SetError(&response, 503, "unavailable", "the collector is shutting down; retry");
        response.retry_after = true;
      } else {
        SetError(&response, 404, "not_found",
                 fmt::format("no endpoint at {}", Printable(match.path)));
      }
      break;
    case Route::kMethodNotAllowed:
      SetError(&response, 405, "method_not_allowed",
               fmt::format("{} takes {}", Printable(match.path), match.allow));
      response.allow = match.allow;
      break;
  }
  MarkReady(slot);
}

void Session::HandleIngest(IngestEndpoint endpoint, std::string_view query, uint64_t seq,
                           Slot& slot) {
  current_seq_ = seq;
  if (request_.encoded && !InflateBody(slot.response)) {
    MarkReady(slot);
    return;
  }
  const IngestHandler::Outcome outcome =
      state_.ingest.Handle(endpoint, request_, query, *this, &slot.ingest, &slot.response);
  if (outcome == IngestHandler::Outcome::kAnswered) {
    MarkReady(slot);
  }
  // kPending: OnIngestDone() marks the slot ready when the pipeline completes it.
}

pipeline::CompletionFn Session::MakeCompletion() {
  return [gate = state_.gate, weak = weak_from_this(), seq = current_seq_](
             const Status& status, std::vector<sink::RecordResult> results) {
    gate->RunIfOpen([&] {
      std::shared_ptr<Session> self = weak.lock();
      if (self == nullptr) {
        return;  // the connection is gone; nobody to answer
      }
      const Strand strand = self->strand_;
      net::post(strand,
                [self = std::move(self), seq, status, results = std::move(results)]() mutable {
                  self->OnIngestDone(seq, status, std::move(results));
                });
    });
  };
}

void Session::OnIngestDone(uint64_t seq, const Status& status,
                           std::vector<sink::RecordResult> results) {
  if (closed_ || seq < head_seq_ || seq >= next_seq_) {
    return;
  }
  Slot& slot = SlotFor(seq);
  if (slot.seq != seq || slot.ready) {
    return;
  }
  state_.ingest.Finish(slot.ingest, status, results, &slot.response);
  slot.ingest.Clear();
  MarkReady(slot);
}

Session::Slot& Session::OpenClosingSlot(metrics::HttpPath path) {
  const uint64_t seq = next_seq_++;
  state_.AddOwed(1);
  Slot& slot = SlotFor(seq);
  slot.seq = seq;
  slot.ready = false;
  slot.keep_alive_10 = false;
  slot.path = path;
  slot.started = Clock::now();
  slot.response.Reset();
  return slot;
}

void Session::FinishClosingSlot(Slot& slot) {
  slot.response.close = true;
  stop_reading_ = true;
  MarkReady(slot);
}

void Session::QueueClosingError(unsigned status, std::string_view code, std::string_view message,
                                bool retry_after) {
  // The request line may not even have been read.
  Slot& slot = OpenClosingSlot(metrics::HttpPath::kOther);
  SetError(&slot.response, status, code, message);
  slot.response.retry_after = retry_after;
  FinishClosingSlot(slot);
}

// ---- writing ------------------------------------------------------------------------------

void Session::MarkReady(Slot& slot) {
  slot.ready = true;
  state_.metrics.CountRequest(slot.path, slot.response.status,
                              std::chrono::duration<double>(Clock::now() - slot.started).count());
  SerializeHead(slot.response, slot.response.close, slot.keep_alive_10,
                state_.options.retry_after_s, &slot.head);
  const uint64_t bytes = slot.head.size() + slot.response.body.size();
  answer_bytes_ += bytes;
  state_.AddAnswer(bytes);
  MaybeWrite();
}

void Session::MaybeWrite() {
  if (writing_ || closed_ || lingering_) {
    return;
  }
  write_buffers_.clear();
  slots_in_write_ = 0;
  for (uint64_t seq = head_seq_; seq < next_seq_; ++seq) {
    Slot& slot = SlotFor(seq);
    if (!slot.ready) {
      break;
    }
    write_buffers_.push_back(net::buffer(slot.head));
    if (!slot.response.body.empty()) {
      write_buffers_.push_back(net::buffer(slot.response.body));
    }
    ++slots_in_write_;
    if (slot.response.close) {
      break;
    }
  }
  if (slots_in_write_ == 0) {
    return;
  }
  writing_ = true;
  write_deadline_ = Clock::now() + state_.write_timeout;
  WithStream([&](auto& stream) {
    net::async_write(stream, write_buffers_,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  });
}

void Session::OnWrite(error_code ec, size_t /*bytes*/) {
  writing_ = false;
  if (closed_) {
    return;
  }
  if (ec) {
    Close();
    return;
  }
  bool close_after = false;
  bool stream_after = false;
  uint64_t written = 0;
  for (size_t i = 0; i < slots_in_write_; ++i) {
    Slot& slot = SlotFor(head_seq_++);
    close_after = slot.response.close;
    stream_after = slot.response.event_stream;
    written += slot.head.size() + slot.response.body.size();
    ShrinkIfLarge(slot.response.body);
  }
  ReleaseAnswers(written);
  state_.RemoveOwed(slots_in_write_);
  slots_in_write_ = 0;
  if (stream_after && stream_ != nullptr) {
    StartStreaming();  // session_stream.cc: the connection carries the stream from now on
    return;
  }
  if (close_after) {
    StartLinger();
    return;
  }
  if (owed() == 0) {
    if (peer_eof_) {
      Close();
      return;
    }
    if (phase_ == ReadPhase::kIdle) {
      read_deadline_ = Clock::now() + state_.idle_timeout;  // idle from the last answer
    }
  }
  if (read_paused_) {
    DoRead();
  }
  MaybeWrite();
}

// ---- closing ------------------------------------------------------------------------------

// After a closing response: stop sending, then read and discard what the client still sends
// (closing with unread data would reset the connection and could destroy the response in
// flight), until it closes or the linger time passes. Over TLS: send close_notify and wait for
// the client's (the TLS shutdown reads and drops what the client still sends).
void Session::StartLinger() {
  lingering_ = true;
  stop_reading_ = true;
  if (!tls_) {
    error_code ec;
    socket().shutdown(StrandSocket::shutdown_send, ec);
  }
  linger_deadline_ = Clock::now() + state_.linger;
  if (!reading_) {
    DoDrain();
  }
}

void Session::DoDrain() {
  buffer_.consume(buffer_.size());
  if (tls_) {
    tls_->async_shutdown([self = shared_from_this()](error_code) { self->Close(); });
    return;
  }
  plain_->async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&Session::OnDrain, shared_from_this()));
}

void Session::OnDrain(error_code ec, size_t /*bytes*/) {
  if (closed_) {
    return;
  }
  if (ec) {
    Close();
    return;
  }
  DoDrain();
}

void Session::ArmTick() {
  tick_timer_.expires_after(state_.tick);
  tick_timer_.async_wait(beast::bind_front_handler(&Session::OnTick, shared_from_this()));
}

void Session::OnTick(error_code /*ec*/) {
  if (closed_) {
    return;
  }
  const Clock::time_point now = Clock::now();
  if (handshaking_) {
    if (now >= handshake_deadline_) {
      state_.metrics.tls_handshake_failures_timeout.Add();
      Close();
      return;
    }
  } else if (lingering_) {
    if (now >= linger_deadline_) {
      Close();
      return;
    }
  } else if (reading_) {
    if (phase_ == ReadPhase::kIdle && (buffer_.size() > 0 || parser_->got_some())) {
      phase_ = ReadPhase::kRequest;  // the first bytes arrived since the last tick
      read_deadline_ = now + state_.read_timeout;
    }
    // An idle connection owed a response is waiting for us, not idling.
    const bool applies = phase_ == ReadPhase::kRequest || owed() == 0;
    if (applies && now >= read_deadline_) {
      if (phase_ == ReadPhase::kIdle || writing_) {
        Close();
        return;
      }
      timed_out_ = true;  // OnRead answers 408
      error_code ignored;
      socket().cancel(ignored);
    }
  }
  if (writing_ && now >= write_deadline_) {
    Close();
    return;
  }
  if (stream_ != nullptr && stream_->active && !writing_ &&
      now - stream_->last_write >= std::chrono::milliseconds(state_.options.stream.keepalive_ms)) {
    PumpStream(/*keepalive=*/true);
  }
  ArmTick();
}

void Session::Close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  tick_timer_.cancel();
  EndStream();
  error_code ec;
  socket().shutdown(StrandSocket::shutdown_both, ec);
  socket().close(ec);
  request_.Clear(0);
  ReleaseBody();
  ReleaseAnswers(answer_bytes_);
  const uint64_t dropped = owed();
  head_seq_ = next_seq_;
  if (dropped > 0) {
    state_.RemoveOwed(dropped);
  }
  state_.Unregister(this);
}

void Session::ReleaseAnswers(uint64_t bytes) {
  if (bytes != 0) {
    answer_bytes_ -= bytes;
    state_.ReleaseAnswer(bytes);
  }
}

}  // namespace tc::http
