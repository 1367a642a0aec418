// systemd integration of the real binary: sd_notify datagrams (READY=1 once the port is bound,
// WATCHDOG=1 at half of WATCHDOG_USEC, RELOADING=1/READY=1 around a SIGHUP reload, STOPPING=1 on
// SIGTERM) received on a socket this test binds (a path and an abstract name), and
// `systemd-analyze verify` / `security --offline` of deploy/systemd/tracecollector.service.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/collector_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

#ifndef TC_SOURCE_DIR
#error "TC_SOURCE_DIR must be defined by CMake"
#endif

namespace tc::testing {
namespace {

using Clock = std::chrono::steady_clock;

class NotifySocket {
 public:
  explicit NotifySocket(const std::string& name) : name_(name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name[0] == '@') {
      addr.sun_path[0] = '\0';
    }
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
      ADD_FAILURE() << "bind " << name << ": " << std::strerror(errno);
    }
  }
  ~NotifySocket() {
    ::close(fd_);
    if (name_[0] == '/') {
      ::unlink(name_.c_str());
    }
  }

  // The next datagram containing `needle` (others are kept in `seen`), or "" on timeout.
  std::string WaitFor(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count()) + 1) != 1) {
        break;
      }
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        continue;
      }
      std::string message(buf, static_cast<size_t>(n));
      seen.push_back(message);
      if (message.find(needle) != std::string::npos) {
        return message;
      }
    }
    return "";
  }

  std::vector<std::string> seen;

 private:
  std::string name_;
  int fd_ = -1;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

void RunNotifyScenario(const std::string& socket_name) {
  TempDir dir;
  NotifySocket notify(socket_name);
  const std::string config = dir.File("tc.toml");
  WriteFile(config, "[log]\nlevel = \"info\"\n");
  CollectorProcess collector(
      {"--config", config, "--backend", "embedded", "--db", dir.File("tc.db")},
      {"NOTIFY_SOCKET=" + socket_name, "WATCHDOG_USEC=200000"}, dir.File("collector.log"));

  // READY=1 names the bound port: it was sent after the bind, and the port answers.
  const std::string ready = notify.WaitFor("READY=1", std::chrono::seconds(10));
  ASSERT_FALSE(ready.empty()) << collector.Log();
  EXPECT_NE(ready.find("STATUS=listening on 127.0.0.1:" + std::to_string(collector.port())),
            std::string::npos)
      << ready;
  HttpClient client("127.0.0.1", collector.port());
  EXPECT_EQ(client.Get("/readyz").status, 200);

  // Watchdog pings every 100 ms (half of 200 ms), with a STATUS line.
  const auto start = Clock::now();
  int pings = 0;
  std::string ping;
  while (pings < 3 && Clock::now() - start < std::chrono::seconds(5)) {
    ping = notify.WaitFor("WATCHDOG=1", std::chrono::seconds(2));
    pings += ping.empty() ? 0 : 1;
  }
  EXPECT_EQ(pings, 3) << collector.Log();
  EXPECT_NE(ping.find("STATUS=stored 0 records"), std::string::npos) << ping;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));

  // SIGHUP: the new log.level applies (debug lines appear), RELOADING=1 then READY=1.
  WriteFile(config, "[log]\nlevel = \"debug\"\nformat = \"json\"\n");
  ASSERT_EQ(::kill(collector.pid(), SIGHUP), 0);
  const std::string reloading = notify.WaitFor("RELOADING=1", std::chrono::seconds(5));
  EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
  EXPECT_FALSE(notify.WaitFor("READY=1", std::chrono::seconds(5)).empty());
  EXPECT_NE(collector.Log().find("log.level info -> debug, log.format logfmt -> json"),
            std::string::npos)
      << collector.Log();

  // SIGTERM: STOPPING=1, then a clean exit; the log is JSON after the reload.
  const int status = collector.Stop(SIGTERM);
  EXPECT_FALSE(notify.WaitFor("STOPPING=1", std::chrono::seconds(5)).empty());
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(collector.Log().find("{\"ts\":"), std::string::npos);
  EXPECT_NE(collector.Log().find("\"msg\":\"received SIGTERM\""), std::string::npos)
      << collector.Log();
}

TEST(SystemdNotifyTest, PathSocket) {
  RunNotifyScenario(TempDir().path() + ".notify.sock");
}

TEST(SystemdNotifyTest, AbstractSocket) {
  RunNotifyScenario("@tracecollector-test-" + std::to_string(::getpid()));
}

