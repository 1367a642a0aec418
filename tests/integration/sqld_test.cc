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
#include "integration/retrying_load.h"
#include "integration/test_wait.h"

namespace tc::testing {
namespace {

class SqldFaultTest : public CollectorTest {};

TEST_P(SqldFaultTest, KillNineOfTheChildUnderLoadLosesNothingAndDoublesNothing) {
  StartCollector({"--set", "sqld.timeout_ms=2000", "--set", "sqld.restart_backoff_ms=50"});
  RetryingLoad load({collector_->port()}, 6, "k9-");
  ASSERT_TRUE(WaitFor([&] { return load.acked() > 20; }, std::chrono::seconds(20)))
      << collector_->Log();
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
  const size_t at_restart = load.acked();
  EXPECT_TRUE(WaitFor([&] { return load.acked() > at_restart + 20; }, std::chrono::seconds(20)))
      << "no load acknowledged after the restart\n"
      << collector_->Log();
  auto acked = load.Stop();
  ASSERT_GT(acked.size(), 20u);
  // What was spooled while the server was down reaches it before the collector stops.
  EXPECT_TRUE(WaitFor([&] { return Metric(*client_, "spool_bytes") == 0; },
                      std::chrono::seconds(30)))
      << collector_->Log();
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
    // Each collector keeps its own spool (a second one on the same directory is refused).
    CollectorProcess a({"--sqld-url", url, "--set", "spool.dir=" + dir.File("a.spool")}, {},
                       dir.File("a.log"));
    CollectorProcess b({"--sqld-url", url, "--set", "spool.dir=" + dir.File("b.spool")}, {},
                       dir.File("b.log"));
    // Both collectors get load; the same ids are also sent to both (a client failing over).
    RetryingLoad split({a.port(), b.port()}, 6, "two-");
    RetryingLoad same_ids_a({a.port()}, 1, "both-");
    RetryingLoad same_ids_b({b.port()}, 1, "both-");
    EXPECT_TRUE(WaitFor(
        [&] {
          return split.acked() > 40 && same_ids_a.acked() > 5 && same_ids_b.acked() > 5;
        },
        std::chrono::seconds(20)))
        << a.Log() << b.Log();
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
