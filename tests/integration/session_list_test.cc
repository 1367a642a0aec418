// GET /v1/sessions against the real binary on both backends (docs/api.md, "GET /v1/sessions"):
// the totals the writer keeps, every sort both ways, the filters, paging to the end with
// cursors while sessions are written, and a 400 naming the parameter for every bad one.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"

namespace tc::testing {
namespace {

// What session i is made of (see SessionRecords): the facts the list must give back.
struct Expected {
  std::string id;
  int events = 0;
  double cost_usd = 0;
  double duration_ms = 0;
  bool error = false;
  std::string model;
  std::string experiment;
};

Expected ExpectedOf(int i) {
  Expected e;
  e.id = fmt::format("s{:03}", i);
  e.events = i % 4 + 1;
  e.cost_usd = 0.0001 * ((i * 37) % 101 + 1);  // on the first event; distinct for i < 101
  // Event times 1000 + k * 0.25, the last one + i / 1000: one event spans nothing.
  e.duration_ms = e.events == 1 ? 0.0 : (e.events - 1) * 250.0 + i;
  e.error = i % 5 == 0;
  e.model = i % 2 == 0 ? "gpt-4o" : "claude \"3\"";
  e.experiment = i % 3 == 0 ? "exp-a" : "exp-b";
  return e;
}

// One session record (created_at 2026-01-01 00:00:i) and its LLM events.
std::string SessionRecords(int i) {
  const Expected e = ExpectedOf(i);
  std::string out =
      fmt::format(R"({{"type":"session","id":"{0}","session_id":"{0}","experiment_id":"{1}",)"
                  R"("created_at":"2026-01-01T00:{2:02}:{3:02}.000000+00:00"}})",
                  e.id, e.experiment, i / 60, i % 60);
  for (int k = 0; k < e.events; ++k) {
    const double time = 1000.0 + k * 0.25 + (k == e.events - 1 ? i / 1000.0 : 0.0);
    std::string model_json;
    for (char c : e.model) {
      if (c == '"') model_json += '\\';
      model_json += c;
    }
    out +=
        fmt::format(R"(,{{"type":"event","id":"{0}-e{1}","session_id":"{0}","event_type":"cais",)"
                    R"("model_name":"{2}","cost_usd":{3},"input_tokens":10,"output_tokens":5,)"
                    R"("total_tokens":15,"time_record":{{"event_time":{4}}},"metadata":{5}}})",
                    e.id, k, model_json, k == 0 ? e.cost_usd : 0.0, time,
                    e.error && k == 0 ? R"({"error":"rate limited"})" : "{}");
  }
  return out;
}

class SessionListTest : public CollectorTest {
 protected:
  // Sessions [first, last) in requests of up to 10.
  void PostSessions(int first, int last) {
    for (int i = first; i < last; i += 10) {
      std::string records;
      for (int j = i; j < std::min(last, i + 10); ++j) {
        records += (records.empty() ? "" : ",") + SessionRecords(j);
      }
      auto posted = client_->Post("/v1/records?ack=durable", "{\"records\":[" + records + "]}");
      ASSERT_EQ(posted.status, 200) << posted.body;
    }
  }

  // Every page of `query` (limit, sort, order, filters), following next_cursor: the ids in
  // order.
  std::vector<std::string> AllPages(const std::string& query, HttpClient& client) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      auto got = client.Get("/v1/sessions?" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(got.status, 200) << got.body;
      if (got.status != 200) break;
      JsonProbe json(got.body);
      const size_t n = json.ArraySize("/data");
      for (size_t r = 0; r < n; ++r) {
        ids.push_back(json.Str(fmt::format("/data/{}/session_id", r).c_str()).value_or("?"));
      }
      const std::optional<std::string> next = json.Str("/meta/next_cursor");
      EXPECT_EQ(next.has_value(), got.body.find("\"has_more\":true") != std::string::npos);
      if (!next) break;
      cursor = *next;
    }
    return ids;
  }

