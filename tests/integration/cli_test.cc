// The command-line face of the real binary: --version, --help, --check-config and the exit
// statuses documented in --help and docs/troubleshooting.md (0 ok, 1 runtime failure, 2 usage or
// configuration error, 3 the supervised sqld child crash-looped).

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/collector_process.h"
#include "support/temp_dir.h"

namespace tc::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the collector with `args` (no shell quoting needed: no spaces in them) and `env`
// ("K=V" words) to completion; stdout and stderr captured separately.
// `prefix` runs before the binary (AsUnprivileged).
RunResult RunCollector(const TempDir& dir, const std::string& args, const std::string& env = "",
                       const std::string& prefix = "") {
  const std::string out = dir.File("stdout");
  const std::string err = dir.File("stderr");
  const std::string command = "cd " + dir.path() + " && env " + env + " timeout 30 " + prefix +
                              CollectorProcess::BinaryPath() + " " + args + " >" + out + " 2>" +
                              err;
  const int status = std::system(command.c_str());
  RunResult run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(out);
  run.err = ReadFile(err);
  return run;
}

TEST(CliTest, VersionPrintsTheProjectVersion) {
  TempDir dir;
  RunResult run = RunCollector(dir, "--version");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, std::string("tracecollector ") + TC_PROJECT_VERSION + "\n");
  EXPECT_EQ(run.err, "");
}

TEST(CliTest, HelpListsEveryFlagAndTheExitStatuses) {
  TempDir dir;
  for (const char* flag : {"--help", "-h"}) {
    RunResult run = RunCollector(dir, flag);
    EXPECT_EQ(run.exit_code, 0) << flag;
    EXPECT_THAT(run.out, StartsWith("Usage: tracecollector [FLAGS]\n"));
    for (const char* name : {"--config FILE", "--listen HOST:PORT", "--backend", "--db PATH",
                             "--sqld-url URL", "--ack", "--log-level", "--set", "--check-config",
                             "--version", "--help"}) {
      EXPECT_THAT(run.out, HasSubstr(std::string("  ") + name)) << name;
    }
    for (const char* line : {"Exit status:\n", "\n  0  stopped cleanly", "\n  1  runtime failure",
                             "\n  2  usage or configuration error", "\n  3  the supervised sqld",
                             "docs/troubleshooting.md"}) {
      EXPECT_THAT(run.out, HasSubstr(line));
    }
    std::istringstream lines(run.out);
    std::string line;
    while (std::getline(lines, line)) {
      EXPECT_LE(line.size(), 100u) << line;
    }
  }
}

TEST(CliTest, CheckConfigPrintsTheEffectiveConfigurationAndExitsZero) {
  TempDir dir;
  RunResult run = RunCollector(dir, "--check-config --listen 0.0.0.0:9999 --set queue.max_records=5000",
                         "TRACECOLLECTOR_LOG_LEVEL=warn");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("listen = \"0.0.0.0:9999\"\n"));
  EXPECT_THAT(run.out, HasSubstr("max_records = 5000\n"));
  EXPECT_THAT(run.out, HasSubstr("level = \"warn\"\n"));
  EXPECT_THAT(run.out, HasSubstr("# backend resolves to: embedded"));
  // 0.0.0.0 without any API key: valid, with a warning (below).
  EXPECT_THAT(run.err, StartsWith("tracecollector: warning: no API key is configured"));
  // Nothing was started: no database file.
  EXPECT_EQ(ReadFile(dir.File("tracecollector.db")), "");
}

