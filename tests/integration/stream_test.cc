// GET /v1/stream against the real binary on both backends (docs/api.md §11): committed records
// as server-sent events, in commit order, filtered; resume with Last-Event-ID (also after a
// restart), reset when too old (after a crash), a slow client that is told what it missed while
// ingest and the other clients go on, keep-alive comments, and the errors.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <string>
#include <thread>
#include <vector>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/test_wait.h"
#include "support/sse_client.h"

namespace tc::testing {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kWait{20000};

uint64_t Position(const SseEvent& event) {
  uint64_t value = 0;
  std::from_chars(event.id.data(), event.id.data() + event.id.size(), value);
  return value;
}

// session "s", an LLM event, a runtime event and a message, all of session `session`.
std::string FourRecords(const std::string& session, int n) {
  return fmt::format(
      R"([{{"type":"session","id":"{0}","session_id":"{0}"}},)"
      R"({{"type":"event","id":"{0}/e{1}","session_id":"{0}","event_type":"cais","model_name":"m"}},)"
      R"({{"type":"event","id":"{0}/r{1}","session_id":"{0}","event_type":"runtime"}},)"
      R"({{"type":"message","id":"{0}/m{1}","session_id":"{0}","message_type":"user","content":"hi {1}"}}])",
      session, n);
}

// `text` percent-encoded for a query string (every byte but letters, digits and -._~).
std::string QueryEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

class StreamTest : public CollectorTest {
 protected:
  std::unique_ptr<SseClient> Open(const std::string& query = "",
                                  const std::map<std::string, std::string>& headers = {},
                                  int receive_buffer = 0) {
    auto client = std::make_unique<SseClient>(collector_->port(), "/v1/stream" + query, headers,
                                              receive_buffer);
    EXPECT_EQ(client->status(), 200) << client->body();
    return client;
  }

  // The next `n` record events' data "type"/"session_id"/"event_type" as "type:session:etype".
  std::vector<std::string> Records(SseClient& client, size_t n, std::vector<uint64_t>* positions) {
    std::vector<std::string> out;
    while (out.size() < n) {
      std::optional<SseEvent> event = client.Next(kWait);
      if (!event) break;
      EXPECT_EQ(event->event, "record") << event->data;
      JsonProbe json(event->data);
      EXPECT_EQ(json.Int("/position"), static_cast<int64_t>(Position(*event)));
      out.push_back(fmt::format("{}:{}:{}", json.Str("/type").value_or("?"),
                                json.Str("/session_id").value_or(""),
                                json.Str("/event_type").value_or("")));
      if (positions != nullptr) positions->push_back(Position(*event));
    }
    return out;
  }

