#pragma once

// Runs the real collector on a loopback port for one test, on either backend, and reads back
// what it stored. The same test bodies run on both backends (INSTANTIATE_TEST_SUITE_P with
// kEmbedded and kSqld): every record type, idempotency rule and counter must behave the same.
//   kEmbedded: --backend embedded --db <tmp>/tc.db ; read with SQLite.
//   kSqld:     --backend sqld, the collector spawns the real tursodb (npm turso@0.6.0) on a free
//              port; read through that server's /v2/pipeline.

#include <signal.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "integration/proc_util.h"
#include "support/collector_process.h"
#include "support/db_reader.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

namespace tc::testing {

enum class BackendKind { kEmbedded, kSqld };

inline std::string BackendName(const ::testing::TestParamInfo<BackendKind>& info) {
  return info.param == BackendKind::kEmbedded ? "embedded" : "sqld";
}

class CollectorTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  // Starts the collector with `extra_args` (e.g. {"--set", "queue.max_records=10"}).
  void StartCollector(std::vector<std::string> extra_args = {}) {
    std::vector<std::string> args;
    std::vector<std::string> env;
    if (GetParam() == BackendKind::kEmbedded) {
      args = {"--backend", "embedded", "--db", db_path()};
    } else {
      if (sqld_port_ == 0) sqld_port_ = FreePort();
      args = {"--backend", "sqld"};
      env = {"SQLD_BINARY=" + TursodbPath(), "SQLD_DB_PATH=" + db_path(),
             "SQLD_HTTP_PORT=" + std::to_string(sqld_port_)};
    }
    for (auto& a : extra_args) args.push_back(std::move(a));
    // A log file per start: the port is read back from the log's "listening on" line.
    collector_ = std::make_unique<CollectorProcess>(
        args, env, dir_.File("collector-" + std::to_string(++starts_) + ".log"));
    client_ = std::make_unique<HttpClient>("127.0.0.1", collector_->port());
  }

  // A reader of the live database (sqld: through the server; embedded: the file).
  std::unique_ptr<DbReader> Db() {
    if (GetParam() == BackendKind::kSqld && collector_ && collector_->Running()) {
      return MakeHranaReader(sqld_port_);
    }
    return MakeSqliteReader(db_path());
  }

  std::string db_path() const {
    return GetParam() == BackendKind::kEmbedded ? dir_.File("tc.db") : dir_.File("sqld.db");
  }

  HttpResponse PostRecords(const std::string& body, const std::string& query = "") {
    return client_->Post("/v1/records" + query, body);
  }

  // Makes the database stop accepting writes, in a way a real deployment sees: embedded, another
  // process holds an exclusive lock on the file; sqld, the server process is stopped (SIGSTOP).
  void StallDatabase() {
    if (GetParam() == BackendKind::kEmbedded) {
      ASSERT_EQ(sqlite3_open(db_path().c_str(), &locker_), SQLITE_OK);
      sqlite3_busy_timeout(locker_, 10000);  // the collector may be committing right now
      char* err = nullptr;
      ASSERT_EQ(sqlite3_exec(locker_, "BEGIN EXCLUSIVE", nullptr, nullptr, &err), SQLITE_OK)
          << (err ? err : "");
    } else {
      server_pids_ = PidsWithCmdline(db_path() + " --sync-server");
      ASSERT_EQ(server_pids_.size(), 1u);
      ASSERT_EQ(kill(server_pids_[0], SIGSTOP), 0);
    }
  }
  void ResumeDatabase() {
    if (locker_ != nullptr) {
      sqlite3_exec(locker_, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_close(locker_);
      locker_ = nullptr;
    }
    for (pid_t pid : server_pids_) kill(pid, SIGCONT);
    server_pids_.clear();
  }
  void TearDown() override { ResumeDatabase(); }

  TempDir dir_;
  sqlite3* locker_ = nullptr;
  std::vector<pid_t> server_pids_;
  int sqld_port_ = 0;
  int starts_ = 0;
  std::unique_ptr<CollectorProcess> collector_;
  std::unique_ptr<HttpClient> client_;
};

#define TC_INSTANTIATE_ON_BOTH_BACKENDS(suite)                                       \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                          \
                           ::testing::Values(::tc::testing::BackendKind::kEmbedded,  \
                                             ::tc::testing::BackendKind::kSqld),     \
                           ::tc::testing::BackendName)

}  // namespace tc::testing
