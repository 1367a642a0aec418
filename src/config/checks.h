#pragma once

// Single-value checks referenced by the key table (key_table.cc) and run whenever a key is set
// and again by Validate. Messages do not name the key; callers prefix it.

#include "common/status.h"
#include "key_table.h"

namespace tc::config {

Status CheckListen(const FieldPtr& value);         // "host:port" or "[v6]:port", port 0..65535
Status CheckListenOrEmpty(const FieldPtr& value);  // empty, or as CheckListen
Status CheckTlsVersion(const FieldPtr& value);     // "1.2" | "1.3"
Status CheckNonEmpty(const FieldPtr& value);
Status CheckSynchronous(const FieldPtr& value);  // FULL | NORMAL | EXTRA
Status CheckUrl(const FieldPtr& value);          // empty, or libsql:// https:// http://
Status CheckMultiplier(const FieldPtr& value);   // finite, 1.0 .. 100.0
Status CheckLogLevel(const FieldPtr& value);     // debug | info | warn | error
Status CheckLogFormat(const FieldPtr& value);    // logfmt | json
Status CheckRetentionAge(const FieldPtr& value);  // ParseRetentionAge

}  // namespace tc::config
