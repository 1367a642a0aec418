#pragma once

// One client connection: keep-alive, bounded pipelining, ordered responses, timeouts.
//
// Reads requests ahead (up to http.max_pipelined unanswered ones) while earlier responses are
// pending; responses are written strictly in request order from a ring of reusable slots, even
// though durable-ack completions arrive out of order from the writer thread. Every handler runs
// on the connection's strand. Deadlines (read, idle, write, linger) are checked by one periodic
// tick, so the hot path only stores time points. A connection is idle (idle_timeout_ms) until
// the first byte of a request arrives (noticed at the next tick), then the whole request must
// arrive within read_timeout_ms (else 408 and close).
//
// A connection of the HTTPS listener first completes a TLS handshake within
// tls.handshake_timeout_ms (else it is closed; failures are counted in
// tls_handshake_failures_total); cleartext HTTP sent to it is answered 400 in cleartext. Everything
// after the handshake is the same code for both kinds of connection (WithStream picks the stream).
//
// Lifetime: shared_ptr. The ServerState registry holds a strong reference while the connection
// is open (a session waiting for a completion may have no I/O pending); pending operations hold
// more. Completions hold only a weak_ptr and pass the CompletionGate, so they are harmless once
// the connection or the server is gone.

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "body_encoding.h"
#include "filter/filter.h"
#include "http/connection_types.h"
#include "ingest_handler.h"
#include "ingest_results.h"
#include "request_parser.h"
#include "responses.h"
#include "router.h"
#include "server_state.h"

