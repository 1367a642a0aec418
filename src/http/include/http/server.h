#pragma once

// The collector's HTTP front: one or two acceptors (http.listen in cleartext, tls.listen for
// HTTPS; either may be off, not both) and N io threads on one io_context, a session per
// connection (see session.h), routes POST /v1/records, POST /v1/traces, GET /healthz,
// GET /readyz, GET /metrics, DELETE /v1/sessions/{id}.
//
// Lifecycle (the app's ordered shutdown):
//   Create() binds and listens (errors are returned, nothing runs yet) → Start() →
//   StopAccepting(): closes the listener; every new request on an open connection is answered
//     503 + Retry-After + Connection: close; /readyz answers 503 →
//   Shutdown(deadline): waits until every response owed (including durable acks waiting for the
//     pipeline, so keep the pipeline running meanwhile) is written, or the deadline passes; then
//     closes every connection and joins the io threads.
// StopAccepting() and Shutdown() are safe without Start() and when called twice; the destructor
// calls Shutdown(now). Public methods are thread-safe.
//
// Completions the pipeline calls after Shutdown() or after the Server is destroyed are no-ops.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "contract/readiness.h"
#include "contract/session_deleter.h"
#include "contract/submission.h"
#include "feed/feed.h"
#include "http/api_keys.h"
#include "http/connection_types.h"
#include "http/server_options.h"
#include "metrics/metrics.h"
#include "storage/read_store.h"

namespace tc::http {

struct ServerState;

class Server {
 public:
  // Binds options.http.listen and options.tls.listen (each unless empty) and loads the TLS
  // files. `submitter` and `metrics` must outlive the Server; `readiness`
  // (may be empty = always ready) is called from io threads for GET /readyz and must be
  // thread-safe and quick. Errors: kInvalidArgument (bad address; API keys that cannot be
  // loaded from options.auth, see ApiKeys::Load; TLS files that cannot be used, see
  // CheckTlsFiles), kUnavailable (cannot bind or listen, e.g. the
  // port is in use). `deleter` (may be null: DELETE /v1/sessions/{id} answers 501) must outlive
  // the Server like `submitter`; so must `reader` (may be null: the read API answers 501) and
  // `feed` (may be null: GET /v1/stream answers 501).
  static Result<std::unique_ptr<Server>> Create(
      const ServerOptions& options, pipeline::Submitter& submitter, pipeline::ReadinessFn readiness,
      metrics::Metrics& metrics, pipeline::SessionDeleter* deleter = nullptr,
      storage::ReadStore* reader = nullptr, feed::Feed* feed = nullptr);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts accepting and runs http.io_threads threads (0 = hardware concurrency).
  // kFailedPrecondition if already started, stopping or shut down.
  [[nodiscard]] Status Start();

  // The bound addresses (port 0 in the options → the port the kernel chose): the cleartext
  // listener's (the HTTPS one's when there is no cleartext listener), the HTTPS listener's
  // (nullopt without one).
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> tls_endpoint() const;

  // Re-reads the TLS certificate, key and client CA files; new connections use them, open ones
  // keep theirs. On error (logged and returned, as CheckTlsFiles) the previous files stay in use.
  // Ok and nothing read without an HTTPS listener. Counted in tls_reloads_total. Thread-safe.
  Status ReloadTls();

  void StopAccepting();
  void Shutdown(std::chrono::steady_clock::time_point deadline);

 private:
  struct PassKey {};

 public:
  Server(PassKey, const ServerOptions& options, ApiKeys api_keys, pipeline::Submitter& submitter,
         pipeline::ReadinessFn readiness, metrics::Metrics& metrics,
         pipeline::SessionDeleter* deleter, storage::ReadStore* reader, feed::Feed* feed);

 private:
  // One acceptor: the cleartext or the HTTPS listener.
  struct Listener {
    explicit Listener(boost::asio::strand<boost::asio::io_context::executor_type>& strand,
                      bool tls_in)
        : acceptor(strand), retry_timer(strand), tls(tls_in) {}
    boost::asio::ip::tcp::acceptor acceptor;  // on accept_strand_
    boost::asio::steady_timer retry_timer;    // on accept_strand_: backoff after EMFILE etc.
    boost::asio::ip::tcp::endpoint endpoint;
    const bool tls;
    std::chrono::steady_clock::time_point last_error_log;  // on accept_strand_
  };

  Status Bind(Listener& listener, const std::string& listen);
  void StopAcceptingLocked();  // requires lifecycle_mu_
  void DoAccept(Listener& listener);
  void OnAccept(Listener& listener, boost::system::error_code ec, StrandSocket socket);
  void RunIoThread();

  // Declaration order is destruction order reversed: the io_context (and the sessions its
  // pending handlers own) goes before state_, which they reference.
  std::unique_ptr<ServerState> state_;
  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // fixed after Create()
  const int thread_count_;

  std::mutex lifecycle_mu_;  // serializes Start / StopAccepting / Shutdown
  bool started_ = false;     // guarded by lifecycle_mu_
  bool stopped_accepting_ = false;
  bool shut_down_ = false;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;

  std::mutex threads_mu_;
  std::condition_variable threads_cv_;  // with threads_mu_: an io thread returned
  int running_threads_ = 0;             // guarded by threads_mu_
};

}  // namespace tc::http
