#pragma once

// Baseline (ii), for the sqld backend: the request bodies the collector's HranaSink would send
// for the same records (storage::PlanRecordInto + sink::EncodeTransaction with tursodb's
// dialect: BEGIN IMMEDIATE, the records' statements, COMMIT), POSTed to the same kind of
// server by a bare libcurl loop on one kept-alive connection. Encoding happens before the
// clock starts (Encode); only Post() is timed, so the difference to the collector is what it
// adds around the database: HTTP in, JSON decoding, queueing, planning, encoding, parsing.
// Not thread-safe.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "schema/records.h"

namespace tc::bench {

class PlainHranaClient {
 public:
  PlainHranaClient();
  ~PlainHranaClient();
  PlainHranaClient(const PlainHranaClient&) = delete;
  PlainHranaClient& operator=(const PlainHranaClient&) = delete;

  // `base_url` is http://127.0.0.1:<port> of a tursodb --sync-server. Creates the schema (with
  // the collector's own HranaSink::Open, not timed). False + *error.
  bool Open(const std::string& base_url, std::string* error);

  // Appends the pipeline bodies holding `records` as one transaction (more than one only
  // above the sink's request limits) to `*bodies`.
  void Encode(std::span<const schema::Record> records, std::vector<std::string>* bodies);

  // POSTs one body to /v2/pipeline; false + *error unless HTTP 200. Whether the transaction
  // committed is not read here (a plain client would not parse more): the caller counts the
  // rows afterwards.
  bool Post(const std::string& body, std::string* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tc::bench
