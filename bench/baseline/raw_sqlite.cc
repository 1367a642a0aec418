#include "baseline/raw_sqlite.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time_format.h"
#include "storage/ddl.h"
#include "storage/write_plan.h"

namespace tc::bench {
namespace {

enum Stmt {
  kBegin,
  kCommit,
  kRollback,
  kUpsertSession,
  kInsertTimestep,
  kFindTimestep,
  kInsertEvent,
  kInsertReward,
  kInsertMessage,
  kInsertKey,
  kAddStepCounts,
  kStmtCount
};

constexpr std::array<std::string_view, kStmtCount> kSql = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    // ?1 session_id ?2 created_at ?3..?5 counters to add ?6 metadata ?7 experiment_id
    "INSERT INTO session_traces (session_id, created_at, num_timesteps, num_events, "
    "num_messages, metadata, experiment_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT "
    "(session_id) DO UPDATE SET num_timesteps = num_timesteps + excluded.num_timesteps, "
    "num_events = num_events + excluded.num_events, num_messages = num_messages + "
    "excluded.num_messages, metadata = COALESCE(excluded.metadata, metadata), created_at = "
    "CASE WHEN ?8 THEN excluded.created_at ELSE created_at END",
    "INSERT INTO session_timesteps (session_id, step_id, step_index, turn_number, started_at, "
    "completed_at, num_events, num_messages, step_metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9)",
    "SELECT id, turn_number FROM session_timesteps WHERE session_id = ?1 AND step_id = ?2",
    "INSERT INTO events (session_id, timestep_id, event_type, system_instance_id, event_time, "
    "message_time, created_at, model_name, provider, input_tokens, output_tokens, "
    "total_tokens, cost_usd, latency_ms, span_id, trace_id, call_records, reward, terminated, "
    "truncated, system_state_before, system_state_after, metadata, event_metadata) VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20, ?21, ?22, ?23, ?24)",
    "INSERT INTO event_rewards (event_id, session_id, turn_number, objective_key, "
    "reward_value, reward_type, annotation, source, created_at) VALUES (?1, ?2, ?3, 'reward', "
    "?4, 'sparse', ?5, 'environment', ?6)",
    "INSERT INTO messages (session_id, timestep_id, message_type, content, timestamp, "
    "event_time, message_time, metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "INSERT INTO tc_idempotency (\"key\", record_type, row_id, created_at) VALUES (?1, ?2, ?3, "
    "?4)",
    "UPDATE session_timesteps SET num_events = COALESCE(num_events, 0) + ?2, num_messages = "
    "COALESCE(num_messages, 0) + ?3 WHERE id = ?1",
};

void Bind(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}
void Bind(sqlite3_stmt* s, int i, const std::optional<std::string>& v) {
  v ? Bind(s, i, std::string_view(*v)) : static_cast<void>(sqlite3_bind_null(s, i));
}
void Bind(sqlite3_stmt* s, int i, const std::optional<int64_t>& v) {
  v ? static_cast<void>(sqlite3_bind_int64(s, i, *v)) : static_cast<void>(sqlite3_bind_null(s, i));
}
void Bind(sqlite3_stmt* s, int i, const std::optional<double>& v) {
  v ? static_cast<void>(sqlite3_bind_double(s, i, *v)) : static_cast<void>(sqlite3_bind_null(s, i));
}
void Bind(sqlite3_stmt* s, int i, const std::optional<bool>& v) {
  v ? static_cast<void>(sqlite3_bind_int(s, i, *v ? 1 : 0))
    : static_cast<void>(sqlite3_bind_null(s, i));
}

struct SessionSums {
  const schema::SessionRecord* record = nullptr;  // the batch's `session` record, if any
  int64_t timesteps = 0;
  int64_t events = 0;
  int64_t messages = 0;
};

struct StepInfo {
  int64_t events = 0;
  int64_t messages = 0;
  int64_t row_id = 0;    // 0 = not known yet
  bool earlier = false;  // created by an earlier transaction: its counts need an UPDATE
  std::optional<int64_t> turn;
};

std::string StepKey(std::string_view session, std::string_view step) {
  std::string key(session);
  key.push_back('\0');
  key.append(step);
  return key;
}

}  // namespace

struct RawSqliteWriter::Impl {
  sqlite3* db = nullptr;
  std::array<sqlite3_stmt*, kStmtCount> stmts{};
  std::string now;
  // Per transaction: insertion order of sessions, their sums; steps by session+step.
  std::vector<std::string> session_order;
  std::unordered_map<std::string, SessionSums> sessions;
  std::unordered_map<std::string, StepInfo> steps;

