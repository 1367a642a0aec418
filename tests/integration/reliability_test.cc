// Nothing acknowledged is ever lost (issue 4): the spool takes over while the database is
// stalled and drains when it is back; kill -9 of the collector at random moments under load
// with retrying clients; a torn or corrupt spool at startup. Real collector processes, real
// SQLite files and a real tursodb, faults a deployment sees (a lock held by another process,
// SIGSTOP of the server, SIGKILL of the collector, damaged files).

#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/retrying_load.h"
#include "integration/test_wait.h"

namespace tc::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::vector<std::string> SpoolSegments(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".spool") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Fast failure detection so that the tests spend seconds, not minutes, per fault.
const std::vector<std::string> kFastFaults = {
    "--set", "sqld.timeout_ms=500",     "--set", "embedded.busy_timeout_ms=100",
    "--set", "retry.max_ms=200",        "--set", "sqld.restart_backoff_ms=50",
    "--set", "shutdown_timeout_ms=5000"};

class ReliabilityTest : public CollectorTest {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = kFastFaults;
    args.insert(args.end(), extra.begin(), extra.end());
    StartCollector(args);
  }
  std::string SpoolDir() const { return db_path() + ".spool"; }
  // With the database stalled, three requests of two events each are acknowledged from the
  // spool; then the collector is killed. Returns the event ids; `segment` is the one spool file.
  std::vector<std::string> SpoolThreeRequestsThenKill(std::string* segment) {
    Start();
    EXPECT_EQ(PostRecords(R"({"type":"session","session_id":"s-c"})").status, 200);
    StallDatabase();
    std::vector<std::string> ids;
    for (int r = 0; r < 3; ++r) {
      std::string body = "[";
      for (int i = 0; i < 2; ++i) {
        std::string id = "c" + std::to_string(r) + "-" + std::to_string(i);
        ids.push_back(id);
        body += std::string(i ? "," : "") + R"({"type":"event","id":")" + id +
                R"(","session_id":"s-c","event_type":"runtime","system_instance_id":"a"})";
      }
      auto res = PostRecords(body + "]");
      EXPECT_EQ(res.status, 200) << res.body;
      EXPECT_EQ(JsonProbe(res.body).Int("/spooled"), 2) << res.body;
    }
    collector_->Kill9();
    ResumeDatabase();
    auto segments = SpoolSegments(SpoolDir());
    EXPECT_EQ(segments.size(), 1u);
    *segment = segments.empty() ? std::string() : segments[0];
    return ids;
  }
  // After a restart on a damaged spool: it drains, and the collector still takes new records.
  void ExpectDrainedAndStillAccepting() {
    ASSERT_TRUE(WaitFor([&] { return SpoolDrained(); }, milliseconds(15000))) << collector_->Log();
    EXPECT_EQ(PostRecords(R"({"type":"event","id":"after","session_id":"s-c",)"
                          R"("event_type":"runtime","system_instance_id":"a"})")
                  .status,
              200);
  }
  bool SpoolDrained() { return Metric(*client_, "spool_bytes") == 0; }
  // Stops the collector the way systemd does and reads what it stored.
  std::unique_ptr<DbReader> StopAndRead() {
    int status = collector_->Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << collector_->Log();
    return MakeSqliteReader(db_path());
  }
};

TEST_P(ReliabilityTest, SpoolAcknowledgesWhileTheDatabaseIsStalledThenDrainsExactlyOnce) {
  Start();
  RetryingLoad load({collector_->port()}, 6, "sp-");
  ASSERT_TRUE(WaitFor([&] { return load.acked() > 30; }, milliseconds(10000)));
  StallDatabase();
  const size_t before_stall = load.acked();
  // The database answers nothing now: what is acknowledged from here on came from the spool.
  EXPECT_TRUE(WaitFor([&] { return load.acked() > before_stall + 40; }, milliseconds(20000)))
      << collector_->Log();
  const size_t during_stall = load.acked() - before_stall;
  ResumeDatabase();
  ASSERT_TRUE(WaitFor([&] { return load.acked() > before_stall + during_stall + 30; },
                      milliseconds(20000)))
      << "acknowledged " << load.acked() << ", " << before_stall << " before the stall, "
      << during_stall << " during it\n"
      << Metric(*client_, "records_spooled_total") << " spooled, "
      << Metric(*client_, "records_replayed_total") << " replayed\n"
      << collector_->Log();
  auto acked = load.Stop();
  ASSERT_TRUE(WaitFor([&] { return SpoolDrained(); }, milliseconds(40000))) << collector_->Log();
  EXPECT_GT(during_stall, 20u) << "requests must keep being acknowledged from the spool";
  EXPECT_GT(load.spooled(), 20);
  EXPECT_GT(Metric(*client_, "records_replayed_total"), 20);
  EXPECT_NE(collector_->Log().find("spooling batches"), std::string::npos);
  EXPECT_NE(collector_->Log().find("spool replayed"), std::string::npos);
  EXPECT_TRUE(SpoolSegments(SpoolDir()).empty()) << "drained segments are deleted";
  auto db = StopAndRead();
  ExpectExactlyOnce(*db, acked);
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("acknowledged_during_stall", static_cast<int>(during_stall));
  RecordProperty("acknowledged_from_spool", load.spooled());
}