// No key at all while listening beyond loopback: a warning on stderr, and still exit 0. Keys of
// any scope, or a loopback address, silence it; a configuration error still exits 2.
TEST(CliTest, CheckConfigWarnsAboutAnOpenCollectorOnANonLoopbackAddress) {
  TempDir dir;
  RunResult open = RunCollector(dir, "--check-config --listen 0.0.0.0:4318");
  EXPECT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(open.err,
            "tracecollector: warning: no API key is configured and http.listen \"0.0.0.0:4318\" "
            "is not a loopback address: anyone who can reach it may post traces and read them "
            "back; configure keys (auth.api_keys, auth.read_keys, auth.admin_keys or their "
            "*_file settings; docs/api.md, \"1.4 Authentication\") or listen on 127.0.0.1\n");
  RunResult v6 = RunCollector(dir, "--check-config --listen '[::]:4318'");
  EXPECT_EQ(v6.exit_code, 0) << v6.err;
  EXPECT_THAT(v6.err, HasSubstr("warning: no API key is configured and http.listen \"[::]:4318\""));
  RunResult tls = RunCollector(
      dir,
      "--check-config --set tls.listen=0.0.0.0:4319 --set tls.cert_file=/nonexistent/c.pem "
      "--set tls.key_file=/nonexistent/k.pem");
  EXPECT_EQ(tls.exit_code, 2) << "the certificate is still an error";
  EXPECT_THAT(tls.err, HasSubstr("warning: no API key is configured and tls.listen"));
  EXPECT_THAT(tls.err, Not(HasSubstr("http.listen")));  // 127.0.0.1:4318, the default
  for (const std::string& quiet :
       {std::string("--listen 127.0.0.1:4318"), std::string("--listen 127.0.0.2:4318"),
        std::string("--listen '[::1]:4318'"), std::string("--listen localhost:4318"),
        std::string("--listen LOCALHOST:4318"),
        std::string("--listen 0.0.0.0:4318 --set auth.api_keys=k1"),
        std::string("--listen 0.0.0.0:4318 --set auth.read_keys=k1"),
        std::string("--listen 0.0.0.0:4318 --set auth.admin_keys=k1")}) {
    RunResult run = RunCollector(dir, "--check-config " + quiet);
    EXPECT_EQ(run.exit_code, 0) << quiet << ": " << run.err;
    EXPECT_EQ(run.err, "") << quiet;
  }
}

TEST(CliTest, OldRetryNamesStillWorkWithAWarningAndCheckConfigPrintsTheNewOnes) {
  TempDir dir;
  std::ofstream(dir.File("old.toml")) << "[sqld.retry]\ninitial_ms = 20\n";
  RunResult run = RunCollector(
      dir, "--check-config --config " + dir.File("old.toml") + " --set sqld.retry.multiplier=3",
      "TRACECOLLECTOR_SQLD_RETRY_MAX_MS=300");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\n[retry]\ninitial_ms = 20\nmax_ms = 300\nmultiplier = 3.0\n"));
  EXPECT_THAT(run.out, Not(HasSubstr("sqld.retry")));
  // One warning per old name, each naming the new one.
  EXPECT_THAT(run.err, HasSubstr("sqld.retry.initial_ms is deprecated: use retry.initial_ms"));
  EXPECT_THAT(run.err, HasSubstr("TRACECOLLECTOR_SQLD_RETRY_MAX_MS is deprecated: use "
                                 "TRACECOLLECTOR_RETRY_MAX_MS"));
  EXPECT_THAT(run.err,
              HasSubstr("--set sqld.retry.multiplier is deprecated: use retry.multiplier"));
  EXPECT_THAT(run.err, HasSubstr("level=warn"));
}

TEST(CliTest, CheckConfigNeverPrintsSecrets) {
  TempDir dir;
  RunResult run = RunCollector(dir, "--check-config --sqld-url http://db.example:8080",
                         "TURSO_AUTH_TOKEN=tok-s3cret TRACECOLLECTOR_AUTH_API_KEYS=key-s3cret");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, Not(HasSubstr("s3cret")));
  EXPECT_THAT(run.out, HasSubstr("backend resolves to: sqld"));
}

TEST(CliTest, ConfigurationErrorsExitTwoWithTheErrorOnStderr) {
  TempDir dir;
  struct Case {
    std::string args;
    std::string env;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--check-config --set queue.max_records=0", "", "queue.max_records: must be at least 1"},
      {"--check-config --set batch.max_records=200000", "", "a batch must fit the queue"},
      {"--check-config", "TRACECOLLECTOR_HTTP_LISTEN=nonsense", "TRACECOLLECTOR_HTTP_LISTEN"},
      {"--check-config --config " + dir.File("missing.toml"), "", "cannot read"},
      {"--lisen 127.0.0.1:1", "", "unknown flag --lisen; did you mean --listen?"},
      {"--listen", "", "--listen needs a value"},
      {"stray", "", "unexpected argument 'stray'"},
      {"--set nokey=1", "", "unknown key 'nokey'"},
  };
  for (const Case& c : cases) {
    RunResult run = RunCollector(dir, c.args, c.env);
    EXPECT_EQ(run.exit_code, 2) << c.args << "\n" << run.err;
    EXPECT_THAT(run.err, StartsWith("tracecollector: configuration error: ")) << c.args;
    EXPECT_THAT(run.err, HasSubstr(c.message)) << c.args;
    EXPECT_EQ(run.out, "") << c.args;
  }
}