  ~Impl() {
    for (sqlite3_stmt* s : stmts) {
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
  }

  bool Run(Stmt id, std::string* error) {
    sqlite3_stmt* s = stmts[id];
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      *error = fmt::format("{}: {}", kSql[id].substr(0, 40), sqlite3_errmsg(db));
      sqlite3_reset(s);
      return false;
    }
    sqlite3_reset(s);
    return true;
  }

  bool Exec(std::string_view sql, std::string* error) {
    char* message = nullptr;
    if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      *error = fmt::format("{}: {}", sql.substr(0, 60), message ? message : "?");
      sqlite3_free(message);
      return false;
    }
    return true;
  }

  void Summarize(std::span<const schema::Record> records);
  bool Sessions(std::string* error);
  bool Step(const std::string& session, const std::optional<std::string>& step, int64_t* row_id,
            std::optional<int64_t>* turn, std::string* error);
  bool Key(const schema::Record& r, const char* type, std::optional<int64_t> row_id,
           std::string* error) {
    if (r.key.empty()) {
      return true;
    }
    sqlite3_stmt* s = stmts[kInsertKey];
    Bind(s, 1, std::string_view(r.key));
    Bind(s, 2, std::string_view(type));
    Bind(s, 3, row_id);
    Bind(s, 4, std::string_view(now));
    return Run(kInsertKey, error);
  }
  bool One(const schema::Record& r, std::string* error);
  bool EarlierSteps(std::string* error) {
    sqlite3_stmt* s = stmts[kAddStepCounts];
    for (const auto& [key, info] : steps) {
      if (info.earlier) {
        sqlite3_bind_int64(s, 1, info.row_id);
        sqlite3_bind_int64(s, 2, info.events);
        sqlite3_bind_int64(s, 3, info.messages);
        if (!Run(kAddStepCounts, error)) {
          return false;
        }
      }
    }
    return true;
  }
};

RawSqliteWriter::RawSqliteWriter() : impl_(std::make_unique<Impl>()) {}
RawSqliteWriter::~RawSqliteWriter() = default;

