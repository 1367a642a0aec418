// GET /v1/events, /v1/messages, /v1/experiments (lists and {id}) and /v1/stats/{models,usage}
// against the real binary on both backends (docs/api.md §11-§14): known records are posted, then
// each endpoint's rows, filters, paging to the end with cursors (both orders, also while events
// arrive), include=bodies, 404s, a 400 naming the parameter for every bad one, the read scope,
// and the request metrics' path labels.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"

namespace tc::testing {
namespace {

constexpr int kSessions = 12;

// What session i is made of (SessionRecords): the facts the endpoints must give back.
struct Session {
  std::string id;
  std::string experiment;  // empty: none
  std::string model, provider;
  int day = 0;  // its events are created on 2026-02-<day>
  int input_tokens = 0, output_tokens = 0, total_tokens = 0;
  double cost_usd = 0;
  int latency_ms = 0;
};

Session SessionOf(int i) {
  Session s;
  s.id = fmt::format("rs{:02}", i);
  s.experiment = i % 3 == 0 ? "exp-a" : i % 3 == 1 ? "exp-b" : "";
  s.model = i % 2 == 0 ? "claude-3" : "gpt-4o";
  s.provider = i % 2 == 0 ? "anthropic" : "openai";
  s.day = 1 + i % 4;
  s.input_tokens = 10 + i;
  s.output_tokens = 5;
  s.total_tokens = 15 + i;
  s.cost_usd = 0.001 * (i + 1);
  s.latency_ms = 100 + i;
  return s;
}

// The created_at of session i's k-th event (and the timestamp of its messages).
std::string CreatedAt(int i, int k) {
  return fmt::format("2026-02-{:02}T10:{:02}:{:02}.000000+00:00", SessionOf(i).day, i, k);
}

// Session i: a step, an LM CAIS event, an environment event, a runtime event without a step,
// a user message in the step and an assistant message with a JSON payload.
std::string SessionRecords(int i) {
  const Session s = SessionOf(i);
  std::string out = fmt::format(R"({{"type":"session","id":"{0}","session_id":"{0}")", s.id);
  if (!s.experiment.empty()) out += fmt::format(R"(,"experiment_id":"{}")", s.experiment);
  out += "}";
  out += fmt::format(R"(,{{"type":"timestep","id":"{0}/t1","session_id":"{0}","step_id":"t1"}})",
                     s.id);
  out += fmt::format(
      R"(,{{"type":"event","id":"{0}/e0","session_id":"{0}","step_id":"t1","event_type":"cais",)"
      R"("model_name":"{1}","provider":"{2}","input_tokens":{3},"output_tokens":{4},)"
      R"("total_tokens":{5},"cost_usd":{6},"latency_ms":{7},"span_id":"sp{8}","trace_id":"tr{8}",)"
      R"("call_records":[{{"model":"{1}"}}],"system_state_before":{{"s":{8}}},)"
      R"("system_state_after":{{"s":{9}}},"time_record":{{"event_time":{10},"message_time":{8}}},)"
      R"("created_at":"{11}","metadata":{{"n":{8}}}}})",
      s.id, s.model, s.provider, s.input_tokens, s.output_tokens, s.total_tokens, s.cost_usd,
      s.latency_ms, i, i + 1, 1000 + i, CreatedAt(i, 0));
  out +=
      fmt::format(R"(,{{"type":"event","id":"{0}/e1","session_id":"{0}","step_id":"t1",)"
                  R"("event_type":"environment","reward":0.5,"terminated":{1},"truncated":false,)"
                  R"("created_at":"{2}"}})",
                  s.id, i % 2 == 1 ? "true" : "false", CreatedAt(i, 1));
  out += fmt::format(R"(,{{"type":"event","id":"{0}/e2","session_id":"{0}","event_type":"runtime",)"
                     R"("created_at":"{1}"}})",
                     s.id, CreatedAt(i, 2));
  out += fmt::format(R"(,{{"type":"message","id":"{0}/m0","session_id":"{0}","step_id":"t1",)"
                     R"("message_type":"user","content":"hello {1}","timestamp":"{2}"}})",
                     s.id, i, CreatedAt(i, 0));
  out += fmt::format(
      R"(,{{"type":"message","id":"{0}/m1","session_id":"{0}","message_type":"assistant",)"
      R"("content":{{"text":null,"json_payload":{{"a":{1}}}}},"timestamp":"{2}"}})",
      s.id, i, CreatedAt(i, 3));
  return out;
}

// Experiments: exp-a (with every field), exp-b, one whose id needs percent-encoding, and 20
// more; a system and its version.
std::string ExperimentRecords() {
  std::string out =
      R"({"type":"experiment","experiment_id":"exp-a","name":"Alpha","description":"first",)"
      R"("configuration":{"lr":0.1},"metadata":{"team":"x"}},)"
      R"({"type":"experiment","experiment_id":"exp-b","name":"Beta"},)"
      R"({"type":"experiment","experiment_id":"exp/ü x","name":"Odd id"},)"
      R"({"type":"system","system_id":"sys-1","name":"Agent","system_type":"agent",)"
      R"("description":"the agent","metadata":{"m":1}},)"
      R"({"type":"system_version","version_id":"ver-1","system_id":"sys-1","version_number":3,)"
      R"("commit_hash":"abc123","configuration":{"temp":0.2}})";
  for (int i = 0; i < 20; ++i) {
    out += fmt::format(R"(,{{"type":"experiment","experiment_id":"exp-p{:02}","name":"P"}})", i);
  }
  return out;
}

class RecordsReadTest : public CollectorTest {
 protected:
  void PostAll() {
    std::string records = ExperimentRecords();
    for (int i = 0; i < kSessions; ++i) records += "," + SessionRecords(i);
    auto posted = client_->Post("/v1/records?ack=durable", "{\"records\":[" + records + "]}");
    ASSERT_EQ(posted.status, 200) << posted.body;
  }

