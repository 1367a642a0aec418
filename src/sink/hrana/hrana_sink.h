#pragma once

// The sqld backend: writes storage::PlanRecord() plans to a Hrana-over-HTTP server (sqld,
// Turso, or tursodb --sync-server as a stand-in) through a pool of libcurl connections.
// How it works, and what differs on tursodb: docs/sqld.md.
//
// Atomicity. A Write() is sent as one request holding one transaction (see hrana_batch.h), so
// its records commit together or not at all. Only a batch above max_request_bytes /
// max_steps_per_request is split into several requests, each its own transaction, never
// splitting a record; if a later one fails, the earlier ones stay committed.
//
// "Nothing committed" on a retryable error is true, except in one case the protocol cannot
// rule out: the connection tore (or timed out) after the request was sent, so the server may
// have committed it. Idempotency keys make the retry safe for keyed records (their claims fail:
// reported kDuplicate, counters unchanged); an unkeyed record may then be stored twice. The
// same holds for the earlier parts of a split batch.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "hrana_batch.h"
#include "hrana_client.h"
#include "contract/sink.h"
#include "storage/write_plan.h"

namespace tc::sink {

struct HranaSinkOptions {
  // The server and the transport: client.url (libsql:// https:// http://, TURSO_DATABASE_URL),
  // client.pool (connections, per-request timeout, TLS, bearer token TURSO_AUTH_TOKEN).
  HranaClientOptions client;
  bool echo_sql = false;               // log every statement at info (TURSO_ECHO_SQL)
  size_t max_request_bytes = 8 << 20;  // split larger batches
  uint32_t max_steps_per_request = 50000;
  // tursodb only (it never checkpoints its WAL): PRAGMA wal_checkpoint(TRUNCATE) after this
  // many committed Write() calls or this much time since the last checkpoint, whichever comes
  // first; 0 disables that trigger.
  uint32_t checkpoint_every_batches = 1000;
  uint32_t checkpoint_interval_ms = 10000;
};

// The sink options the [sqld] config section gives for `url` (the external URL, or the
// spawned child's http://127.0.0.1:<port>).
HranaSinkOptions HranaSinkOptionsFromConfig(const config::SqldConfig& sqld, std::string url);

class HranaSink : public Sink {
  struct PassKey {};

 public:
  // Validates the URL (kInvalidArgument) and sets up the connection pool; connects to nothing.
  static Result<std::unique_ptr<HranaSink>> Create(const HranaSinkOptions& options);
  HranaSink(PassKey, HranaSinkOptions options, std::unique_ptr<HranaClient> client);
  ~HranaSink() override;

  // Detects the dialect (logged with the reason), creates the schema (CREATE ... IF NOT
  // EXISTS, synth-ai's reward-table migrations, indexes, views, schema version) in
  // transactions. Errors: the transport's (kUnavailable when the server is down,
  // kUnauthenticated), kFailedPrecondition (the database has a newer collector schema),
  // kInternal (DDL refused). Idempotent.
  [[nodiscard]] Status Open() override;

  // See the file comment and sink.h. Refused records (constraint, unresolved reference) are
  // reported kRefused with the server's message and the rest re-sent without them. Errors are
  // classified by ClassifyFailure() (hrana_errors.h). Not thread-safe (one writer thread);
  // Open() must have succeeded.
  [[nodiscard]] Status Write(std::span<const schema::Record> records,
                             std::vector<RecordResult>* results) override;

  // Deleting sessions (storage/retention.h): the row counts and selections as execute requests,
  // the deletes as one batch transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on failure).
  // The database's size is not measured (RetentionPass::db_bytes stays empty: max_db_bytes is
  // for the embedded backend); freed pages are reused by the server for later inserts (tursodb:
  // its WAL is checkpointed after a pass that deleted something). Writer thread only.
  [[nodiscard]] Status DeleteSession(std::string_view session_id, DeletedRows* deleted) override;
  [[nodiscard]] Status Retain(const RetentionPolicy& policy, RetentionPass* pass) override;

  // sqld: GET /health; tursodb: SELECT 1. Thread-safe.
  [[nodiscard]] Status Ping() override;

  std::string Describe() const override;  // "sqld:<base url>"

  const HranaDialect& dialect() const { return client_->dialect(); }
  HranaClient& client() { return *client_; }

  // Counters since creation (writer thread only; for tests and benchmarks).
  struct Stats {
    uint64_t requests = 0;       // batch requests sent
    uint64_t resends = 0;        // requests re-sent after refusals
    uint64_t split_batches = 0;  // Write() calls that needed more than one request
    uint64_t checkpoints = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  Status ApplySchema();
  // Plans records[indexes[0..]] one at a time into plan_ and encodes them into batch_, as many
  // as fit the limits (at least one). Returns how many were taken.
  size_t Encode(std::span<const schema::Record> records, std::span<const size_t> indexes,
                std::string_view now);
  // Sends batch_ until it commits or fails; refusals are written to `results` (indexed like
  // `records`) and the rest re-planned and re-encoded into batch_.
  Status SendTransaction(std::span<const schema::Record> records, std::string_view now,
                         std::vector<RecordResult>* results);
  void EchoSql(const storage::RecordPlan& plan) const;
  void MaybeCheckpoint();
  class Maintenance;  // storage::MaintenanceExecutor over client_ (hrana_sink_retention.cc)

  const HranaSinkOptions options_;
  std::unique_ptr<HranaClient> client_;
  HranaBatchLimits limits_;
  bool opened_ = false;
  // Writer-thread scratch and state. Only one record's plan is held at a time; batch_'s body
  // keeps its storage from request to request.
  storage::RecordPlan plan_;
  EncodedBatch batch_;
  std::vector<size_t> pending_;
  std::vector<size_t> keep_;
  size_t bytes_per_record_ = 2048;  // the last request's, to size the next body
  Stats stats_;
  uint64_t batches_since_checkpoint_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
};

}  // namespace tc::sink