bool RawSqliteWriter::Open(const std::string& path, const std::string& synchronous,
                           std::string* error) {
  Impl& m = *impl_;
  if (sqlite3_open_v2(path.c_str(), &m.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    *error = fmt::format("open {}: {}", path, m.db ? sqlite3_errmsg(m.db) : "out of memory");
    return false;
  }
  for (const std::string& pragma : storage::EmbeddedPragmas(synchronous, 5000)) {
    if (!m.Exec(pragma, error)) {
      return false;
    }
  }
  if (!m.Exec("BEGIN", error)) {
    return false;
  }
  for (std::string_view ddl : storage::SchemaStatements()) {
    if (!m.Exec(ddl, error)) {
      return false;
    }
  }
  if (!m.Exec("COMMIT", error)) {
    return false;
  }
  for (int i = 0; i < kStmtCount; ++i) {
    if (sqlite3_prepare_v3(m.db, kSql[i].data(), static_cast<int>(kSql[i].size()),
                           SQLITE_PREPARE_PERSISTENT, &m.stmts[i], nullptr) != SQLITE_OK) {
      *error = fmt::format("prepare {}: {}", kSql[i].substr(0, 40), sqlite3_errmsg(m.db));
      return false;
    }
  }
  return true;
}

void RawSqliteWriter::Impl::Summarize(std::span<const schema::Record> records) {
  session_order.clear();
  sessions.clear();
  steps.clear();
  auto session = [this](const std::string& id) -> SessionSums& {
    auto [it, added] = sessions.try_emplace(id);
    if (added) {
      session_order.push_back(id);
    }
    return it->second;
  };
  for (const schema::Record& r : records) {
    if (const auto* s = std::get_if<schema::SessionRecord>(&r.body)) {
      session(s->session_id).record = s;
    } else if (const auto* t = std::get_if<schema::TimestepRecord>(&r.body)) {
      ++session(t->session_id).timesteps;
      steps.try_emplace(StepKey(t->session_id, t->step_id));
    } else if (const auto* e = std::get_if<schema::EventRecord>(&r.body)) {
      ++session(e->session_id).events;
      if (e->step_id) {
        ++steps[StepKey(e->session_id, *e->step_id)].events;
      }
    } else if (const auto* msg = std::get_if<schema::MessageRecord>(&r.body)) {
      ++session(msg->session_id).messages;
      if (msg->step_id) {
        ++steps[StepKey(msg->session_id, *msg->step_id)].messages;
      }
    }
  }
}

bool RawSqliteWriter::Impl::Sessions(std::string* error) {
  sqlite3_stmt* s = stmts[kUpsertSession];
  for (const std::string& id : session_order) {
    const SessionSums& sums = sessions[id];
    Bind(s, 1, std::string_view(id));
    const bool given = sums.record != nullptr && sums.record->created_at.has_value();
    Bind(s, 2, given ? std::string_view(*sums.record->created_at) : std::string_view(now));
    sqlite3_bind_int64(s, 3, sums.timesteps);
    sqlite3_bind_int64(s, 4, sums.events);
    sqlite3_bind_int64(s, 5, sums.messages);
    Bind(s, 6, sums.record ? sums.record->metadata : std::nullopt);
    Bind(s, 7, sums.record ? sums.record->experiment_id : std::nullopt);
    sqlite3_bind_int(s, 8, given ? 1 : 0);
    if (!Run(kUpsertSession, error)) {
      return false;
    }
  }
  return true;
}

// The row id (and turn) of a step, from this transaction or with one SELECT.
bool RawSqliteWriter::Impl::Step(const std::string& session, const std::optional<std::string>& step,
                                 int64_t* row_id, std::optional<int64_t>* turn,
                                 std::string* error) {
  *row_id = 0;
  turn->reset();
  if (!step) {
    return true;
  }
  StepInfo& info = steps[StepKey(session, *step)];
  if (info.row_id == 0) {
    sqlite3_stmt* s = stmts[kFindTimestep];
    Bind(s, 1, std::string_view(session));
    Bind(s, 2, std::string_view(*step));
    if (sqlite3_step(s) == SQLITE_ROW) {
      info.row_id = sqlite3_column_int64(s, 0);
      if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
        info.turn = sqlite3_column_int64(s, 1);
      }
    }
    sqlite3_reset(s);
    info.earlier = true;
    if (info.row_id == 0) {
      *error = "raw baseline: event or message of an unknown step " + *step;
      return false;
    }
  }
  *row_id = info.row_id;
  *turn = info.turn;
  return true;
}