  // Runs `sql` on the live database (rows the collector never writes: experimental_systems, an
  // experiment without created_at).
  void Exec(const std::string& sql) {
    if (GetParam() == BackendKind::kSqld) {
      MakeHranaReader(sqld_port_)->Rows(sql);
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string message = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << message;
  }

  // Every page of `path?query`, following next_cursor: the `member` of each row, in order.
  std::vector<std::string> AllPages(const std::string& path, const std::string& query,
                                    const std::string& member, HttpClient& client) {
    std::vector<std::string> keys;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      const std::string target = path + "?" + query + (cursor.empty() ? "" : "&cursor=" + cursor);
      auto got = client.Get(target);
      EXPECT_EQ(got.status, 200) << target << ": " << got.body;
      if (got.status != 200) break;
      JsonProbe json(got.body);
      const size_t n = json.ArraySize("/data");
      for (size_t r = 0; r < n; ++r) {
        keys.push_back(json.Json(fmt::format("/data/{}/{}", r, member).c_str()).value_or("?"));
      }
      const std::optional<std::string> next = json.Str("/meta/next_cursor");
      EXPECT_EQ(next.has_value(), json.Bool("/meta/has_more").value_or(false)) << got.body;
      if (!next) break;
      EXPECT_FALSE(n == 0) << "an empty page with a cursor: " << target;
      cursor = *next;
    }
    return keys;
  }
  std::vector<std::string> AllPages(const std::string& path, const std::string& query,
                                    const std::string& member = "id") {
    return AllPages(path, query, member, *client_);
  }