TEST(CliTest, StartupFailuresExitOne) {
  TempDir dir;
  CollectorProcess holder({"--db", dir.File("holder.db")}, {}, dir.File("holder.log"));
  const std::string taken = "127.0.0.1:" + std::to_string(holder.port());
  std::ofstream(dir.File("plain-file")) << "x";
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--listen " + taken + " --db " + dir.File("a.db"), "cannot start"},
      {"--listen 127.0.0.1:0 --db " + dir.File("plain-file") + "/t.db", "cannot start"},
      {"--listen 127.0.0.1:0 --backend sqld --set sqld.binary=" + dir.File("no-such-sqld") +
           " --db " + dir.File("s"),
       "cannot start"},
  };
  for (const Case& c : cases) {
    RunResult run = RunCollector(dir, c.args);
    EXPECT_EQ(run.exit_code, 1) << c.args << "\n" << run.err;
    EXPECT_THAT(run.err, HasSubstr(c.message)) << c.args;
  }
  EXPECT_EQ(WEXITSTATUS(holder.Stop(SIGTERM)), 0);
}

// The prefix that runs a command as an unprivileged user: root may write any file, so a test of
// "this user cannot write there" drops to nobody when it runs as root. `dir` is opened to all.
std::string AsUnprivileged(const TempDir& dir) {
  if (::geteuid() != 0) return "";
  ::chmod(dir.path().c_str(), 0777);
  return "setpriv --reuid=65534 --regid=65534 --clear-groups ";
}

// A store that can never work stops the start (exit 1, the reason on stderr): a spool would only
// hide it until it filled.
TEST(CliTest, PermanentLocalStoreFailuresExitOneWithTheReason) {
  TempDir dir;
  const std::string as = AsUnprivileged(dir);
  ASSERT_EQ(::mkdir(dir.File("locked").c_str(), 0555), 0);
  std::ofstream(dir.File("readonly.db")) << "";
  ASSERT_EQ(::chmod(dir.File("readonly.db").c_str(), 0444), 0);
  std::ofstream(dir.File("notdb.db")) << std::string(4096, 'x');
  {  // A database written by a newer collector (its schema version is above this build's).
    CollectorProcess writer({"--db", dir.File("newer.db")}, {}, dir.File("newer.log"));
    ASSERT_EQ(WEXITSTATUS(writer.Stop(SIGTERM)), 0);
    ASSERT_EQ(std::system(("sqlite3 " + dir.File("newer.db") +
                           " \"INSERT INTO tc_schema_version VALUES (99999, 'later')\"")
                              .c_str()),
              0);
  }
  struct Case {
    std::string args;
    std::string message;
    bool unprivileged = false;  // a permission problem: needs a user that is not root
  };
  const std::vector<Case> cases = {
      {"--db " + dir.File("locked/t.db"),
       "the database file " + dir.File("locked/t.db") + ": cannot create files in " +
           dir.File("locked"),
       true},
      {"--db " + dir.File("readonly.db"), "readonly.db is not writable by uid", true},
      {"--db " + dir.File("ok.db") + " --set spool.dir=" + dir.File("locked/spool"),
       "the spool directory " + dir.File("locked/spool") + ": cannot create files in", true},
      {"--db " + dir.File("notdb.db"), "file is not a database"},
      {"--db " + dir.File("newer.db"), "newer than this build's"},
  };
  for (const Case& c : cases) {
    const std::string args = "--listen 127.0.0.1:0 --backend embedded " + c.args;
    RunResult run = RunCollector(dir, args, "", c.unprivileged ? as : "");
    EXPECT_EQ(run.exit_code, 1) << args << "\n" << run.err;
    EXPECT_THAT(run.err, HasSubstr("cannot start")) << args;
    EXPECT_THAT(run.err, HasSubstr(c.message)) << args;
    EXPECT_THAT(run.err, Not(HasSubstr("spool at"))) << "nothing started: " << args;
    // The same problems (but the database's contents) are found by --check-config.
    if (c.message.find("not a database") == std::string::npos &&
        c.message.find("newer") == std::string::npos) {
      RunResult check = RunCollector(dir, "--check-config " + args, "", c.unprivileged ? as : "");
      EXPECT_EQ(check.exit_code, 2) << args << "\n" << check.err;
      EXPECT_THAT(check.err, StartsWith("tracecollector: configuration error: ")) << args;
      EXPECT_THAT(check.err, HasSubstr(c.message)) << args;
      EXPECT_THAT(check.out, HasSubstr("# backend resolves to: embedded")) << args;
    }
  }
}