bool RawSqliteWriter::Impl::One(const schema::Record& r, std::string* error) {
  if (std::holds_alternative<schema::SessionRecord>(r.body)) {
    return Key(r, "session", std::nullopt, error);
  }
  if (const auto* t = std::get_if<schema::TimestepRecord>(&r.body)) {
    StepInfo& info = steps[StepKey(t->session_id, t->step_id)];
    sqlite3_stmt* s = stmts[kInsertTimestep];
    Bind(s, 1, std::string_view(t->session_id));
    Bind(s, 2, std::string_view(t->step_id));
    Bind(s, 3, t->step_index);
    Bind(s, 4, t->turn_number);
    Bind(s, 5, t->started_at ? std::string_view(*t->started_at) : std::string_view(now));
    Bind(s, 6, t->completed_at);
    sqlite3_bind_int64(s, 7, info.events);
    sqlite3_bind_int64(s, 8, info.messages);
    Bind(s, 9, t->step_metadata);
    if (!Run(kInsertTimestep, error)) {
      return false;
    }
    info.row_id = sqlite3_last_insert_rowid(db);
    info.turn = t->turn_number;
    return Key(r, "timestep", std::nullopt, error);
  }
  int64_t step_row = 0;
  std::optional<int64_t> turn;
  if (const auto* e = std::get_if<schema::EventRecord>(&r.body)) {
    if (!Step(e->session_id, e->step_id, &step_row, &turn, error)) {
      return false;
    }
    sqlite3_stmt* s = stmts[kInsertEvent];
    Bind(s, 1, std::string_view(e->session_id));
    Bind(s, 2, step_row ? std::optional<int64_t>(step_row) : std::nullopt);
    Bind(s, 3, std::string_view(schema::EventTypeName(e->event_type)));
    Bind(s, 4, std::string_view(e->system_instance_id));
    Bind(s, 5, e->event_time);
    Bind(s, 6, e->message_time);
    Bind(s, 7, e->created_at ? std::string_view(*e->created_at) : std::string_view(now));
    Bind(s, 8, e->model_name);
    Bind(s, 9, e->provider);
    Bind(s, 10, e->input_tokens);
    Bind(s, 11, e->output_tokens);
    Bind(s, 12, e->total_tokens);
    Bind(s, 13,
         e->cost_usd ? std::optional<double>(storage::UsdToCents(*e->cost_usd)) : std::nullopt);
    Bind(s, 14, e->latency_ms);
    Bind(s, 15, e->span_id);
    Bind(s, 16, e->trace_id);
    Bind(s, 17, e->call_records);
    Bind(s, 18, e->reward);
    Bind(s, 19, e->terminated);
    Bind(s, 20, e->truncated);
    Bind(s, 21, e->system_state_before);
    Bind(s, 22, e->system_state_after);
    Bind(s, 23, e->metadata);
    Bind(s, 24, e->event_metadata);
    if (!Run(kInsertEvent, error)) {
      return false;
    }
    const int64_t event_id = sqlite3_last_insert_rowid(db);
    if (e->event_type == schema::EventType::kEnvironment && e->reward && *e->reward != 0.0) {
      sqlite3_stmt* w = stmts[kInsertReward];
      sqlite3_bind_int64(w, 1, event_id);
      Bind(w, 2, std::string_view(e->session_id));
      Bind(w, 3, turn);
      Bind(w, 4, e->reward);
      Bind(w, 5, e->event_metadata);
      Bind(w, 6, std::string_view(now));
      if (!Run(kInsertReward, error)) {
        return false;
      }
    }
    return Key(r, "event", event_id, error);
  }
  if (const auto* msg = std::get_if<schema::MessageRecord>(&r.body)) {
    if (!Step(msg->session_id, msg->step_id, &step_row, &turn, error)) {
      return false;
    }
    sqlite3_stmt* s = stmts[kInsertMessage];
    Bind(s, 1, std::string_view(msg->session_id));
    Bind(s, 2, step_row ? std::optional<int64_t>(step_row) : std::nullopt);
    Bind(s, 3, std::string_view(schema::MessageTypeName(msg->message_type)));
    Bind(s, 4, std::string_view(msg->content));
    Bind(s, 5, msg->timestamp ? std::string_view(*msg->timestamp) : std::string_view(now));
    Bind(s, 6, msg->event_time);
    Bind(s, 7, msg->message_time);
    Bind(s, 8, msg->metadata);
    if (!Run(kInsertMessage, error)) {
      return false;
    }
    return Key(r, "message", sqlite3_last_insert_rowid(db), error);
  }
  if (std::holds_alternative<schema::TraceLinkRecord>(r.body)) {
    // OTLP's trace link: the benchmark's traces name no session, so a minimal writer that
    // knows it has nothing to move; the collector still runs the link's (empty) moves.
    return true;
  }
  *error =
      fmt::format("raw baseline: record type {} not supported", schema::RecordTypeName(r.body));
  return false;
}

bool RawSqliteWriter::Write(std::span<const schema::Record> records, std::string* error) {
  Impl& m = *impl_;
  m.now = NowIsoUtc();
  m.Summarize(records);
  if (!m.Run(kBegin, error)) {
    return false;
  }
  bool ok = m.Sessions(error);
  for (size_t i = 0; ok && i < records.size(); ++i) {
    ok = m.One(records[i], error);
  }
  if (ok && m.EarlierSteps(error) && m.Run(kCommit, error)) {
    return true;
  }
  std::string ignored;
  m.Run(kRollback, &ignored);
  return false;
}

}  // namespace tc::bench
