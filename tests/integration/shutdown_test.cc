// SIGTERM under concurrent load: the collector stops accepting, drains its queue into the
// database, exits 0, and every record it acknowledged (200) is stored exactly once.

#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/test_wait.h"

namespace tc::testing {
namespace {

class ShutdownTest : public CollectorTest {};

TEST_P(ShutdownTest, SigtermUnderLoadLosesNoAcknowledgedRecord) {
  StartCollector();
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      HttpClient client("127.0.0.1", collector_->port());
      for (int i = 0; !stop; ++i) {
        std::string id = "term-" + std::to_string(t) + "-" + std::to_string(i);
        std::string body = R"({"type":"event","id":")" + id +
                           R"(","session_id":"s-term","event_type":"runtime",)"
                           R"("system_instance_id":"a"})";
        auto res = client.Post("/v1/records", body);
        ++sent;
        if (res.status == 200) {
          std::lock_guard<std::mutex> lock(mu);
          acked.insert(id);
        } else if (res.status == 0) {
          return;  // connection closed: the collector is gone
        }
      }
    });
  }
  // SIGTERM lands under load: once a good number of requests has been acknowledged.
  EXPECT_TRUE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return acked.size() > 100;
      },
      std::chrono::seconds(20)));
  int status = collector_->Stop(SIGTERM, std::chrono::seconds(30));
  stop = true;
  for (auto& c : clients) c.join();
  ASSERT_NE(status, -1) << "did not exit within 30 s\n" << collector_->Log();
  EXPECT_TRUE(WIFEXITED(status)) << collector_->Log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << collector_->Log();
  ASSERT_GT(acked.size(), 50u) << "load too light to mean anything";

  auto db = MakeSqliteReader(db_path());
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"),
            db->Int("SELECT COUNT(*) FROM tc_idempotency"));
  EXPECT_EQ(db->Int("SELECT num_events FROM session_traces"),
            db->Int("SELECT COUNT(*) FROM events"));
  std::set<std::string> stored;
  for (auto& row : db->Rows("SELECT key FROM tc_idempotency")) stored.insert(row[0].value());
  size_t missing = 0;
  for (const auto& id : acked) missing += stored.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged";
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("sent", sent.load());
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(ShutdownTest);

}  // namespace
}  // namespace tc::testing
