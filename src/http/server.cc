#include "http/server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <exception>
#include <utility>

#include "common/log.h"
#include "common/thread_name.h"
#include "http/tls.h"
#include "refused_connection.h"
#include "server_state.h"
#include "session.h"

namespace tc::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Once the connections are told to close, how long the io threads get to finish before the
// io_context is stopped.
constexpr std::chrono::milliseconds kCloseGrace(500);

int ThreadCount(int configured) {
  if (configured > 0) {
    return configured;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

std::string EndpointText(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" +
         std::to_string(endpoint.port());
}

}  // namespace

Server::Server(PassKey, const ServerOptions& options, ApiKeys api_keys,
               pipeline::Submitter& submitter, pipeline::ReadinessFn readiness,
               metrics::Metrics& metrics, pipeline::SessionDeleter* deleter,
               storage::ReadStore* reader, feed::Feed* feed)
    : state_(std::make_unique<ServerState>(options, std::move(api_keys), submitter,
                                           std::move(readiness), metrics, deleter, reader, feed)),
      ioc_(ThreadCount(options.http.io_threads)),
      accept_strand_(net::make_strand(ioc_)),
      thread_count_(ThreadCount(options.http.io_threads)) {}

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options,
                                               pipeline::Submitter& submitter,
                                               pipeline::ReadinessFn readiness,
                                               metrics::Metrics& metrics,
                                               pipeline::SessionDeleter* deleter,
                                               storage::ReadStore* reader, feed::Feed* feed) {
  if (options.http.listen.empty() && options.tls.listen.empty()) {
    return Status::InvalidArgument("http.listen and tls.listen are both empty: nothing to serve");
  }
  TC_ASSIGN_OR_RETURN(ApiKeys api_keys, ApiKeys::Load(options.auth));
  TlsContextPtr tls_context;
  if (!options.tls.listen.empty()) {
    TC_ASSIGN_OR_RETURN(tls_context, MakeTlsContext(options.tls));
  }
  if (api_keys.enabled()) {
    TC_LOG(kInfo, "http",
           "API keys required on POST (ingest scope), GET of the read API (read) and DELETE "
           "(admin){}: {} key(s) configured; with the ingest scope {}, read {}, admin {}",
           api_keys.protect_metrics() ? ", and any key on /metrics" : "", api_keys.size(),
           api_keys.count(kIngestScope), api_keys.count(kReadScope), api_keys.count(kAdminScope));
  }
  auto server = std::make_unique<Server>(PassKey{}, options, std::move(api_keys), submitter,
                                         std::move(readiness), metrics, deleter, reader, feed);
  server->state_->tls_context.Set(std::move(tls_context));
  for (const bool tls : {false, true}) {
    const std::string& listen = tls ? options.tls.listen : options.http.listen;
    if (listen.empty()) {
      continue;
    }
    server->listeners_.push_back(std::make_unique<Listener>(server->accept_strand_, tls));
    TC_RETURN_IF_ERROR(server->Bind(*server->listeners_.back(), listen));
  }
  return server;
}

Status Server::Bind(Listener& listener, const std::string& listen) {
  TC_ASSIGN_OR_RETURN(const tcp::endpoint endpoint, ParseListenAddress(listen));
  tcp::acceptor& acceptor = listener.acceptor;
  error_code ec;
  const auto fail = [&](const char* what) {
    return Status::Unavailable(fmt::format("cannot {} {}{}: {}", what, listen,
                                           listener.tls ? " (tls.listen)" : "", ec.message()));
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    return fail("open a socket for");
  }
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
    return fail("set SO_REUSEADDR on");
  }
  if (acceptor.bind(endpoint, ec); ec) {
    return fail("bind");
  }
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
    return fail("listen on");
  }
  listener.endpoint = acceptor.local_endpoint(ec);
  if (ec) {
    return fail("read the local address of");
  }
  return Status::Ok();
}

tcp::endpoint Server::local_endpoint() const { return listeners_.front()->endpoint; }

std::optional<tcp::endpoint> Server::tls_endpoint() const {
  for (const auto& listener : listeners_) {
    if (listener->tls) {
      return listener->endpoint;
    }
  }
  return std::nullopt;
}

Status Server::ReloadTls() {
  if (state_->options.tls.listen.empty()) {
    return Status::Ok();
  }
  auto context = MakeTlsContext(state_->options.tls);
  if (!context) {
    state_->metrics.tls_reloads_failed.Add();
    TC_LOG(kError, "http", "TLS files not reloaded, the previous ones stay in use: {}",
           context.error().message());
    return context.error();
  }
  state_->tls_context.Set(std::move(*context));
  state_->metrics.tls_reloads_ok.Add();
  TC_LOG(kInfo, "http", "TLS certificate, key{} reloaded from {}; new connections use them",
         state_->options.tls.client_ca_file.empty() ? "" : " and client CA",
         state_->options.tls.cert_file);
  return Status::Ok();
}

Server::~Server() {
  Shutdown(std::chrono::steady_clock::now());
  // From now on completions arriving from the pipeline do nothing; the io_context (destroyed
  // next) may still hold handlers that own sessions.
  state_->gate->Close();
}

