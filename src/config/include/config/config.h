#pragma once

// The collector's whole configuration: one struct per section of config/tracecollector.toml.
// Precedence: Defaults() < TOML file < environment (TRACECOLLECTOR_*, TURSO_*, SQLD_*) < flags.
// Every key is documented in config/tracecollector.toml and docs/configuration.md.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace tc::config {

enum class Backend { kAuto, kEmbedded, kSqld };
enum class AckMode { kDurable, kQueued };
enum class SqldMode { kSpawn, kExternal };

struct HttpConfig {
  std::string listen = "127.0.0.1:4318";   // host:port; port 0 = any free port
  int io_threads = 0;                      // 0 = number of cores
  uint64_t max_body_bytes = 8 << 20;       // 413 above
  uint32_t max_header_bytes = 16 << 10;    // 431 above
  uint32_t read_timeout_ms = 30000;        // whole request must arrive within this
  uint32_t idle_timeout_ms = 60000;        // keep-alive connection closed after this idle time
  uint32_t max_pipelined = 16;             // requests read ahead of unanswered responses
  uint32_t max_connections = 1024;         // further connections are answered 503 and closed
  uint64_t max_body_bytes_in_flight = 16 << 20;  // all bodies being read/decoded; 429 above
  uint32_t read_threads = 1;          // the read API's queries run here, at a lower priority
  uint32_t max_reads_in_flight = 64;  // reads queued or running; 503 above

  bool operator==(const HttpConfig&) const = default;
};

// The HTTPS listener ([tls]): off while listen is empty. Certificate, key and client CA are PEM
// files, read at start and again on SIGHUP (http/tls.h).
struct TlsConfig {
  std::string listen;                     // host:port of the HTTPS listener; empty = no HTTPS
  std::string cert_file;                  // server certificate chain (leaf first)
  std::string key_file;                   // its private key (unencrypted)
  std::string client_ca_file;             // set = clients must present a certificate signed by it
  std::string min_version = "1.2";        // "1.2" | "1.3"
  uint32_t handshake_timeout_ms = 10000;  // a connection that has not finished it is closed

  bool operator==(const TlsConfig&) const = default;
};

struct IngestConfig {
  uint32_t max_records_per_request = 10000;
  uint32_t max_string_bytes = 1 << 20;     // any one string value
  uint32_t max_array_items = 10000;        // any one array
  uint32_t max_depth = 64;                 // JSON nesting
  AckMode ack = AckMode::kDurable;         // default when the request does not say
  uint32_t idempotency_window_s = 86400;   // Idempotency-Key: how long a body is remembered
  uint32_t idempotency_max_keys = 10000;   // ... and how many keys at most (oldest forgotten)

  bool operator==(const IngestConfig&) const = default;
};

struct QueueConfig {
  uint64_t max_records = 100000;
  uint64_t max_bytes = 16 << 20;           // sizeof(Record) + heap chunks; RSS target 64 MiB
  uint32_t retry_after_s = 1;              // Retry-After on 429/503

  bool operator==(const QueueConfig&) const = default;
};

struct BatchConfig {
  uint32_t max_records = 4096;
  uint64_t max_bytes = 8 << 20;
  uint32_t max_delay_ms = 0;               // 0: commit what is queued; closed-loop clients gain

  bool operator==(const BatchConfig&) const = default;
};

// Backoff for batch writes that failed with a retryable error, on either backend ([retry];
// formerly [sqld.retry], still read as deprecated aliases).
struct RetryConfig {
  uint32_t initial_ms = 50;
  uint32_t max_ms = 5000;
  double multiplier = 2.0;

  bool operator==(const RetryConfig&) const = default;
};

struct EmbeddedConfig {
  std::string path = "tracecollector.db";  // SQLite file
  std::string synchronous = "FULL";        // FULL: an ack survives power loss; NORMAL: process crash
  uint32_t busy_timeout_ms = 5000;         // wait for another process's lock, then retry the batch
  bool message_index = false;              // FTS5 index of messages.content for q= (opt-in)

  bool operator==(const EmbeddedConfig&) const = default;
};

struct SqldConfig {
  SqldMode mode = SqldMode::kSpawn;
  std::string url;                         // external: libsql:// https:// http://
  std::string auth_token;                  // sent as Bearer
  std::string binary;                      // spawn: path or name on PATH ("sqld" / "tursodb")
  std::string db_path = "tracecollector-sqld";  // spawn: sqld's data directory or tursodb's file
  uint16_t http_port = 8080;               // spawn: port the child listens on (0 = pick a free one)
  uint32_t pool_size = 8;                  // keep-alive connections (TURSO_POOL_SIZE)
  bool echo_sql = false;                   // TURSO_ECHO_SQL
  uint32_t timeout_ms = 10000;             // per HTTP request to the server
  bool tls_verify = true;
  uint32_t restart_backoff_ms = 200;
  uint32_t max_restarts = 5;               // within restart_window_s, then give up loudly
  uint32_t restart_window_s = 60;
  uint32_t ready_timeout_ms = 10000;
  uint32_t stop_grace_ms = 5000;