TEST(SystemdNotifyTest, NoWatchdogPingsForAnotherPid) {
  TempDir dir;
  const std::string name = "@tracecollector-test-pid-" + std::to_string(::getpid());
  NotifySocket notify(name);
  CollectorProcess collector({"--backend", "embedded", "--db", dir.File("tc.db")},
                             {"NOTIFY_SOCKET=" + name, "WATCHDOG_USEC=100000", "WATCHDOG_PID=1"},
                             dir.File("collector.log"));
  EXPECT_FALSE(notify.WaitFor("READY=1", std::chrono::seconds(10)).empty());
  EXPECT_TRUE(notify.WaitFor("WATCHDOG=1", std::chrono::milliseconds(500)).empty());
}

// Runs `command`, returns its exit status and combined output.
int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return -1;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    output->append(buf, n);
  }
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The unit with ExecStart pointing at the built binary (verify checks the command exists).
std::string UnitForThisBuild(const TempDir& dir) {
  std::ifstream in(std::string(TC_SOURCE_DIR) + "/deploy/systemd/tracecollector.service");
  std::string unit((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(unit.empty());
  unit = std::regex_replace(unit, std::regex("/usr/local/bin/tracecollector"),
                            CollectorProcess::BinaryPath());
  const std::string path = dir.File("tracecollector.service");
  WriteFile(path, unit);
  return path;
}

// Needs systemd-analyze (apt 'systemd', installed by scripts/install-deps.sh --test); works
// without systemd running as PID 1.
TEST(SystemdUnitTest, VerifyIsClean) {
  ASSERT_EQ(::access("/usr/bin/systemd-analyze", X_OK), 0)
      << "systemd-analyze missing: run scripts/install-deps.sh --test";
  TempDir dir;
  const std::string unit = UnitForThisBuild(dir);
  std::string output;
  const int rc = RunCommand("systemd-analyze verify --man=no " + unit, &output);
  EXPECT_EQ(rc, 0) << output;
  // Unknown keys and bad values are only warnings (exit 0): there must be none.
  EXPECT_EQ(output, "") << output;
}

// systemd takes the last of a repeated single-value setting without a word (verify is silent), so
// a duplicate hides which one applies: each setting appears once, except those that add up.
// Documentation= must name something a reader has: the header's install steps put docs/*.md
// under /usr/share/doc/tracecollector, so a file:// entry must be one of those.
TEST(SystemdUnitTest, EachSettingOnceAndTheDocumentationIsInstalled) {
  std::ifstream in(std::string(TC_SOURCE_DIR) + "/deploy/systemd/tracecollector.service");
  ASSERT_TRUE(in.good());
  const std::vector<std::string> additive = {"SystemCallFilter", "ExecStartPre", "Environment",
                                             "ReadWritePaths", "Documentation"};
  const std::string doc_dir = "/usr/share/doc/tracecollector/";
  std::string line, section, header;
  std::map<std::string, int> seen;
  int documentation = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) {
      header += line + "\n";
      continue;
    }
    if (line.starts_with("[")) {
      section = line;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (std::find(additive.begin(), additive.end(), key) == additive.end()) {
      EXPECT_EQ(++seen[section + key], 1) << key << " appears more than once in " << section;
    }
    if (key == "Documentation") {
      ++documentation;
      if (value.starts_with("file://")) {
        const std::string path = value.substr(7);
        ASSERT_TRUE(path.starts_with(doc_dir)) << value << ": not a path the install steps create";
        EXPECT_NE(header.find("install -D -m 0644 -t " + doc_dir.substr(0, doc_dir.size() - 1) +
                              " docs/*.md"),
                  std::string::npos)
            << "the header's install steps do not install docs/*.md:\n"
            << header;
        const std::string source =
            std::string(TC_SOURCE_DIR) + "/docs/" + path.substr(doc_dir.size());
        EXPECT_EQ(::access(source.c_str(), R_OK), 0) << value << ": no " << source;
      } else {
        EXPECT_TRUE(value.starts_with("https://") || value.starts_with("man:")) << value;
      }
    }
  }
  EXPECT_GE(documentation, 1);
}

TEST(SystemdUnitTest, HardeningExposureIsLow) {
  ASSERT_EQ(::access("/usr/bin/systemd-analyze", X_OK), 0);
  TempDir dir;
  const std::string unit = UnitForThisBuild(dir);
  std::string output;
  RunCommand("systemd-analyze security --offline=yes --no-pager " + unit, &output);
  std::smatch m;
  const std::regex overall(R"(Overall exposure level for \S+: ([0-9.]+))");
  ASSERT_TRUE(std::regex_search(output, m, overall)) << output;
  EXPECT_LE(std::stod(m[1]), 2.0) << output;
}

}  // namespace
}  // namespace tc::testing
