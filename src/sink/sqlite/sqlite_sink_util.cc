#include "sqlite_sink_util.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tc::sink::sqlite_util {

Status StatusFromSqlite(int rc, std::string_view context, std::string_view errmsg) {
  std::string message = fmt::format("sqlite {}: {} ({})", context, errmsg, sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
    case SQLITE_INTERRUPT:
      return Status::Unavailable(std::move(message));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

bool IsRecordRefusal(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG;
}

bool IsClaimConflict(int rc) {
  return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

int Bind(sqlite3_stmt* stmt, const std::vector<storage::SqlValue>& args) {
  int index = 0;
  for (const storage::SqlValue& arg : args) {
    ++index;
    int rc = SQLITE_OK;
    if (const auto* text = std::get_if<std::string>(&arg)) {
      rc = sqlite3_bind_text64(stmt, index, text->data(), text->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else if (const auto* integer = std::get_if<int64_t>(&arg)) {
      rc = sqlite3_bind_int64(stmt, index, *integer);
    } else if (const auto* real = std::get_if<double>(&arg)) {
      rc = sqlite3_bind_double(stmt, index, *real);
    } else {
      rc = sqlite3_bind_null(stmt, index);
    }
    if (rc != SQLITE_OK) {
      return rc;
    }
  }
  return SQLITE_OK;
}

int StepAndReset(sqlite3* db, sqlite3_stmt* stmt, std::string* error) {
  int rc = sqlite3_step(stmt);
  while (rc == SQLITE_ROW) {
    rc = sqlite3_step(stmt);
  }
  if (rc != SQLITE_DONE) {
    *error = sqlite3_errmsg(db);
  }
  sqlite3_reset(stmt);
  return rc;
}

Status Exec(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, fmt::format("prepare `{:.60}`", sql), sqlite3_errmsg(db));
  }
  std::string error;
  rc = StepAndReset(db, raw, &error);
  sqlite3_finalize(raw);
  if (rc != SQLITE_DONE) {
    return StatusFromSqlite(rc, fmt::format("`{:.60}`", sql), error);
  }
  return Status::Ok();
}

Result<std::string> QueryText(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, fmt::format("prepare `{}`", sql), sqlite3_errmsg(db));
  }
  std::string out;
  rc = sqlite3_step(raw);
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(raw, 0);
    out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    rc = SQLITE_DONE;
  }
  std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(raw);
  if (rc != SQLITE_DONE) {
    return StatusFromSqlite(rc, fmt::format("`{}`", sql), error);
  }
  return out;
}

Result<storage::QueryRows> QueryAll(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    return StatusFromSqlite(rc, fmt::format("prepare `{:.60}`", sql), sqlite3_errmsg(db));
  }
  storage::QueryRows rows;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    auto& row = rows.emplace_back();
    for (int col = 0; col < sqlite3_column_count(raw); ++col) {
      const unsigned char* text = sqlite3_column_text(raw, col);
      if (text == nullptr) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(reinterpret_cast<const char*>(text)));
      }
    }
  }
  std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(raw);
  if (rc != SQLITE_DONE) {
    return StatusFromSqlite(rc, fmt::format("`{:.60}`", sql), error);
  }
  return rows;
}

Result<FileId> StatFileId(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      return Status::NotFound(fmt::format("no file at {}", path));
    }
    return Status::Unavailable(fmt::format("cannot stat {}: {}", path, std::strerror(error)));
  }
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::string DescribeFileChange(const std::string& path, const FileId& open) {
  Result<FileId> now = StatFileId(path);
  if (!now.has_value()) {
    if (now.error().code() == StatusCode::kNotFound) {
      return fmt::format("the database file {} is missing (deleted or moved away while open)",
                         path);
    }
    return fmt::format("the database file {} cannot be checked ({})", path,
                       now.error().message());
  }
  if (*now != open) {
    return fmt::format("the database file {} was replaced by another file while open", path);
  }
  return "";
}

}  // namespace tc::sink::sqlite_util