  // Waits until the collector reports `n` stream connections (the stream is registered with
  // the feed once its head is written).
  void WaitForStreams(int n) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      auto metrics = client_->Get("/metrics");
      if (metrics.body.find(fmt::format("tracecollector_stream_connections {}\n", n)) !=
          std::string::npos) {
        return;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    FAIL() << "the collector never reported " << n << " stream connections";
  }
};

TEST_P(StreamTest, CommittedRecordsArriveInOrderFilteredWithGrowingPositions) {
  StartCollector();
  auto all = Open();
  EXPECT_EQ(all->headers().at("content-type"), "text/event-stream");
  EXPECT_EQ(all->headers().at("cache-control"), "no-cache");
  EXPECT_EQ(all->headers().at("x-accel-buffering"), "no");
  auto messages = Open("?types=message");
  auto b_llm = Open("?session_id=b&event_type=cais&types=event");
  WaitForStreams(3);
  ASSERT_EQ(PostRecords(FourRecords("a", 1), "?ack=durable").status, 200);
  ASSERT_EQ(PostRecords(FourRecords("b", 2), "?ack=durable").status, 200);
  // A duplicate is not a new commit: nothing is sent for it.
  ASSERT_EQ(PostRecords(FourRecords("a", 1), "?ack=durable").status, 200);
  ASSERT_EQ(PostRecords(FourRecords("c", 3), "?ack=durable").status, 200);

  std::vector<uint64_t> positions;
  EXPECT_EQ(Records(*all, 12, &positions),
            (std::vector<std::string>{"session:a:", "event:a:cais", "event:a:runtime",
                                      "message:a:", "session:b:", "event:b:cais", "event:b:runtime",
                                      "message:b:", "session:c:", "event:c:cais", "event:c:runtime",
                                      "message:c:"}));
  ASSERT_EQ(positions.size(), 12u);
  for (size_t i = 1; i < positions.size(); ++i) EXPECT_EQ(positions[i], positions[i - 1] + 1);
  EXPECT_EQ(Records(*messages, 3, nullptr),
            (std::vector<std::string>{"message:a:", "message:b:", "message:c:"}));
  EXPECT_EQ(Records(*b_llm, 1, nullptr), (std::vector<std::string>{"event:b:cais"}));
  // Nothing else came (the duplicates were not sent): the next thing is a keep-alive or nothing.
  auto more = all->Next(milliseconds(300));
  EXPECT_FALSE(more.has_value()) << more->data;
}

TEST_P(StreamTest, LastEventIdReplaysWhatWasMissedThenGoesLive) {
  StartCollector();
  std::vector<uint64_t> positions;
  {
    auto first = Open();
    WaitForStreams(1);
    ASSERT_EQ(PostRecords(FourRecords("a", 1), "?ack=durable").status, 200);
    ASSERT_EQ(Records(*first, 2, &positions).size(), 2u);  // read two of four, then leave
  }
  WaitForStreams(0);
  ASSERT_EQ(PostRecords(FourRecords("b", 2), "?ack=durable").status, 200);
  auto again = Open("", {{"Last-Event-ID", std::to_string(positions[1])}});
  WaitForStreams(1);
  ASSERT_EQ(PostRecords(FourRecords("c", 3), "?ack=durable").status, 200);
  std::vector<uint64_t> resumed;
  EXPECT_EQ(Records(*again, 10, &resumed),
            (std::vector<std::string>{"event:a:runtime", "message:a:", "session:b:", "event:b:cais",
                                      "event:b:runtime", "message:b:", "session:c:", "event:c:cais",
                                      "event:c:runtime", "message:c:"}));
  ASSERT_FALSE(resumed.empty());
  EXPECT_EQ(resumed.front(), positions[1] + 1);
  // ?since= does the same for clients that cannot send headers (curl, a browser's first open).
  auto since = Open(fmt::format("?since={}&types=session", resumed[3]));
  EXPECT_EQ(Records(*since, 1, nullptr), (std::vector<std::string>{"session:c:"}));
}

TEST_P(StreamTest, ResumesAcrossACleanRestartAndResetsAfterACrash) {
  StartCollector();
  std::vector<uint64_t> positions;
  {
    auto stream = Open();
    WaitForStreams(1);
    ASSERT_EQ(PostRecords(FourRecords("a", 1), "?ack=durable").status, 200);
    ASSERT_EQ(Records(*stream, 4, &positions).size(), 4u);
  }
  ASSERT_EQ(collector_->Stop(SIGTERM), 0);
  StartCollector();
  // Everything up to positions[3] was seen: the restarted collector goes on right after it.
  auto resumed = Open("", {{"Last-Event-ID", std::to_string(positions[3])}});
  WaitForStreams(1);
  ASSERT_EQ(PostRecords(FourRecords("b", 2), "?ack=durable").status, 200);
  std::vector<uint64_t> after;
  EXPECT_EQ(
      Records(*resumed, 4, &after),
      (std::vector<std::string>{"session:b:", "event:b:cais", "event:b:runtime", "message:b:"}));
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after[0], positions[3] + 1);
  resumed.reset();

  // kill -9: the buffer is gone, positions go on above the reservation; resuming from before
  // gets event: reset (with the position to go on from) and then the new records.
  collector_->Kill9();
  StartCollector();
  auto reset = Open("", {{"Last-Event-ID", std::to_string(after[3])}});
  std::optional<SseEvent> first = reset->Next(kWait);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->event, "reset") << first->data;
  EXPECT_GT(Position(*first), after[3]);
  WaitForStreams(1);
  ASSERT_EQ(PostRecords(FourRecords("c", 3), "?ack=durable").status, 200);
  std::vector<uint64_t> fresh;
  EXPECT_EQ(Records(*reset, 1, &fresh), (std::vector<std::string>{"session:c:"}));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0], Position(*first) + 1);
  auto metrics = client_->Get("/metrics");
  EXPECT_NE(metrics.body.find("tracecollector_stream_resets_total 1\n"), std::string::npos);
}

