// The read API and the live tail under load (docs/performance.md "Reading and the live tail";
// issue 10): starts the real collector (embedded backend) on a loopback port and prints figures.
// Not a test: nothing is asserted but the answers being what the API promises (200s; every
// session once when paging; every event to every subscriber), printed as OK/FAIL.
//   1. builds a database of S sessions x (1 session record, E events, 20 messages) through
//      POST /v1/records (~1000 records per request, 4 client threads) and times it;
//   2. GET /v1/sessions newest first and by cost: follows next_cursor to the end (limit 1000 and
//      50) checking that every session comes exactly once, in order; then times limit=50 GETs of
//      the first page and of pages spread over the whole cursor chain (200 GETs each);
//   3. GET /v1/sessions/{id} of one 500-event session with call records (100 GETs);
//   4. ingest at 100 records per request (4 client threads, a fixed total) alone, then while 8
//      threads read in a closed loop (a list page and a single 100-event session, alternately);
//      the reads alone for as long as ingest alone took, for comparison;
//   5. a paced load (100-record requests at 100 requests/s from 8 threads) without and with 50
//      GET /v1/stream?types=event subscribers: every subscriber must get every event; the
//      send -> receive latency (includes the commit) from a timestamp in each event's metadata.
//   read_bench [sessions=10000] [events_per_session=100] [live_seconds=10]
//              [ingest_records=200000] [readers=8] [collector arguments...]
// e.g. read_bench 1000 100 10 200000 8 --set http.io_threads=4. Each phase also prints the
// collector's CPU by thread role and the writer's commits (from /metrics).
// The collector is $TC_COLLECTOR_BIN, else the one built next to this program.

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/collector_process.h"
#include "support/http_client.h"
#include "support/sse_client.h"
#include "support/temp_dir.h"

using tc::testing::CollectorProcess;
using tc::testing::HttpClient;
using tc::testing::HttpResponse;
using tc::testing::SseClient;
using tc::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMessagesPerSession = 20;
constexpr int kBuildThreads = 4;
constexpr int kBuildRecordsPerRequest = 1000;  // about: whole sessions per request
constexpr int kIngestThreads = 4;
constexpr int kSubscribers = 50;
constexpr int kLiveRequestsPerSecond = 100;
constexpr int kLiveRecordsPerRequest = 100;
constexpr int kLiveThreads = 8;
constexpr int kTimedGets = 200;
constexpr int kTraceEvents = 500;
constexpr int kTraceGets = 100;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void Fail(std::string_view what, const HttpResponse& r) {
  fmt::print(stderr, "{}: answered {} {}: {}\n", what, r.status, r.error, r.body.substr(0, 400));
  std::exit(1);
}

// POST that waits out a 429/503 (Retry-After) like a well-behaved client; anything but 200 else
// ends the program.
void PostRecords(HttpClient& client, const std::string& body) {
  for (int attempt = 0;; ++attempt) {
    HttpResponse r = client.Post("/v1/records", body);
    if (r.status == 200) return;
    if ((r.status == 429 || r.status == 503) && attempt < 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    Fail("POST /v1/records", r);
  }
}

// Sorted samples (ms) and their percentiles.
struct Samples {
  std::vector<double> v;
  void Add(double x) { v.push_back(x); }
  void Merge(const Samples& o) { v.insert(v.end(), o.v.begin(), o.v.end()); }
  double Pct(double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  }
  std::string P50P99() { return fmt::format("p50 {:.2f} ms, p99 {:.2f} ms", Pct(0.5), Pct(0.99)); }
};

std::string SessionId(int s) { return fmt::format("s{:05}", s); }

// Session s: its session record, E cais events (cost per event depends on s, so totals tie in
// groups of about S/997 sessions: paging by cost meets ties) and 20 messages between them.
void AppendSession(std::string& out, int s, int events) {
  const std::string id = SessionId(s);
  const double cost = 0.00001 * (1 + (s * 7919) % 997);
  const char* model = s % 3 == 0 ? "gpt-4o" : "gpt-4o-mini";
  const int spacing = 1 + s % 5;  // seconds between events: durations differ
  out += fmt::format(
      R"({}{{"type":"session","id":"{}","session_id":"{}","metadata":{{"bench":"read","n":{}}}}})",
      out.size() > 1 ? "," : "", id, id, s);
  int message = 0;
  const auto message_until = [&](int count, double at) {
    for (; message < count; ++message) {
      out += fmt::format(
          R"(,{{"type":"message","id":"{0}/m{1}","session_id":"{0}","message_type":"{2}",)"
          R"("content":"message {1} of session {0}, with some words to make it a realistic size",)"
          R"("time_record":{{"event_time":{3}}}}})",
          id, message, message % 2 ? "assistant" : "user", at);
    }
  };
  double time = 1740000000.5 + s * 1000.0;
  for (int k = 0; k < events; ++k) {
    time = 1740000000.5 + s * 1000.0 + k * spacing;
    out += fmt::format(
        R"(,{{"type":"event","id":"{0}/e{1}","session_id":"{0}","event_type":"cais",)"
        R"("model_name":"{2}","provider":"openai","input_tokens":812,"output_tokens":64,)"
        R"("total_tokens":876,"cost_usd":{3},"latency_ms":930,"time_record":{{"event_time":{4}}}}})",
        id, k, model, cost, time);
    message_until(k * kMessagesPerSession / events + 1, time);  // spread over the events
  }
  message_until(kMessagesPerSession, time);
}

// Runs `threads` workers, each calling work(thread index) until it returns.
void RunThreads(int threads, const std::function<void(int)>& work) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& th : pool) th.join();
}