TEST(CliTest, CheckConfigFindsWhatWouldStopTheStart) {
  TempDir dir;
  std::ofstream(dir.File("keys")) << "# no key here\n";
  std::ofstream(dir.File("not-exec")) << "#!/bin/sh\n";
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--set auth.api_keys_file=" + dir.File("keys"), "auth.api_keys_file"},
      {"--set auth.api_keys_file=" + dir.File("missing"), "cannot be opened for reading"},
      {"--backend sqld --set sqld.binary=" + dir.File("no-such-sqld"),
       "sqld.binary: binary '" + dir.File("no-such-sqld") + "' not found"},
      {"--backend sqld --set sqld.binary=" + dir.File("not-exec"), "is not an executable file"},
      {"--db " + dir.File("missing-dir/t.db"),
       "directory " + dir.File("missing-dir") + " cannot be used: No such file or directory"},
  };
  for (const Case& c : cases) {
    RunResult run = RunCollector(dir, "--check-config --db " + dir.File("t.db") + " " + c.args);
    EXPECT_EQ(run.exit_code, 2) << c.args << "\n" << run.err;
    EXPECT_THAT(run.err, HasSubstr("tracecollector: configuration error: ")) << c.args;
    EXPECT_THAT(run.err, HasSubstr(c.message)) << c.args;
  }
}

// --check-config prints a set secret as a placeholder; loading that output back is an error, not
// a configuration with no API keys.
TEST(CliTest, CheckConfigOutputWithASecretFailsLoudlyWhenLoadedBack) {
  TempDir dir;
  RunResult printed = RunCollector(dir, "--check-config", "TRACECOLLECTOR_AUTH_API_KEYS=k-s3cret");
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_THAT(printed.out, Not(HasSubstr("s3cret")));
  EXPECT_THAT(printed.out, HasSubstr("api_keys = \"<redacted>\""));
  std::ofstream(dir.File("printed.toml")) << printed.out;
  RunResult reloaded = RunCollector(dir, "--check-config --config " + dir.File("printed.toml"));
  EXPECT_EQ(reloaded.exit_code, 2) << reloaded.out;
  EXPECT_THAT(reloaded.err, HasSubstr("auth.api_keys: holds '<redacted>', the placeholder"));
  EXPECT_THAT(reloaded.err, HasSubstr("TRACECOLLECTOR_AUTH_API_KEYS"));
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  while (dirent* entry = proc ? readdir(proc) : nullptr) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) {
      continue;
    }
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse after ')'.
    std::string stat = ReadFile("/proc/" + std::string(entry->d_name) + "/stat");
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) {
      continue;
    }
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) {
      children.push_back(pid);
    }
  }
  if (proc != nullptr) {
    closedir(proc);
  }
  return children;
}

TEST(CliTest, CrashLoopingSqldChildExitsThree) {
  TempDir dir;
  CollectorProcess collector({"--backend", "sqld", "--db", dir.File("child.db"), "--set",
                              "sqld.binary=" + TursodbPath(), "--set", "sqld.http_port=0",
                              "--set", "sqld.max_restarts=0"},
                             {}, dir.File("collector.log"), std::chrono::seconds(30));
  std::vector<pid_t> children = ChildrenOf(collector.pid());
  ASSERT_EQ(children.size(), 1u) << collector.Log();
  ASSERT_EQ(::kill(children[0], SIGKILL), 0);
  // The supervisor gives up (max_restarts = 0) and the collector shuts itself down.
  // Signal 0 sends nothing: Stop only waits (up to 30 s) for the exit and returns its status.
  const int status = collector.Stop(0, std::chrono::seconds(30));
  ASSERT_TRUE(WIFEXITED(status)) << status << "\n" << collector.Log();
  EXPECT_EQ(WEXITSTATUS(status), 3) << collector.Log();
  EXPECT_THAT(collector.Log(), HasSubstr("keeps crashing"));
}

}  // namespace
}  // namespace tc::testing
