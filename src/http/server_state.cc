#include "server_state.h"

#include <algorithm>
#include <utility>

#include "responses.h"

namespace tc::http {

namespace {

using Clock = ServerState::Clock;

Clock::duration TimeoutOrNever(uint32_t ms) {
  if (ms == 0) {
    return std::chrono::hours(24 * 365);
  }
  return std::chrono::milliseconds(ms);
}

Clock::duration TickFor(const ServerOptions& options) {
  const config::HttpConfig& http = options.http;
  uint32_t shortest = 1000;
  const uint32_t handshake_ms = options.tls.listen.empty() ? 0 : options.tls.handshake_timeout_ms;
  for (uint32_t ms :
       {http.read_timeout_ms, http.idle_timeout_ms, handshake_ms, options.stream.keepalive_ms}) {
    if (ms != 0) {
      shortest = std::min(shortest, ms);
    }
  }
  return std::chrono::milliseconds(std::clamp<uint32_t>(shortest / 4, 5, 500));
}

std::string RefusalResponse(uint32_t retry_after_s) {
  Response response;
  SetError(&response, 503, "unavailable", "too many connections; retry later");
  response.retry_after = true;
  std::string text;
  SerializeHead(response, /*close=*/true, /*keep_alive_10=*/false, retry_after_s, &text);
  text += response.body;
  return text;
}

std::string ClosingHealthzResponse() {
  Response response;
  response.body.assign(kHealthzBody);
  std::string text;
  SerializeHead(response, /*close=*/true, /*keep_alive_10=*/false, 0, &text);
  text += response.body;
  return text;
}

}  // namespace

ServerState::ServerState(const ServerOptions& opts, ApiKeys keys, pipeline::Submitter& submitter,
                         pipeline::ReadinessFn ready, metrics::Metrics& m,
                         pipeline::SessionDeleter* session_deleter,
                         storage::ReadStore* trace_reader, feed::Feed* record_feed)
    : options(opts),
      api_keys(std::move(keys)),
      metrics(m),
      ingest(opts, submitter, m),
      readiness(std::move(ready)),
      deleter(session_deleter),
      reader(trace_reader),
      feed(record_feed),
      read_pool(opts.http.read_threads, opts.http.max_reads_in_flight),
      read_timeout(TimeoutOrNever(opts.http.read_timeout_ms)),
      idle_timeout(TimeoutOrNever(opts.http.idle_timeout_ms)),
      write_timeout(opts.http.read_timeout_ms == 0
                        ? Clock::duration(std::chrono::seconds(30))
                        : Clock::duration(std::chrono::milliseconds(opts.http.read_timeout_ms))),
      linger(std::chrono::milliseconds(std::clamp<uint32_t>(
          opts.http.read_timeout_ms == 0 ? 1000 : opts.http.read_timeout_ms, 10, 1000))),
      handshake_timeout(std::chrono::milliseconds(opts.tls.handshake_timeout_ms)),
      tick(TickFor(opts)),
      refusal_response(RefusalResponse(opts.retry_after_s)),
      healthz_response(ClosingHealthzResponse()) {}

void ServerState::Register(const std::shared_ptr<Session>& session) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.emplace(session.get(), session);
  }
  open_.fetch_add(1, std::memory_order_relaxed);
  metrics.http_connections_open.Add(1);
}

void ServerState::Unregister(Session* session) {
  std::shared_ptr<Session> last;  // released outside the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) {
      return;
    }
    last = std::move(it->second);
    sessions_.erase(it);
  }
  open_.fetch_sub(1, std::memory_order_relaxed);
  metrics.http_connections_open.Add(-1);
}

std::vector<std::shared_ptr<Session>> ServerState::SnapshotSessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard<std::mutex> lock(mu_);
  out.reserve(sessions_.size());
  for (auto& [ptr, session] : sessions_) {
    out.push_back(session);
  }
  return out;
}

void ServerState::ClearSessions() {
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions.swap(sessions_);
  }
  open_.fetch_sub(sessions.size(), std::memory_order_relaxed);
  metrics.http_connections_open.Add(-static_cast<int64_t>(sessions.size()));
}

bool ServerState::TryReserveBody(uint64_t bytes, uint64_t own) {
  const uint64_t held = body_bytes_.fetch_add(bytes);
  if (held == own || held + bytes + answer_bytes_.load() <= options.http.max_body_bytes_in_flight) {
    return true;
  }
  body_bytes_.fetch_sub(bytes);
  return false;
}

void ServerState::AddOwed(uint64_t n) { owed_.fetch_add(n); }

void ServerState::RemoveOwed(uint64_t n) {
  if (owed_.fetch_sub(n) == n && stopping()) {
    std::lock_guard<std::mutex> lock(mu_);
    owed_cv_.notify_all();
  }
}

bool ServerState::WaitNothingOwed(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return owed_cv_.wait_until(lock, deadline, [this] { return owed_.load() == 0; });
}

}  // namespace tc::http