// ---- 2. the session list ----

struct Page {
  std::vector<std::string> ids;
  std::vector<double> costs;
  std::vector<std::string> created;
  std::string next_cursor;  // empty at the end
};

Page ParsePage(simdjson::dom::parser& parser, const std::string& body) {
  Page page;
  simdjson::dom::element doc;
  simdjson::dom::array data;
  if (parser.parse(body).get(doc) || doc["data"].get(data)) {
    fmt::print(stderr, "not a session page: {}\n", body.substr(0, 300));
    std::exit(1);
  }
  for (simdjson::dom::element row : data) {
    std::string_view id, created;
    double cost = 0;
    if (row["session_id"].get(id) || row["created_at"].get(created) ||
        row["totals"]["cost_usd"].get(cost)) {
      fmt::print(stderr, "a row without session_id/created_at/cost: {}\n", body.substr(0, 300));
      std::exit(1);
    }
    page.ids.emplace_back(id);
    page.costs.push_back(cost);
    page.created.emplace_back(created);
  }
  std::string_view cursor;
  if (!doc["meta"]["next_cursor"].get(cursor)) page.next_cursor = cursor;
  return page;
}

struct Walk {
  int pages = 0;
  size_t rows = 0;
  double seconds = 0;
  std::vector<std::string> problems;
  std::vector<std::string> cursors;  // "" (the first page), then every next_cursor
  bool ok() const { return problems.empty(); }
};

// Follows next_cursor from the first page to the end; checks that sessions 0..sessions-1 each
// come exactly once, and in order (the sort key, ties by session_id, both descending).
Walk WalkList(HttpClient& client, const std::string& sort, int limit, int sessions) {
  Walk walk;
  simdjson::dom::parser parser;
  std::vector<int> seen(static_cast<size_t>(sessions), 0);
  int foreign = 0;
  std::string cursor;
  bool have_last = false;
  double last_cost = 0;
  std::string last_created, last_id;
  const auto start = Clock::now();
  while (true) {
    walk.cursors.push_back(cursor);
    std::string target = fmt::format("/v1/sessions?limit={}", limit);
    if (!sort.empty()) target += "&sort=" + sort;
    if (!cursor.empty()) target += "&cursor=" + cursor;
    HttpResponse r = client.Get(target);
    if (r.status != 200) Fail("GET " + target, r);
    Page page = ParsePage(parser, r.body);
    ++walk.pages;
    for (size_t i = 0; i < page.ids.size(); ++i) {
      ++walk.rows;
      const std::string& id = page.ids[i];
      int n = -1;
      if (id.size() == 6 && id[0] == 's') {
        std::from_chars(id.data() + 1, id.data() + id.size(), n);
      }
      if (n >= 0 && n < sessions) {
        ++seen[static_cast<size_t>(n)];
      } else {
        ++foreign;
      }
      if (have_last) {
        const bool by_cost = sort == "cost_usd";
        const bool key_equal =
            by_cost ? page.costs[i] == last_cost : page.created[i] == last_created;
        const bool key_before =
            by_cost ? page.costs[i] < last_cost : page.created[i] < last_created;
        if (!(key_before || (key_equal && id < last_id)) && walk.problems.size() < 5) {
          walk.problems.push_back(fmt::format("{} after {}: out of order", id, last_id));
        }
      }
      have_last = true;
      last_cost = page.costs[i];
      last_created = page.created[i];
      last_id = id;
    }
    if (page.next_cursor.empty()) break;
    cursor = page.next_cursor;
    if (walk.pages > 10 * sessions + 10) {
      walk.problems.push_back("the chain does not end");
      break;
    }
  }
  walk.seconds = Seconds(Clock::now() - start);
  int missing = 0, twice = 0;
  for (int c : seen) {
    if (c == 0) ++missing;
    if (c > 1) ++twice;
  }
  if (missing) walk.problems.push_back(fmt::format("{} sessions missing", missing));
  if (twice) walk.problems.push_back(fmt::format("{} sessions more than once", twice));
  if (foreign) walk.problems.push_back(fmt::format("{} rows of unknown sessions", foreign));
  return walk;
}