TEST_P(ReliabilityTest, KillNineOfTheCollectorAtRandomMomentsLosesAndDoublesNothing) {
  const int port = FreePort();
  const std::vector<std::string> listen = {"--listen", "127.0.0.1:" + std::to_string(port)};
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(150, 600);
  constexpr int kKills = 6;
  Start(listen);
  RetryingLoad load({port}, 6, "k9c-");
  int stalled_kills = 0;
  for (int round = 0; round < kKills; ++round) {
    ASSERT_TRUE(WaitFor([&] { return load.acked() > 0; }, milliseconds(10000)));
    std::this_thread::sleep_for(milliseconds(pause_ms(rng)));
    // Every other round the database is stalled first, so the kill lands while batches are
    // being spooled (and, later, replayed).
    const bool stall = round % 2 == 1;
    if (stall) {
      StallDatabase();
      // Past sqld.timeout_ms (500), so that batches are being spooled when the kill lands.
      std::this_thread::sleep_for(milliseconds(600 + pause_ms(rng)));
      ++stalled_kills;
    }
    collector_->Kill9();
    ResumeDatabase();
    Start(listen);
  }
  const size_t before_last = load.acked();
  ASSERT_TRUE(WaitFor([&] { return load.acked() > before_last + 10; }, milliseconds(20000)))
      << "the last collector took no load\n"
      << collector_->Log();
  auto acked = load.Stop();
  ASSERT_TRUE(WaitFor([&] { return SpoolDrained(); }, milliseconds(40000))) << collector_->Log();
  auto db = StopAndRead();
  ExpectExactlyOnce(*db, acked);
  EXPECT_GT(load.spooled(), 0) << "some acknowledgements must have come from the spool";
  ASSERT_GT(acked.size(), 50u) << "load too light to mean anything";
  RecordProperty("kills", kKills);
  RecordProperty("kills_while_spooling", stalled_kills);
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("client_retries", load.retries());
  RecordProperty("acknowledged_from_spool", load.spooled());
}

TEST_P(ReliabilityTest, TornSpoolTailIsReportedAndEveryAcknowledgedRecordReplayed) {
  std::string segment;
  auto ids = SpoolThreeRequestsThenKill(&segment);
  ASSERT_FALSE(segment.empty());
  {  // a write torn by the crash: the start of a frame header and a few bytes
    std::ofstream out(segment, std::ios::binary | std::ios::app);
    out.write("TCS1\x40\x00\x00\x00\x01\x02", 10);
  }
  Start();
  EXPECT_NE(collector_->Log().find("torn or corrupt tail"), std::string::npos) << collector_->Log();
  EXPECT_EQ(Metric(*client_, "spool_corrupt_bytes_total"), 10);
  ExpectDrainedAndStillAccepting();
  auto db = StopAndRead();
  for (const auto& id : ids) {
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM tc_idempotency WHERE key='" + id + "'"), 1) << id;
  }
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 7);
  EXPECT_EQ(db->Int("SELECT num_events FROM session_traces WHERE session_id='s-c'"), 7);
}

TEST_P(ReliabilityTest, CorruptSpoolFrameLosesOnlyItselfAndTheCollectorKeepsRunning) {
  std::string segment;
  auto ids = SpoolThreeRequestsThenKill(&segment);
  ASSERT_FALSE(segment.empty());
  std::string bytes = ReadFile(segment);
  ASSERT_EQ(bytes.size() % 3, 0u) << "three frames of equal size";
  bytes[bytes.size() / 2] ^= 0x20;  // inside the second frame (the disk, not us, broke it)
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << bytes;
  Start();
  EXPECT_NE(collector_->Log().find("corrupt"), std::string::npos) << collector_->Log();
  EXPECT_EQ(Metric(*client_, "spool_corrupt_bytes_total"), bytes.size() / 3);
  ExpectDrainedAndStillAccepting();
  auto db = StopAndRead();
  for (size_t i = 0; i < ids.size(); ++i) {
    const int expected = (i == 2 || i == 3) ? 0 : 1;  // the second request's two events
    EXPECT_EQ(db->Int("SELECT COUNT(*) FROM tc_idempotency WHERE key='" + ids[i] + "'"), expected)
        << ids[i];
  }
  EXPECT_EQ(db->Int("SELECT num_events FROM session_traces WHERE session_id='s-c'"), 5);
}

