#pragma once

// Typed reads from simdjson on-demand values with the ingest limits enforced. Internal to
// ingest/ (decoder.cc, record_decoder.cc, trace_decoder.cc).
//
// Every read returns true on success; on failure it stores a FieldError (the first one wins)
// and returns false, leaving the caller to stop decoding that record. On-demand values are
// forward-only: each value is read at most once.

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/decoder.h"
#include "schema/records.h"

namespace tc::ingest::internal {

namespace od = simdjson::ondemand;

// Why a value was refused. `field` is a path relative to the record ("a.b[3]"); `syntax` means
// the JSON text itself is malformed, so the enclosing document (or NDJSON line) is unusable.
struct FieldError {
  std::string field;
  std::string message;
  bool syntax = false;
};

// "a" + "b" → "a.b"; "a" + "[2].c" → "a[2].c"; either side may be empty.
std::string JoinPath(std::string_view parent, std::string_view child);
// "an object", "a string", ... for messages.
const char* JsonTypeName(od::json_type type);

// A metadata object kept as its members so keys can be added (step_id) or replaced (actions)
// without re-parsing. Members are compact JSON text `"key":value`.
struct MetadataObject {
  bool present = false;
  std::vector<std::pair<std::string, std::string>> members;  // (unescaped key, compact member)
  schema::OptString step_id;                                 // metadata.step_id when a string
  bool HasKey(std::string_view key) const;
};

// The metadata text: the members, then `"step_id":add_step_id` when given and the object has no
// step_id key, then `"actions":actions_json` (replacing an existing "actions" member) when given.
// nullopt when the metadata was absent and nothing is added.
schema::JsonText BuildMetadata(const MetadataObject& metadata, const std::string* add_step_id,
                               const std::string* actions_json);

class Reader {
 public:
  // `body_end`: one past the last byte of the JSON text being decoded (for spans that reach it).
  Reader(const IngestLimits& limits, const char* body_end) : limits_(limits), body_end_(body_end) {}

  const IngestLimits& limits() const { return limits_; }
  bool failed() const { return failed_; }
  const FieldError& error() const { return error_; }

  // Records an error (first one wins); always returns false.
  bool Fail(std::string field, std::string message, bool syntax = false);
  // Records a simdjson error code met while reading `field`, classified syntax or not.
  bool FailCode(std::string field, simdjson::error_code code);
  // Re-roots the stored error under `field` (paths are built while unwinding); returns false.
  bool Reroot(std::string_view field);

  // Type of `v`, or failure (syntax) when the token is not JSON.
  bool Type(od::value& v, std::string_view field, od::json_type* type);

  // Strings. Id: ≤ max_id_bytes; Text: ≤ max_string_bytes. Opt*: JSON null → nullopt.
  bool Id(od::value& v, std::string_view field, std::string* out);
  bool OptId(od::value& v, std::string_view field, schema::OptString* out);
  bool OptText(od::value& v, std::string_view field, schema::OptString* out);
  // A datetime: ISO text kept as sent, or a number of Unix seconds converted to ISO text.
  bool OptTime(od::value& v, std::string_view field, schema::OptString* out);
  // An id that may also be sent as an integer (version_number): stored as decimal text.
  bool IdOrInt(od::value& v, std::string_view field, std::string* out);

  // Numbers. Integers accept integral floats (100.0); out of int64 range is an error.
  bool Int(od::value& v, std::string_view field, int64_t* out);
  bool OptInt(od::value& v, std::string_view field, schema::OptInt* out);
  bool Double(od::value& v, std::string_view field, double* out);
  bool OptDouble(od::value& v, std::string_view field, schema::OptDouble* out);
  bool OptBool(od::value& v, std::string_view field, schema::OptBool* out);

  // Any JSON value → compact text (null → nullopt). Validates the whole value: syntax, string
  // and array limits.
  bool Json(od::value& v, std::string_view field, schema::JsonText* out);
  // A string is kept as its text, any other value as compact JSON (annotation).
  bool StringOrJson(od::value& v, std::string_view field, schema::OptString* out);
  // An object (or null) kept as members; metadata.step_id is captured when it is a string.
  bool Metadata(od::value& v, std::string_view field, MetadataObject* out);
  // An array of integers (runtime `actions`) → compact text; null → nullopt.
  bool IntArray(od::value& v, std::string_view field, schema::JsonText* out);
  // Message content: string as is; {"text","json_payload"} → json_payload else text; any
  // other value → compact JSON. Null is an error (content is required).
  bool Content(od::value& v, std::string_view field, std::string* out);

  // The Opt* shape: JSON null → out->reset(); otherwise `read(T*)` reads the value, which is
  // stored in *out only when it succeeds.
  template <typename T, typename ReadFn>
  bool Optional(od::value& v, std::string_view field, std::optional<T>* out, ReadFn read) {
    bool is_null = false;
    if (!IsNull(v, field, &is_null)) return false;
    if (is_null) {
      out->reset();
      return true;
    }
    T value{};
    if (!read(&value)) return false;
    *out = std::move(value);
    return true;
  }

  // Compact text of the span [start, end) of JSON text; false (syntax) if it cannot be minified
  // or the span is not a forward range.
  bool Minify(const char* start, const char* end, std::string_view field, std::string* out);
  // Where the value `v` (already consumed) ends: its current location, or the body end.
  const char* EndOf(od::value& v) const;

 private:
  bool String(od::value& v, std::string_view field, size_t max_bytes, const char* limit_name,
              std::string_view* out);
  bool IsNull(od::value& v, std::string_view field, bool* is_null);
  // Validates `v` completely (recursively); on failure the error's field is relative to `v`.
  bool Walk(od::value& v, size_t depth);
  // Walk() that also returns the value's JSON text (possibly with trailing whitespace).
  // Scalars end with their token (simdjson does not always advance past a number); objects
  // and arrays where the iterator stands after them.
  bool WalkSpan(od::value& v, size_t depth, std::string_view* span);

  const IngestLimits& limits_;
  const char* body_end_;
  bool failed_ = false;
  FieldError error_;
};

}  // namespace tc::ingest::internal
