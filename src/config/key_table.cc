#include "key_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "checks.h"
#include "common/strings.h"

namespace tc::config {
namespace {

constexpr uint64_t kU32Max = UINT32_MAX;
constexpr uint64_t kU64Max = UINT64_MAX;

// An integer key with an inclusive range.
constexpr KeySpec Int(std::string_view section, std::string_view name, FieldPtr (*field)(Config&),
                      uint64_t min, uint64_t max, std::string_view help) {
  return KeySpec{section, name, help, field, min, max, nullptr, false};
}
// A string, enum, boolean or float key, with an optional check of its value.
constexpr KeySpec Val(std::string_view section, std::string_view name, FieldPtr (*field)(Config&),
                      std::string_view help, ValueCheck check = nullptr) {
  return KeySpec{section, name, help, field, 0, kU64Max, check, false};
}
// A string key whose values are a fixed set of words, accepted in any case.
constexpr KeySpec Choice(std::string_view section, std::string_view name,
                         FieldPtr (*field)(Config&), std::string_view help, ValueCheck check,
                         TextCase text_case) {
  return KeySpec{section, name, help, field, 0, kU64Max, check, false, text_case};
}
constexpr KeySpec Secret(std::string_view section, std::string_view name,
                         FieldPtr (*field)(Config&), std::string_view help) {
  return KeySpec{section, name, help, field, 0, kU64Max, nullptr, true};
}

#define F(member) [](Config& c) -> FieldPtr { return &c.member; }

// Every key, in the order the sample file shows them. Cross-field rules live in validate.cc.
const KeySpec kKeys[] = {
    Val("", "backend", F(backend),
        "Where records are stored: \"embedded\" (a SQLite file, see [embedded]), \"sqld\" "
        "(Hrana over HTTP to a supervised sqld/tursodb child or an external server, see [sqld]) "
        "or \"auto\" (sqld when sqld.mode is \"external\" or a sqld binary is configured or on "
        "PATH, else embedded; the choice is logged at startup)."),
    Int("", "shutdown_timeout_ms", F(shutdown_timeout_ms), 1, kU32Max,
        "On SIGTERM/SIGINT, milliseconds allowed to drain queued records to the store before "
        "exiting."),

    Val("http", "listen", F(http.listen),
        "Address the cleartext HTTP server binds, \"host:port\" (IPv6: \"[::1]:4318\"). Port 0 "
        "picks a free port. Empty = no cleartext listener (only allowed with tls.listen set).",
        CheckListenOrEmpty),
    Int("http", "io_threads", F(http.io_threads), 0, 1024,
        "Threads serving HTTP; 0 = one per CPU core."),
    Int("http", "max_body_bytes", F(http.max_body_bytes), 1, kU64Max,
        "Largest request body accepted, in bytes; a larger one is answered 413."),
    Int("http", "max_body_bytes_in_flight", F(http.max_body_bytes_in_flight), 1, kU64Max,
        "Bytes held for requests over all connections: each body being received or decoded "
        "counts twice (its bytes and the records decoded from them, until they are queued), "
        "and answers not yet read by their clients count too; a request that would exceed it "
        "is answered 429 with Retry-After before its body is read (a body larger than this is "
        "taken when nothing else is held)."),
    Int("http", "max_header_bytes", F(http.max_header_bytes), 1, kU32Max,
        "Largest request header block, in bytes; a larger one is answered 431."),
    Int("http", "read_timeout_ms", F(http.read_timeout_ms), 1, kU32Max,
        "Milliseconds within which a whole request must arrive, else the connection is closed."),
    Int("http", "idle_timeout_ms", F(http.idle_timeout_ms), 1, kU32Max,
        "Milliseconds an idle keep-alive connection is kept open."),
    Int("http", "max_pipelined", F(http.max_pipelined), 1, kU32Max,
        "Requests read ahead on one connection while earlier responses are still pending."),
    Int("http", "max_connections", F(http.max_connections), 1, kU32Max,
        "Open connections allowed; further connections are answered 503 and closed."),
    Int("http", "read_threads", F(http.read_threads), 1, 64,
        "Threads that run the read API's queries (GET /v1/sessions, /v1/events, ...), at a lower "
        "scheduling priority (nice +10) than ingest, so readers do not starve it of CPU. One "
        "keeps ingest at full rate on 2 cores with 8 clients reading in a loop "
        "(docs/performance.md); raise it on larger machines."),
    Int("http", "max_reads_in_flight", F(http.max_reads_in_flight), 1, 100000,
        "Read API requests queued or running at once; more are answered 503 with Retry-After."),

    Val("tls", "listen", F(tls.listen),
        "Address of the HTTPS listener, \"host:port\"; empty = no HTTPS. It serves the same "
        "endpoints with the same limits as http.listen; both may be set.",
        CheckListenOrEmpty),
    Val("tls", "cert_file", F(tls.cert_file),
        "PEM file of the server certificate (leaf first, then intermediates); required with "
        "tls.listen. Re-read on SIGHUP."),
    Val("tls", "key_file", F(tls.key_file),
        "PEM file of the certificate's private key (not encrypted); required with tls.listen. "
        "Re-read on SIGHUP."),
    Val("tls", "client_ca_file", F(tls.client_ca_file),
        "PEM file of the CA certificate(s) client certificates must chain to. Set = every HTTPS "
        "client must present a valid certificate (mutual TLS); empty = none asked for. "
        "Re-read on SIGHUP."),
    Val("tls", "min_version", F(tls.min_version),
        "Oldest TLS version accepted: \"1.2\" or \"1.3\".", CheckTlsVersion),
    Int("tls", "handshake_timeout_ms", F(tls.handshake_timeout_ms), 1, kU32Max,
        "Milliseconds a new HTTPS connection has to complete its TLS handshake, else it is "
        "closed (and counted in tls_handshake_failures_total)."),

    Int("ingest", "max_records_per_request", F(ingest.max_records_per_request), 1, kU32Max,
        "Records allowed in one request; a request with more is refused whole (400)."),
    Int("ingest", "max_string_bytes", F(ingest.max_string_bytes), 1, kU32Max,
        "Longest string value accepted in a record, in bytes."),
    Int("ingest", "max_array_items", F(ingest.max_array_items), 1, kU32Max,
        "Most items accepted in any one JSON array."),
    Int("ingest", "max_depth", F(ingest.max_depth), 1, 1024, "Deepest JSON nesting accepted."),
    Val("ingest", "ack", F(ingest.ack),
        "When a request that does not say (?ack=) is answered: \"durable\" = after its records "
        "are committed (or spooled), \"queued\" = as soon as they are admitted to the queue."),
    Int("ingest", "idempotency_window_s", F(ingest.idempotency_window_s), 1, kU32Max,
        "Seconds an Idempotency-Key is remembered in memory after its request finished: a "
        "request reusing it with another body within this time is refused 422 (duplicates are "
        "prevented for as long as tc_idempotency keeps the records' keys, restarts included)."),
    Int("ingest", "idempotency_max_keys", F(ingest.idempotency_max_keys), 1, 10000000,
        "Most Idempotency-Keys remembered in memory (about 400 bytes each at most); past it the "
        "oldest is forgotten early."),

    Int("queue", "max_records", F(queue.max_records), 1, kU64Max,
        "Records admitted but not yet written; above it requests are answered 429."),
    Int("queue", "max_bytes", F(queue.max_bytes), 1, kU64Max,
        "Bytes of records admitted but not yet written; above it requests are answered 429."),
    Int("queue", "retry_after_s", F(queue.retry_after_s), 1, 3600,
        "Seconds sent in Retry-After with 429 and 503 answers."),

    Int("batch", "max_records", F(batch.max_records), 1, kU32Max,
        "A write transaction holds at most this many records (<= queue.max_records)."),
    Int("batch", "max_bytes", F(batch.max_bytes), 1, kU64Max,
        "A write transaction holds at most this many bytes of records (<= queue.max_bytes)."),
    Int("batch", "max_delay_ms", F(batch.max_delay_ms), 0, kU32Max,
        "Milliseconds the writer waits for more records before committing a partial batch."),

    Int("retry", "initial_ms", F(retry.initial_ms), 1, kU32Max,
        "First delay, in milliseconds, before retrying a failed write."),
    Int("retry", "max_ms", F(retry.max_ms), 1, kU32Max,
        "Longest delay between retries, in milliseconds (>= initial_ms)."),
    Val("retry", "multiplier", F(retry.multiplier),
        "Each retry's delay is the previous one times this (1.0 .. 100.0).", CheckMultiplier),

    Val("embedded", "path", F(embedded.path),
        "The SQLite database file (created if missing; WAL mode).", CheckNonEmpty),
    Choice("embedded", "synchronous", F(embedded.synchronous),
           "SQLite PRAGMA synchronous: \"FULL\" (an acknowledged record survives power loss), "
           "\"EXTRA\" (stricter than FULL) or \"NORMAL\" (survives a process crash only).",
           CheckSynchronous, TextCase::kUpper),
    Int("embedded", "busy_timeout_ms", F(embedded.busy_timeout_ms), 1, kU32Max,
        "Milliseconds a write waits for another process's lock on the file before the batch is "
        "retried (with backoff; the queue fills meanwhile)."),
    Val("embedded", "message_index", F(embedded.message_index),
        "Keep a full-text (FTS5) index of messages.content for the read API's q= (triggers on "
        "messages keep it current). It costs message-heavy ingest about half its rate "
        "(docs/performance.md), hence off by default; without it q= scans the newest 100,000 "
        "messages. Turning it off drops it. (On sqld q= always scans.)"),

    Val("sqld", "mode", F(sqld.mode),
        "\"spawn\" = run and supervise a sqld/tursodb child; \"external\" = use the server at "
        "url."),
    Val("sqld", "url", F(sqld.url),
        "External server URL (libsql://, https:// or http://); required when mode is "
        "\"external\", not allowed otherwise.",
        CheckUrl),
    Secret("sqld", "auth_token", F(sqld.auth_token),
           "Sent as \"Authorization: Bearer <token>\"; empty = no header. Never printed; prefer "
           "the TURSO_AUTH_TOKEN environment variable to keep it out of files."),
    Val("sqld", "binary", F(sqld.binary),
        "spawn: the server program, a path or a name on PATH (\"sqld\", \"tursodb\"); empty = "
        "the default server found on PATH."),
    Val("sqld", "db_path", F(sqld.db_path),
        "spawn: sqld's data directory, or tursodb's database file.", CheckNonEmpty),
    Int("sqld", "http_port", F(sqld.http_port), 0, 65535,
        "spawn: port the child listens on, on 127.0.0.1; 0 = pick a free one."),
    Int("sqld", "pool_size", F(sqld.pool_size), 1, 1024,
        "Keep-alive HTTP connections kept open to the server."),
    Val("sqld", "echo_sql", F(sqld.echo_sql),
        "Log every SQL statement sent (debugging; very verbose)."),
    Int("sqld", "timeout_ms", F(sqld.timeout_ms), 1, kU32Max,
        "Milliseconds allowed for one HTTP request to the server."),
    Val("sqld", "tls_verify", F(sqld.tls_verify),
        "Verify the server's TLS certificate (https:// and libsql:// URLs)."),
    Int("sqld", "restart_backoff_ms", F(sqld.restart_backoff_ms), 0, kU32Max,
        "spawn: milliseconds to wait before restarting a child that exited."),
    Int("sqld", "max_restarts", F(sqld.max_restarts), 0, kU32Max,
        "spawn: restarts allowed within restart_window_s; one more and the collector gives up "
        "loudly (0 = never restart)."),
    Int("sqld", "restart_window_s", F(sqld.restart_window_s), 1, kU32Max,
        "spawn: the window, in seconds, that max_restarts counts in."),
    Int("sqld", "ready_timeout_ms", F(sqld.ready_timeout_ms), 1, kU32Max,
        "spawn: milliseconds a started child has to pass its health check."),
    Int("sqld", "stop_grace_ms", F(sqld.stop_grace_ms), 0, kU32Max,
        "spawn: milliseconds between SIGTERM and SIGKILL when stopping the child."),

    Val("spool", "enabled", F(spool.enabled),
        "When the store is unreachable, write batches to a local durable spool (fsync'd, "
        "checksummed) and acknowledge them from there; replayed in order when the store is "
        "back and on start. false = such requests wait, then are answered 429/503."),
    Val("spool", "dir", F(spool.dir),
        "Directory of the spool's segment files (created if missing). Empty = next to the "
        "database: \"<embedded.path>.spool\", \"<sqld.db_path>.spool\" for a spawned server, "
        "\"tracecollector.spool\" in the working directory for an external one."),
    Int("spool", "max_bytes", F(spool.max_bytes), 1, kU64Max,
        "Bytes the spool may hold on disk; when full, requests are answered 503 with "
        "Retry-After."),
    Int("spool", "segment_bytes", F(spool.segment_bytes), 4096, kU64Max,
        "A segment file is closed and a new one started at about this size, in bytes."),

    Val("retention", "max_age", F(retention.max_age),
        "Delete sessions whose created_at is older than this: a number with a unit, s, m, h, "
        "d or w (\"30d\", \"12h\"). Empty or \"0\" = keep forever. Sessions go whole "
        "(timesteps, events, messages, rewards, their idempotency keys) in small transactions "
        "between batches.",
        CheckRetentionAge),
    Int("retention", "max_db_bytes", F(retention.max_db_bytes), 0, kU64Max,
        "Embedded backend: while the database's pages in use exceed this many bytes, delete the "
        "oldest sessions. 0 = no limit. Not measured on sqld."),
    Int("retention", "interval_ms", F(retention.interval_ms), 100, kU32Max,
        "Milliseconds between retention passes while nothing is left to delete (a pass that "
        "deleted a full batch is followed by the next one right after the next write)."),
    Int("retention", "batch_sessions", F(retention.batch_sessions), 1, 100000,
        "Sessions deleted per transaction: ingest waits for at most one such transaction."),

    Int("stream", "buffer_records", F(stream.buffer_records), 1, kU64Max,
        "GET /v1/stream keeps the last this many committed records in memory, rendered once for "
        "every connection: what a client reconnecting with Last-Event-ID can replay, and how far "
        "a slow client may fall behind before it gets event: dropped."),
    Int("stream", "buffer_bytes", F(stream.buffer_bytes), 4096, kU64Max,
        "...and at most about this many bytes of them (the buffer's memory bound)."),
    Int("stream", "keepalive_ms", F(stream.keepalive_ms), 100, kU32Max,
        "A comment line is sent on a stream idle this long, so proxies keep it open."),
    Int("stream", "max_connections", F(stream.max_connections), 0, 100000,
        "Stream connections open at once; more are answered 503. They count in "
        "http.max_connections too."),

    Val("otlp", "session_attributes", F(otlp.session_attributes),
        "OTLP spans (POST /v1/traces, docs/otlp.md): the attribute keys that name a span's "
        "session, comma-separated, the first present wins (the span's attributes, then its "
        "resource's). Empty: gen_ai.conversation.id, session.id, langfuse.session.id, "
        "traceloop.association.properties.{session_id,conversation_id,chat_id,thread_id}, "
        "ai.telemetry.metadata.sessionId. A span with none goes to the session its trace is "
        "linked to, else to \"otel-<trace id>\"."),
    Val("otlp", "keep_other_spans", F(otlp.keep_other_spans),
        "OTLP spans of no LLM convention (HTTP clients, databases, ...) are stored as runtime "
        "events. Off: they are dropped and counted (tracecollector_otlp_spans_dropped_total)."),
    Int("otlp", "max_spans", F(otlp.max_spans), 1, 1000000,
        "Spans in one OTLP request; a request with more is answered 413."),

    Secret("auth", "api_keys", F(auth.api_keys),
           "API keys with the ingest scope, accepted as \"Authorization: Bearer <key>\" on "
           "POST /v1/*, comma-separated. With no key in any list or file of [auth], everything "
           "but DELETE is open (--check-config warns when a listener is not on loopback). Never "
           "printed; prefer api_keys_file or the environment."),
    Val("auth", "api_keys_file", F(auth.api_keys_file),
        "A file of API keys, one per line (blank lines and lines starting with '#' ignored); "
        "read at start."),
    Secret("auth", "read_keys", F(auth.read_keys),
           "API keys with the read scope, comma-separated: they may GET the read API "
           "(/v1/sessions/{id}, /v1/stream, which also takes ?access_token=<key>) but not "
           "ingest (403). A key in several lists has all their scopes. Never printed; prefer "
           "read_keys_file or the environment."),
    Val("auth", "read_keys_file", F(auth.read_keys_file),
        "A file of read keys, one per line (blank lines and lines starting with '#' ignored); "
        "read at start."),
    Secret("auth", "admin_keys", F(auth.admin_keys),
           "API keys with the admin scope, comma-separated: they ingest and read like api_keys "
           "and read_keys and may also DELETE /v1/sessions/{id} (other keys get 403). Without "
           "an admin key no session can be deleted over HTTP. Never printed; prefer "
           "admin_keys_file or the environment."),
    Val("auth", "admin_keys_file", F(auth.admin_keys_file),
        "A file of admin keys, one per line (blank lines and lines starting with '#' ignored); "
        "read at start."),
    Val("auth", "protect_metrics", F(auth.protect_metrics),
        "GET /metrics requires a key too (any scope). /healthz and /readyz always stay open."),

    Choice("log", "level", F(log.level),
           "Lowest level logged to stderr: \"debug\", \"info\", \"warn\" or \"error\".",
           CheckLogLevel, TextCase::kLower),
    Choice("log", "format", F(log.format),
           "\"logfmt\" (key=value lines for people) or \"json\" (one JSON object per line for "
           "machines).",
           CheckLogFormat, TextCase::kLower),
};

#undef F

const SectionSpec kSections[] = {
    {"", "Top-level keys (TOML requires them before the first [section])."},
    {"http",
     "The HTTP/JSON server (POST /v1/records, /v1/traces; GET /healthz, /readyz, "
     "/metrics)."},
    {"tls",
     "The HTTPS listener (docs/tls.md): TLS 1.2+ with the system OpenSSL's defaults, optional "
     "client certificates. Certificate, key and CA files are re-read on SIGHUP."},
    {"ingest", "Limits applied while decoding request bodies, and the default acknowledgement."},
    {"queue",
     "The admission queue between HTTP and the writer. Memory is bounded by these caps; "
     "overload is answered 429 with Retry-After, never absorbed."},
    {"batch",
     "How the writer groups records into transactions: a batch is committed when it "
     "reaches max_records or max_bytes, or max_delay_ms after its first record."},
    {"retry",
     "Backoff for batch writes that failed with a retryable error (database busy or locked, "
     "server down, 5xx, timeout), on either backend; it also paces the spool's replay. "
     "Formerly [sqld.retry]: the old names still work, with a warning."},
    {"embedded", "backend = \"embedded\": a local SQLite file."},
    {"sqld",
     "backend = \"sqld\": Hrana over HTTP to sqld/tursodb, spawned and supervised by the "
     "collector (mode = \"spawn\") or an external server such as Turso "
     "(mode = \"external\")."},
    {"spool",
     "The local durable spool: where batches go while the store is unreachable, so their "
     "requests can still be acknowledged durably."},
    {"retention",
     "Deleting old sessions: by age and/or, on the embedded backend, by database size "
     "(docs/operations.md, \"Retention\")."},
    {"stream",
     "GET /v1/stream: committed records as server-sent events (docs/api.md, "
     "\"GET /v1/stream\")."},
    {"otlp",
     "OpenTelemetry traces (OTLP/HTTP, protobuf or JSON) on POST /v1/traces: how spans map to "
     "sessions and events (docs/otlp.md)."},
    {"auth",
     "API keys and their scopes: ingest keys post, read keys read, admin keys do both and "
     "delete sessions (docs/api.md, \"Authentication\"). Health endpoints (/healthz, /readyz) "
     "are always open."},
    {"log", "Logging to stderr."},
};

const EnvAlias kAliases[] = {
    {"TURSO_DATABASE_URL", "sqld.url",
     "also sets sqld.mode = \"external\"; the seed's sqlite+libsql:// prefix is accepted"},
    {"TURSO_AUTH_TOKEN", "sqld.auth_token", ""},
    {"TURSO_POOL_SIZE", "sqld.pool_size", ""},
    {"TURSO_ECHO_SQL", "sqld.echo_sql", "true, false, 1 or 0"},
    {"SQLD_HTTP_PORT", "sqld.http_port", ""},
    {"SQLD_BINARY", "sqld.binary", ""},
    {"SQLD_DB_PATH", "sqld.db_path", ""},
};

// Old names still read (with a warning); docs/configuration.md, "Renamed keys", lists them too.
const RenamedKey kRenamed[] = {
    {"sqld.retry.initial_ms", "retry.initial_ms"},
    {"sqld.retry.max_ms", "retry.max_ms"},
    {"sqld.retry.multiplier", "retry.multiplier"},
};

const KeySpec* FindByName(std::string_view dotted) {
  for (const KeySpec& key : kKeys) {
    if (DottedName(key) == dotted) {
      return &key;
    }
  }
  return nullptr;
}

}  // namespace

std::span<const KeySpec> Keys() { return kKeys; }
std::span<const SectionSpec> Sections() { return kSections; }
std::span<const EnvAlias> EnvAliases() { return kAliases; }
std::span<const RenamedKey> RenamedKeys() { return kRenamed; }

std::string DottedName(const KeySpec& key) {
  if (key.section.empty()) {
    return std::string(key.name);
  }
  std::string out(key.section);
  out += '.';
  out += key.name;
  return out;
}

std::string EnvName(const KeySpec& key) { return EnvNameOf(DottedName(key)); }

std::string EnvNameOf(std::string_view dotted) {
  std::string name = AsciiUpper(dotted);
  std::replace(name.begin(), name.end(), '.', '_');
  return "TRACECOLLECTOR_" + name;
}

KeyMatch FindKey(std::string_view dotted) {
  if (const KeySpec* key = FindByName(dotted)) {
    return {key, nullptr};
  }
  for (const RenamedKey& renamed : kRenamed) {
    if (renamed.old_name == dotted) {
      return {FindByName(renamed.new_name), &renamed};
    }
  }
  return {};
}

KeyMatch FindKeyByEnv(std::string_view env_name) {
  for (const KeySpec& key : kKeys) {
    if (EnvName(key) == env_name) {
      return {&key, nullptr};
    }
  }
  for (const RenamedKey& renamed : kRenamed) {
    if (EnvNameOf(renamed.old_name) == env_name) {
      return {FindByName(renamed.new_name), &renamed};
    }
  }
  return {};
}

bool IsSection(std::string_view dotted) {
  if (dotted.empty()) {
    return false;
  }
  if (std::any_of(std::begin(kSections), std::end(kSections),
                  [&](const SectionSpec& s) { return s.name == dotted; })) {
    return true;
  }
  return std::any_of(std::begin(kRenamed), std::end(kRenamed), [&](const RenamedKey& r) {
    return r.old_name.size() > dotted.size() && r.old_name.starts_with(dotted) &&
           r.old_name[dotted.size()] == '.';
  });
}

std::string RenamedKeyWarning(std::string_view where, std::string_view used,
                              std::string_view instead) {
  return fmt::format("{}{} is deprecated: use {} (if both are given, {} wins)", where, used,
                     instead, instead);
}

}  // namespace tc::config
