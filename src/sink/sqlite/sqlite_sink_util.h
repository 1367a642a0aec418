#pragma once

// Small helpers over the SQLite C API for SqliteSink: error classification, binding storage
// values, running a statement to completion. Not thread-safe beyond what the connection is.

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "storage/ddl.h"
#include "storage/schema_apply.h"
#include "storage/sql_value.h"

namespace tc::sink::sqlite_util {

// A whole-batch failure as a Status: busy/locked/I/O/read-only → kUnavailable (retry later),
// full disk / out of memory → kResourceExhausted, anything else → kInternal.
Status StatusFromSqlite(int rc, std::string_view context, std::string_view errmsg);

// Failures that belong to one record (the database refuses its values): constraint, type
// mismatch, value too big.
bool IsRecordRefusal(int rc);

// A claim's expected failure: the UNIQUE / PRIMARY KEY row exists (extended result codes).
bool IsClaimConflict(int rc);

// Binds args to ?1..?N. Text is bound SQLITE_STATIC: `args` must outlive the statement's next
// step. Returns the first bind error, or SQLITE_OK.
int Bind(sqlite3_stmt* stmt, const std::vector<storage::SqlValue>& args);

// Steps to completion (rows are skipped) and resets. On failure returns the code and stores
// the connection's error text in *error (taken before the reset).
int StepAndReset(sqlite3* db, sqlite3_stmt* stmt, std::string* error);

// One-off statements (open / schema time).
Status Exec(sqlite3* db, std::string_view sql);
// First column of the first row as text ("" when NULL or no row).
Result<std::string> QueryText(sqlite3* db, std::string_view sql);
// Every row of `sql`, each value as text (NULL as nullopt).
Result<storage::QueryRows> QueryAll(sqlite3* db, std::string_view sql);

// A file's identity (stat(2) st_dev, st_ino): the same path may name another file later.
struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const FileId&) const = default;
};

// The identity of the file `path` names now, or why there is none (kNotFound: no such file;
// kUnavailable: stat failed otherwise), the message naming the path.
Result<FileId> StatFileId(const std::string& path);

// "" when `path` still names `open`; else why not, for logs and answers: the database file is
// missing (deleted or moved away), was replaced by another file, or cannot be checked.
std::string DescribeFileChange(const std::string& path, const FileId& open);

}  // namespace tc::sink::sqlite_util