Status Server::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (started_ || stopped_accepting_ || shut_down_) {
    return Status::FailedPrecondition("http server already started or stopped");
  }
  started_ = true;
  work_.emplace(ioc_.get_executor());
  net::post(accept_strand_, [this] {
    for (const auto& listener : listeners_) {
      DoAccept(*listener);
    }
  });
  {
    std::lock_guard<std::mutex> threads_lock(threads_mu_);
    running_threads_ = thread_count_;
  }
  threads_.reserve(thread_count_);
  for (int i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this, i] {
      SetThreadName("tc-io-" + std::to_string(i));
      RunIoThread();
    });
  }
  for (const auto& listener : listeners_) {
    if (listener->tls) {
      TC_LOG(kInfo, "http", "listening for HTTPS on {} (TLS {}+{})",
             EndpointText(listener->endpoint), state_->options.tls.min_version,
             state_->options.tls.client_ca_file.empty() ? "" : ", client certificates required");
    } else {
      TC_LOG(kInfo, "http", "listening on {} with {} io threads", EndpointText(listener->endpoint),
             thread_count_);
    }
  }
  return Status::Ok();
}

void Server::RunIoThread() {
  try {
    ioc_.run();
  } catch (const std::exception& e) {
    TC_LOG(kError, "http", "io thread failed: {}", e.what());
    std::abort();
  }
  std::lock_guard<std::mutex> lock(threads_mu_);
  --running_threads_;
  threads_cv_.notify_all();
}

void Server::DoAccept(Listener& listener) {
  listener.acceptor.async_accept(net::make_strand(ioc_),
                                 [this, &listener](error_code ec, StrandSocket socket) {
                                   OnAccept(listener, ec, std::move(socket));
                                 });
}

void Server::OnAccept(Listener& listener, error_code ec, StrandSocket socket) {
  if (!listener.acceptor.is_open() || ec == net::error::operation_aborted) {
    return;
  }
  if (ec) {
    // Out of descriptors or a transient network error: back off instead of spinning, and log
    // at most every 10 s.
    const auto now = std::chrono::steady_clock::now();
    if (now - listener.last_error_log >= std::chrono::seconds(10)) {
      listener.last_error_log = now;
      TC_LOG(kWarn, "http", "accept failed: {}; retrying every 50ms", ec.message());
    }
    listener.retry_timer.expires_after(std::chrono::milliseconds(50));
    listener.retry_timer.async_wait([this, &listener](error_code timer_ec) {
      if (!timer_ec && listener.acceptor.is_open()) {
        DoAccept(listener);
      }
    });
    return;
  }
  if (state_->open_connections() >= state_->options.http.max_connections) {
    if (listener.tls) {
      // A cleartext 503 means nothing to a TLS client, and a handshake is what the limit
      // protects against: close at once.
      state_->metrics.http_connections_refused.Add();
      error_code ignored;
      socket.close(ignored);
    } else {
      RefuseConnection(std::move(socket), *state_);
    }
  } else {
    state_->metrics.http_connections_accepted.Add();
    auto session = std::make_shared<Session>(std::move(socket), *state_,
                                             listener.tls ? state_->tls_context.Get() : nullptr);
    state_->Register(session);
    session->Start();
  }
  DoAccept(listener);
}

void Server::StopAccepting() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  StopAcceptingLocked();
}

void Server::StopAcceptingLocked() {
  if (stopped_accepting_) {
    return;
  }
  stopped_accepting_ = true;
  state_->SetStopping();
  const auto close_acceptor = [this] {
    for (const auto& listener : listeners_) {
      error_code ec;
      listener->acceptor.close(ec);
      listener->retry_timer.cancel();
    }
  };
  if (started_ && !shut_down_) {
    net::post(accept_strand_, close_acceptor);
  } else {
    close_acceptor();  // no io thread runs
  }
}

void Server::Shutdown(std::chrono::steady_clock::time_point deadline) {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (shut_down_) {
    return;
  }
  StopAcceptingLocked();
  shut_down_ = true;
  if (!started_) {
    return;
  }
  if (!state_->WaitNothingOwed(deadline)) {
    TC_LOG(kWarn, "http", "shutdown deadline passed with {} responses unwritten; closing",
           state_->owed());
  }
  // Reads still running finish (their answers are dropped with their connections); none
  // posts to an io_context that is gone.
  state_->read_pool.Stop();
  for (const std::shared_ptr<Session>& session : state_->SnapshotSessions()) {
    session->PostClose();
  }
  work_.reset();
  {
    std::unique_lock<std::mutex> threads_lock(threads_mu_);
    const auto until = std::chrono::steady_clock::now() + kCloseGrace;
    if (!threads_cv_.wait_until(threads_lock, until, [this] { return running_threads_ == 0; })) {
      ioc_.stop();
    }
  }
  for (std::thread& thread : threads_) {
    thread.join();
  }
  threads_.clear();
  // Sessions whose close never ran (the io_context was stopped): close them here.
  for (const std::shared_ptr<Session>& session : state_->SnapshotSessions()) {
    session->CloseWithoutIoThreads();
  }
  state_->ClearSessions();
}

}  // namespace tc::http
