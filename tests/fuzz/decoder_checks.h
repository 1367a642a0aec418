#pragma once

// The properties every decoder result must have, whatever the input (docs/fuzzing.md). A
// violation aborts (TC_CHECK), which libFuzzer reports as a crash with the input saved.
// With TC_FUZZ_VERBOSE set in the environment, every decoded request is printed (triage).

#include <string_view>

#include "common/result.h"
#include "ingest/decoder.h"

namespace tc::fuzz {

// Limits small enough that fuzzed inputs (-max_len 64 KiB) reach every limit check.
ingest::IngestLimits FuzzLimits();

// Checks `result` of DecodeRecords (traces = false) or DecodeTraces (traces = true):
//  - a failure is kInvalidArgument with a message;
//  - records, indexes and ids have one entry per accepted record, at most
//    max_records_per_request; every position is < total;
//  - every request position is either accepted or refused, never both (records: one record per
//    position; traces: a document's records share its position and its session id);
//  - every text a record carries is valid UTF-8, every JSON-valued field is valid JSON;
//  - storage::PlanRecord() of every record binds StatementParamCount() values per step, guards
//    point at earlier steps, and every TEXT argument is valid UTF-8.
void CheckDecoded(const Result<ingest::DecodedRequest>& result, bool traces,
                  const ingest::IngestLimits& limits);

// Contract (decoder.h): a JSON body (`ndjson` false) that is not JSON is refused as a whole; an
// NDJSON line that is not JSON refuses its record. `body` is the decoded input. Skipped when
// TC_FUZZ_ALLOW_INVALID_JSON is set (to explore past an open finding; docs/fuzzing.md).
void CheckInvalidJsonRefused(std::string_view body, bool ndjson,
                             const Result<ingest::DecodedRequest>& result);

// Differential check: two encodings of the same records (an NDJSON body and the JSON array of
// its lines; a trace document alone and inside {"traces":[...]}). When both decode without a
// whole-body error, they must give the same positions, refusals, ids and write plans. Callers
// run it only on valid JSON (json_grammar.h), where the contract makes them equivalent.
// `what` names the pair in the failure message.
void CheckSameDecoding(const Result<ingest::DecodedRequest>& a,
                       const Result<ingest::DecodedRequest>& b, const char* what);

}  // namespace tc::fuzz
