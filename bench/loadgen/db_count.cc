#include "loadgen/db_count.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <array>
#include <string_view>

namespace tc::bench {
namespace {

constexpr std::array<std::string_view, 9> kQueries = {
    "SELECT COUNT(*) FROM session_traces",
    "SELECT COUNT(*) FROM session_timesteps",
    "SELECT COUNT(*) FROM events",
    "SELECT COUNT(*) FROM messages",
    "SELECT COUNT(*) FROM event_rewards",
    "SELECT COUNT(*) FROM tc_idempotency",
    "SELECT COALESCE(SUM(num_timesteps), 0) FROM session_traces",
    "SELECT COALESCE(SUM(num_events), 0) FROM session_traces",
    "SELECT COALESCE(SUM(num_messages), 0) FROM session_traces",
};

std::array<int64_t*, 9> Slots(DbCounts* c) {
  return {&c->sessions,          &c->timesteps,      &c->events,
          &c->messages,          &c->event_rewards,  &c->keys,
          &c->counted_timesteps, &c->counted_events, &c->counted_messages};
}

size_t Collect(char* chunk, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(chunk, size * count);
  return size * count;
}

}  // namespace

bool CountSqlite(const std::string& path, DbCounts* out, std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    *error = fmt::format("open {}: {}", path, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return false;
  }
  sqlite3_busy_timeout(db, 10000);
  auto slots = Slots(out);
  bool ok = true;
  for (size_t i = 0; i < kQueries.size() && ok; ++i) {
    sqlite3_stmt* stmt = nullptr;
    ok = sqlite3_prepare_v2(db, kQueries[i].data(), static_cast<int>(kQueries[i].size()), &stmt,
                            nullptr) == SQLITE_OK &&
         sqlite3_step(stmt) == SQLITE_ROW;
    if (ok) {
      *slots[i] = sqlite3_column_int64(stmt, 0);
    } else {
      *error = fmt::format("{}: {}", kQueries[i], sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return ok;
}

bool CountHrana(const std::string& base_url, DbCounts* out, std::string* error) {
  std::string body = R"({"requests":[)";
  for (size_t i = 0; i < kQueries.size(); ++i) {
    body +=
        fmt::format(R"({}{{"type":"execute","stmt":{{"sql":"{}"}}}})", i ? "," : "", kQueries[i]);
  }
  body += "]}";
  std::string response;
  CURL* curl = curl_easy_init();
  const std::string url = base_url + "/v2/pipeline";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
  long http = 0;
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK || http != 200) {
    *error = fmt::format("POST {}: {} (HTTP {}) {}", url, curl_easy_strerror(rc), http,
                         response.substr(0, 200));
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response).get(doc) != simdjson::SUCCESS) {
    *error = "unreadable Hrana response: " + response.substr(0, 200);
    return false;
  }
  simdjson::dom::array results;
  if (doc["results"].get(results) != simdjson::SUCCESS || results.size() != kQueries.size()) {
    *error = "unexpected Hrana response: " + response.substr(0, 200);
    return false;
  }
  auto slots = Slots(out);
  size_t i = 0;
  for (simdjson::dom::element r : results) {
    std::string_view value;
    if (r.at_pointer("/response/result/rows/0/0/value").get(value) != simdjson::SUCCESS) {
      *error = fmt::format("{}: {}", kQueries[i], simdjson::minify(r));
      return false;
    }
    *slots[i++] = std::stoll(std::string(value));
  }
  return true;
}

std::string CheckCounts(const Workload& workload, uint64_t units, const DbCounts& c) {
  const auto n = static_cast<int64_t>(units);
  const RowsPerUnit& r = workload.rows;
  const RowsPerUnit& q = workload.per_request;
  std::string bad;
  auto expect = [&bad](std::string_view what, int64_t got, int64_t want) {
    if (got != want) {
      bad += fmt::format(" {} {}!={}", what, got, want);
    }
  };
  // Rows per request (kOtlp: the trace's session and step) need whole requests; a 207 could
  // acknowledge part of one (never for OTLP, whose answers are 200 or an error).
  const int64_t per_request = workload.units_per_request;
  const bool has_per_request = q.sessions != 0 || q.timesteps != 0 || q.events != 0 ||
                               q.messages != 0 || q.event_rewards != 0 || q.keys != 0;
  if (has_per_request && n % per_request != 0) {
    bad += fmt::format(" units {} not a multiple of {} per request", n, per_request);
  }
  const int64_t requests = n / per_request;
  if (workload.check_sessions) {
    expect("sessions", c.sessions, n * r.sessions + requests * q.sessions);
  }
  expect("timesteps", c.timesteps, n * r.timesteps + requests * q.timesteps);
  expect("events", c.events, n * r.events + requests * q.events);
  expect("messages", c.messages, n * r.messages + requests * q.messages);
  expect("event_rewards", c.event_rewards, n * r.event_rewards + requests * q.event_rewards);
  expect("keys", c.keys, n * r.keys + requests * q.keys);
  expect("num_timesteps", c.counted_timesteps, c.timesteps);
  expect("num_events", c.counted_events, c.events);
  expect("num_messages", c.counted_messages, c.messages);
  return bad.empty() ? "ok" : "FAIL" + bad;
}

}  // namespace tc::bench
