// Slow clients and idle connections up to the connection limit do not stop other clients from
// being served (real binary, http.max_connections = 32, http.read_timeout_ms = 1000):
// slowloris connections dribbling a request byte by byte and idle connections hold most of the
// slots while a normal client is answered quickly; a connection over the limit is answered 503
// + Retry-After and closed; the slow ones are cut off after the read timeout, which frees their
// slots for new clients.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "integration/collector_fixture.h"
#include "integration/raw_connection.h"

namespace tc::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class SlowClientsTest : public CollectorTest {};

TEST_P(SlowClientsTest, SlowAndIdleConnectionsDoNotStarveOthersAndSlowOnesAreCutOff) {
  constexpr int kMaxConnections = 32;
  constexpr int kSlow = 14;
  constexpr int kIdle = 14;
  StartCollector({"--set", "http.max_connections=" + std::to_string(kMaxConnections), "--set",
                  "http.read_timeout_ms=1000", "--set", "http.idle_timeout_ms=30000", "--set",
                  "http.io_threads=2"});
  const int port = collector_->port();
  ASSERT_EQ(PostRecords(R"([{"type":"session","id":"warm","session_id":"s-warm"}])").status,
            200);

  // Slowloris: a request head sent one byte every 100 ms (it never completes in time).
  const std::string slow_head =
      "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 50\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  std::vector<std::unique_ptr<RawConnection>> slow, idle;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(slow.back()->connected());
  }
  for (int i = 0; i < kIdle; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(idle.back()->connected());
  }
  const auto slow_start = Clock::now();
  std::atomic<bool> stop_dribbling{false};
  std::thread dribbler([&] {
    for (size_t pos = 0; pos < slow_head.size() && !stop_dribbling; ++pos) {
      for (auto& c : slow) c->Send(slow_head.substr(pos, 1));
      std::this_thread::sleep_for(100ms);
    }
  });

  // Fill the remaining slots at once, long before the read timeout (the normal client's
  // keep-alive connection holds one): one more connection is refused with 503 + Retry-After
  // and closed.
  std::vector<std::unique_ptr<RawConnection>> filler;
  for (int i = kSlow + kIdle + 1; i < kMaxConnections; ++i) {
    filler.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(filler.back()->connected());
  }
  std::this_thread::sleep_for(100ms);  // the accepts above are registered
  {
    RawConnection over(port);
    ASSERT_TRUE(over.connected());
    bool closed = false;
    const std::string answer = over.ReadUntilClosed(2s, &closed);
    EXPECT_EQ(answer.rfind("HTTP/1.1 503 ", 0), 0u) << answer;
    EXPECT_NE(answer.find("Retry-After: "), std::string::npos) << answer;
    EXPECT_TRUE(closed);
  }
  filler.clear();

  // Meanwhile (inside the read timeout) a normal client is served at once, on its
  // keep-alive connection and on fresh ones.
  Clock::duration worst{};
  for (int i = 0; i < 10; ++i) {
    auto t0 = Clock::now();
    auto res = PostRecords(R"([{"type":"event","id":"n)" + std::to_string(i) +
                           R"(","session_id":"s-normal","event_type":"runtime",)"
                           R"("system_instance_id":"a"}])");
    worst = std::max(worst, Clock::now() - t0);
    EXPECT_EQ(res.status, 200) << res.body;
    t0 = Clock::now();
    EXPECT_EQ(HttpClient("127.0.0.1", port).Get("/healthz").status, 200);
    worst = std::max(worst, Clock::now() - t0);
  }
  EXPECT_LT(worst, 500ms) << "slowest normal request took "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(worst).count()
                          << " ms";

  // The slow ones are answered 408 (or dropped) and closed after the read timeout (1 s from
  // their first byte, noticed by the next 250 ms tick), not later.
  for (auto& c : slow) {
    bool closed = false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        slow_start + 2500ms - Clock::now());
    const std::string answer = c->ReadUntilClosed(std::max(left, 1ms), &closed);
    EXPECT_TRUE(closed) << "slow connection still open "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(
                               Clock::now() - slow_start).count() << " ms after its first byte";
    if (!answer.empty()) {
      EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
    }
  }
  stop_dribbling = true;
  dribbler.join();

  // Their slots are free again once the 408s have lingered (at most 1 s, for the answer to
  // reach the client; the slow clients keep their sockets open, as an attacker would): as many
  // new clients as there were slow ones are served.
  const auto freed_by = slow_start + 1000ms + 250ms + 1000ms + 500ms;
  while (Clock::now() < freed_by &&
         HttpClient("127.0.0.1", port).Get("/metrics").body.find(
             "tracecollector_http_connections_open " + std::to_string(kIdle + 2) + "\n") ==
             std::string::npos) {
    std::this_thread::sleep_for(50ms);
  }
  std::vector<std::unique_ptr<HttpClient>> fresh;
  for (int i = 0; i < kSlow; ++i) {
    fresh.push_back(std::make_unique<HttpClient>("127.0.0.1", port));
    EXPECT_EQ(fresh.back()->Get("/healthz").status, 200) << "new client " << i;
  }
  // The idle connections were never cut off meanwhile (idle_timeout_ms is 30 s).
  for (auto& c : idle) {
    bool closed = false;
    c->ReadUntilClosed(1ms, &closed);
    EXPECT_FALSE(closed);
  }
  EXPECT_EQ(Db()->Int("SELECT COUNT(*) FROM events WHERE session_id = 's-normal'"), 10);
}

INSTANTIATE_TEST_SUITE_P(Embedded, SlowClientsTest, ::testing::Values(BackendKind::kEmbedded),
                         BackendName);

}  // namespace
}  // namespace tc::testing
