#pragma once

// The spool's binary encoding of records: compact, versioned by the frame it sits in, decoded
// with bounds checks (a corrupt payload is an error, never a crash). Every field listed in
// schema/record_fields.h is encoded, so a record comes back equal to what went in.
//
//   record  := u8 type (variant index) · string key · fields in VisitFields order
//   string  := u32 length · bytes          optional<T> := u8 present · T
//   int64 / double := 8 bytes little-endian     bool / enum := u8

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "schema/records.h"

namespace tc::spool {

// Appends the encoding of `records` (a u32 count, then each record) to `out`. With `next_key`,
// a record without an idempotency key is encoded with the key `key_prefix` + *next_key (which
// is then incremented), so that replaying it twice stores it once.
void EncodeRecords(std::span<const schema::Record> records, std::string* out,
                   std::string_view key_prefix = {}, uint64_t* next_key = nullptr);

// Decodes what EncodeRecords wrote, appending to `out`. kInvalidArgument when the bytes are not
// a complete, well-formed encoding (then `out` may hold a prefix; discard it).
Status DecodeRecords(std::string_view bytes, std::vector<schema::Record>* out);

}  // namespace tc::spool