Samples TimeGets(HttpClient& client, const std::vector<std::string>& targets) {
  Samples ms;
  for (const std::string& target : targets) {
    const auto start = Clock::now();
    HttpResponse r = client.Get(target);
    const auto took = Clock::now() - start;
    if (r.status != 200) Fail("GET " + target, r);
    ms.Add(Ms(took));
  }
  return ms;
}

// ---- 3. one large session ----

// A synth-ai SessionTrace (POST /v1/traces) of `events` LM CAIS events with call records and
// `messages` messages over `steps` steps.
std::string LargeTrace(const std::string& id, int events, int messages, int steps) {
  std::string out = fmt::format(R"({{"session_id":"{}","metadata":{{"bench":"read"}},)"
                                R"("session_time_steps":[)",
                                id);
  for (int s = 0; s < steps; ++s) {
    out += fmt::format(R"({}{{"step_id":"t{}","step_index":{},"turn_number":{}}})", s ? "," : "", s,
                       s, s);
  }
  out += R"(],"event_history":[)";
  for (int i = 0; i < events; ++i) {
    out += fmt::format(
        R"({}{{"system_instance_id":"agent","time_record":{{"event_time":{}.25,"message_time":{}}},)"
        R"("metadata":{{"step_id":"t{}"}},"model_name":"gpt-4o-mini","provider":"openai",)"
        R"("input_tokens":900,"output_tokens":80,"total_tokens":980,"cost_usd":0.005,)"
        R"("latency_ms":800,"call_records":[{{"call_id":"call-{}","api_type":"chat_completions",)"
        R"("input_messages":[{{"role":"user","parts":[{{"type":"text","text":"step {} )"
        R"(observation: the agent sees a room with a door and a key on the table"}}]}}],)"
        R"("output_messages":[{{"role":"assistant","parts":[{{"type":"text","text":"pick up )"
        R"(the key, try {}"}}]}}],"usage":{{"input_tokens":900,"output_tokens":80}}}}]}})",
        i ? "," : "", 1750000000 + i, i, i % steps, i, i, i);
  }
  out += R"(],"markov_blanket_message_history":[)";
  for (int i = 0; i < messages; ++i) {
    out += fmt::format(
        R"({}{{"message_type":"{}","content":{{"text":"message {} of the large session"}},)"
        R"("metadata":{{"step_id":"t{}"}}}})",
        i ? "," : "", i % 2 ? "assistant" : "user", i, i % steps);
  }
  out += "]}";
  return out;
}

// ---- 4. ingest with and without readers ----

struct IngestRun {
  size_t records = 0;
  double seconds = 0;
  Samples post_ms;
  double rate() const { return seconds > 0 ? static_cast<double>(records) / seconds : 0; }
};

// `total` records in 100-record requests (one new session each) from kIngestThreads threads.
IngestRun Ingest(int port, const std::string& tag, int total) {
  IngestRun run;
  const int requests = total / 100;
  std::atomic<int> next{0};
  std::vector<Samples> ms(kIngestThreads);
  const auto start = Clock::now();
  RunThreads(kIngestThreads, [&](int t) {
    HttpClient client("127.0.0.1", port);
    for (int q; (q = next.fetch_add(1)) < requests;) {
      std::string body = "[";
      for (int k = 0; k < 100; ++k) {
        body += fmt::format(
            R"({}{{"type":"event","id":"{}-{}/e{}","session_id":"{}-{}","event_type":"cais",)"
            R"("model_name":"gpt-4o-mini","input_tokens":812,"output_tokens":64,)"
            R"("total_tokens":876,"cost_usd":0.0045,"time_record":{{"event_time":{}.5}}}})",
            k ? "," : "", tag, q, k, tag, q, 1760000000 + k);
      }
      body += "]";
      const auto sent = Clock::now();
      PostRecords(client, body);
      ms[static_cast<size_t>(t)].Add(Ms(Clock::now() - sent));
    }
  });
  run.seconds = Seconds(Clock::now() - start);
  run.records = static_cast<size_t>(requests) * 100;
  for (auto& m : ms) run.post_ms.Merge(m);
  return run;
}

struct ReadLoad {
  size_t lists = 0, singles = 0;
  double seconds = 0;
  Samples list_ms, single_ms;
  double rate() const { return seconds > 0 ? static_cast<double>(lists + singles) / seconds : 0; }
};

