#pragma once

// Baseline (i): the rows the collector stores, written straight into the same schema
// (storage::SchemaStatements(): synth-ai's tables and indexes plus tc_idempotency) with
// libsqlite3, the same pragmas (WAL, synchronous=FULL), prepared statements and one
// transaction per Write(). No HTTP, no JSON, no statement plans: what a hand-written writer
// that knows its input does. Per transaction it sums the session/timestep counters up front
// and writes each session once (upsert) and each timestep with its counts, remembers timestep
// row ids instead of looking them up, and inserts every event/message with its idempotency key
// (row_id = the new row). The result has the rows the collector would store for the same
// records (counters included), so the two can be compared row for row.
//
// Supported record types: session, timestep, event, message (what the benchmark sends).
// A record of a step created in an earlier transaction is resolved with one indexed SELECT and
// that step's counters are updated before COMMIT.
// Not thread-safe.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "schema/records.h"

struct sqlite3;

namespace tc::bench {

class RawSqliteWriter {
 public:
  RawSqliteWriter();
  ~RawSqliteWriter();
  RawSqliteWriter(const RawSqliteWriter&) = delete;
  RawSqliteWriter& operator=(const RawSqliteWriter&) = delete;

  // Creates `path` with the schema; `synchronous` as in PRAGMA synchronous. False + *error.
  bool Open(const std::string& path, const std::string& synchronous, std::string* error);

  // One BEGIN IMMEDIATE ... COMMIT holding all of `records`. False + *error on any failure
  // (the transaction is rolled back).
  bool Write(std::span<const schema::Record> records, std::string* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tc::bench
