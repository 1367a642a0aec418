#pragma once

// Reads a SQLite database file in tests (read-only; safe while the collector writes in WAL).

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tc::testing {

class SqliteReader {
 public:
  explicit SqliteReader(const std::string& path);  // throws if it cannot open
  ~SqliteReader();
  SqliteReader(const SqliteReader&) = delete;
  SqliteReader& operator=(const SqliteReader&) = delete;

  // First column of the first row as an integer (throws on SQL errors; 0 for no row).
  int64_t Int(const std::string& sql);
  // Every row, each column as text (NULL → nullopt).
  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql);
  // Single text value (nullopt for NULL or no row).
  std::optional<std::string> Text(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace tc::testing