// `threads` threads, each alternating a list page (the first page newest first, or a page
// of the by-cost chain) and a single base session, until `stop`.
ReadLoad Readers(int port, int threads, int sessions, const std::vector<std::string>& cost_cursors,
                 const std::atomic<bool>& stop) {
  ReadLoad load;
  std::vector<ReadLoad> per(static_cast<size_t>(threads));
  const auto start = Clock::now();
  RunThreads(threads, [&](int t) {
    HttpClient client("127.0.0.1", port);
    std::mt19937 rng(static_cast<unsigned>(t) * 7919u + 1u);
    ReadLoad& mine = per[static_cast<size_t>(t)];
    for (int i = 0; !stop.load(); ++i) {
      std::string target;
      const bool list = i % 2 == 0;
      if (list && i % 4 == 0) {
        target = "/v1/sessions?limit=50";
      } else if (list) {
        target = "/v1/sessions?limit=50&sort=cost_usd";
        const std::string& c = cost_cursors[rng() % cost_cursors.size()];
        if (!c.empty()) target += "&cursor=" + c;
      } else {
        target =
            "/v1/sessions/" + SessionId(static_cast<int>(rng() % static_cast<unsigned>(sessions)));
      }
      const auto sent = Clock::now();
      HttpResponse r = client.Get(target);
      if (r.status != 200) Fail("GET " + target, r);
      (list ? mine.list_ms : mine.single_ms).Add(Ms(Clock::now() - sent));
      ++(list ? mine.lists : mine.singles);
    }
  });
  load.seconds = Seconds(Clock::now() - start);
  for (auto& p : per) {
    load.lists += p.lists;
    load.singles += p.singles;
    load.list_ms.Merge(p.list_ms);
    load.single_ms.Merge(p.single_ms);
  }
  return load;
}

// ---- 5. the live tail ----

struct PacedRun {
  size_t records = 0;
  double seconds = 0;  // first due time -> last answer
  Samples post_ms;     // from the request's due time (a backlog is not hidden)
  double rate() const { return seconds > 0 ? static_cast<double>(records) / seconds : 0; }
};

// `requests` requests of 100 events, request q due at start + q / 100 s, from kLiveThreads
// threads. Event k (= q * 100 + j) has id "<tag>/<k>" and metadata {"sent_us":<steady clock
// µs just before its POST>,"k":k}.
PacedRun Paced(int port, const std::string& tag, int requests) {
  PacedRun run;
  std::vector<Samples> ms(kLiveThreads);
  const auto start = Clock::now() + std::chrono::milliseconds(20);
  const auto period = std::chrono::microseconds(1000000 / kLiveRequestsPerSecond);
  RunThreads(kLiveThreads, [&](int t) {
    HttpClient client("127.0.0.1", port);
    for (int q = t; q < requests; q += kLiveThreads) {
      const auto due = start + q * period;
      std::this_thread::sleep_until(due);
      const int64_t sent_us = NowUs();
      std::string body = "[";
      for (int j = 0; j < kLiveRecordsPerRequest; ++j) {
        const int k = q * kLiveRecordsPerRequest + j;
        body += fmt::format(
            R"({}{{"type":"event","id":"{}/{}","session_id":"{}-{}","event_type":"cais",)"
            R"("model_name":"gpt-4o-mini","input_tokens":812,"output_tokens":64,)"
            R"("total_tokens":876,"cost_usd":0.0045,"time_record":{{"event_time":{}.5}},)"
            R"("metadata":{{"sent_us":{},"k":{}}}}})",
            j ? "," : "", tag, k, tag, k % kSubscribers, 1770000000 + k, sent_us, k);
      }
      body += "]";
      PostRecords(client, body);
      ms[static_cast<size_t>(t)].Add(Ms(Clock::now() - due));
    }
  });
  run.seconds = Seconds(Clock::now() - start);
  run.records = static_cast<size_t>(requests) * kLiveRecordsPerRequest;
  for (auto& m : ms) run.post_ms.Merge(m);
  return run;
}

struct Subscriber {
  int status = 0;
  size_t received = 0;  // distinct events of this run
  size_t duplicates = 0;
  size_t foreign = 0;  // events of other runs (none expected: the stream starts live)
  size_t dropped = 0;  // the counts of `event: dropped`
  size_t resets = 0;
  std::vector<int64_t> latency_us;
};

int64_t NumberAfter(std::string_view data, std::string_view key) {
  const size_t at = data.find(key);
  if (at == std::string_view::npos) return -1;
  int64_t value = -1;
  const char* begin = data.data() + at + key.size();
  std::from_chars(begin, data.data() + data.size(), value);
  return value;
}

