#include "storage/ddl.h"

#include <fmt/format.h>

#include "common/strings.h"

namespace tc::storage {
namespace {

// synth-ai G3 (synth_ai/core/tracing_v3/turso/native_manager.py at 5de217f), in its order.
constexpr std::string_view kExperiments = R"sql(CREATE TABLE IF NOT EXISTS experiments (
  experiment_id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  description TEXT,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  configuration TEXT,
  metadata TEXT
))sql";

constexpr std::string_view kSystems = R"sql(CREATE TABLE IF NOT EXISTS systems (
  system_id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  system_type VARCHAR,
  description TEXT,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  metadata TEXT
))sql";

constexpr std::string_view kSystemVersions = R"sql(CREATE TABLE IF NOT EXISTS system_versions (
  version_id VARCHAR PRIMARY KEY,
  system_id VARCHAR NOT NULL,
  version_number VARCHAR NOT NULL,
  commit_hash VARCHAR,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  configuration TEXT,
  metadata TEXT,
  FOREIGN KEY(system_id) REFERENCES systems(system_id),
  UNIQUE(system_id, version_number)
))sql";

constexpr std::string_view kExperimentalSystems =
    R"sql(CREATE TABLE IF NOT EXISTS experimental_systems (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  experiment_id VARCHAR NOT NULL,
  system_id VARCHAR NOT NULL,
  version_id VARCHAR NOT NULL,
  FOREIGN KEY(experiment_id) REFERENCES experiments(experiment_id),
  FOREIGN KEY(system_id) REFERENCES systems(system_id),
  FOREIGN KEY(version_id) REFERENCES system_versions(version_id)
))sql";

constexpr std::string_view kSessionTraces = R"sql(CREATE TABLE IF NOT EXISTS session_traces (
  session_id VARCHAR PRIMARY KEY,
  created_at DATETIME NOT NULL,
  num_timesteps INTEGER NOT NULL,
  num_events INTEGER NOT NULL,
  num_messages INTEGER NOT NULL,
  metadata TEXT,
  experiment_id VARCHAR,
  embedding VECTOR,
  tc_llm_calls INTEGER NOT NULL DEFAULT 0,
  tc_input_tokens INTEGER NOT NULL DEFAULT 0,
  tc_output_tokens INTEGER NOT NULL DEFAULT 0,
  tc_total_tokens INTEGER NOT NULL DEFAULT 0,
  tc_cost_cents REAL NOT NULL DEFAULT 0,
  tc_first_time REAL,
  tc_last_time REAL,
  tc_duration_ms REAL NOT NULL DEFAULT 0,
  tc_errors INTEGER NOT NULL DEFAULT 0,
  tc_models TEXT,
  FOREIGN KEY(experiment_id) REFERENCES experiments(experiment_id)
))sql";

constexpr std::string_view kSessionTimesteps = R"sql(CREATE TABLE IF NOT EXISTS session_timesteps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id VARCHAR NOT NULL,
  step_id VARCHAR NOT NULL,
  step_index INTEGER NOT NULL,
  turn_number INTEGER,
  started_at DATETIME,
  completed_at DATETIME,
  num_events INTEGER,
  num_messages INTEGER,
  step_metadata TEXT,
  UNIQUE(session_id, step_id),
  FOREIGN KEY(session_id) REFERENCES session_traces(session_id)
))sql";

constexpr std::string_view kEvents = R"sql(CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id VARCHAR NOT NULL,
  timestep_id INTEGER,
  event_type VARCHAR NOT NULL,
  system_instance_id VARCHAR,
  event_time FLOAT,
  message_time INTEGER,
  created_at DATETIME,
  model_name VARCHAR,
  provider VARCHAR,
  input_tokens INTEGER,
  output_tokens INTEGER,
  total_tokens INTEGER,
  cost_usd INTEGER,
  latency_ms INTEGER,
  span_id VARCHAR,
  trace_id VARCHAR,
  call_records TEXT,
  reward FLOAT,
  terminated BOOLEAN,
  truncated BOOLEAN,
  system_state_before TEXT,
  system_state_after TEXT,
  metadata TEXT,
  event_metadata TEXT,
  embedding VECTOR,
  CHECK (event_type IN ('cais', 'environment', 'runtime')),
  FOREIGN KEY(session_id) REFERENCES session_traces(session_id),
  FOREIGN KEY(timestep_id) REFERENCES session_timesteps(id)
))sql";

