#include "unit/sink/hrana/sink_test_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

namespace tc::testing {

using namespace tc::schema;  // NOLINT: test data

schema::Record Event(const std::string& key, const std::string& session, const std::string& step) {
  EventRecord e;
  e.session_id = session;
  e.step_id = step;
  e.event_type = EventType::kCais;
  e.system_instance_id = "llm";
  e.event_time = 1714557601.25;
  e.created_at = "2024-05-01T10:00:01.250000+00:00";
  e.model_name = "gpt-4o";
  e.provider = "openai";
  e.input_tokens = 100;
  e.output_tokens = 20;
  e.total_tokens = 120;
  e.cost_usd = 0.0045;
  e.latency_ms = 812;
  e.metadata = R"({"step_id":")" + step + R"("})";
  return {key, e};
}

std::vector<schema::Record> AllRecordTypes(const std::string& p) {
  std::vector<Record> out;
  const std::string session = p + "sess-1";
  out.push_back({p + "exp", ExperimentRecord{p + "exp-1", "Experiment \"one\"", "desc",
                                             R"({"lr":0.1})", R"({"owner":"me"})"}});
  out.push_back({p + "sys", SystemRecord{p + "sys-1", "agent", "llm", std::nullopt, R"({})"}});
  out.push_back({p + "sv", SystemVersionRecord{p + "v1", p + "sys-1", "1.0.0", "abc123",
                                               std::nullopt, R"({"k":[1,2]})"}});
  out.push_back({p + "sess", SessionRecord{session, "2024-05-01T10:00:00.000000+00:00",
                                           R"({"user":"u\u00e9"})", p + "exp-1"}});
  out.push_back(
      {p + "ts", TimestepRecord{session, "step-1", 0, 1, "2024-05-01T10:00:01.000000+00:00",
                                std::nullopt, R"({"a":1})"}});
  EventRecord cais = std::get<EventRecord>(Event("", session, "step-1").body);
  cais.span_id = "span";
  cais.trace_id = "trace";
  cais.call_records = R"([{"model":"gpt-4o","tokens":120}])";
  cais.system_state_before = R"({"x":1})";
  cais.system_state_after = R"({"x":2})";
  cais.event_metadata = R"({"note":"héllo"})";
  out.push_back({p + "ev-cais", cais});
  EventRecord env;
  env.session_id = session;
  env.step_id = "step-2";  // a step not yet seen: created by the event
  env.event_type = EventType::kEnvironment;
  env.system_instance_id = "env";
  env.event_time = 1714557602.0;
  env.created_at = "2024-05-01T10:00:02.000000+00:00";
  env.reward = 1.5;
  env.terminated = false;
  env.truncated = true;
  env.system_state_after = R"({"obs":[1,2,3]})";
  env.event_metadata = R"({"why":"goal"})";
  out.push_back({p + "ev-env", env});
  EventRecord runtime;
  runtime.session_id = session;
  runtime.event_type = EventType::kRuntime;
  runtime.system_instance_id = "runtime";
  runtime.message_time = 3;
  runtime.created_at = "2024-05-01T10:00:03.000000+00:00";
  runtime.metadata = R"({"actions":[0,1]})";
  out.push_back({"", runtime});  // unkeyed: stored every time
  MessageRecord message;
  message.session_id = session;
  message.step_id = "step-1";
  message.message_type = MessageType::kAssistant;
  message.content = "Hello \"world\"\nline two \xF0\x9F\x98\x80";
  message.timestamp = "2024-05-01T10:00:04.000000+00:00";
  message.event_time = 1714557604.0;
  message.message_time = 4;
  message.metadata = R"({"step_id":"step-1"})";
  out.push_back({p + "msg", message});
  OutcomeRewardRecord outcome;
  outcome.session_id = session;
  outcome.total_reward = 2.5;
  outcome.achievements_count = 3;
  outcome.total_steps = 2;
  outcome.reward_metadata = R"({"a":"b"})";
  outcome.annotation = "good";
  out.push_back({p + "outcome", outcome});
  EventRewardRecord by_event;
  by_event.session_id = session;
  by_event.event_ref = p + "ev-cais";
  by_event.turn_number = 1;
  by_event.reward_value = 0.25;
  by_event.reward_type = "shaped";
  by_event.key = "k1";
  by_event.annotation = R"({"j":true})";
  by_event.source = "judge";
  out.push_back({p + "er-event", by_event});
  EventRewardRecord by_message;
  by_message.session_id = session;
  by_message.event_ref = p + "ev-env";
  by_message.message_ref = p + "msg";
  by_message.objective_key = "helpfulness";
  by_message.reward_value = -1;
  out.push_back({p + "er-msg", by_message});
  TimestepRecord later;  // fills an existing step
  later.session_id = session;
  later.step_id = "step-1";
  later.completed_at = "2024-05-01T10:00:05.000000+00:00";
  out.push_back({p + "ts-done", later});
  SessionEndRecord end;
  end.session_id = session;
  end.ended_at = "2024-05-01T10:00:06.000000+00:00";
  end.metadata = R"({"final":true})";
  out.push_back({p + "end", end});
  return out;
}

namespace {

// "YYYY-MM-DDTHH:MM:SS[.fraction]+00:00"
bool IsIsoUtc(std::string_view text) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size() + 6 || !text.ends_with("+00:00")) {
    return false;
  }
  for (size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) {
      return false;
    }
  }
  const std::string_view fraction = text.substr(kShape.size(), text.size() - kShape.size() - 6);
  if (fraction.empty()) {
    return true;
  }
  return fraction.size() > 1 && fraction[0] == '.' &&
         fraction.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Dump DumpDatabase(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  auto query = [&](const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      std::string error = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error(sql + ": " + error);
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string>& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_INTEGER:
            row.push_back(fmt::format("i:{}", sqlite3_column_int64(stmt, i)));
            break;
          case SQLITE_FLOAT:
            row.push_back(fmt::format("r:{}", sqlite3_column_double(stmt, i)));
            break;
          case SQLITE_TEXT: {
            std::string text(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                             static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
            if (IsIsoUtc(text) && !text.starts_with("2024-")) {
              text = "<now>";
            }
            row.push_back("t:" + text);
            break;
          }
          case SQLITE_NULL:
            row.push_back("null");
            break;
          default:
            row.push_back("blob");
        }
      }
    }
    sqlite3_finalize(stmt);
    return rows;
  };
  Dump dump;
  for (const auto& name : query("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
    const std::string table = name[0].substr(2);
    std::vector<std::string>& lines = dump[table];
    for (const auto& row : query("SELECT * FROM \"" + table + "\"")) {
      std::string line;
      for (const auto& cell : row) {
        line += cell;
        line += " | ";
      }
      lines.push_back(std::move(line));
    }
    std::sort(lines.begin(), lines.end());
  }
  sqlite3_close(db);
  return dump;
}

std::unique_ptr<sink::HranaSink> OpenHranaSink(const std::string& url,
                                               sink::HranaSinkOptions options) {
  options.client.url = url;
  if (options.client.pool.timeout_ms == sink::CurlPoolOptions{}.timeout_ms) {
    options.client.pool.timeout_ms = 5000;
  }
  auto sink = sink::HranaSink::Create(options);
  EXPECT_TRUE(sink.has_value()) << sink.error().ToString();
  if (!sink.has_value()) {
    return nullptr;
  }
  Status status = (*sink)->Open();
  EXPECT_TRUE(status.ok()) << status.ToString();
  return std::move(sink).value();
}

int64_t QueryInt(sink::HranaClient& client, const std::string& sql) {
  Result<sink::hrana::StmtResult> result = client.Execute(sql);
  if (!result.has_value()) {
    ADD_FAILURE() << sql << ": " << result.error().ToString();
    return -1;
  }
  if (result->rows.empty() || result->rows[0].empty()) {
    return 0;
  }
  const auto* value = std::get_if<int64_t>(&result->rows[0][0]);
  return value != nullptr ? *value : 0;
}

}  // namespace tc::testing
