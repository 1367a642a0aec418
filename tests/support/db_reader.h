#pragma once

// Reads the collector's database in integration tests, whichever backend wrote it:
// SqliteReader opens the embedded file; HranaReader queries a Hrana server (tursodb/sqld)
// over POST /v2/pipeline, because tursodb locks its file while it runs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tc::testing {

using Row = std::vector<std::optional<std::string>>;

class DbReader {
 public:
  virtual ~DbReader() = default;
  // Every row, each column as text (NULL → nullopt). Throws on errors.
  virtual std::vector<Row> Rows(const std::string& sql) = 0;
  int64_t Int(const std::string& sql);
  std::optional<std::string> Text(const std::string& sql);
  double Real(const std::string& sql);
};

// Queries http://127.0.0.1:<port>/v2/pipeline.
std::unique_ptr<DbReader> MakeHranaReader(int port);
std::unique_ptr<DbReader> MakeSqliteReader(const std::string& path);

}  // namespace tc::testing
