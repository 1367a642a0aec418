#include "storage/schema_apply.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <set>

#include "common/strings.h"
#include "storage/ddl.h"

namespace tc::storage {
namespace {

constexpr std::string_view kViewNamesSql = "SELECT name FROM sqlite_master WHERE type = 'view'";

// PRAGMA table_info rows: (cid, name, type, notnull, dflt_value, pk).
std::vector<ColumnInfo> ColumnsOf(const QueryRows& rows) {
  std::vector<ColumnInfo> out;
  for (const auto& row : rows) {
    if (row.size() < 3) {
      continue;
    }
    out.push_back(ColumnInfo{row[1].value_or(""), row[2].value_or("")});
  }
  return out;
}

// The object a "CREATE ... IF NOT EXISTS <name> ..." statement creates; empty if none.
std::string_view CreatedName(std::string_view ddl) {
  constexpr std::string_view kMarker = "IF NOT EXISTS";
  const size_t at = ddl.find(kMarker);
  if (at == std::string_view::npos) {
    return {};
  }
  const std::string_view rest = TrimLeft(ddl.substr(at + kMarker.size()), " \n");
  size_t length = 0;
  while (length < rest.size() &&
         (std::isalnum(static_cast<unsigned char>(rest[length])) != 0 || rest[length] == '_')) {
    ++length;
  }
  return rest.substr(0, length);
}

}  // namespace

Result<SchemaApplied> ApplySchema(SchemaExecutor& db, const SchemaOptions& options) {
  const std::vector<std::string_view> tables = TableStatements();
  TC_RETURN_IF_ERROR(db.RunTransaction(tables));

  const std::string outcome_info = TableInfoSql("outcome_rewards");
  const std::string event_info = TableInfoSql("event_rewards");
  const std::string session_info = TableInfoSql("session_traces");
  const std::string_view queries[] = {outcome_info, event_info, kMaxSchemaVersionSql, kViewNamesSql,
                                      session_info};
  TC_ASSIGN_OR_RETURN(std::vector<QueryRows> answers, db.Query(queries));
  if (answers.size() != std::size(queries)) {
    return Status::Internal(fmt::format("{}: schema queries answered {} results, expected {}",
                                        db.Describe(), answers.size(), std::size(queries)));
  }
  const QueryRows& version_rows = answers[2];
  if (!version_rows.empty() && !version_rows[0].empty() && version_rows[0][0].has_value()) {
    const std::string& text = *version_rows[0][0];
    int64_t version = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (error != std::errc() || end != text.data() + text.size()) {
      return Status::Internal(
          fmt::format("{}: tc_schema_version holds '{}', not a version", db.Describe(), text));
    }
    if (version > kSchemaVersion) {
      return Status::FailedPrecondition(
          fmt::format("{}: the database has collector schema version {}, newer than this "
                      "build's {}",
                      db.Describe(), version, kSchemaVersion));
    }
  }

  const std::vector<std::string> migrations =
      MigrationStatements(ColumnsOf(answers[0]), ColumnsOf(answers[1]), ColumnsOf(answers[4]));
  std::set<std::string, std::less<>> views;
  for (const auto& row : answers[3]) {
    if (!row.empty() && row[0].has_value()) {
      views.insert(*row[0]);
    }
  }
  std::vector<std::string_view> rest(migrations.begin(), migrations.end());
  for (std::string_view sql : IndexAndViewStatements()) {
    if (!views.contains(CreatedName(sql))) {
      rest.push_back(sql);
    }
  }
  rest.push_back(RecordSchemaVersionSql());
  TC_RETURN_IF_ERROR(db.RunTransaction(rest));
  SchemaApplied applied{migrations.size()};

  const std::string_view exists_sql[] = {kMessageIndexExistsSql};
  TC_ASSIGN_OR_RETURN(std::vector<QueryRows> exists, db.Query(exists_sql));
  applied.message_index = !exists.empty() && !exists[0].empty();
  if (options.message_index && !applied.message_index) {
    const std::vector<std::string_view> create = MessageIndexStatements();
    const Status created = db.RunTransaction(create);
    if (created.ok()) {
      applied.message_index = applied.message_index_created = true;
    } else if (created.message().find("no such module") != std::string::npos) {
      applied.message_index_error = created.message();
    } else {
      return created;
    }
  } else if (!options.message_index && applied.message_index) {
    const std::vector<std::string_view> drop = DropMessageIndexStatements();
    TC_RETURN_IF_ERROR(db.RunTransaction(drop));
    applied.message_index = false;
  }
  return applied;
}

}  // namespace tc::storage