namespace tc::http {

// A connection with more answer bytes than this waiting to be written reads no further
// request until the client has read them (a client that pipelines and never reads).
inline constexpr uint64_t kMaxQueuedAnswerBytes = 32 << 10;

// What a request body costs the body budget per byte: the body, and the records decoded from it
// until they are in the queue (which counts them from then on).
inline constexpr uint64_t kBodyCharge = 2;

using TlsStream = boost::asio::ssl::stream<StrandSocket>;

// The read buffer's cap: a request head (max_header_bytes), a chunk-size line with its
// extensions, or a trailer section must fit in it whole; longer is refused (431/400), so no
// client can make a connection buffer more.
size_t ReadBufferLimit(const config::HttpConfig& http);

// A client-supplied path for an error message: printable ASCII, at most 200 bytes.
std::string Printable(std::string_view text);

class Session final : public std::enable_shared_from_this<Session>,
                      private HeaderObserver,
                      private CompletionFactory {
 public:
  // `socket`'s executor must be a strand of the server's io_context. `state` outlives the
  // session (see ServerState). With `tls` (the HTTPS listener), the connection starts with a
  // server-side TLS handshake using that context.
  Session(StrandSocket socket, ServerState& state, TlsContextPtr tls = nullptr);

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading. Call once, after Register(); any thread.
  void Start();
  // Closes the connection (responses still pending are dropped). Any thread.
  void PostClose();
  // Closes on the calling thread: only when no io thread runs any more (Server::Shutdown).
  void CloseWithoutIoThreads();

 private:
  using Clock = ServerState::Clock;
  using error_code = boost::system::error_code;
  enum class ReadPhase { kIdle, kRequest };

  // The TCP socket under either stream.
  StrandSocket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  // Calls fn(stream) with the TLS stream or the plain socket: one request-handling code for both.
  template <typename Fn>
  void WithStream(Fn&& fn) {
    if (tls_) {
      fn(*tls_);
    } else {
      fn(*plain_);
    }
  }

  struct Slot {
    uint64_t seq = 0;
    bool ready = false;
    bool keep_alive_10 = false;
    metrics::HttpPath path = metrics::HttpPath::kOther;  // for the request metrics
    Clock::time_point started;                           // request parsed
    Response response;
    std::string head;
    PendingIngest ingest;  // durable ack: what the answer needs once the records are written
  };

  Slot& SlotFor(uint64_t seq) { return slots_[seq % slots_.size()]; }
  uint64_t owed() const { return next_seq_ - head_seq_; }

  void OnHandshake(error_code ec);
  // Cleartext HTTP on the HTTPS port: go on in cleartext just to answer 400 and close.
  void AnswerPlainHttpOnTlsPort();
  void DoRead();
  void OnRead(error_code ec, size_t bytes);
  void OnReadError(error_code ec);
  void HandleRequest();
  void HandleIngest(IngestEndpoint endpoint, std::string_view query, uint64_t seq, Slot& slot);
  void QueueClosingError(unsigned status, std::string_view code, std::string_view message,
                         bool retry_after = false);
  // The parser refused the request's framing, or a line it needs whole overflowed the read
  // buffer (`in_body`: a chunk line or trailer, else the head).
  void QueueFramingError(FramingError framing, bool in_body);
  // The two halves of every answer that ends the connection: the next slot, opened for
  // `path`; then (its response written) marked closing, reading stopped, and ready.
  Slot& OpenClosingSlot(metrics::HttpPath path);
  void FinishClosingSlot(Slot& slot);
  void MarkReady(Slot& slot);
  void MaybeWrite();
  void OnWrite(error_code ec, size_t bytes);
  void OnIngestDone(uint64_t seq, const Status& status, std::vector<sink::RecordResult> results);
  // DELETE /v1/sessions/{id} (session_delete.cc): `raw_id` is the path's {id}, still encoded.
  // GET /v1/sessions/{id} (session_read.cc): answers in place.
  void HandleSessionGet(std::string_view raw_id, std::string_view query_string, Slot& slot);
  // GET /v1/sessions (session_read.cc): answers in place.
  void HandleSessionList(std::string_view query, Slot& slot);
  // The read endpoints' gate: true (and `response` set) when this request may not read now:
  // shutting down (503), no reader (501). (Keys and scopes were checked with the headers.)
  bool RefuseRead(Response& response);
  // Runs `work` (a read: it fills a Response from the read store) on the read pool, then answers
  // `slot` with it on this strand; 503 + Retry-After at once when the pool is full.
  void RunRead(Slot& slot, std::function<void(Response*)> work);
  void OnReadDone(uint64_t seq, Response response);
  // GET /v1/events, /v1/messages, /v1/experiments, /v1/stats/... (read_handlers.h).
  void HandleRecordRead(Slot& slot);
  // GET /v1/stream (session_stream.cc): checks the request and answers the stream's head (a
  // closing answer: no request after it is read); once the head is written, StartStreaming.
  void HandleStream(std::string_view query, Slot& slot);
  // GET /ui/... (the viewer's files, ui/ui.h) and GET / (a browser is redirected to /ui/);
  // answered at once, on the strand (session_ui.cc).
  void HandleUi(std::string_view path, Slot& slot);
  // A body sent with Content-Encoding: gzip, inflated in place (its bytes charged to the body
  // budget like a body read); false with `response` set (415 another coding, 413 over
  // http.max_body_bytes inflated, 400 corrupt, 429 the budget is spent). session_admission.cc.
  bool InflateBody(Response& response);
  void InflateError(InflateResult result, uint64_t max_bytes, Response& response) const;
  void HandleRoot(Slot& slot);
  void StartStreaming();
  // Writes what the feed has for this stream after its position (a comment when idle for
  // stream.keepalive_ms and `keepalive`), one write at a time. On the strand.
  void PumpStream(bool keepalive = false);
  void OnStreamWrite(error_code ec, size_t bytes);
  // Reads and drops what the client sends while streaming, to notice it closing.
  void DoStreamRead();
  void EndStream();
  void HandleSessionDelete(std::string_view raw_id, uint64_t seq, Slot& slot);
  void OnSessionDeleted(uint64_t seq, const std::string& id, const Status& status,
                        const sink::DeletedRows& deleted);
  void StartLinger();
  void DoDrain();
  void OnDrain(error_code ec, size_t bytes);
  void ArmTick();
  void OnTick(error_code ec);
  void Close();
  // Gives back the answer bytes of slots written or dropped.
  void ReleaseAnswers(uint64_t bytes);

  // HeaderObserver: asks the API keys whether the request may go on (ApiKeys::Check). Refuses
  // one that needs a key and lacks a valid one (false: the read stops before the body;
  // OnReadError answers 401 and closes). One whose valid key lacks the scope it needs is
  // noted (forbidden_need_): answered 403 by HandleRequest on a kept connection, or, if it has
  // a body, refused at the body's first bytes (OnBodyBytes), which are never read. Then refuses
  // one whose Content-Length does not fit the body budget (OnBodyBytes); answers "Expect:
  // 100-continue" when nothing else is being written.
  bool OnHeaderComplete(const RequestData& request) override;
  // HeaderObserver: refuses the body of a forbidden request (OnReadError answers 403 and
  // closes); reserves body bytes from the server's budget (false: over it; OnReadError answers
  // 429 + Retry-After and closes).
  bool OnBodyBytes(uint64_t bytes) override;
  void ReleaseBody();
  void QueueUnauthorized();
  // 403 `forbidden` for a valid key without the scope `need` (counted in http_forbidden).
  void SetForbidden(Response* response, Scopes need);
  // CompletionFactory: the completion of the request being handled (current_seq_).
  pipeline::CompletionFn MakeCompletion() override;
  bool ChargeBodyMemory(uint64_t bytes) override;

  ServerState& state_;
  const Strand strand_;
  TlsContextPtr tls_context_;          // kept while tls_ uses it
  std::optional<StrandSocket> plain_;  // exactly one of plain_ and tls_ is set
  std::optional<TlsStream> tls_;
  StrandTimer tick_timer_;
  boost::beast::flat_buffer buffer_;
  RequestData request_;
  std::optional<RequestParser> parser_;

  std::vector<Slot> slots_;  // ring of http.max_pipelined slots
  uint64_t head_seq_ = 0;    // oldest response not yet written
  uint64_t next_seq_ = 0;    // sequence number of the next request
  uint64_t current_seq_ = 0;
  std::vector<boost::asio::const_buffer> write_buffers_;
  size_t slots_in_write_ = 0;

  ReadPhase phase_ = ReadPhase::kIdle;
  bool handshaking_ = false;
  Clock::time_point handshake_deadline_;
  Clock::time_point read_deadline_;
  Clock::time_point write_deadline_;
  Clock::time_point linger_deadline_;
  bool reading_ = false;
  bool writing_ = false;
  bool read_paused_ = false;   // waiting for a free slot
  bool stop_reading_ = false;  // a closing response is queued, or the peer stopped sending
  bool peer_eof_ = false;
  bool timed_out_ = false;      // the tick cancelled a slow read
  bool unauthorized_ = false;   // OnHeaderComplete refused the request being read
  Scopes forbidden_need_;       // the request being read has a valid key without this scope
  bool forbidden_body_ = false;  // OnBodyBytes refused the body of such a request
  struct StreamState {
    feed::FeedFilter filter;
    std::optional<filter::Filter> where;  // where=: tested on each record the feed filter passed
    uint64_t after = 0;   // the last position looked at
    bool reset = false;   // send event: reset first (the resume position was too old)
    bool active = false;  // the head was written: streaming
    uint64_t waiter = 0;  // the feed's waiter id (0: none)
    Clock::time_point last_write;
    std::string prefix;  // the reset / dropped / keepalive lines of the write in flight
    std::vector<std::shared_ptr<const feed::FeedEntry>> entries;  // its frames
    std::vector<boost::asio::const_buffer> buffers;
  };
  std::unique_ptr<StreamState> stream_;   // GET /v1/stream: set once its request was accepted
  std::atomic<bool> stream_wake_{false};  // a PumpStream is posted (set by the feed's thread)
  bool body_refused_ = false;   // OnBodyBytes refused: the bodies in flight are over budget
  uint64_t body_reserved_ = 0;  // this connection's share of the body budget
  uint64_t answer_bytes_ = 0;   // ready answers not yet written (also in the body budget)
  bool lingering_ = false;
  bool closed_ = false;
};

}  // namespace tc::http
