#pragma once

// The database schema: synth-ai's newest tracing_v3 schema (G3, commit 5de217f: tables, indexes,
// views, exactly), plus the collector's own tables (tc_idempotency, tc_schema_version), plus the
// G2 → G3 migrations synth-ai applies to an existing database. See docs/schema.md.
//
// All texts are static and backend-neutral (SQLite dialect, understood by sqld); a sink applies
// them in this order, inside one transaction when it can:
//   1. TableStatements()               CREATE TABLE IF NOT EXISTS ...
//   2. TableInfoSql(t) for the two reward tables, then MigrationStatements(...) (maybe none)
//   3. IndexAndViewStatements()        CREATE [UNIQUE] INDEX / VIEW IF NOT EXISTS ...
//   4. kMaxSchemaVersionSql (refuse a newer database), then kRecordSchemaVersionSql
// Indexes come after the migrations because two of them name objective_key, a column an old
// database only has once migrated.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tc::storage {

// Version of the collector's schema (synth-ai G3 + our tables), stored in tc_schema_version.
// 2: session_traces gained the read API's totals (tc_ columns) and tc_idx_session_* indexes.
inline constexpr int64_t kSchemaVersion = 2;

std::vector<std::string_view> TableStatements();
std::vector<std::string_view> IndexAndViewStatements();
// Tables, then indexes and views: the whole schema of a fresh database.
std::vector<std::string_view> SchemaStatements();

// Names in the schema, for checks and docs.
std::vector<std::string_view> TableNames();  // synth-ai's 10 tables, then ours
std::vector<std::string_view> IndexNames();
std::vector<std::string_view> ViewNames();

// One row of PRAGMA table_info: column name and declared type (as written, e.g. "INTEGER").
struct ColumnInfo {
  std::string name;
  std::string type;
};

// "PRAGMA table_info(<table>)": rows (cid, name, type, notnull, dflt_value, pk).
// `table` must be one of our table names (it is not quoted).
std::string TableInfoSql(std::string_view table);

// The statements that bring the two reward tables of an existing database to G3, given their
// current columns (from TableInfoSql). Empty when nothing is to do (a G3 database, or a table
// that does not exist). synth-ai's rules: outcome_rewards with total_reward INTEGER (G2) is
// rebuilt as the G3 table (rename to outcome_rewards_old, create, copy with CAST(total_reward
// AS FLOAT) and objective_key 'reward', drop the old one); otherwise missing annotation /
// objective_key columns are added and empty objective keys set to 'reward'. Same for
// event_rewards. Run them in one transaction.
std::vector<std::string> MigrationStatements(std::span<const ColumnInfo> outcome_rewards,
                                             std::span<const ColumnInfo> event_rewards,
                                             std::span<const ColumnInfo> session_traces);
// Then (same call): session_traces (when it exists) gains the read API's totals, the tc_
// columns it lacks (tc_llm_calls, tc_input_tokens, tc_output_tokens, tc_total_tokens,
// tc_cost_cents, tc_first_time, tc_last_time, tc_duration_ms, tc_errors, tc_models), computed
// once from the events already stored (tc_errors starts at 0 for them).

// The full-text index of messages.content behind the read API's q= (ours, optional): an FTS5
// table over `messages` (external content, rowid = messages.id) kept in step by two triggers,
// so whoever writes messages (the collector, or synth-ai on the same file) keeps it current,
// and a deleted message leaves it too. Creating it indexes the messages already stored.
// A backend without FTS5 (tursodb) fails the CREATE with "no such module"; the read API then
// scans instead (query/session_list.h).
inline constexpr std::string_view kMessageIndexTable = "tc_messages_fts";
std::vector<std::string_view> MessageIndexStatements();      // create + triggers + rebuild
std::vector<std::string_view> DropMessageIndexStatements();  // triggers + table
// One row (its name) when the index exists.
inline constexpr std::string_view kMessageIndexExistsSql =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'tc_messages_fts'";

// SELECT MAX(version) FROM tc_schema_version (NULL on a fresh database).
inline constexpr std::string_view kMaxSchemaVersionSql =
    "SELECT MAX(version) FROM tc_schema_version";
// Records kSchemaVersion (idempotent).
std::string_view RecordSchemaVersionSql();

// The connection settings of the embedded sink, in order: busy_timeout first (so the others
// wait for a lock), journal_mode=WAL (answers one row, "wal"), synchronous, foreign_keys OFF
// (like synth-ai G2/G3: references are resolved by the collector, and a trace may name an
// experiment that is never sent), ignore_check_constraints ON. `synchronous` must be FULL,
// NORMAL, EXTRA or OFF.
// Why the CHECKs are skipped: the schema's only two (events.event_type IN (...),
// messages.message_type IN (...)) can never fail for the collector's rows, whose types are
// written from closed enums (schema::EventTypeName / MessageTypeName), yet SQLite 3.40 builds
// an ephemeral table for the IN list on every INSERT: a third of an event insert's
// instructions (docs/performance.md). ddl_test checks the DDL still has exactly these two
// CHECKs and that every enum name passes them; a new CHECK on client values must revisit this.
std::vector<std::string> EmbeddedPragmas(std::string_view synchronous, uint32_t busy_timeout_ms);

}  // namespace tc::storage