TEST_P(StreamTest, APositionOlderThanTheBufferGetsResetThenWhatIsKept) {
  StartCollector({"--set", "stream.buffer_records=8"});
  std::vector<uint64_t> positions;
  auto live = Open();
  WaitForStreams(1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(PostRecords(FourRecords(fmt::format("s{}", i), i), "?ack=durable").status, 200);
  }
  ASSERT_EQ(Records(*live, 20, &positions).size(), 20u);
  auto old = Open(fmt::format("?since={}", positions[0]));
  std::optional<SseEvent> reset = old->Next(kWait);
  ASSERT_TRUE(reset.has_value());
  EXPECT_EQ(reset->event, "reset");
  EXPECT_EQ(Position(*reset), positions[11]);  // the oldest kept is positions[12]
  std::vector<uint64_t> kept;
  EXPECT_EQ(Records(*old, 8, &kept).size(), 8u);
  EXPECT_EQ(kept.front(), positions[12]);
  EXPECT_EQ(kept.back(), positions[19]);
}

TEST_P(StreamTest, ASlowClientIsToldWhatItMissedAndSlowsNoOne) {
  // A small buffer, big records, and a client that does not read while they are written: it
  // falls behind, and the writer and the client that reads go on.
  StartCollector({"--set", "stream.buffer_records=100"});
  auto slow = Open("", {}, /*receive_buffer=*/4096);
  auto fast = Open("?types=message");
  WaitForStreams(2);
  constexpr int kRequests = 100;
  constexpr size_t kRecords = kRequests * 10;
  std::atomic<size_t> fast_records{0};
  std::atomic<bool> fast_dropped{false};
  std::thread reader([&] {
    while (fast_records.load() < kRecords) {
      std::optional<SseEvent> event = fast->Next(kWait);
      if (!event) return;
      if (event->event == "dropped") fast_dropped.store(true);
      if (event->event == "record") fast_records.fetch_add(1);
    }
  });
  const std::string big(16000, 'x');
  for (int i = 0; i < kRequests; ++i) {
    std::string records;
    for (int j = 0; j < 10; ++j) {
      records += fmt::format(
          R"({}{{"type":"message","id":"m{}-{}","session_id":"s","message_type":"user","content":"{}"}})",
          records.empty() ? "" : ",", i, j, big);
    }
    ASSERT_EQ(PostRecords("[" + records + "]", "?ack=durable").status, 200) << i;
  }
  reader.join();
  // The reading client got all of them, never told it dropped any.
  EXPECT_EQ(fast_records.load(), kRecords);
  EXPECT_FALSE(fast_dropped.load());
  // The slow one, reading now: records, `dropped` with how many it missed, the rest; every
  // record accounted for once.
  size_t records = 0;
  uint64_t dropped = 0;
  while (records + dropped < kRecords) {
    std::optional<SseEvent> event = slow->Next(kWait);
    ASSERT_TRUE(event.has_value()) << records << " records, " << dropped << " dropped";
    if (event->event == "dropped") {
      JsonProbe json(event->data);
      dropped += static_cast<uint64_t>(json.Int("/count").value_or(0));
    } else {
      ++records;
    }
  }
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(records + dropped, kRecords);
  auto metrics = client_->Get("/metrics");
  EXPECT_NE(
      metrics.body.find(fmt::format("tracecollector_stream_records_dropped_total {}\n", dropped)),
      std::string::npos);
}

TEST_P(StreamTest, IdleStreamsGetKeepAliveComments) {
  StartCollector({"--set", "stream.keepalive_ms=100"});
  auto stream = Open();
  WaitForStreams(1);
  const int before = stream->comments();
  EXPECT_FALSE(stream->Next(milliseconds(1000)).has_value());
  EXPECT_GE(stream->comments() - before, 3);
  EXPECT_FALSE(stream->closed());
}