constexpr std::string_view kMessages = R"sql(CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id VARCHAR NOT NULL,
  timestep_id INTEGER,
  message_type VARCHAR NOT NULL,
  content TEXT NOT NULL,
  timestamp DATETIME,
  event_time FLOAT,
  message_time INTEGER,
  metadata TEXT,
  embedding VECTOR,
  CHECK (message_type IN ('user', 'assistant', 'system', 'tool_use', 'tool_result')),
  FOREIGN KEY(session_id) REFERENCES session_traces(session_id),
  FOREIGN KEY(timestep_id) REFERENCES session_timesteps(id)
))sql";

// G3: total_reward FLOAT, objective_key after session_id, annotation last.
constexpr std::string_view kOutcomeRewardsBody = R"sql( (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id VARCHAR NOT NULL,
  objective_key TEXT NOT NULL DEFAULT 'reward',
  total_reward FLOAT NOT NULL,
  achievements_count INTEGER NOT NULL,
  total_steps INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  reward_metadata TEXT,
  annotation TEXT,
  FOREIGN KEY(session_id) REFERENCES session_traces(session_id)
))sql";
const std::string& OutcomeRewardsDdl() {
  static const std::string ddl =
      "CREATE TABLE IF NOT EXISTS outcome_rewards" + std::string(kOutcomeRewardsBody);
  return ddl;
}

// G3: objective_key after turn_number.
constexpr std::string_view kEventRewards = R"sql(CREATE TABLE IF NOT EXISTS event_rewards (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id INTEGER NOT NULL,
  session_id VARCHAR NOT NULL,
  message_id INTEGER,
  turn_number INTEGER,
  objective_key TEXT NOT NULL DEFAULT 'reward',
  reward_value FLOAT NOT NULL,
  reward_type VARCHAR,
  "key" VARCHAR,
  annotation TEXT,
  source VARCHAR,
  created_at DATETIME NOT NULL,
  FOREIGN KEY(event_id) REFERENCES events(id),
  FOREIGN KEY(session_id) REFERENCES session_traces(session_id),
  FOREIGN KEY(message_id) REFERENCES messages(id)
))sql";

// Ours. One row per idempotency key ever stored; row_id = the id of the row its record created
// (events, messages, outcome_rewards, event_rewards), which event_ref/message_ref resolve to.
constexpr std::string_view kIdempotency = R"sql(CREATE TABLE IF NOT EXISTS tc_idempotency (
  "key" TEXT PRIMARY KEY,
  record_type TEXT NOT NULL,
  row_id INTEGER,
  created_at TEXT NOT NULL
))sql";

// Ours. Which session each OTLP trace belongs to, learned from the first span that named one
// (schema::TraceLinkRecord; docs/otlp.md "Sessions"). Rows of a deleted session go with it.
constexpr std::string_view kTraceSessions = R"sql(CREATE TABLE IF NOT EXISTS tc_trace_sessions (
  trace_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  created_at TEXT NOT NULL
))sql";

constexpr std::string_view kSchemaVersionTable =
    R"sql(CREATE TABLE IF NOT EXISTS tc_schema_version (
  version INTEGER PRIMARY KEY,
  applied_at TEXT NOT NULL
))sql";