  std::vector<std::string> AllPages(const std::string& query) { return AllPages(query, *client_); }
};

constexpr int kSessions = 45;

TEST_P(SessionListTest, EachRowCarriesTheSessionsTotals) {
  StartCollector();
  PostSessions(0, kSessions);
  auto got = client_->Get("/v1/sessions?limit=1000");
  ASSERT_EQ(got.status, 200) << got.body;
  JsonProbe json(got.body);
  ASSERT_EQ(json.ArraySize("/data"), static_cast<size_t>(kSessions));
  EXPECT_EQ(json.Int("/meta/limit"), 1000);
  EXPECT_NE(got.body.find("\"has_more\":false"), std::string::npos);
  EXPECT_NE(got.body.find("\"next_cursor\":null"), std::string::npos);
  for (int r = 0; r < kSessions; ++r) {
    const int i = kSessions - 1 - r;  // newest first
    const Expected e = ExpectedOf(i);
    const auto at = [&](std::string_view member) { return fmt::format("/data/{}/{}", r, member); };
    ASSERT_EQ(json.Str(at("session_id").c_str()), e.id);
    EXPECT_EQ(json.Str(at("experiment_id").c_str()), e.experiment);
    EXPECT_EQ(json.Int(at("totals/events").c_str()), e.events) << e.id;
    EXPECT_EQ(json.Int(at("totals/lm_calls").c_str()), e.events) << e.id;
    EXPECT_EQ(json.Int(at("totals/input_tokens").c_str()), 10 * e.events) << e.id;
    EXPECT_EQ(json.Int(at("totals/total_tokens").c_str()), 15 * e.events) << e.id;
    EXPECT_NEAR(json.Dbl(at("totals/cost_usd").c_str()).value_or(-1), e.cost_usd, 1e-9) << e.id;
    EXPECT_NEAR(json.Dbl(at("totals/duration_ms").c_str()).value_or(-1), e.duration_ms, 1e-6)
        << e.id;
    EXPECT_EQ(json.Int(at("totals/errors").c_str()), e.error ? 1 : 0) << e.id;
    EXPECT_EQ(json.ArraySize(at("totals/models").c_str()), 1u) << e.id;
    EXPECT_EQ(json.Str(at("totals/models/0").c_str()), e.model) << e.id;
  }
}

TEST_P(SessionListTest, EverySortBothWaysPagesToTheEndInOrder) {
  StartCollector();
  PostSessions(0, kSessions);
  std::vector<Expected> all;
  for (int i = 0; i < kSessions; ++i) all.push_back(ExpectedOf(i));
  const std::map<std::string, double (*)(const Expected&)> keys = {
      {"created_at",
       [](const Expected& e) { return static_cast<double>(std::stoi(e.id.substr(1))); }},
      {"cost_usd", [](const Expected& e) { return std::round(e.cost_usd * 1e9); }},
      {"duration_ms", [](const Expected& e) { return e.duration_ms; }},
      {"num_events", [](const Expected& e) { return static_cast<double>(e.events); }}};
  for (const auto& [sort, key] : keys) {
    for (const std::string order : {"desc", "asc"}) {
      std::vector<Expected> want = all;
      std::sort(want.begin(), want.end(), [&](const Expected& a, const Expected& b) {
        // Ties are broken by session id, in the same direction.
        const auto ka = std::make_pair(key(a), a.id), kb = std::make_pair(key(b), b.id);
        return order == "asc" ? ka < kb : kb < ka;
      });
      std::vector<std::string> want_ids;
      for (const Expected& e : want) want_ids.push_back(e.id);
      const std::string query =
          fmt::format("limit=7&sort={}{}", sort, order == "asc" ? "&order=asc" : "");
      EXPECT_EQ(AllPages(query), want_ids) << query;
    }
  }
  // Without sort/order: newest first.
  EXPECT_EQ(AllPages("limit=10").front(), ExpectedOf(kSessions - 1).id);
}

TEST_P(SessionListTest, FiltersKeepOnlyTheMatchingSessions) {
  StartCollector();
  PostSessions(0, kSessions);
  const auto ids_where = [&](auto predicate) {
    std::vector<std::string> ids;
    for (int i = kSessions - 1; i >= 0; --i) {
      if (predicate(ExpectedOf(i), i)) ids.push_back(ExpectedOf(i).id);
    }
    return ids;
  };
  EXPECT_EQ(AllPages("limit=4&experiment_id=exp-a"),
            ids_where([](const Expected& e, int) { return e.experiment == "exp-a"; }));
  // A model name with a quote and a space, percent-encoded.
  EXPECT_EQ(AllPages("limit=4&model=claude%20%223%22"),
            ids_where([](const Expected& e, int) { return e.model == "claude \"3\""; }));
  EXPECT_EQ(AllPages("model=gpt-4"), std::vector<std::string>{});  // a prefix is not a match
  EXPECT_EQ(AllPages("limit=4&has_error=true"),
            ids_where([](const Expected& e, int) { return e.error; }));
  EXPECT_EQ(AllPages("limit=50&has_error=false"),
            ids_where([](const Expected& e, int) { return !e.error; }));
  EXPECT_EQ(AllPages("min_cost_usd=0.005"),
            ids_where([](const Expected& e, int) { return e.cost_usd >= 0.005 - 1e-12; }));
  // from is inclusive, to exclusive; RFC 3339 with an offset, or Unix seconds.
  EXPECT_EQ(AllPages("from=2026-01-01T01:00:10%2B01:00&to=1767225620"),
            ids_where([](const Expected&, int i) { return i >= 10 && i < 20; }));
  EXPECT_EQ(
      AllPages("experiment_id=exp-a&has_error=true&sort=cost_usd&order=asc&limit=1").size(),
      ids_where([](const Expected& e, int) { return e.experiment == "exp-a" && e.error; }).size());
}

TEST_P(SessionListTest, PagingWhileSessionsArriveVisitsEachSessionOnce) {
  StartCollector();
  PostSessions(0, kSessions);
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    HttpClient client("127.0.0.1", collector_->port());
    for (int i = kSessions; !stop.load() && i < kSessions + 400; ++i) {
      auto posted =
          client.Post("/v1/records?ack=durable", "{\"records\":[" + SessionRecords(i) + "]}");
      if (posted.status != 200) break;
      written.fetch_add(1);
    }
  });
  // Wait until the writer is under way, then page (3 a page) through everything, newest first
  // and by event count.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (written.load() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  HttpClient reader("127.0.0.1", collector_->port());
  const std::vector<std::string> newest = AllPages("limit=3", reader);
  const int after = written.load();
  stop.store(true);
  writer.join();
  ASSERT_GE(after, 5);
  const std::set<std::string> distinct(newest.begin(), newest.end());
  EXPECT_EQ(distinct.size(), newest.size()) << "a session was listed twice";
  for (int i = 0; i < kSessions; ++i) {
    EXPECT_TRUE(distinct.contains(ExpectedOf(i).id)) << ExpectedOf(i).id << " was skipped";
  }
  EXPECT_TRUE(std::is_sorted(newest.rbegin(), newest.rend()));
}

