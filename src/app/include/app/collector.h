#pragma once

// Wiring only (Envoy's exe/): config → components → run → ordered shutdown. Nothing here
// decides behaviour that a stage could own.
//
//   Create():  choose the backend (logged with the reason), start the sqld child if we own one
//              (supervisor), open the sink (schema), build the pipeline and bind the HTTP port.
//   Start():   run the batcher and the HTTP threads; logs "listening on HOST:PORT".
//   Shutdown(): stop accepting → new requests 503 → drain the queue into the sink within
//              shutdown_timeout_ms → write the owed responses → stop HTTP → close the sink →
//              stop the sqld child last.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "contract/sink.h"
#include "feed/feed.h"
#include "http/server.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "spool/spool.h"
#include "supervisor/supervisor.h"

namespace tc::app {

// Which backend `auto` resolves to and why (for the log and --check-config).
struct BackendChoice {
  config::Backend backend = config::Backend::kEmbedded;  // kEmbedded or kSqld
  bool spawn_child = false;                              // kSqld: we own the server process
  std::string reason;
};
BackendChoice ChooseBackend(const config::Config& config);

// spool.dir, or when it is empty a directory next to the database (see the key's help).
std::string SpoolDir(const config::Config& config, const BackendChoice& choice);

// What would stop a start for good, found without starting anything (--check-config and
// Create): API keys that do not load, a sqld binary that is missing or not executable, a
// database or spool path this user cannot write. Empty when none. kFailedPrecondition each.
std::vector<Status> Preflight(const config::Config& config, const BackendChoice& choice);

// What a start allows but is likely a mistake, found without starting anything: no API key
// configured at all (auth.api_keys, read_keys, admin_keys and their files) while http.listen, or
// tls.listen without client certificates (tls.client_ca_file), is not a loopback address
// (127.0.0.0/8, ::1, localhost): anyone who reaches it may post and read every trace. One
// message per such listener. --check-config prints each as "tracecollector: warning: ..."
// (the exit status stays 0); Create logs each once.
std::vector<std::string> PreflightWarnings(const config::Config& config);

class Collector {
 public:
  // Errors are startup errors: the caller logs them and exits non-zero.
  static Result<std::unique_ptr<Collector>> Create(const config::Config& config);
  ~Collector();  // Shutdown() if needed

  [[nodiscard]] Status Start();
  // Ordered shutdown; safe twice. Returns once the sqld child (if any) is stopped.
  void Shutdown();
  // True when the supervised child server crash-looped and was given up on.
  bool child_failed() const { return child_failed_.load(); }
  // "HOST:PORT" the HTTP server is bound to (the real port when configured as 0; the HTTPS
  // listener's when http.listen is empty).
  std::string listen_address() const;
  // SIGHUP: re-reads the TLS certificate, key and client CA (http::Server::ReloadTls).
  Status ReloadTls();

 private:
  explicit Collector(const config::Config& config);

  config::Config config_;
  BackendChoice choice_;
  std::unique_ptr<supervisor::Supervisor> supervisor_;
  sink::SinkPtr sink_;
  // GET /v1/stream's committed records; published by the pipeline, read by the server.
  std::unique_ptr<feed::Feed> feed_;
  std::unique_ptr<spool::Spool> spool_;  // null when spool.enabled is false
  std::unique_ptr<pipeline::Pipeline> pipeline_;
  std::unique_ptr<storage::ReadStore> reader_;  // GET /v1/sessions/{id}; null: answers 501
  std::unique_ptr<http::Server> server_;
  std::atomic<bool> child_failed_{false};
  bool shut_down_ = false;
};

}  // namespace tc::app