// One GET /v1/stream?types=event: counts the events of `tag` (k < expected) and their latency,
// until it has them all, or no event came for 10 s after the load ended.
void Subscribe(int port, const std::string& tag, size_t expected, Subscriber& sub,
               std::atomic<int>& ready, const std::atomic<bool>& load_done) {
  SseClient client(port, "/v1/stream?types=event");
  sub.status = client.status();
  ready.fetch_add(1);
  if (sub.status != 200) return;
  std::vector<uint8_t> seen(expected, 0);
  sub.latency_us.reserve(expected);
  const std::string id_prefix = "\"id\":\"" + tag + "/";
  auto last_event = Clock::now();
  while (sub.received < expected) {
    std::optional<tc::testing::SseEvent> event = client.Next(std::chrono::milliseconds(200));
    const auto now = Clock::now();
    if (!event) {
      if (client.closed()) break;
      if (load_done.load() && now - last_event > std::chrono::seconds(10)) break;
      continue;
    }
    last_event = now;
    if (event->event == "dropped") {
      sub.dropped +=
          static_cast<size_t>(std::max<int64_t>(0, NumberAfter(event->data, "\"count\":")));
      continue;
    }
    if (event->event == "reset") {
      ++sub.resets;
      continue;
    }
    if (event->event != "record") continue;
    const int64_t now_us = NowUs();
    const std::string_view data = event->data;
    const int64_t k = NumberAfter(data, "\"k\":");
    if (data.find(id_prefix) == std::string_view::npos || k < 0 ||
        static_cast<size_t>(k) >= expected) {
      ++sub.foreign;
      continue;
    }
    if (seen[static_cast<size_t>(k)]++) {
      ++sub.duplicates;
      continue;
    }
    ++sub.received;
    sub.latency_us.push_back(now_us - NumberAfter(data, "\"sent_us\":"));
  }
}

std::string LoadAverage() {
  std::string text = tc::testing::ReadFile("/proc/loadavg");
  const size_t end = text.find(' ', text.find(' ', text.find(' ') + 1) + 1);
  return text.substr(0, end);
}

// "<database> MB + <WAL> MB WAL".
std::string DatabaseSize(const TempDir& dir) {
  double mb[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir.File(i ? "bench.db-wal" : "bench.db"), ec);
    if (!ec) mb[i] = static_cast<double>(size) / 1e6;
  }
  return fmt::format("{:.0f} MB + {:.0f} MB WAL", mb[0], mb[1]);
}

// CPU seconds so far of the collector's threads by role, and of this program (the clients).
struct Cpu {
  Clock::time_point at = Clock::now();
  double io = 0, writer = 0, checkpoint = 0, other = 0, bench = 0;
};