TEST_P(ReliabilityTest, FullSpoolAnswers503WithRetryAfterAndCountsTheRecords) {
  Start({"--set", "spool.max_bytes=600"});
  ASSERT_EQ(PostRecords(R"({"type":"session","session_id":"s-c"})").status, 200);
  StallDatabase();
  HttpResponse refused;
  int spooled_requests = 0;
  for (int r = 0; r < 50; ++r) {
    auto res = PostRecords(R"({"type":"event","id":"f)" + std::to_string(r) +
                           R"(","session_id":"s-c","event_type":"runtime","system_instance_id":"a"})");
    if (res.status != 200) {
      refused = res;
      break;
    }
    ++spooled_requests;
    if (r == 0) {
      // Spooling: still ready, and /readyz and the metric say the store is away.
      auto ready = client_->Get("/readyz");
      EXPECT_EQ(ready.status, 200) << ready.body;
      EXPECT_NE(ready.body.find(R"("store":"unavailable")"), std::string::npos) << ready.body;
      EXPECT_EQ(Metric(*client_, "store_reachable"), 0);
    }
  }
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_GT(spooled_requests, 0);
  EXPECT_NE(refused.body.find("spool is full"), std::string::npos) << refused.body;
  // /readyz answers what the POST got, for as long as nothing changes.
  for (int poll = 0; poll < 3; ++poll) {
    auto unready = client_->Get("/readyz");
    EXPECT_EQ(unready.status, 503) << unready.body;
    EXPECT_NE(unready.body.find("spool is full"), std::string::npos) << unready.body;
  }
  ResumeDatabase();
  ASSERT_TRUE(WaitFor([&] { return SpoolDrained(); }, milliseconds(15000))) << collector_->Log();
  EXPECT_TRUE(WaitFor(
      [&] { return client_->Get("/readyz").body.find(R"("store":"ok")") != std::string::npos; },
      milliseconds(15000)));
  EXPECT_EQ(Metric(*client_, "store_reachable"), 1);
  auto metrics = client_->Get("/metrics").body;
  EXPECT_NE(metrics.find("reason=\"spool_full\"} 1\n"), std::string::npos) << metrics;
  auto db = StopAndRead();
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), spooled_requests);
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(ReliabilityTest);

// An external server that comes up after the collector (a compose file, a reboot): the collector
// starts anyway, acknowledges into the spool, and stores everything once the server is there.
TEST(ExternalServerTest, NotReachableAtStartIsSpooledUntilItComesUp) {
  TempDir dir;
  const int server_port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(server_port);
  CollectorProcess collector({"--sqld-url", url, "--set", "spool.dir=" + dir.File("spool"), "--set",
                              "sqld.timeout_ms=500", "--set", "retry.max_ms=200"},
                             {}, dir.File("collector.log"));
  EXPECT_NE(collector.Log().find("not reachable at start"), std::string::npos) << collector.Log();
  HttpClient client("127.0.0.1", collector.port());
  auto ready = client.Get("/readyz");
  EXPECT_EQ(ready.status, 200) << "ready: the spool takes the records";
  EXPECT_NE(ready.body.find(R"("store":"unavailable","store_error":"UNAVAILABLE: )"),
            std::string::npos)
      << ready.body;
  EXPECT_EQ(Metric(client, "store_reachable"), 0);
  for (int r = 0; r < 5; ++r) {
    auto res = client.Post("/v1/records",
                           R"({"type":"event","id":"late-)" + std::to_string(r) +
                               R"(","session_id":"s-late","event_type":"runtime","system_instance_id":"a"})");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_NE(res.body.find("\"spooled\":1"), std::string::npos) << res.body;
  }
  const std::string db_file = dir.File("late.db");
  pid_t server = SpawnLogged({TursodbPath(), db_file, "--sync-server",
                              "127.0.0.1:" + std::to_string(server_port)},
                             {}, dir.File("tursodb.log"));
  EXPECT_TRUE(WaitFor([&] { return Metric(client, "spool_bytes") == 0; }, milliseconds(30000)))
      << collector.Log();
  EXPECT_NE(collector.Log().find("schema ready"), std::string::npos);
  int status = collector.Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << collector.Log();
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  auto db = MakeSqliteReader(db_file);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 5);
  EXPECT_EQ(db->Int("SELECT num_events FROM session_traces WHERE session_id='s-late'"), 5);
}

}  // namespace
}  // namespace tc::testing