  // The whole answer of `target` (one page of up to 1000 rows): the `member` of each row.
  std::vector<std::string> Column(const std::string& target, const std::string& member) {
    auto got = client_->Get(target);
    EXPECT_EQ(got.status, 200) << target << ": " << got.body;
    JsonProbe json(got.body);
    std::vector<std::string> out;
    for (size_t r = 0; r < json.ArraySize("/data"); ++r) {
      out.push_back(json.Json(fmt::format("/data/{}/{}", r, member).c_str()).value_or("?"));
    }
    return out;
  }
};

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

TEST_P(RecordsReadTest, EventsListEachColumnNewestFirstAndBodiesOnRequest) {
  StartCollector();
  PostAll();
  auto got = client_->Get("/v1/events?limit=1000");
  ASSERT_EQ(got.status, 200) << got.body;
  JsonProbe json(got.body);
  ASSERT_EQ(json.ArraySize("/data"), 3u * kSessions);
  EXPECT_EQ(json.Json("/meta"), R"({"limit":1000,"has_more":false,"next_cursor":null})");
  // Newest first: the last session's runtime event, environment event, LLM call, then the one
  // before it.
  for (int r = 0; r < 3 * kSessions; ++r) {
    const int i = kSessions - 1 - r / 3;
    const int k = 2 - r % 3;
    const auto at = [&](std::string_view member) { return fmt::format("/data/{}/{}", r, member); };
    ASSERT_EQ(json.Str(at("session_id").c_str()), SessionOf(i).id) << r;
    EXPECT_EQ(json.Str(at("created_at").c_str()), CreatedAt(i, k)) << r;
    if (r > 0) {
      EXPECT_LT(json.Int(at("id").c_str()).value_or(0),
                json.Int(fmt::format("/data/{}/id", r - 1).c_str()).value_or(0));
    }
    EXPECT_FALSE(json.Has(at("call_records").c_str())) << "bodies are left out unless asked";
    EXPECT_FALSE(json.Has(at("system_state_before").c_str()));
  }
  // Session 5's three events are rows 18, 19, 20 (runtime, environment, cais).
  const Session s = SessionOf(5);
  EXPECT_EQ(json.Str("/data/18/event_type"), "runtime");
  EXPECT_TRUE(json.Json("/data/18/step_id") == "null") << "a runtime event without a step";
  EXPECT_EQ(json.Str("/data/19/event_type"), "environment");
  EXPECT_EQ(json.Str("/data/19/step_id"), "t1");
  EXPECT_EQ(json.Dbl("/data/19/reward"), 0.5);
  EXPECT_EQ(json.Bool("/data/19/terminated"), true);
  EXPECT_EQ(json.Bool("/data/19/truncated"), false);
  EXPECT_EQ(json.Json("/data/19/model_name"), "null");
  EXPECT_EQ(json.Str("/data/20/event_type"), "cais");
  EXPECT_EQ(json.Str("/data/20/step_id"), "t1");
  EXPECT_EQ(json.Str("/data/20/model_name"), s.model);
  EXPECT_EQ(json.Str("/data/20/provider"), s.provider);
  EXPECT_EQ(json.Int("/data/20/input_tokens"), s.input_tokens);
  EXPECT_EQ(json.Int("/data/20/output_tokens"), s.output_tokens);
  EXPECT_EQ(json.Int("/data/20/total_tokens"), s.total_tokens);
  EXPECT_EQ(json.Dbl("/data/20/cost_usd"), s.cost_usd) << "dollars, as posted";
  EXPECT_EQ(json.Int("/data/20/latency_ms"), s.latency_ms);
  EXPECT_EQ(json.Str("/data/20/span_id"), "sp5");
  EXPECT_EQ(json.Str("/data/20/trace_id"), "tr5");
  EXPECT_EQ(json.Dbl("/data/20/time_record/event_time"), 1005.0);
  EXPECT_EQ(json.Int("/data/20/time_record/message_time"), 5);
  EXPECT_EQ(json.Int("/data/20/metadata/n"), 5);
  EXPECT_EQ(json.Str("/data/20/metadata/step_id"), "t1");
  EXPECT_EQ(json.Json("/data/20/event_metadata"), "null");
  const int64_t cais_id = json.Int("/data/20/id").value_or(0);

  // include=bodies adds the three large columns.
  auto bodies = client_->Get("/v1/events?session_id=rs05&include=bodies&order=asc");
  ASSERT_EQ(bodies.status, 200) << bodies.body;
  JsonProbe with(bodies.body);
  ASSERT_EQ(with.ArraySize("/data"), 3u);
  EXPECT_EQ(with.Int("/data/0/id"), cais_id);
  EXPECT_EQ(with.Json("/data/0/call_records"), R"([{"model":")" + s.model + "\"}]");
  EXPECT_EQ(with.Json("/data/0/system_state_before"), R"({"s":5})");
  EXPECT_EQ(with.Json("/data/0/system_state_after"), R"({"s":6})");
  EXPECT_EQ(with.Json("/data/2/call_records"), "null");  // a runtime event has none

