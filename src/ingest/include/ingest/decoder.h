#pragma once

// Request bodies → schema::Record, with validation. Pure: no I/O, no globals; fuzzed.
// Decoding uses simdjson's on-demand API; the body must be padded (simdjson::SIMDJSON_PADDING
// readable bytes after its end).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "schema/records.h"

namespace tc::ingest {

struct IngestLimits {
  size_t max_records_per_request = 10000;
  size_t max_string_bytes = 1 << 20;
  size_t max_array_items = 10000;
  size_t max_depth = 64;
  size_t max_id_bytes = 512;  // ids, keys, names
};

// Why one record was refused. `field` is a JSON path inside the record ("session_id",
// "time_record.event_time", "call_records[3]") or inside the document for /v1/traces
// ("event_history[2].event_type"); empty when the record as a whole is bad.
struct RecordError {
  size_t index = 0;  // position of the record in the request (NDJSON: line's record index)
  std::string id;    // the record's client id, if it had a readable one
  std::string field;
  std::string message;
};

// Refused records described in full per request; later ones are only counted, so a body of
// many small bad records cannot make the decoder (or the answer) hold a message for each.
inline constexpr size_t kMaxRecordErrors = 100;

struct DecodedRequest {
  std::vector<schema::Record> records;  // accepted records, in request order
  std::vector<size_t> indexes;          // indexes[i] = request position of records[i]
  std::vector<std::string> ids;         // ids[i] = client id of records[i] ("" if none)
  std::vector<RecordError> errors;      // the first kMaxRecordErrors refused, in request order
  size_t errors_dropped = 0;            // refused records after those (counted only)
  size_t total = 0;                     // records in the request (accepted + refused)

  // Adds a refused record (described, or counted once kMaxRecordErrors are).
  void AddError(RecordError&& error) {
    if (errors.size() < kMaxRecordErrors) {
      errors.push_back(std::move(error));
    } else {
      ++errors_dropped;
    }
  }
};

enum class BodyFormat { kJson, kNdjson };

// Both functions: thread-safe (no shared state; each call owns its simdjson parser), throw
// nothing but std::bad_alloc, and never read past padded_body.size() + SIMDJSON_PADDING.
// A refused record yields no Record. Unknown fields are ignored.

// POST /v1/records. JSON: {"records":[...]}, a bare array, or one record object.
// NDJSON: one record per non-empty line; a line that is not JSON refuses that record alone.
// Whole-body failures (not JSON, wrong top-level shape, over max_records_per_request, depth)
// return kInvalidArgument whose message says what and where.
Result<DecodedRequest> DecodeRecords(std::string_view padded_body, BodyFormat format,
                                     const IngestLimits& limits);

// POST /v1/traces. A synth-ai SessionTrace document (SessionTrace.to_dict() form, old and new
// field names) or {"traces":[...]}. Records derive idempotency keys from the session id and
// their position, so posting the same document twice stores it once. A bad part of a
// document refuses the whole document (index = document position), never a partial session.
// Here `total` counts documents, indexes[i] is the document position of records[i] (several
// records share it), ids[i] and RecordError::id are the document's session_id, and
// max_records_per_request bounds the records derived from all documents together.
Result<DecodedRequest> DecodeTraces(std::string_view padded_body, const IngestLimits& limits);

}  // namespace tc::ingest
