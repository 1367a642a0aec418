#pragma once

// Transport to one Hrana-over-HTTP server: URL handling, the dialect (real sqld vs tursodb's
// --sync-server stand-in), pipeline POSTs through a CurlPool, error classification.
// Thread-safe: every method may be called concurrently (requests share the pool).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "curl_pool.h"
#include "hrana_response.h"

namespace tc::sink {

// What the server can do, found by HranaClient::DetectDialect().
struct HranaDialect {
  enum class Kind : uint8_t { kSqld, kTursoSyncServer };
  Kind kind = Kind::kSqld;
  std::string pipeline_path = "/v2/pipeline";  // "/v3/pipeline" when GET /v3 answers 200
  bool has_health = false;                     // GET /health answers 200 (sqld)
  bool send_close = true;         // end every pipeline with {"type":"close"} (sqld streams)
  bool autocommit_cond = true;    // the is_autocommit batch condition is accepted (v3, tursodb)
  bool needs_checkpoint = false;  // tursodb never checkpoints its WAL: the client must
  std::string reason;             // why it was chosen, for the log

  static HranaDialect Sqld(bool v3);
  static HranaDialect TursoSyncServer();
  std::string_view name() const;
};

// Embedded in HranaSinkOptions (`client`).
struct HranaClientOptions {
  std::string url;       // libsql://host, https://host[:port], http://host:port
  CurlPoolOptions pool;  // connections, timeouts, TLS verification, the bearer token
};

// "libsql://db.turso.io" → "https://db.turso.io"; "libsql://h:8080?tls=0" → "http://h:8080";
// "ws(s)://" → "http(s)://"; http(s) kept; trailing '/' dropped. kInvalidArgument otherwise.
Result<std::string> NormalizeHranaUrl(std::string_view url);

class HranaClient {
 public:
  static Result<std::unique_ptr<HranaClient>> Create(const HranaClientOptions& options);

  // Probes the server (GET /health, GET /v3, GET /v2, else POST /v2/pipeline "SELECT 1") and
  // remembers the dialect; call once before Pipeline(). A server that answers nothing → the
  // transport Status (kUnavailable when it is down); 401/403 → kUnauthenticated.
  Result<HranaDialect> DetectDialect();
  // For tests and for callers that know the server. Like DetectDialect(), not concurrently
  // with other calls.
  void set_dialect(const HranaDialect& dialect) {
    dialect_ = dialect;
    detected_.store(true, std::memory_order_release);
  }
  const HranaDialect& dialect() const { return dialect_; }

  // POSTs `body` to the dialect's pipeline path. Non-200 → classified Status; 200 → parsed.
  Result<hrana::PipelineResponse> Pipeline(std::string_view body, uint32_t timeout_ms = 0);

  // One statement in its own pipeline (with "close" on sqld); the statement's own error is
  // returned classified.
  Result<hrana::StmtResult> Execute(std::string_view sql);

  // sqld: GET /health; tursodb: SELECT 1. kUnavailable before the dialect is known.
  Status Ping();

  const std::string& base_url() const { return base_url_; }

 private:
  struct PassKey {};

 public:
  HranaClient(std::string base_url, std::unique_ptr<CurlPool> pool, PassKey);

 private:
  Result<long> GetStatus(std::string_view path);

  const std::string base_url_;
  std::unique_ptr<CurlPool> pool_;
  HranaDialect dialect_;  // set before concurrent use
  std::atomic<bool> detected_{false};
};

}  // namespace tc::sink