  // GET /v1/events/{id}: the same row, with its bodies.
  auto one = client_->Get(fmt::format("/v1/events/{}", cais_id));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(JsonProbe(one.body).Json(""), with.Json("/data/0"));
  auto missing = client_->Get("/v1/events/999999");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(JsonProbe(missing.body).Str("/error/code"), "not_found");
  EXPECT_EQ(JsonProbe(missing.body).Str("/error/message"), "no event with id 999999");
}

TEST_P(RecordsReadTest, EventFiltersKeepOnlyTheMatchingEvents) {
  StartCollector();
  PostAll();
  // The expected session ids, newest first, for a predicate on (session i, event k).
  const auto sessions_where = [](auto predicate) {
    std::vector<std::string> ids;
    for (int i = kSessions - 1; i >= 0; --i) {
      for (int k = 2; k >= 0; --k) {
        if (predicate(i, k)) ids.push_back(Quoted(SessionOf(i).id));
      }
    }
    return ids;
  };
  EXPECT_EQ(Column("/v1/events?session_id=rs03", "session_id"),
            sessions_where([](int i, int) { return i == 3; }));
  EXPECT_EQ(Column("/v1/events?event_type=cais", "session_id"),
            sessions_where([](int, int k) { return k == 0; }));
  EXPECT_EQ(Column("/v1/events?event_type=environment", "event_type"),
            std::vector<std::string>(kSessions, "\"environment\""));
  EXPECT_EQ(Column("/v1/events?model=gpt-4o", "session_id"),
            sessions_where([](int i, int k) { return k == 0 && SessionOf(i).model == "gpt-4o"; }));
  EXPECT_EQ(Column("/v1/events?model=gpt-4", "id"), std::vector<std::string>{});  // exact names
  // from inclusive, to exclusive, RFC 3339 or Unix seconds (1770163200 = 2026-02-04T00:00:00Z).
  EXPECT_EQ(
      Column("/v1/events?from=2026-02-02&to=1770163200", "session_id"),
      sessions_where([](int i, int) { return SessionOf(i).day == 2 || SessionOf(i).day == 3; }));
  EXPECT_EQ(
      Column("/v1/events?from=" + CreatedAt(7, 1).substr(0, 19) + "Z&to=2026-02-05", "id").size(),
      2u + 3u);  // day 4 (sessions 3, 7, 11) from 10:07:01: session 7's last two, 11's
  EXPECT_EQ(Column("/v1/events?session_id=rs04&event_type=environment", "session_id"),
            std::vector<std::string>{"\"rs04\""});
  EXPECT_EQ(Column("/v1/events?session_id=nope", "id"), std::vector<std::string>{});
}

TEST_P(RecordsReadTest, EventPagesFollowTheCursorToTheEndBothWays) {
  StartCollector();
  PostAll();
  for (const std::string filter :
       {"", "&event_type=cais", "&session_id=rs02", "&from=2026-02-02&to=2026-02-04",
        "&model=claude-3&include=bodies"}) {
    std::vector<std::string> all = Column("/v1/events?limit=1000" + filter, "id");
    ASSERT_FALSE(all.empty()) << filter;
    for (const std::string limit : {"1", "5", "7"}) {
      EXPECT_EQ(AllPages("/v1/events", "limit=" + limit + filter), all) << limit << filter;
      std::vector<std::string> ascending(all.rbegin(), all.rend());
      EXPECT_EQ(AllPages("/v1/events", "order=asc&limit=" + limit + filter), ascending)
          << limit << filter;
    }
  }
}

TEST_P(RecordsReadTest, EventPagingWhileEventsArriveVisitsEachEventOnce) {
  StartCollector();
  PostAll();
  const std::vector<std::string> before = Column("/v1/events?limit=1000", "id");
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    HttpClient client("127.0.0.1", collector_->port());
    for (int i = kSessions; !stop.load() && i < kSessions + 300; ++i) {
      auto posted =
          client.Post("/v1/records?ack=durable", "{\"records\":[" + SessionRecords(i) + "]}");
      if (posted.status != 200) break;
      written.fetch_add(1);
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (written.load() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  HttpClient reader("127.0.0.1", collector_->port());
  const std::vector<std::string> paged = AllPages("/v1/events", "limit=4", "id", reader);
  const int after = written.load();
  stop.store(true);
  writer.join();
  ASSERT_GE(after, 3);
  const std::set<std::string> distinct(paged.begin(), paged.end());
  EXPECT_EQ(distinct.size(), paged.size()) << "an event was listed twice";
  for (const std::string& id : before) EXPECT_TRUE(distinct.contains(id)) << id << " skipped";
}

TEST_P(RecordsReadTest, MessagesListFilterPageAndReadOne) {
  StartCollector();
  PostAll();
  auto got = client_->Get("/v1/messages");
  ASSERT_EQ(got.status, 200) << got.body;
  JsonProbe json(got.body);
  ASSERT_EQ(json.ArraySize("/data"), 2u * kSessions);
  EXPECT_EQ(json.Int("/meta/limit"), 50);
  // Newest first: the last session's assistant message (a JSON payload, kept as its text, no
  // step), then its user message.
  EXPECT_EQ(json.Str("/data/0/session_id"), "rs11");
  EXPECT_EQ(json.Str("/data/0/message_type"), "assistant");
  EXPECT_EQ(json.Str("/data/0/content"), R"({"a":11})");
  EXPECT_EQ(json.Json("/data/0/step_id"), "null");
  EXPECT_EQ(json.Str("/data/0/timestamp"), CreatedAt(11, 3));
  EXPECT_EQ(json.Str("/data/1/message_type"), "user");
  EXPECT_EQ(json.Str("/data/1/content"), "hello 11");
  EXPECT_EQ(json.Str("/data/1/step_id"), "t1");
  EXPECT_EQ(json.Str("/data/1/metadata/step_id"), "t1");
  EXPECT_EQ(json.Json("/data/1/time_record"), R"({"event_time":null,"message_time":null})");

  EXPECT_EQ(Column("/v1/messages?session_id=rs04", "content"),
            (std::vector<std::string>{R"("{\"a\":4}")", "\"hello 4\""}));
  EXPECT_EQ(Column("/v1/messages?message_type=user&order=asc&limit=3", "content"),
            (std::vector<std::string>{"\"hello 0\"", "\"hello 1\"", "\"hello 2\""}));
  // timestamp in [from, to): day 4 is sessions 3, 7, 11.
  EXPECT_EQ(Column("/v1/messages?from=2026-02-04&message_type=assistant", "session_id"),
            (std::vector<std::string>{"\"rs11\"", "\"rs07\"", "\"rs03\""}));
  EXPECT_EQ(Column("/v1/messages?message_type=tool_use", "id"), std::vector<std::string>{});

  const std::vector<std::string> all = Column("/v1/messages?limit=1000", "id");
  for (const std::string limit : {"1", "4"}) {
    EXPECT_EQ(AllPages("/v1/messages", "limit=" + limit), all) << limit;
    EXPECT_EQ(AllPages("/v1/messages", "order=asc&limit=" + limit),
              std::vector<std::string>(all.rbegin(), all.rend()))
        << limit;
  }

  auto one = client_->Get("/v1/messages/" + all.back());
  ASSERT_EQ(one.status, 200) << one.body;
  JsonProbe first(one.body);
  EXPECT_EQ(first.Str("/session_id"), "rs00");
  EXPECT_EQ(first.Str("/content"), "hello 0");
  EXPECT_EQ(first.Json(""), JsonProbe(got.body).Json("/data/23"));
  EXPECT_EQ(client_->Get("/v1/messages/424242").status, 404);
}

TEST_P(RecordsReadTest, ExperimentsPageNewestFirstAndReadOneWithSystemsAndSessions) {
  StartCollector();
  PostAll();
  // Rows the collector never writes: an experiment's systems, experiments without created_at.
  Exec(
      "INSERT INTO experimental_systems (experiment_id, system_id, version_id) VALUES "
      "('exp-a', 'sys-1', 'ver-1'), ('exp-a', 'sys-gone', 'ver-gone'), "
      "('exp-b', 'sys-1', 'ver-1')");
  Exec(
      "INSERT INTO experiments (experiment_id, name, created_at) VALUES "
      "('exp-null-1', 'undated', NULL), ('exp-null-2', 'undated', NULL)");

  // The expected order: created_at then experiment_id, descending, the undated ones last.
  std::vector<std::pair<std::string, std::string>> dated;
  for (const Row& row : Db()->Rows(
           "SELECT created_at, experiment_id FROM experiments WHERE created_at IS NOT NULL")) {
    dated.emplace_back(row[0].value_or(""), row[1].value_or(""));
  }
  ASSERT_EQ(dated.size(), 23u);
  std::sort(dated.rbegin(), dated.rend());
  std::vector<std::string> want;
  for (const auto& [created, id] : dated) want.push_back(Quoted(id));
  want.push_back("\"exp-null-2\"");
  want.push_back("\"exp-null-1\"");
  for (const std::string limit : {"1", "4", "25", "50"}) {
    EXPECT_EQ(AllPages("/v1/experiments", "limit=" + limit, "experiment_id"), want) << limit;
    EXPECT_EQ(AllPages("/v1/experiments", "order=asc&limit=" + limit, "experiment_id"),
              std::vector<std::string>(want.rbegin(), want.rend()))
        << limit;
  }
  auto list = client_->Get("/v1/experiments?limit=50");
  ASSERT_EQ(list.status, 200);
  JsonProbe rows(list.body);
  for (size_t r = 0; r < rows.ArraySize("/data"); ++r) {
    if (rows.Str(fmt::format("/data/{}/experiment_id", r).c_str()) != "exp-a") continue;
    const auto at = [&](std::string_view member) { return fmt::format("/data/{}/{}", r, member); };
    EXPECT_EQ(rows.Str(at("name").c_str()), "Alpha");
    EXPECT_EQ(rows.Str(at("description").c_str()), "first");
    EXPECT_EQ(rows.Json(at("configuration").c_str()), R"({"lr":0.1})");
    EXPECT_EQ(rows.Json(at("metadata").c_str()), R"({"team":"x"})");
    EXPECT_TRUE(rows.Str(at("created_at").c_str()).has_value());
    EXPECT_TRUE(rows.Str(at("updated_at").c_str()).has_value());
  }

  auto got = client_->Get("/v1/experiments/exp-a");
  ASSERT_EQ(got.status, 200) << got.body;
  JsonProbe a(got.body);
  EXPECT_EQ(a.Str("/experiment_id"), "exp-a");
  EXPECT_EQ(a.Str("/name"), "Alpha");
  ASSERT_EQ(a.ArraySize("/systems"), 2u);
  EXPECT_EQ(a.Str("/systems/0/system_id"), "sys-1");
  EXPECT_EQ(a.Str("/systems/0/name"), "Agent");
  EXPECT_EQ(a.Str("/systems/0/system_type"), "agent");
  EXPECT_EQ(a.Json("/systems/0/metadata"), R"({"m":1})");
  EXPECT_EQ(a.Str("/systems/0/version/version_id"), "ver-1");
  EXPECT_EQ(a.Str("/systems/0/version/version_number"), "3");
  EXPECT_EQ(a.Str("/systems/0/version/commit_hash"), "abc123");
  EXPECT_EQ(a.Json("/systems/0/version/configuration"), R"({"temp":0.2})");
  // A system the database does not have: its ids, the rest null.
  EXPECT_EQ(a.Str("/systems/1/system_id"), "sys-gone");
  EXPECT_EQ(a.Json("/systems/1/name"), "null");
  EXPECT_EQ(a.Str("/systems/1/version/version_id"), "ver-gone");
  EXPECT_EQ(a.Json("/systems/1/version/version_number"), "null");
  // Sessions 0, 3, 6, 9.
  int count = 0, input = 0, total = 0;
  double cost = 0;
  for (int i = 0; i < kSessions; ++i) {
    const Session s = SessionOf(i);
    if (s.experiment != "exp-a") continue;
    ++count;
    input += s.input_tokens;
    total += s.total_tokens;
    cost += s.cost_usd;
  }
  EXPECT_EQ(a.Int("/sessions/count"), count);
  EXPECT_EQ(a.Int("/sessions/lm_calls"), count);
  EXPECT_EQ(a.Int("/sessions/events"), 3 * count);
  EXPECT_EQ(a.Int("/sessions/input_tokens"), input);
  EXPECT_EQ(a.Int("/sessions/total_tokens"), total);
  EXPECT_NEAR(a.Dbl("/sessions/total_cost_usd").value_or(-1), cost, 1e-9);
  EXPECT_EQ(a.Str("/sessions/list"), "/v1/sessions?experiment_id=exp-a");
  EXPECT_EQ(AllPages("/v1/sessions", "experiment_id=exp-a", "session_id").size(),
            static_cast<size_t>(count));

  // An id with a '/', a non-ASCII letter and a space: percent-encoded in the path and the link.
  auto odd = client_->Get("/v1/experiments/exp%2F%C3%BC%20x");
  ASSERT_EQ(odd.status, 200) << odd.body;
  JsonProbe o(odd.body);
  EXPECT_EQ(o.Str("/name"), "Odd id");
  EXPECT_EQ(o.ArraySize("/systems"), 0u);
  EXPECT_EQ(o.Json("/sessions"), R"({"count":0,"lm_calls":0,"events":0,"input_tokens":0,)"
                                 R"("output_tokens":0,"total_tokens":0,"total_cost_usd":0,)"
                                 R"("first_created_at":null,"last_created_at":null,)"
                                 R"("list":"/v1/sessions?experiment_id=exp%2F%C3%BC%20x"})");
  auto missing = client_->Get("/v1/experiments/exp-zzz");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(JsonProbe(missing.body).Str("/error/message"), "no experiment with id \"exp-zzz\"");
}

TEST_P(RecordsReadTest, ModelStatsAreModelUsageStatsOverTheTimeRange) {
  StartCollector();
  PostAll();
  struct Want {
    int count = 0, input = 0, output = 0, total = 0, latency = 0;
    double cost = 0;
    std::string first, last;
  };
  const auto want_for = [](int from_day, int to_day) {
    std::map<std::pair<std::string, std::string>, Want> want;
    for (int i = 0; i < kSessions; ++i) {
      const Session s = SessionOf(i);
      if (s.day < from_day || s.day >= to_day) continue;
      Want& w = want[{s.model, s.provider}];
      ++w.count;
      w.input += s.input_tokens;
      w.output += s.output_tokens;
      w.total += s.total_tokens;
      w.latency += s.latency_ms;
      w.cost += s.cost_usd;
      if (w.first.empty() || CreatedAt(i, 0) < w.first) w.first = CreatedAt(i, 0);
      if (CreatedAt(i, 0) > w.last) w.last = CreatedAt(i, 0);
    }
    return want;
  };
  for (const auto& [query, from_day, to_day] : {std::tuple{std::string(""), 1, 5},
                                                {"?from=2026-02-02&to=2026-02-04", 2, 4},
                                                {"?from=2026-02-04", 4, 5},
                                                {"?to=2026-01-01", 0, 0}}) {
    auto got = client_->Get("/v1/stats/models" + query);
    ASSERT_EQ(got.status, 200) << got.body;
    JsonProbe json(got.body);
    const auto want = want_for(from_day, to_day);
    ASSERT_EQ(json.ArraySize("/data"), want.size()) << query << ": " << got.body;
    size_t r = 0;
    for (const auto& [key, w] : want) {  // ordered by model_name, provider
      const auto at = [&](std::string_view member) {
        return fmt::format("/data/{}/{}", r, member);
      };
      EXPECT_EQ(json.Str(at("model_name").c_str()), key.first) << query;
      EXPECT_EQ(json.Str(at("provider").c_str()), key.second) << query;
      EXPECT_EQ(json.Int(at("usage_count").c_str()), w.count) << query;
      EXPECT_EQ(json.Int(at("total_input_tokens").c_str()), w.input) << query;
      EXPECT_EQ(json.Int(at("total_output_tokens").c_str()), w.output) << query;
      EXPECT_EQ(json.Int(at("total_tokens").c_str()), w.total) << query;
      EXPECT_NEAR(json.Dbl(at("total_cost_usd").c_str()).value_or(-1), w.cost, 1e-9) << query;
      EXPECT_NEAR(json.Dbl(at("avg_latency_ms").c_str()).value_or(-1),
                  static_cast<double>(w.latency) / w.count, 1e-9)
          << query;
      EXPECT_EQ(json.Str(at("first_used").c_str()), w.first) << query;
      EXPECT_EQ(json.Str(at("last_used").c_str()), w.last) << query;
      ++r;
    }
  }
  auto ranged = client_->Get("/v1/stats/models?from=2026-02-02&to=1770163200");
  EXPECT_EQ(JsonProbe(ranged.body).Json("/meta"),
            R"({"from":"2026-02-02T00:00:00.000000+00:00",)"
            R"("to":"2026-02-04T00:00:00.000000+00:00","truncated":false})");
}

TEST_P(RecordsReadTest, UsageStatsGroupByModelDayOrExperiment) {
  StartCollector();
  PostAll();
  struct Want {
    int input = 0, output = 0, total = 0, calls = 0, events = 0;
    double cost = 0;
    std::set<std::string> sessions;
  };
  // Each session's key under `group_by` ("" for none: JSON null), for sessions whose day is in
  // [from_day, to_day).
  const auto want_for = [](const std::string& group_by, int from_day, int to_day) {
    std::map<std::string, Want> want;
    for (int i = 0; i < kSessions; ++i) {
      const Session s = SessionOf(i);
      if (s.day < from_day || s.day >= to_day) continue;
      const std::string key = group_by == "model" ? s.model
                              : group_by == "day" ? fmt::format("2026-02-{:02}", s.day)
                                                  : s.experiment;
      Want& w = want[key];
      w.input += s.input_tokens;
      w.output += s.output_tokens;
      w.total += s.total_tokens;
      w.cost += s.cost_usd;
      w.calls += 1;
      w.events += group_by == "model" ? 1 : 3;  // by model: only the events naming one
      w.sessions.insert(s.id);
    }
    return want;
  };
  for (const auto& [group_by, member] :
       {std::pair{"model", "model"}, {"day", "day"}, {"experiment", "experiment_id"}}) {
    for (const auto& [range, from_day, to_day] :
         {std::tuple{std::string(""), 1, 5}, {"&from=2026-02-02&to=2026-02-04", 2, 4}}) {
      const std::string query = std::string("/v1/stats/usage?group_by=") + group_by + range;
      auto got = client_->Get(query);
      ASSERT_EQ(got.status, 200) << query << ": " << got.body;
      JsonProbe json(got.body);
      EXPECT_EQ(json.Str("/meta/group_by"), group_by);
      const auto want = want_for(group_by, from_day, to_day);
      ASSERT_EQ(json.ArraySize("/data"), want.size()) << query << ": " << got.body;
      size_t r = 0;
      for (const auto& [key, w] : want) {  // ordered by key, null first
        const auto at = [&](std::string_view m) { return fmt::format("/data/{}/{}", r, m); };
        EXPECT_EQ(json.Json(at(member).c_str()), key.empty() ? "null" : Quoted(key)) << query;
        EXPECT_EQ(json.Int(at("input_tokens").c_str()), w.input) << query;
        EXPECT_EQ(json.Int(at("output_tokens").c_str()), w.output) << query;
        EXPECT_EQ(json.Int(at("total_tokens").c_str()), w.total) << query;
        EXPECT_NEAR(json.Dbl(at("cost_usd").c_str()).value_or(-1), w.cost, 1e-9) << query;
        EXPECT_EQ(json.Int(at("calls").c_str()), w.calls) << query;
        EXPECT_EQ(json.Int(at("events").c_str()), w.events) << query;
        EXPECT_EQ(json.Int(at("sessions").c_str()), static_cast<int>(w.sessions.size())) << query;
        ++r;
      }
    }
  }
  // group_by=model is the default.
  EXPECT_EQ(JsonProbe(client_->Get("/v1/stats/usage").body).Str("/meta/group_by"), "model");
}

TEST_P(RecordsReadTest, EveryBadParameterIs400NamingIt) {
  StartCollector();
  PostAll();
  const auto cursor_of = [&](const std::string& target) {
    auto got = client_->Get(target);
    EXPECT_EQ(got.status, 200) << got.body;
    return JsonProbe(got.body).Str("/meta/next_cursor").value_or("");
  };
  const std::string event_cursor = cursor_of("/v1/events?limit=2");
  const std::string message_cursor = cursor_of("/v1/messages?limit=2");
  const std::string experiment_cursor = cursor_of("/v1/experiments?limit=2");
  const std::string session_cursor = cursor_of("/v1/sessions?limit=2");
  ASSERT_FALSE(event_cursor.empty() || message_cursor.empty() || experiment_cursor.empty() ||
               session_cursor.empty());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/v1/events?limit=0", "limit"},
      {"/v1/events?limit=1001", "limit"},
      {"/v1/events?limit=x", "limit"},
      {"/v1/events?event_type=llm", "event_type"},
      {"/v1/events?include=all", "include"},
      {"/v1/events?order=up", "order"},
      {"/v1/events?cursor=abc", "cursor"},
      {"/v1/events?cursor=" + message_cursor, "cursor"},
      {"/v1/events?cursor=" + session_cursor, "cursor"},
      {"/v1/events?order=asc&cursor=" + event_cursor, "cursor"},
      {"/v1/events?from=yesterday", "from"},
      {"/v1/events?to=2026-02-30", "to"},
      {"/v1/events?from=2026-03-01&to=2026-02-01", "from"},
      {"/v1/events?session_id=%FF", "session_id"},
      {"/v1/events?model=a&model=b", "model"},
      {"/v1/events?q=hello", "q"},
      {"/v1/events/abc", "id"},
      {"/v1/events/1.5", "id"},
      {"/v1/events/-1", "id"},
      {"/v1/events/", "id"},
      {"/v1/events/99999999999999999999", "id"},
      {"/v1/messages?q=%20", "q"},
      {"/v1/messages?message_type=bot", "message_type"},
      {"/v1/messages?cursor=" + event_cursor, "cursor"},
      {"/v1/messages?include=bodies", "include"},
      {"/v1/messages?limit=-3", "limit"},
      {"/v1/messages/x1", "id"},
      {"/v1/experiments?limit=5000", "limit"},
      {"/v1/experiments?cursor=" + event_cursor, "cursor"},
      {"/v1/experiments?order=asc&cursor=" + experiment_cursor, "cursor"},
      {"/v1/experiments?from=2026-01-01", "from"},
      {"/v1/experiments/", "id"},
      {"/v1/experiments/%zz", "id"},
      {"/v1/experiments/a/b", "id"},
      {"/v1/experiments/%FF", "id"},
      {"/v1/stats/models?group_by=model", "group_by"},
      {"/v1/stats/models?to=nope", "to"},
      {"/v1/stats/usage?group_by=hour", "group_by"},
      {"/v1/stats/usage?from=2026-03-01&to=2026-02-01", "from"},
      {"/v1/stats/usage?limit=5", "limit"},
  };
  for (const auto& [target, parameter] : cases) {
    auto got = client_->Get(target);
    EXPECT_EQ(got.status, 400) << target << ": " << got.body;
    JsonProbe json(got.body);
    EXPECT_EQ(json.Str("/error/code"), "bad_parameter") << target;
    EXPECT_EQ(json.Str("/error/parameter"), parameter) << target << ": " << got.body;
  }
  // Each cursor works where it came from.
  EXPECT_EQ(client_->Get("/v1/events?limit=2&cursor=" + event_cursor).status, 200);
  EXPECT_EQ(client_->Get("/v1/messages?limit=2&cursor=" + message_cursor).status, 200);
  EXPECT_EQ(client_->Get("/v1/experiments?limit=2&cursor=" + experiment_cursor).status, 200);
  // GET only; unknown paths under /v1/stats are 404.
  for (const std::string path :
       {"/v1/events", "/v1/events/1", "/v1/messages", "/v1/messages/1", "/v1/experiments",
        "/v1/experiments/exp-a", "/v1/stats/models", "/v1/stats/usage"}) {
    auto post = client_->Post(path, "{}");
    EXPECT_EQ(post.status, 405) << path;
    EXPECT_EQ(post.headers["allow"], "GET") << path;
  }
  EXPECT_EQ(client_->Get("/v1/stats").status, 404);
  EXPECT_EQ(client_->Get("/v1/stats/sessions").status, 404);
}

TEST_P(RecordsReadTest, NeedTheReadScopeAndCountUnderTheirOwnPathLabels) {
  StartCollector({"--set", "auth.api_keys=ingest-key", "--set", "auth.read_keys=read-key"});
  const std::map<std::string, std::string> ingest = {{"Authorization", "Bearer ingest-key"}};
  const std::map<std::string, std::string> read = {{"Authorization", "Bearer read-key"}};
  auto posted =
      client_->Post("/v1/records?ack=durable",
                    "{\"records\":[" + ExperimentRecords() + "," + SessionRecords(0) + "]}",
                    "application/json", ingest);
  ASSERT_EQ(posted.status, 200) << posted.body;
  const std::string event_id = std::to_string(Db()->Int("SELECT MIN(id) FROM events"));
  const std::string message_id = std::to_string(Db()->Int("SELECT MIN(id) FROM messages"));
  const std::vector<std::pair<std::string, std::string>> reads = {
      {"/v1/events", "/v1/events"},
      {"/v1/events/" + event_id, "/v1/events/{id}"},
      {"/v1/messages", "/v1/messages"},
      {"/v1/messages/" + message_id, "/v1/messages/{id}"},
      {"/v1/experiments", "/v1/experiments"},
      {"/v1/experiments/exp-a", "/v1/experiments/{id}"},
      {"/v1/stats/models", "/v1/stats/models"},
      {"/v1/stats/usage", "/v1/stats/usage"},
  };
  for (const auto& [target, label] : reads) {
    EXPECT_EQ(client_->Get(target).status, 401) << target;
    auto forbidden = client_->Get(target, ingest);
    EXPECT_EQ(forbidden.status, 403) << target << ": " << forbidden.body;
    auto allowed = client_->Get(target, read);
    EXPECT_EQ(allowed.status, 200) << target << ": " << allowed.body;
  }
  auto metrics = client_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const auto& [target, label] : reads) {
    for (const char* code : {"200", "401", "403"}) {
      const std::string sample = fmt::format(
          "tracecollector_http_requests_total{{path=\"{}\",code=\"{}\"}} 1", label, code);
      EXPECT_NE(metrics.body.find(sample), std::string::npos) << sample;
    }
  }
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(RecordsReadTest);

}  // namespace
}  // namespace tc::testing