constexpr std::string_view kIndexes[] = {
    "CREATE INDEX IF NOT EXISTS idx_session_created ON session_traces (created_at)",
    "CREATE INDEX IF NOT EXISTS idx_session_experiment ON session_traces (experiment_id)",
    "CREATE INDEX IF NOT EXISTS idx_timestep_session_step ON session_timesteps (session_id, "
    "step_id)",
    "CREATE INDEX IF NOT EXISTS idx_timestep_turn ON session_timesteps (turn_number)",
    "CREATE INDEX IF NOT EXISTS idx_event_session_step ON events (session_id, timestep_id)",
    "CREATE INDEX IF NOT EXISTS idx_event_type ON events (event_type)",
    "CREATE INDEX IF NOT EXISTS idx_event_created ON events (created_at)",
    "CREATE INDEX IF NOT EXISTS idx_event_model ON events (model_name)",
    "CREATE INDEX IF NOT EXISTS idx_event_trace ON events (trace_id)",
    "CREATE INDEX IF NOT EXISTS idx_message_session_step ON messages (session_id, timestep_id)",
    "CREATE INDEX IF NOT EXISTS idx_message_type ON messages (message_type)",
    "CREATE INDEX IF NOT EXISTS idx_message_timestamp ON messages (timestamp)",
    "CREATE INDEX IF NOT EXISTS idx_experiment_created ON experiments (created_at)",
    "CREATE INDEX IF NOT EXISTS idx_experiment_name ON experiments (name)",
    "CREATE INDEX IF NOT EXISTS idx_system_name ON systems (name)",
    "CREATE INDEX IF NOT EXISTS idx_system_type ON systems (system_type)",
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_system_version ON system_versions (system_id, "
    "version_number)",
    "CREATE INDEX IF NOT EXISTS idx_version_system ON system_versions (system_id)",
    "CREATE INDEX IF NOT EXISTS idx_version_created ON system_versions (created_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_experiment_system ON experimental_systems "
    "(experiment_id, system_id)",
    "CREATE INDEX IF NOT EXISTS idx_experimental_system ON experimental_systems (experiment_id, "
    "system_id)",
    "CREATE INDEX IF NOT EXISTS idx_outcome_rewards_session ON outcome_rewards (session_id)",
    "CREATE INDEX IF NOT EXISTS idx_outcome_rewards_session_objective ON outcome_rewards "
    "(session_id, objective_key)",
    "CREATE INDEX IF NOT EXISTS idx_outcome_rewards_total ON outcome_rewards (total_reward)",
    "CREATE INDEX IF NOT EXISTS idx_event_rewards_session ON event_rewards (session_id)",
    "CREATE INDEX IF NOT EXISTS idx_event_rewards_event ON event_rewards (event_id)",
    "CREATE INDEX IF NOT EXISTS idx_event_rewards_session_event_objective ON event_rewards "
    "(session_id, event_id, objective_key)",
    "CREATE INDEX IF NOT EXISTS idx_event_rewards_type ON event_rewards (reward_type)",
    "CREATE INDEX IF NOT EXISTS idx_event_rewards_key ON event_rewards (\"key\")",
    // Ours: deleting a session finds the keys of its rows (storage/retention.h).
    "CREATE INDEX IF NOT EXISTS tc_idx_idempotency_row ON tc_idempotency (row_id)",
    // Ours: GET /v1/sessions pages by (sort key, session_id) (src/query/session_list.cc).
    "CREATE INDEX IF NOT EXISTS tc_idx_session_created_id ON session_traces (created_at, "
    "session_id)",
    "CREATE INDEX IF NOT EXISTS tc_idx_session_cost ON session_traces (tc_cost_cents, session_id)",
    "CREATE INDEX IF NOT EXISTS tc_idx_session_duration ON session_traces (tc_duration_ms, "
    "session_id)",
    "CREATE INDEX IF NOT EXISTS tc_idx_session_events ON session_traces (num_events, session_id)",
    // Ours: deleting a session deletes its trace links (storage/retention.h).
    "CREATE INDEX IF NOT EXISTS tc_idx_trace_sessions_session ON tc_trace_sessions (session_id)",
};

// Ours, on session_traces: the totals the read API lists and sorts sessions by, kept by the
// writer (statements.cc, kAddSessionTotalsSql). A new database has them in kSessionTraces (the
// same columns, in the same order, after synth-ai's); a table synth-ai (or a collector of schema
// version 1) created gains them by ALTER TABLE, which appends them in this order.
struct TotalsColumn {
  std::string_view name;
  std::string_view type;
  // Its value computed from the events already stored (when the column is added to a table
  // that has rows); "e" is the session's events.
  std::string_view backfill;
};
constexpr TotalsColumn kTotalsColumns[] = {
    {"tc_llm_calls", "INTEGER NOT NULL DEFAULT 0",
     "(SELECT COUNT(*) FROM events e WHERE e.session_id = session_traces.session_id AND "
     "e.event_type = 'cais')"},
    {"tc_input_tokens", "INTEGER NOT NULL DEFAULT 0",
     "(SELECT COALESCE(SUM(input_tokens), 0) FROM events e WHERE e.session_id = "
     "session_traces.session_id)"},
    {"tc_output_tokens", "INTEGER NOT NULL DEFAULT 0",
     "(SELECT COALESCE(SUM(output_tokens), 0) FROM events e WHERE e.session_id = "
     "session_traces.session_id)"},
    {"tc_total_tokens", "INTEGER NOT NULL DEFAULT 0",
     "(SELECT COALESCE(SUM(total_tokens), 0) FROM events e WHERE e.session_id = "
     "session_traces.session_id)"},
    {"tc_cost_cents", "REAL NOT NULL DEFAULT 0",
     "(SELECT COALESCE(SUM(cost_usd), 0.0) FROM events e WHERE e.session_id = "
     "session_traces.session_id)"},
    {"tc_first_time", "REAL",
     "(SELECT MIN(event_time) FROM events e WHERE e.session_id = session_traces.session_id)"},
    {"tc_last_time", "REAL",
     "(SELECT MAX(event_time) FROM events e WHERE e.session_id = session_traces.session_id)"},
    {"tc_duration_ms", "REAL NOT NULL DEFAULT 0",
     "COALESCE(((SELECT MAX(event_time) FROM events e WHERE e.session_id = "
     "session_traces.session_id) - (SELECT MIN(event_time) FROM events e WHERE e.session_id = "
     "session_traces.session_id)) * 1000.0, 0)"},
    // Which stored events marked an error is not known from SQL alone (write_plan.h,
    // EventMarksError): events stored before the upgrade count as no error.
    {"tc_errors", "INTEGER NOT NULL DEFAULT 0", "0"},
    {"tc_models", "TEXT",
     "(SELECT '[' || group_concat(json_quote(model_name), ',') || ']' FROM (SELECT DISTINCT "
     "model_name FROM events e WHERE e.session_id = session_traces.session_id AND model_name IS "
     "NOT NULL AND model_name <> ''))"},
};

// synth-ai's analytics_views (turso/models.py). cost_usd is in cents, hence / 100.0.
constexpr std::string_view kModelUsageStats = R"sql(CREATE VIEW IF NOT EXISTS model_usage_stats AS
SELECT
  model_name,
  provider,
  COUNT(*) AS usage_count,
  SUM(input_tokens) AS total_input_tokens,
  SUM(output_tokens) AS total_output_tokens,
  SUM(total_tokens) AS total_tokens,
  SUM(cost_usd) / 100.0 AS total_cost_usd,
  AVG(latency_ms) AS avg_latency_ms,
  MIN(created_at) AS first_used,
  MAX(created_at) AS last_used
FROM events
WHERE event_type = 'cais' AND model_name IS NOT NULL
GROUP BY model_name, provider)sql";

