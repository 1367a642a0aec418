// A deleted database file (issue 21, item 5): after `rm tc.db tc.db-wal tc.db-shm` under a
// running collector, nothing is acknowledged as stored into the unlinked file: requests are
// acknowledged from the spool, /readyz answers 503 saying the file is missing, an error is
// logged, and every record acknowledged after the deletion is in the database exactly once —
// once the file is restored, or after a restart (which creates a new database). Without the
// spool, nothing is acknowledged until the file is back. The real binary, a real SQLite file.

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/test_wait.h"

namespace tc::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string EventJson(const std::string& id) {
  return R"({"type":"event","id":")" + id +
         R"(","session_id":"s-del","event_type":"runtime","system_instance_id":"a"})";
}

// Keyed one-event requests from several threads, each retried with its id until answered 200.
// Remembers which acknowledged requests were sent after `removed` was set (those the deletion
// cannot excuse: they reached the collector after the file was gone) and which were answered
// "spooled".
class KeyedLoad {
 public:
  KeyedLoad(int port, int threads, const std::atomic<bool>& removed) {
    for (int t = 0; t < threads; ++t) {
      workers_.emplace_back([this, port, t, &removed] {
        HttpClient client("127.0.0.1", port);
        for (int i = 0; !stop_; ++i) {
          const std::string id = "load-" + std::to_string(t) + "-" + std::to_string(i);
          const bool after = removed.load();  // read before the request is sent
          while (!stop_) {
            auto res = client.Post("/v1/records", EventJson(id));
            if (res.status == 200) {
              std::lock_guard<std::mutex> lock(mu_);
              if (after) after_.insert(id);
              if (JsonProbe(res.body).Int("/spooled") == 1) spooled_.insert(id);
              ++acked_;
              break;
            }
            std::this_thread::sleep_for(milliseconds(20));
          }
        }
      });
    }
  }
  ~KeyedLoad() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& w : workers_) {
      if (w.joinable()) w.join();
    }
  }
  size_t acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  size_t acked_after() {
    std::lock_guard<std::mutex> lock(mu_);
    return after_.size();
  }
  std::set<std::string> sent_after_removal_and_acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return after_;
  }
  std::set<std::string> spooled() {
    std::lock_guard<std::mutex> lock(mu_);
    return spooled_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  size_t acked_ = 0;
  std::set<std::string> after_;    // guarded by mu_
  std::set<std::string> spooled_;  // guarded by mu_
  std::vector<std::thread> workers_;
};

class DeletedDatabaseTest : public CollectorTest {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--set", "retry.max_ms=200", "--set",
                                     "shutdown_timeout_ms=5000"};
    args.insert(args.end(), extra.begin(), extra.end());
    StartCollector(args);
  }
  // What an operator's `rm tc.db tc.db-wal tc.db-shm` does.
  void RemoveDatabaseFiles() {
    ASSERT_TRUE(fs::exists(db_path()));
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((db_path() + suffix).c_str());
    }
  }
  // One request of `n` events with ids "<prefix>-<i>".
  HttpResponse PostEvents(const std::string& prefix, int n, std::vector<std::string>* ids) {
    std::string body = "[";
    for (int i = 0; i < n; ++i) {
      ids->push_back(prefix + "-" + std::to_string(i));
      body += (i ? "," : "") + EventJson(ids->back());
    }
    return PostRecords(body + "]");
  }
  // Waits for /readyz to answer `status`; `*last` gets the last answer.
  bool WaitForReadyz(int status, HttpResponse* last, milliseconds timeout = milliseconds(5000)) {
    return WaitFor(
        [&] {
          *last = client_->Get("/readyz");
          return last->status == status;
        },
        timeout);
  }
  bool SpoolDrained() { return Metric(*client_, "spool_bytes") == 0; }
  std::unique_ptr<DbReader> StopAndRead() {
    int status = collector_->Stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << collector_->Log();
    return MakeSqliteReader(db_path());
  }
  // Each of `ids` stored exactly once; every event keyed; the session counter exact.
  static void ExpectEachOnce(DbReader& db, const std::set<std::string>& ids) {
    std::multiset<std::string> stored;
    for (auto& row : db.Rows("SELECT key FROM tc_idempotency")) stored.insert(row[0].value());
    size_t missing = 0;
    for (const auto& id : ids) {
      EXPECT_LE(stored.count(id), 1u) << id;
      if (stored.count(id) == 0) {
        if (++missing <= 5) ADD_FAILURE() << "acknowledged, not stored: " << id;
      }
    }
    EXPECT_EQ(missing, 0u) << "of " << ids.size();
    EXPECT_EQ(db.Int("SELECT COUNT(*) FROM events"), static_cast<int64_t>(stored.size()))
        << "an event stored twice or without its key";
    EXPECT_EQ(db.Int("SELECT num_events FROM session_traces WHERE session_id='s-del'"),
              db.Int("SELECT COUNT(*) FROM events"));
  }
};