// where= (docs/filters.md) sends only the records its expression matches, reading on past any
// number that do not; a comparison of mismatched types is false and counted; a bad expression
// is a 400 that says where it goes wrong.
TEST_P(StreamTest, WhereSendsOnlyWhatItsExpressionMatches) {
  StartCollector();
  auto costly = Open("?where=" + QueryEncode(R"(event_type == "cais" && model_name =~ "^gpt-4" )"
                                             R"(|| content contains "needle")"));
  auto typed = Open("?where=" + QueryEncode(R"(input_tokens == "120")"));
  WaitForStreams(2);
  std::string records = "[";
  for (int i = 0; i < 300; ++i) {  // more than one read of the feed, none matching
    records += fmt::format(
        R"({{"type":"event","id":"e{0}","session_id":"w","event_type":"cais","model_name":"claude-3","input_tokens":120}},)",
        i);
  }
  records +=
      R"({"type":"event","id":"hit1","session_id":"w","event_type":"cais","model_name":"gpt-4o","input_tokens":120},)"
      R"({"type":"event","id":"miss","session_id":"w","event_type":"runtime","model_name":"gpt-4o"},)"
      R"({"type":"message","id":"hit2","session_id":"w","message_type":"user","content":"a needle here"}])";
  ASSERT_EQ(PostRecords(records, "?ack=durable").status, 200);
  std::vector<std::string> ids;
  while (ids.size() < 2) {
    std::optional<SseEvent> event = costly->Next(kWait);
    if (!event) break;
    ids.push_back(JsonProbe(event->data).Str("/id").value_or("?"));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"hit1", "hit2"}));
  auto more = costly->Next(milliseconds(300));
  EXPECT_FALSE(more.has_value()) << more->data;
  // "120" is a string, input_tokens a number: never equal, each comparison counted (once the
  // typed stream has looked at all 303 records).
  const std::string want = "tracecollector_stream_filter_mismatches_total 301\n";
  std::string metrics;
  EXPECT_TRUE(WaitFor(
      [&] {
        metrics = client_->Get("/metrics").body;
        return metrics.find(want) != std::string::npos;
      },
      kWait))
      << metrics.substr(0, 4000);
  auto none = typed->Next(milliseconds(300));
  EXPECT_FALSE(none.has_value()) << none->data;

  SseClient bad(collector_->port(), "/v1/stream?where=" + QueryEncode("cost_usd >"));
  EXPECT_EQ(bad.status(), 400);
  JsonProbe json(bad.body());
  EXPECT_EQ(json.Str("/error/parameter"), "where") << bad.body();
  EXPECT_NE(bad.body().find("at column 11: expected a value after '>'"), std::string::npos)
      << bad.body();
}

TEST_P(StreamTest, BadRequestsAre400NamingTheParameter) {
  StartCollector({"--set", "stream.max_connections=1"});
  const std::vector<std::tuple<std::string, std::map<std::string, std::string>, std::string>>
      cases = {{"?types=bogus", {}, "types"},
               {"?types=", {}, "types"},
               {"?event_type=llm", {}, "event_type"},
               {"?since=abc", {}, "since"},
               {"?since=-1", {}, "since"},
               {"", {{"Last-Event-ID", "x1"}}, "Last-Event-ID"},
               {"?select=1", {}, "select"}};
  for (const auto& [query, headers, parameter] : cases) {
    SseClient client(collector_->port(), "/v1/stream" + query, headers);
    EXPECT_EQ(client.status(), 400) << query;
    JsonProbe json(client.body());
    EXPECT_EQ(json.Str("/error/code"), "bad_parameter") << query << client.body();
    EXPECT_EQ(json.Str("/error/parameter"), parameter) << query << client.body();
  }
  // One stream at most: the second is 503 with Retry-After.
  auto first = Open();
  WaitForStreams(1);
  SseClient second(collector_->port(), "/v1/stream");
  EXPECT_EQ(second.status(), 503);
  EXPECT_TRUE(second.headers().contains("retry-after"));
  EXPECT_EQ(client_->Post("/v1/stream", "{}").status, 405);
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(StreamTest);

}  // namespace
}  // namespace tc::testing