constexpr std::string_view kSessionSummary = R"sql(CREATE VIEW IF NOT EXISTS session_summary AS
SELECT
  s.session_id,
  s.created_at,
  s.num_timesteps,
  s.num_events,
  s.num_messages,
  e.experiment_id,
  e.name AS experiment_name,
  COUNT(DISTINCT ev.model_name) AS unique_models_used,
  SUM(CASE WHEN ev.event_type = 'cais' THEN ev.cost_usd ELSE 0 END) / 100.0 AS total_cost_usd
FROM session_traces s
LEFT JOIN experiments e ON s.experiment_id = e.experiment_id
LEFT JOIN events ev ON s.session_id = ev.session_id
GROUP BY s.session_id)sql";

constexpr std::string_view kExperimentOverview =
    R"sql(CREATE VIEW IF NOT EXISTS experiment_overview AS
SELECT
  e.experiment_id,
  e.name,
  e.description,
  e.created_at,
  COUNT(DISTINCT s.session_id) AS session_count,
  SUM(s.num_events) AS total_events,
  SUM(s.num_messages) AS total_messages,
  AVG(s.num_timesteps) AS avg_timesteps_per_session
FROM experiments e
LEFT JOIN session_traces s ON e.experiment_id = s.experiment_id
GROUP BY e.experiment_id)sql";