TEST_P(SessionListTest, TextSearchFindsMessageWordsSessionIdsAndMetadata) {
  // The message index is opt-in (and the embedded backend's only).
  StartCollector({"--set", "embedded.message_index=true"});
  auto posted = client_->Post("/v1/records?ack=durable", R"([
    {"type":"session","id":"zoo-1","session_id":"zoo-1","metadata":{"keeper":"Ann"}},
    {"type":"message","id":"zoo-1/m1","session_id":"zoo-1","message_type":"user","content":"Where is the giraffe?"},
    {"type":"session","id":"zoo-2","session_id":"zoo-2","metadata":{"keeper":"Bob"}},
    {"type":"message","id":"zoo-2/m1","session_id":"zoo-2","message_type":"assistant","content":"The giraffe is asleep."},
    {"type":"session","id":"farm-3","session_id":"farm-3"},
    {"type":"message","id":"farm-3/m1","session_id":"farm-3","message_type":"user","content":"Feed the cows"}])");
  ASSERT_EQ(posted.status, 200) << posted.body;
  const auto ids = [&](const std::string& query, std::string* mode = nullptr) {
    auto got = client_->Get("/v1/sessions?" + query);
    EXPECT_EQ(got.status, 200) << query << ": " << got.body;
    JsonProbe json(got.body);
    std::vector<std::string> out;
    for (size_t r = 0; r < json.ArraySize("/data"); ++r) {
      out.push_back(json.Str(fmt::format("/data/{}/session_id", r).c_str()).value_or("?"));
    }
    if (mode != nullptr) *mode = json.Str("/meta/search/mode").value_or("");
    return out;
  };
  std::string mode;
  EXPECT_EQ(ids("q=giraffe", &mode), (std::vector<std::string>{"zoo-2", "zoo-1"}));
  // The embedded backend keeps the FTS5 index; tursodb has no FTS5: a bounded scan.
  EXPECT_EQ(mode, GetParam() == BackendKind::kEmbedded ? "index" : "scan");
  EXPECT_EQ(ids("q=cows"), (std::vector<std::string>{"farm-3"}));
  EXPECT_EQ(ids("q=zoo"), (std::vector<std::string>{"zoo-2", "zoo-1"}));  // in the ids
  EXPECT_EQ(ids("q=Bob"), (std::vector<std::string>{"zoo-2"}));           // in the metadata
  EXPECT_EQ(ids("q=elephant"), std::vector<std::string>{});
  EXPECT_EQ(ids("q=giraffe&experiment_id=none"), std::vector<std::string>{});
  EXPECT_EQ(ids("q=%22giraffe%22%20OR%20cows"), std::vector<std::string>{});  // no operators
  if (GetParam() == BackendKind::kEmbedded) {
    EXPECT_EQ(ids("q=giraffe+asleep"), (std::vector<std::string>{"zoo-2"}));  // every word
  }
  // GET /v1/messages?q= finds the messages themselves, the same two ways.
  const auto contents = [&](const std::string& query, std::string* search_mode) {
    auto got = client_->Get("/v1/messages?" + query);
    EXPECT_EQ(got.status, 200) << query << ": " << got.body;
    JsonProbe json(got.body);
    std::vector<std::string> out;
    for (size_t r = 0; r < json.ArraySize("/data"); ++r) {
      out.push_back(json.Str(fmt::format("/data/{}/content", r).c_str()).value_or("?"));
    }
    *search_mode = json.Str("/meta/search/mode").value_or("");
    return out;
  };
  EXPECT_EQ(contents("q=GIRAFFE&limit=1", &mode),
            (std::vector<std::string>{"The giraffe is asleep."}));
  EXPECT_EQ(mode, GetParam() == BackendKind::kEmbedded ? "index" : "scan");
  EXPECT_EQ(contents("q=giraffe&order=asc&session_id=zoo-1", &mode),
            (std::vector<std::string>{"Where is the giraffe?"}));
  EXPECT_EQ(contents("q=zoo", &mode), std::vector<std::string>{});  // content only
  if (GetParam() == BackendKind::kEmbedded) {
    // Turned off (the default), the index is dropped and the same words are found by a scan.
    ASSERT_EQ(collector_->Stop(SIGTERM), 0);
    StartCollector();
    EXPECT_EQ(ids("q=giraffe", &mode), (std::vector<std::string>{"zoo-2", "zoo-1"}));
    EXPECT_EQ(mode, "scan");
  }
  auto blank = client_->Get("/v1/sessions?q=%20%20");
  EXPECT_EQ(blank.status, 400);
  EXPECT_EQ(JsonProbe(blank.body).Str("/error/parameter"), "q");
}