// utime + stime of a /proc .../stat file, seconds; its comm in `name`.
double StatCpu(const std::string& path, std::string* name = nullptr) {
  const std::string stat = tc::testing::ReadFile(path);
  const size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return 0;
  if (name != nullptr) *name = stat.substr(open + 1, close - open - 1);
  // After ")": state, ppid, pgrp, session, tty_nr, tpgid, flags, minflt, cminflt, majflt,
  // cmajflt, utime, stime.
  const char* p = stat.c_str() + close + 2;
  double ticks = 0;
  for (int field = 0; field < 13 && *p; ++field) {
    char* end = nullptr;
    const long long v = std::strtoll(p, &end, 10);
    if (field >= 11) ticks += static_cast<double>(v);
    p = end != p && end != nullptr ? end : p + 1;
    while (*p == ' ') ++p;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Cpu CpuNow(int pid) {
  Cpu cpu;
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
    std::string name;
    const double seconds = StatCpu(task.path().string() + "/stat", &name);
    if (name.rfind("tc-io-", 0) == 0) {
      cpu.io += seconds;
    } else if (name == "tc-writer") {
      cpu.writer += seconds;
    } else if (name == "tc-checkpoint") {
      cpu.checkpoint += seconds;
    } else {
      cpu.other += seconds;
    }
  }
  cpu.bench = StatCpu("/proc/self/stat");
  return cpu;
}

// "collector CPU io 85% writer 60% checkpoint 5% other 3%, clients 40%" (100% = one core).
std::string CpuSince(const Cpu& a, int pid) {
  const Cpu b = CpuNow(pid);
  const double wall = Seconds(b.at - a.at);
  const auto pct = [&](double x, double y) { return wall > 0 ? 100 * (y - x) / wall : 0.0; };
  return fmt::format(
      "collector CPU: io threads {:.0f}%, writer {:.0f}%, checkpoint {:.0f}%, "
      "other {:.0f}%; clients {:.0f}%",
      pct(a.io, b.io), pct(a.writer, b.writer), pct(a.checkpoint, b.checkpoint),
      pct(a.other, b.other), pct(a.bench, b.bench));
}

// A few counters of GET /metrics.
struct Writer {
  Clock::time_point at = Clock::now();
  double batches = 0, stored = 0, commit_seconds = 0;
};

Writer WriterNow(HttpClient& client) {
  Writer w;
  HttpResponse r = client.Get("/metrics");
  if (r.status != 200) Fail("GET /metrics", r);
  const auto value = [&](std::string_view name) {
    const std::string key = fmt::format("\ntracecollector_{} ", name);
    const size_t at = r.body.find(key);
    return at == std::string::npos ? 0.0 : std::strtod(r.body.c_str() + at + key.size(), nullptr);
  };
  w.batches = value("batches_committed_total");
  w.stored = value("records_stored_total");
  w.commit_seconds = value("commit_duration_seconds_sum");
  return w;
}

// "312 commits of 641 records, committing 70% of the time".
std::string WriterSince(const Writer& a, HttpClient& client) {
  const Writer b = WriterNow(client);
  const double batches = b.batches - a.batches;
  const double wall = Seconds(b.at - a.at);
  return fmt::format("{:.0f} commits of {:.0f} records on average, committing {:.0f}% of the time",
                     batches, batches > 0 ? (b.stored - a.stored) / batches : 0.0,
                     wall > 0 ? 100 * (b.commit_seconds - a.commit_seconds) / wall : 0.0);
}

// The collector's peak resident memory (VmHWM), MiB.
double PeakRssMiB(int pid) {
  const std::string status = tc::testing::ReadFile(fmt::format("/proc/{}/status", pid));
  const size_t at = status.find("VmHWM:");
  if (at == std::string::npos) return 0;
  return static_cast<double>(std::strtoll(status.c_str() + at + 6, nullptr, 10)) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  // The numbers first; the collector's arguments from the first one starting with "--".
  int positional = 1;
  while (positional < argc && std::string_view(argv[positional]).substr(0, 2) != "--") {
    ++positional;
  }
  const auto number = [&](int i, double otherwise) {
    return i < positional ? std::atof(argv[i]) : otherwise;
  };
  const int sessions = static_cast<int>(number(1, 10000));
  const int events = static_cast<int>(number(2, 100));
  const double live_seconds = number(3, 10);
  const int ingest_records = static_cast<int>(number(4, 200000));
  const int readers = static_cast<int>(number(5, 8));
  if (positional > 6 || sessions < 1 || events < 0 || live_seconds <= 0 || ingest_records < 100 ||
      readers < 1) {
    fmt::print(stderr,
               "usage: read_bench [sessions=10000] [events_per_session=100] [live_seconds=10] "
               "[ingest_records=200000] [readers=8] [collector arguments, e.g. --set "
               "http.io_threads=4]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show as they come
  const auto bench_start = Clock::now();
  TempDir dir;
  // The stream buffer holds the whole live run (10 s x 10,000 records/s by default), so a
  // subscriber that falls behind for a while still gets everything.
  const int live_requests = static_cast<int>(live_seconds * kLiveRequestsPerSecond);
  const size_t live_events = static_cast<size_t>(live_requests) * kLiveRecordsPerRequest;
  const std::string buffer_records = std::to_string(std::max<size_t>(200000, 2 * live_events));
  std::vector<std::string> args = {"--backend", "embedded",
                                   "--db",      dir.File("bench.db"),
                                   "--set",     "stream.buffer_records=" + buffer_records,
                                   "--set",     "stream.buffer_bytes=1073741824"};
  for (int i = positional; i < argc; ++i) args.emplace_back(argv[i]);
  CollectorProcess collector(args, {}, dir.File("collector.log"));
  const int port = collector.port();
  HttpClient client("127.0.0.1", port);
  std::vector<std::string> summary;
  const int pid = collector.pid();
  std::string extra;
  for (int i = positional; i < argc; ++i) extra += std::string(" ") + argv[i];
  fmt::print(
      "read_bench: {} sessions x ({} events + {} messages + the session record); "
      "collector pid {}{}; load average {}\n",
      sessions, events, kMessagesPerSession, pid, extra, LoadAverage());
  // Around a phase: the collector's CPU by thread role, the clients' CPU, the writer's commits.
  using Mark = std::pair<Cpu, Writer>;
  const auto mark = [&] { return Mark{CpuNow(pid), WriterNow(client)}; };
  const auto since = [&](const Mark& m) {
    return "  " + CpuSince(m.first, pid) + "\n  writer: " + WriterSince(m.second, client);
  };

  // 1. The database.
  {
    const int records_per_session = 1 + events + kMessagesPerSession;
    const int per_request = std::max(1, kBuildRecordsPerRequest / records_per_session);
    const int requests = (sessions + per_request - 1) / per_request;
    std::atomic<int> next{0};
    const Mark m = mark();
    const auto start = Clock::now();
    RunThreads(kBuildThreads, [&](int) {
      HttpClient c("127.0.0.1", port);
      std::string body;
      for (int q; (q = next.fetch_add(1)) < requests;) {
        body = "[";
        for (int s = q * per_request; s < std::min(sessions, (q + 1) * per_request); ++s) {
          AppendSession(body, s, events);
        }
        body += "]";
        PostRecords(c, body);
      }
    });
    const double took = Seconds(Clock::now() - start);
    const double records = static_cast<double>(sessions) * records_per_session;
    const std::string line = fmt::format(
        "build: {:.0f} records ({} events) in {} requests of {} sessions ({} records), "
        "{} threads: {:.1f} s, {:.0f} records/s; database {}",
        records, static_cast<int64_t>(sessions) * events, requests, per_request,
        per_request * records_per_session, kBuildThreads, took, records / took, DatabaseSize(dir));
    fmt::print("{}\n{}\n", line, since(m));
    summary.push_back(line);
  }

  // 2. The list: walks first (they give the cursor chains), then timed GETs.
  std::vector<std::string> cost_cursors;
  for (const std::string sort : {"", "cost_usd"}) {
    const std::string name = sort.empty() ? "newest first" : "by cost";
    std::vector<std::string> chain;
    for (const int limit : {1000, 50}) {
      Walk walk = WalkList(client, sort, limit, sessions);
      const std::string line = fmt::format(
          "walk {} limit={}: {} pages, {} rows, every session once and in order: {} "
          "({:.2f} s, {:.1f} ms/page){}",
          name, limit, walk.pages, walk.rows, walk.ok() ? "OK" : "FAIL", walk.seconds,
          1000 * walk.seconds / walk.pages,
          walk.ok() ? "" : " [" + fmt::format("{}", fmt::join(walk.problems, "; ")) + "]");
      fmt::print("{}\n", line);
      summary.push_back(line);
      if (limit == 50) chain = walk.cursors;
    }
    const std::string base = "/v1/sessions?limit=50" + (sort.empty() ? "" : "&sort=" + sort);
    std::vector<std::string> first(kTimedGets, base), spread;
    for (int i = 0; i < kTimedGets; ++i) {
      const std::string& c = chain[static_cast<size_t>(i) * chain.size() / kTimedGets];
      spread.push_back(c.empty() ? base : base + "&cursor=" + c);
    }
    Samples first_ms = TimeGets(client, first);
    Samples spread_ms = TimeGets(client, spread);
    for (auto [what, ms] :
         {std::pair{"first page", &first_ms}, std::pair{"pages across the chain", &spread_ms}}) {
      const std::string line = fmt::format("GET /v1/sessions?limit=50 {}, {} ({} GETs): {}", name,
                                           what, kTimedGets, ms->P50P99());
      fmt::print("{}\n", line);
      summary.push_back(line);
    }
    if (sort == "cost_usd") cost_cursors = chain;
  }

  // 3. One large session.
  {
    const std::string body = LargeTrace("large", kTraceEvents, kTraceEvents * 2 / 5, 50);
    HttpResponse posted = client.Post("/v1/traces", body);
    if (posted.status != 200) Fail("POST /v1/traces", posted);
    Samples ms;
    size_t bytes = 0;
    for (int i = 0; i < kTraceGets; ++i) {
      const auto start = Clock::now();
      HttpResponse r = client.Get("/v1/sessions/large");
      if (r.status != 200) Fail("GET /v1/sessions/large", r);
      ms.Add(Ms(Clock::now() - start));
      bytes = r.body.size();
    }
    const std::string line = fmt::format(
        "GET /v1/sessions/{{id}} of {} events with call records + {} messages ({:.2f} MB "
        "answer, {} GETs): {}",
        kTraceEvents, kTraceEvents * 2 / 5, static_cast<double>(bytes) / 1e6, kTraceGets,
        ms.P50P99());
    fmt::print("{}\n", line);
    summary.push_back(line);
  }

  // 4. Ingest alone, reads alone, both.
  {
    Mark m = mark();
    IngestRun alone = Ingest(port, "ia", ingest_records);
    fmt::print(
        "ingest alone: {} records, {} threads x 100 rec/req: {:.1f} s, {:.0f} records/s, "
        "POST {}\n{}\n",
        alone.records, kIngestThreads, alone.seconds, alone.rate(), alone.post_ms.P50P99(),
        since(m));
    std::atomic<bool> stop{false};
    std::thread timer([&] {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(3.0, alone.seconds)));
      stop = true;
    });
    m = mark();
    ReadLoad reads_alone = Readers(port, readers, sessions, cost_cursors, stop);
    timer.join();
    fmt::print(
        "reads alone ({} threads, {:.1f} s): {:.0f} reads/s; list {}; single session {}\n"
        "{}\n",
        readers, reads_alone.seconds, reads_alone.rate(), reads_alone.list_ms.P50P99(),
        reads_alone.single_ms.P50P99(), since(m));
    stop = false;
    m = mark();
    ReadLoad reads;
    std::thread read_thread([&] { reads = Readers(port, readers, sessions, cost_cursors, stop); });
    IngestRun with = Ingest(port, "ir", ingest_records);
    stop = true;
    read_thread.join();
    fmt::print(
        "ingest with {} readers: {:.1f} s, {:.0f} records/s, POST {}; reads meanwhile "
        "{:.0f}/s; list {}; single session {}\n{}\n",
        readers, with.seconds, with.rate(), with.post_ms.P50P99(), reads.rate(),
        reads.list_ms.P50P99(), reads.single_ms.P50P99(), since(m));
    summary.push_back(fmt::format(
        "ingest {} records at 100 rec/req, {} threads: alone {:.0f} records/s, with {} readers "
        "{:.0f} records/s: ratio {:.2f}",
        alone.records, kIngestThreads, alone.rate(), readers, with.rate(),
        with.rate() / alone.rate()));
    summary.push_back(fmt::format(
        "reads ({} threads, list/single alternately): alone {:.0f}/s, during ingest {:.0f}/s: "
        "ratio {:.2f}; list p99 {:.1f} -> {:.1f} ms, single p99 {:.1f} -> {:.1f} ms",
        readers, reads_alone.rate(), reads.rate(), reads.rate() / reads_alone.rate(),
        reads_alone.list_ms.Pct(0.99), reads.list_ms.Pct(0.99), reads_alone.single_ms.Pct(0.99),
        reads.single_ms.Pct(0.99)));
  }

  // 5. The live tail.
  {
    Mark m = mark();
    PacedRun plain = Paced(port, "pa", live_requests);
    fmt::print(
        "paced load without subscribers: {} records in {:.2f} s: {:.0f} records/s, POST "
        "(from due time) {}\n{}\n",
        plain.records, plain.seconds, plain.rate(), plain.post_ms.P50P99(), since(m));
    std::vector<Subscriber> subs(kSubscribers);
    std::atomic<int> ready{0};
    std::atomic<bool> load_done{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kSubscribers; ++i) {
      threads.emplace_back([&, i] {
        Subscribe(port, "pl", live_events, subs[static_cast<size_t>(i)], ready, load_done);
      });
    }
    while (ready.load() < kSubscribers) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    m = mark();
    PacedRun live = Paced(port, "pl", live_requests);
    load_done = true;
    const auto drain_start = Clock::now();
    for (auto& t : threads) t.join();
    const double drain = Seconds(Clock::now() - drain_start);
    const std::string live_cpu = since(m);
    size_t min_received = live_events, dropped = 0, duplicates = 0, foreign = 0, resets = 0;
    int complete = 0, bad_status = 0;
    std::vector<int64_t> latency;
    for (Subscriber& s : subs) {
      if (s.status != 200) ++bad_status;
      min_received = std::min(min_received, s.received);
      dropped += s.dropped;
      duplicates += s.duplicates;
      foreign += s.foreign;
      resets += s.resets;
      if (s.received == live_events) ++complete;
      latency.insert(latency.end(), s.latency_us.begin(), s.latency_us.end());
    }
    std::sort(latency.begin(), latency.end());
    auto pct = [&](double p) {
      return latency.empty() ? 0.0
                             : static_cast<double>(latency[std::min(
                                   latency.size() - 1,
                                   static_cast<size_t>(p * static_cast<double>(latency.size())))]) /
                                   1000.0;
    };
    const bool ok = complete == kSubscribers && duplicates == 0 && bad_status == 0;
    fmt::print(
        "paced load with {} subscribers: {} records in {:.2f} s: {:.0f} records/s, POST "
        "(from due time) {}; the last subscriber finished {:.2f} s after the load\n{}\n",
        kSubscribers, live.records, live.seconds, live.rate(), live.post_ms.P50P99(), drain,
        live_cpu);
    summary.push_back(fmt::format(
        "paced load (target {} records/s, {} threads): without subscribers {:.0f} records/s "
        "(POST p50 {:.1f}, p99 {:.1f} ms), with {} subscribers {:.0f} records/s (POST p50 "
        "{:.1f}, p99 {:.1f} ms): ratio {:.2f}",
        kLiveRequestsPerSecond * kLiveRecordsPerRequest, kLiveThreads, plain.rate(),
        plain.post_ms.Pct(0.5), plain.post_ms.Pct(0.99), kSubscribers, live.rate(),
        live.post_ms.Pct(0.5), live.post_ms.Pct(0.99), live.rate() / plain.rate()));
    summary.push_back(fmt::format(
        "{} subscribers x {} events: every subscriber got every event once: {} ({} complete, "
        "fewest {}, duplicates {}, other events {}, dropped {}, resets {}, not 200: {})",
        kSubscribers, live_events, ok ? "OK" : "FAIL", complete, min_received, duplicates, foreign,
        dropped, resets, bad_status));
    summary.push_back(fmt::format(
        "send -> receive latency (incl. the commit), {} deliveries: p50 {:.1f} ms, p99 {:.1f} ms, "
        "max {:.1f} ms",
        latency.size(), pct(0.5), pct(0.99), pct(1.0)));
  }

  fmt::print(
      "\nSummary ({:.0f} s in all; load average at the end {}; database {}; collector peak RSS "
      "{:.0f} MiB)\n",
      Seconds(Clock::now() - bench_start), LoadAverage(), DatabaseSize(dir),
      PeakRssMiB(collector.pid()));
  for (const std::string& line : summary) fmt::print("  {}\n", line);
  return 0;
}