constexpr std::string_view kRecordSchemaVersion =
    "INSERT OR IGNORE INTO tc_schema_version (version, applied_at) "
    "VALUES (2, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))";
static_assert(kSchemaVersion == 2, "update kRecordSchemaVersion");

const ColumnInfo* Find(std::span<const ColumnInfo> columns, std::string_view name) {
  for (const ColumnInfo& c : columns) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

void AddMissingRewardColumns(std::string_view table, std::span<const ColumnInfo> columns,
                             std::vector<std::string>* out) {
  const std::string t(table);
  if (Find(columns, "annotation") == nullptr) {
    out->push_back("ALTER TABLE " + t + " ADD COLUMN annotation TEXT");
  }
  if (Find(columns, "objective_key") == nullptr) {
    out->push_back("ALTER TABLE " + t + " ADD COLUMN objective_key TEXT DEFAULT 'reward'");
    out->push_back("UPDATE " + t +
                   " SET objective_key = 'reward' WHERE objective_key IS NULL OR "
                   "objective_key = ''");
  }
}

}  // namespace

std::vector<std::string_view> TableStatements() {
  return {kExperiments,        kSystems,          kSystemVersions, kExperimentalSystems,
          kSessionTraces,      kSessionTimesteps, kEvents,         kMessages,
          OutcomeRewardsDdl(), kEventRewards,     kIdempotency,    kSchemaVersionTable,
          kTraceSessions};
}

std::vector<std::string_view> IndexAndViewStatements() {
  std::vector<std::string_view> out(std::begin(kIndexes), std::end(kIndexes));
  out.push_back(kModelUsageStats);
  out.push_back(kSessionSummary);
  out.push_back(kExperimentOverview);
  return out;
}

std::vector<std::string_view> SchemaStatements() {
  std::vector<std::string_view> out = TableStatements();
  for (std::string_view s : IndexAndViewStatements()) {
    out.push_back(s);
  }
  return out;
}

std::vector<std::string_view> TableNames() {
  return {"experiments",      "systems",           "system_versions", "experimental_systems",
          "session_traces",   "session_timesteps", "events",          "messages",
          "outcome_rewards",  "event_rewards",     "tc_idempotency",  "tc_schema_version",
          "tc_trace_sessions"};
}

std::vector<std::string_view> IndexNames() {
  std::vector<std::string_view> out;
  for (std::string_view ddl : kIndexes) {
    constexpr std::string_view kMarker = "IF NOT EXISTS ";
    std::string_view rest = ddl.substr(ddl.find(kMarker) + kMarker.size());
    out.push_back(rest.substr(0, rest.find(' ')));
  }
  return out;
}

std::vector<std::string_view> ViewNames() {
  return {"model_usage_stats", "session_summary", "experiment_overview"};
}

std::string TableInfoSql(std::string_view table) {
  return "PRAGMA table_info(" + std::string(table) + ")";
}