  bool operator==(const SqldConfig&) const = default;
};

struct SpoolConfig {
  bool enabled = true;                       // batches the store cannot take go to disk
  std::string dir;  // segment files, created if missing; "" = next to the database (see key help)
  uint64_t max_bytes = 1ull << 30;           // above it requests are answered 503
  uint64_t segment_bytes = 4 << 20;  // a segment file is closed at about this size (replay
                                     // scans a whole segment in memory at start)

  bool operator==(const SpoolConfig&) const = default;
};

struct RetentionConfig {
  std::string max_age;             // "30d", "12h", "90m", "3600s", "3600"; "" or "0" = forever
  uint64_t max_db_bytes = 0;       // embedded: delete oldest sessions above it; 0 = no limit
  uint32_t interval_ms = 60000;    // between retention passes while nothing is left to delete
  uint32_t batch_sessions = 100;   // sessions deleted per transaction

  bool operator==(const RetentionConfig&) const = default;
};

// retention.max_age in seconds: a number with an optional unit s, m, h, d or w ("30d");
// "" and "0" = 0 (keep forever). kInvalidArgument otherwise.
Result<uint64_t> ParseRetentionAge(std::string_view text);

struct StreamConfig {
  uint64_t buffer_records = 10000;  // committed records kept for replay and slow readers
  uint64_t buffer_bytes = 8 << 20;  // ...and their bytes at most (counted with overhead)
  uint32_t keepalive_ms = 15000;    // a comment line on an idle stream
  uint32_t max_connections = 256;   // streams open at once; more get 503

  bool operator==(const StreamConfig&) const = default;
};

// POST /v1/traces with OTLP bodies (docs/otlp.md).
struct OtlpConfig {
  // Attribute keys naming a span's session, comma-separated, first present wins (the span's
  // attributes, then its resource's); none: "otel-<trace id>". Empty: the conventions' keys
  // (otlp::MappingOptions' default list).
  std::string session_attributes;
  bool keep_other_spans = false;  // spans of no LLM convention: runtime events, not dropped
  uint32_t max_spans = 10000;     // spans in one request; 413 above

  bool operator==(const OtlpConfig&) const = default;
};

struct AuthConfig {
  // Keys with the ingest scope (POST), comma-separated. No key in any of the three lists (and
  // their files) = authentication off.
  std::string api_keys;
  std::string api_keys_file;   // one key per line; '#' comments and blank lines ignored
  // Keys with the read scope: GET of the read API (/v1/sessions/{id}, /v1/stream, ...). Same
  // forms as above.
  std::string read_keys;
  std::string read_keys_file;
  // Keys with the admin scope: ingest, read and DELETE /v1/sessions/{id}. Same forms as above.
  std::string admin_keys;
  std::string admin_keys_file;
  bool protect_metrics = false;  // GET /metrics needs a key too

  bool operator==(const AuthConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";
  std::string format = "logfmt";  // logfmt | json

  bool operator==(const LogConfig&) const = default;
};

struct Config {
  HttpConfig http;
  TlsConfig tls;
  IngestConfig ingest;
  QueueConfig queue;
  BatchConfig batch;
  RetryConfig retry;
  Backend backend = Backend::kAuto;
  EmbeddedConfig embedded;
  SqldConfig sqld;
  SpoolConfig spool;
  RetentionConfig retention;
  StreamConfig stream;
  OtlpConfig otlp;
  AuthConfig auth;
  LogConfig log;
  uint32_t shutdown_timeout_ms = 20000;    // drain deadline on SIGTERM

  bool operator==(const Config&) const = default;
};

Config Defaults();

// What the command line asked for besides configuration.
struct Invocation {
  Config config;
  bool check_config = false;   // --check-config: validate, print effective config, exit
  bool show_version = false;   // --version
  bool show_help = false;      // --help
  // One line per deprecated key name used (file, environment or --set), naming its new name;
  // the caller logs them as warnings.
  std::vector<std::string> warnings;
};

// Loads defaults < file (--config or TRACECOLLECTOR_CONFIG) < environment < flags.
// `args` are the command-line arguments WITHOUT argv[0]; `env` is a list of "NAME=value"
// (environ in production, a fixture in tests). With --help or --version, nothing but the flags
// is read and `config` is Defaults().
// Errors name the key/flag and, for the file, line:column.
Result<Invocation> Load(const std::vector<std::string>& args, const std::vector<std::string>& env);

// Validation of cross-field rules and ranges; Load() calls it.
Status Validate(const Config& config);

// The effective configuration as TOML (what --check-config prints); Load() of it as the file
// gives the same Config, except that a set sqld.auth_token is printed only as the comment
// `# auth_token = "***"` (redacted) and so comes back empty.
std::string ToToml(const Config& config);

std::string HelpText();

const char* BackendName(Backend b);
const char* AckModeName(AckMode a);
const char* SqldModeName(SqldMode m);

}  // namespace tc::config
