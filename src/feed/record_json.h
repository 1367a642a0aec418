#pragma once

// A record as JSON in the POST /v1/records form (internal to src/feed/): {"position":N,
// "type":"event","id":"<key>", then its fields under their wire names (schema/record_fields.h),
// JSON fields as JSON, absent ones left out}.

#include <cstdint>
#include <string>

#include "schema/records.h"

namespace tc::feed {

void AppendRecordJson(const schema::Record& record, uint64_t position, std::string* out);

}  // namespace tc::feed