TEST_P(SessionListTest, EveryBadParameterIs400NamingIt) {
  StartCollector();
  PostSessions(0, 12);
  auto first = client_->Get("/v1/sessions?limit=2&sort=cost_usd");
  ASSERT_EQ(first.status, 200);
  const std::string cost_cursor = JsonProbe(first.body).Str("/meta/next_cursor").value_or("");
  ASSERT_FALSE(cost_cursor.empty());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"limit=abc", "limit"},
      {"limit=0", "limit"},
      {"limit=100000", "limit"},
      {"limit=", "limit"},
      {"sort=name", "sort"},
      {"order=up", "order"},
      {"cursor=%%%", "cursor"},
      {"cursor=bm90IGEgY3Vyc29y", "cursor"},
      {"cursor=" + cost_cursor, "cursor"},  // made for sort=cost_usd
      {"sort=cost_usd&order=asc&cursor=" + cost_cursor, "cursor"},
      {"from=yesterday", "from"},
      {"to=2026-13-01", "to"},
      {"from=2026-02-01&to=2026-01-01", "from"},
      {"min_cost_usd=-1", "min_cost_usd"},
      {"min_cost_usd=nan", "min_cost_usd"},
      {"has_error=maybe", "has_error"},
      {"q=", "q"},
      {"limit=5&limit=6", "limit"},
      {"select=*", "select"},
      {"experiment_id=%FF", "experiment_id"},
  };
  for (const auto& [query, parameter] : cases) {
    auto got = client_->Get("/v1/sessions?" + query);
    EXPECT_EQ(got.status, 400) << query << ": " << got.body;
    JsonProbe json(got.body);
    EXPECT_EQ(json.Str("/error/code"), "bad_parameter") << query;
    EXPECT_EQ(json.Str("/error/parameter"), parameter) << query << ": " << got.body;
  }
  // The cost cursor works with its own sort; POST is not a read.
  EXPECT_EQ(client_->Get("/v1/sessions?limit=2&sort=cost_usd&cursor=" + cost_cursor).status, 200);
  auto post = client_->Post("/v1/sessions", "{}");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET");
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(SessionListTest);

}  // namespace
}  // namespace tc::testing
