// The sqld backend under faults a real server produces: kill -9 of the supervised child under
// load, and two collectors writing into one server at once. Real tursodb, real collectors.

#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "integration/collector_fixture.h"
#include "integration/proc_util.h"

namespace tc::testing {
namespace {

// Sends keyed one-event requests from `threads` clients until `stop`; a request that is not
// answered 200 is retried with the same id (what a client of ours does), so every id ends
// either acknowledged or abandoned at stop. Acknowledged ids go into `acked`.
class RetryingLoad {
 public:
  RetryingLoad(std::vector<int> ports, int threads, std::string prefix)
      : ports_(std::move(ports)) {
    for (int t = 0; t < threads; ++t) {
      workers_.emplace_back([this, t, prefix] {
        HttpClient client("127.0.0.1", ports_[t % ports_.size()]);
        for (int i = 0; !stop_; ++i) {
          std::string id = prefix + std::to_string(t) + "-" + std::to_string(i);
          std::string body = R"({"type":"event","id":")" + id +
                             R"(","session_id":"s-load","step_id":"step-)" +
                             std::to_string(i % 3) +
                             R"(","event_type":"runtime","system_instance_id":"a"})";
          while (!stop_) {
            auto res = client.Post("/v1/records", body);
            if (res.status == 200) {
              std::lock_guard<std::mutex> lock(mu_);
              acked_.insert(id);
              break;
            }
            ++retries_;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
      });
    }
  }
  std::set<std::string> Stop() {
    stop_ = true;
    for (auto& w : workers_) w.join();
    return acked_;
  }
  int retries() const { return retries_; }

 private:
  std::vector<int> ports_;
  std::atomic<bool> stop_{false};
  std::atomic<int> retries_{0};
  std::mutex mu_;
  std::set<std::string> acked_;
  std::vector<std::thread> workers_;
};

// Every acknowledged id stored exactly once; rows and counters agree.
void ExpectExactlyOnce(DbReader& db, const std::set<std::string>& acked) {
  std::set<std::string> stored;
  for (auto& row : db.Rows("SELECT key FROM tc_idempotency")) stored.insert(row[0].value());
  size_t missing = 0;
  for (const auto& id : acked) missing += stored.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged";
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events"), static_cast<int64_t>(stored.size()))
      << "an event stored twice or without its key";
  EXPECT_EQ(db.Int("SELECT num_events FROM session_traces WHERE session_id='s-load'"),
            db.Int("SELECT COUNT(*) FROM events"));
  EXPECT_EQ(db.Int("SELECT SUM(num_events) FROM session_timesteps"),
            db.Int("SELECT COUNT(*) FROM events"));
  EXPECT_EQ(db.Int("SELECT num_timesteps FROM session_traces WHERE session_id='s-load'"), 3);
}

class SqldFaultTest : public CollectorTest {};

TEST_P(SqldFaultTest, KillNineOfTheChildUnderLoadLosesNothingAndDoublesNothing) {
  StartCollector({"--set", "sqld.timeout_ms=2000", "--set", "sqld.restart_backoff_ms=50"});
  RetryingLoad load({collector_->port()}, 6, "k9-");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  auto pids = PidsWithCmdline(db_path() + " --sync-server");
  ASSERT_EQ(pids.size(), 1u);
  ASSERT_EQ(kill(pids[0], SIGKILL), 0);
  // The supervisor restarts it; the writer retries the batch intact meanwhile.
  bool restarted = false;
  for (int i = 0; i < 100 && !restarted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto now = PidsWithCmdline(db_path() + " --sync-server");
    restarted = now.size() == 1 && now[0] != pids[0];
  }
  EXPECT_TRUE(restarted) << collector_->Log();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto acked = load.Stop();
  ASSERT_GT(acked.size(), 20u);
  int status = collector_->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << collector_->Log();
  auto db = MakeSqliteReader(db_path());
  ExpectExactlyOnce(*db, acked);
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("client_retries", load.retries());
}

INSTANTIATE_TEST_SUITE_P(Sqld, SqldFaultTest, ::testing::Values(BackendKind::kSqld),
                         BackendName);

TEST(TwoCollectorsTest, WriteIntoOneServerAtOnceWithoutLossOrDoubles) {
  TempDir dir;
  const int server_port = FreePort();
  const std::string db_file = dir.File("shared.db");
  pid_t server = SpawnLogged({TursodbPath(), db_file, "--sync-server",
                              "127.0.0.1:" + std::to_string(server_port)},
                             {}, dir.File("tursodb.log"));
  // Wait until it answers.
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    HttpClient probe("127.0.0.1", server_port);
    up = probe.Post("/v2/pipeline", R"({"requests":[]})").status == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(up) << ReadFile(dir.File("tursodb.log"));
  const std::string url = "http://127.0.0.1:" + std::to_string(server_port);
  std::set<std::string> acked;
  {
    CollectorProcess a({"--sqld-url", url}, {}, dir.File("a.log"));
    CollectorProcess b({"--sqld-url", url}, {}, dir.File("b.log"));
    // Both collectors get load; the same ids are also sent to both (a client failing over).
    RetryingLoad split({a.port(), b.port()}, 6, "two-");
    RetryingLoad same_ids_a({a.port()}, 1, "both-");
    RetryingLoad same_ids_b({b.port()}, 1, "both-");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    for (auto* load : {&split, &same_ids_a, &same_ids_b}) {
      auto ids = load->Stop();
      acked.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(a.Stop(SIGTERM), 0) << a.Log();
    EXPECT_EQ(b.Stop(SIGTERM), 0) << b.Log();
  }
  ASSERT_GT(acked.size(), 20u);
  auto db = MakeHranaReader(server_port);
  ExpectExactlyOnce(*db, acked);
  kill(server, SIGKILL);
  waitpid(server, nullptr, 0);
}

}  // namespace
}  // namespace tc::testing