std::vector<std::string> MigrationStatements(std::span<const ColumnInfo> outcome_rewards,
                                             std::span<const ColumnInfo> event_rewards,
                                             std::span<const ColumnInfo> session_traces) {
  std::vector<std::string> out;
  std::string backfill;
  for (const TotalsColumn& column : kTotalsColumns) {
    if (session_traces.empty() || Find(session_traces, column.name) != nullptr) continue;
    out.push_back(
        fmt::format("ALTER TABLE session_traces ADD COLUMN {} {}", column.name, column.type));
    backfill +=
        fmt::format("{}{} = {}", backfill.empty() ? "" : ", ", column.name, column.backfill);
  }
  if (!backfill.empty()) out.push_back("UPDATE session_traces SET " + backfill);
  if (!outcome_rewards.empty()) {
    const ColumnInfo* total = Find(outcome_rewards, "total_reward");
    if (total != nullptr && AsciiUpper(total->type) == "INTEGER") {
      // G2 layout: rebuild with the G3 definition, keeping ids.
      const bool has_annotation = Find(outcome_rewards, "annotation") != nullptr;
      const bool has_objective = Find(outcome_rewards, "objective_key") != nullptr;
      out.push_back("ALTER TABLE outcome_rewards RENAME TO outcome_rewards_old");
      out.push_back("CREATE TABLE outcome_rewards" + std::string(kOutcomeRewardsBody));
      out.push_back(
          "INSERT INTO outcome_rewards (id, session_id, objective_key, total_reward, "
          "achievements_count, total_steps, created_at, reward_metadata, annotation) "
          "SELECT id, session_id, " +
          std::string(has_objective ? "COALESCE(NULLIF(objective_key, ''), 'reward')"
                                    : "'reward'") +
          ", CAST(total_reward AS FLOAT), achievements_count, total_steps, created_at, "
          "reward_metadata, " +
          std::string(has_annotation ? "annotation" : "NULL") + " FROM outcome_rewards_old");
      out.push_back("DROP TABLE outcome_rewards_old");
    } else {
      AddMissingRewardColumns("outcome_rewards", outcome_rewards, &out);
    }
  }
  if (!event_rewards.empty()) {
    AddMissingRewardColumns("event_rewards", event_rewards, &out);
  }
  return out;
}

std::string_view RecordSchemaVersionSql() { return kRecordSchemaVersion; }

std::vector<std::string_view> MessageIndexStatements() {
  return {
      "CREATE VIRTUAL TABLE IF NOT EXISTS tc_messages_fts USING fts5(content, content = "
      "'messages', content_rowid = 'id', detail = none, columnsize = 0)",
      "CREATE TRIGGER IF NOT EXISTS tc_messages_fts_insert AFTER INSERT ON messages BEGIN "
      "INSERT INTO tc_messages_fts (rowid, content) VALUES (new.id, new.content); END",
      "CREATE TRIGGER IF NOT EXISTS tc_messages_fts_delete AFTER DELETE ON messages BEGIN "
      "INSERT INTO tc_messages_fts (tc_messages_fts, rowid, content) VALUES ('delete', old.id, "
      "old.content); END",
      "CREATE TRIGGER IF NOT EXISTS tc_messages_fts_update AFTER UPDATE OF content ON messages "
      "BEGIN INSERT INTO tc_messages_fts (tc_messages_fts, rowid, content) VALUES ('delete', "
      "old.id, old.content); INSERT INTO tc_messages_fts (rowid, content) VALUES (new.id, "
      "new.content); END",
      "INSERT INTO tc_messages_fts (tc_messages_fts) VALUES ('rebuild')",
  };
}

std::vector<std::string_view> DropMessageIndexStatements() {
  return {"DROP TRIGGER IF EXISTS tc_messages_fts_insert",
          "DROP TRIGGER IF EXISTS tc_messages_fts_delete",
          "DROP TRIGGER IF EXISTS tc_messages_fts_update", "DROP TABLE IF EXISTS tc_messages_fts"};
}

std::vector<std::string> EmbeddedPragmas(std::string_view synchronous, uint32_t busy_timeout_ms) {
  // auto_vacuum only takes effect on a database without tables (a new file): pages freed by
  // deletions can then be given back with PRAGMA incremental_vacuum. On an existing database
  // it changes nothing (until a VACUUM; docs/operations.md).
  return {"PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms),
          "PRAGMA auto_vacuum = INCREMENTAL", "PRAGMA journal_mode = WAL",
          "PRAGMA synchronous = " + AsciiUpper(synchronous), "PRAGMA foreign_keys = OFF",
          "PRAGMA ignore_check_constraints = ON"};
}

}  // namespace tc::storage