TEST_P(DeletedDatabaseTest, DeletedFileIsSpooledAndUnreadyThenStoredIntoTheRestoredFile) {
  Start();
  std::vector<std::string> before;
  auto res = PostEvents("before", 2, &before);
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_EQ(JsonProbe(res.body).Int("/stored"), 2) << res.body;
  // The backup the operator restores later (VACUUM INTO: a consistent copy of the live file).
  const std::string backup = dir_.File("backup.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    ASSERT_EQ(sqlite3_exec(db, ("VACUUM INTO '" + backup + "'").c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  RemoveDatabaseFiles();
  HttpResponse ready;
  ASSERT_TRUE(WaitForReadyz(503, &ready)) << ready.status << " " << ready.body << "\n"
                                          << collector_->Log();
  EXPECT_NE(ready.body.find(db_path() + " is missing"), std::string::npos) << ready.body;

  // Every request from now on is acknowledged from the spool; none as stored.
  std::vector<std::string> during;
  for (int r = 0; r < 5; ++r) {
    res = PostEvents("during" + std::to_string(r), 2, &during);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(JsonProbe(res.body).Int("/spooled"), 2) << res.body;
    EXPECT_EQ(JsonProbe(res.body).Int("/stored"), 0) << res.body;
  }
  const std::string log = collector_->Log();
  EXPECT_NE(log.find("level=error component=sink msg=\"the database file " + db_path() +
                     " is missing"),
            std::string::npos)
      << log;
  EXPECT_EQ(client_->Get("/readyz").status, 503);
  EXPECT_FALSE(fs::exists(db_path())) << "no new database is created in place of the lost one";

  // The operator restores the backup, atomically (a rename into place).
  ASSERT_EQ(std::rename(backup.c_str(), db_path().c_str()), 0);
  ASSERT_TRUE(WaitForReadyz(200, &ready, milliseconds(15000))) << ready.body << "\n"
                                                               << collector_->Log();
  ASSERT_TRUE(WaitFor([&] { return SpoolDrained(); }, milliseconds(15000))) << collector_->Log();
  EXPECT_NE(collector_->Log().find("is back: reopened"), std::string::npos);
  std::vector<std::string> after;
  res = PostEvents("after", 1, &after);
  EXPECT_EQ(JsonProbe(res.body).Int("/stored"), 1) << res.body;

  auto db = StopAndRead();
  std::set<std::string> all(before.begin(), before.end());  // in the backup
  all.insert(during.begin(), during.end());
  all.insert(after.begin(), after.end());
  ExpectEachOnce(*db, all);
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 13);
}

TEST_P(DeletedDatabaseTest, DeletedUnderLoadLosesNothingAcknowledgedAcrossARestart) {
  Start();
  std::atomic<bool> removed{false};
  KeyedLoad load(collector_->port(), 4, removed);
  ASSERT_TRUE(WaitFor([&] { return load.acked() > 50; }, milliseconds(10000)));
  RemoveDatabaseFiles();
  removed = true;
  HttpResponse ready;
  ASSERT_TRUE(WaitForReadyz(503, &ready)) << ready.body << "\n" << collector_->Log();
  ASSERT_TRUE(WaitFor([&] { return load.acked_after() > 100; }, milliseconds(20000)))
      << collector_->Log();
  load.Stop();
  // The collector is restarted while the file is still missing: it creates a new database and
  // replays the spool into it.
  int status = collector_->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << collector_->Log();
  EXPECT_FALSE(fs::exists(db_path()));
  Start();
  ASSERT_TRUE(WaitFor([&] { return SpoolDrained(); }, milliseconds(20000))) << collector_->Log();
  EXPECT_EQ(client_->Get("/readyz").status, 200);

  auto db = StopAndRead();
  const auto after = load.sent_after_removal_and_acked();
  const auto spooled = load.spooled();
  std::set<std::string> must_survive(after.begin(), after.end());
  must_survive.insert(spooled.begin(), spooled.end());  // spooled ones, whenever they were sent
  ExpectEachOnce(*db, must_survive);
  EXPECT_GE(spooled.size(), after.size()) << "acknowledged from the spool after the deletion";
  RecordProperty("acknowledged_after_deletion", static_cast<int>(after.size()));
  RecordProperty("acknowledged_from_spool", static_cast<int>(spooled.size()));
}

TEST_P(DeletedDatabaseTest, WithoutTheSpoolNothingIsAcknowledgedUntilTheFileIsBack) {
  Start({"--set", "spool.enabled=false"});
  std::vector<std::string> ids;
  ASSERT_EQ(PostEvents("before", 1, &ids).status, 200);
  RemoveDatabaseFiles();
  HttpResponse ready;
  ASSERT_TRUE(WaitForReadyz(503, &ready)) << ready.body;
  EXPECT_NE(ready.body.find(db_path() + " is missing"), std::string::npos) << ready.body;
  // The batch is retried, not acknowledged, while the file is missing.
  std::vector<std::string> pending_ids;
  auto pending = std::async(std::launch::async, [&] {
    HttpClient client("127.0.0.1", collector_->port());
    std::string body = "[" + EventJson("pending-0") + "]";
    return client.Post("/v1/records", body);
  });
  ASSERT_TRUE(WaitFor([&] { return Metric(*client_, "sink_errors_total") >= 3; },
                      milliseconds(10000)))
      << collector_->Log();
  EXPECT_EQ(pending.wait_for(milliseconds(0)), std::future_status::timeout)
      << "answered while the database file is missing: " << pending.get().body;
  std::ofstream(db_path()).close();  // the operator recreates it (empty)
  auto res = pending.get();
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(JsonProbe(res.body).Int("/stored"), 1) << res.body;
  EXPECT_TRUE(WaitForReadyz(200, &ready)) << ready.body;
  auto db = StopAndRead();
  ExpectEachOnce(*db, {"pending-0"});
  EXPECT_EQ(db->Int("SELECT COUNT(*) FROM events"), 1);
}

INSTANTIATE_TEST_SUITE_P(Embedded, DeletedDatabaseTest,
                         ::testing::Values(BackendKind::kEmbedded), BackendName);

}  // namespace
}  // namespace tc::testing
