#pragma once

// State shared by the Server and its connections (internal to src/http/).
// Lifetime: owned by the Server and destroyed after its io_context, so every session and
// handler that references it is gone first. Thread-safe as documented per member.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "contract/readiness.h"
#include "contract/session_deleter.h"
#include "contract/submission.h"
#include "feed/feed.h"
#include "http/api_keys.h"
#include "http/server_options.h"
#include "ingest_handler.h"
#include "metrics/metrics.h"
#include "read_pool.h"
#include "storage/read_store.h"
#include "tls_context.h"

namespace tc::http {

class Session;

// Lets pipeline completions reach sessions only while the io_context exists. Completions run
// under the gate's mutex; Close() (before the io_context is destroyed) waits for a running one
// and turns every later one into a no-op. Thread-safe.
class CompletionGate {
 public:
  template <typename Fn>
  void RunIfOpen(Fn&& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_) {
      fn();
    }
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
  }

 private:
  std::mutex mu_;
  bool open_ = true;  // guarded by mu_
};

struct ServerState {
  using Clock = std::chrono::steady_clock;

  ServerState(const ServerOptions& options, ApiKeys api_keys, pipeline::Submitter& submitter,
              pipeline::ReadinessFn readiness, metrics::Metrics& metrics,
              pipeline::SessionDeleter* deleter = nullptr, storage::ReadStore* reader = nullptr,
              feed::Feed* feed = nullptr);

  // Immutable after construction.
  const ServerOptions options;
  const ApiKeys api_keys;  // loaded from options.auth; empty = no authentication
  metrics::Metrics& metrics;
  const IngestHandler ingest;
  const pipeline::ReadinessFn readiness;  // empty = always ready; called on io threads
  pipeline::SessionDeleter* const deleter;  // null: DELETE /v1/sessions/{id} answers 501
  storage::ReadStore* const reader;         // null: GET /v1/sessions/{id} answers 501
  feed::Feed* const feed;                   // null: GET /v1/stream answers 501
  std::atomic<uint32_t> open_streams{0};    // GET /v1/stream connections streaming
  ReadPool read_pool;                       // where the read API's queries run
  const std::shared_ptr<CompletionGate> gate = std::make_shared<CompletionGate>();
  const Clock::duration read_timeout;       // whole request (0 in config = none)
  const Clock::duration idle_timeout;       // keep-alive wait for the next request
  const Clock::duration write_timeout;      // one response write
  const Clock::duration linger;             // drain after a closing response
  const Clock::duration handshake_timeout;  // TLS handshake of a new HTTPS connection
  const Clock::duration tick;               // how often a session checks its deadlines
  const std::string refusal_response;       // the whole 503 sent over max_connections
  const std::string healthz_response;       // the whole 200 /healthz answer (closing), ditto

  // The TLS context new HTTPS connections start with (Server::ReloadTls swaps it).
  TlsContextSlot tls_context;

  // After StopAccepting(): every new request is answered 503 + Connection: close.
  // (seq_cst: RemoveOwed() reads it after its decrement; WaitNothingOwed() the other way round.)
  bool stopping() const { return stopping_.load(); }
  void SetStopping() { stopping_.store(true); }

  // Open sessions (strong references: a session waiting for a completion has no I/O pending).
  size_t open_connections() const { return open_.load(std::memory_order_relaxed); }
  void Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);
  std::vector<std::shared_ptr<Session>> SnapshotSessions();
  void ClearSessions();

  // The budget of request-body bytes in flight (http.max_body_bytes_in_flight): reserved from
  // the Content-Length (or each chunk) before the bytes are read, released once the body's
  // buffer is dropped. TryReserve fails when the budget would be exceeded, except that anything
  // fits when nothing is reserved (so a legal body larger than the budget is taken alone).
  // Answers not yet written (a client that does not read them) are held in the same budget:
  // AddAnswer() always succeeds (an answer cannot be refused once its request was read) and
  // the bytes go back with ReleaseAnswer() once written or dropped; while they are held, bodies
  // are refused. Each answer is bounded (http/ingest_results.h), and a connection holding
  // more than kMaxQueuedAnswerBytes reads no further request, so the budget is overshot by at
  // most one answer per request being decoded. ("Alone" above counts bodies only.)
  // `own`: what the caller already holds of the bytes reserved; when that is all of them, the
  // caller is alone and may take any size (one body larger than the budget is taken alone).
  bool TryReserveBody(uint64_t bytes, uint64_t own = 0);
  void ReleaseBody(uint64_t bytes) { body_bytes_.fetch_sub(bytes); }
  void AddAnswer(uint64_t bytes) { answer_bytes_.fetch_add(bytes); }
  void ReleaseAnswer(uint64_t bytes) { answer_bytes_.fetch_sub(bytes); }
  // Bodies and unwritten answers.
  uint64_t body_bytes_in_flight() const { return body_bytes_.load() + answer_bytes_.load(); }

  // Responses owed to clients (requests read, response not yet written or dropped).
  void AddOwed(uint64_t n);
  void RemoveOwed(uint64_t n);
  uint64_t owed() const { return owed_.load(); }
  // Waits until nothing is owed or `deadline`; true if nothing is owed.
  bool WaitNothingOwed(Clock::time_point deadline);

 private:
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_{0};
  std::atomic<uint64_t> owed_{0};
  std::atomic<uint64_t> body_bytes_{0};
  std::atomic<uint64_t> answer_bytes_{0};

  std::mutex mu_;
  std::condition_variable owed_cv_;                                  // with mu_
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions_;  // guarded by mu_
};

}  // namespace tc::http
