#include "common/sd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace tc::sd {
namespace {

// A datagram socket bound to a path (or, with a leading '@', an abstract name).
class Receiver {
 public:
  explicit Receiver(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name[0] == '@') {
      addr.sun_path[0] = '\0';
    } else {
      ::unlink(name.c_str());
    }
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0) << std::strerror(errno);
  }
  ~Receiver() { ::close(fd_); }
  std::string Next(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) {
      return "<timeout>";
    }
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n < 0 ? "<error>" : std::string(buf, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
};

class SdNotifyTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
};

TEST_F(SdNotifyTest, NoSocketIsANoOp) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(NotifyEnabled());
  EXPECT_TRUE(Notify("READY=1").ok());
}

TEST_F(SdNotifyTest, SendsToAPathSocket) {
  const std::string path = "/tmp/tc-sd-test-" + std::to_string(::getpid()) + ".sock";
  Receiver receiver(path);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(NotifyEnabled());
  ASSERT_TRUE(Notify("READY=1\nSTATUS=listening").ok());
  EXPECT_EQ(receiver.Next(), "READY=1\nSTATUS=listening");
  ::unlink(path.c_str());
}

TEST_F(SdNotifyTest, SendsToAnAbstractSocket) {
  const std::string name = "@tc-sd-test-" + std::to_string(::getpid());
  Receiver receiver(name);
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  ASSERT_TRUE(Notify("WATCHDOG=1").ok());
  EXPECT_EQ(receiver.Next(), "WATCHDOG=1");
}

TEST_F(SdNotifyTest, BadSocketNamesAreErrorsNotCrashes) {
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_FALSE(Notify("READY=1").ok());
  ::setenv("NOTIFY_SOCKET", "/nonexistent/dir/sock", 1);
  EXPECT_FALSE(Notify("READY=1").ok());
}

TEST_F(SdNotifyTest, WatchdogTimeoutHonoursWatchdogPid) {
  EXPECT_FALSE(WatchdogTimeout().has_value());
  ::setenv("WATCHDOG_USEC", "3000000", 1);
  ASSERT_TRUE(WatchdogTimeout().has_value());
  EXPECT_EQ(WatchdogTimeout()->count(), 3000000);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_TRUE(WatchdogTimeout().has_value());
  ::setenv("WATCHDOG_PID", "1", 1);  // meant for another process
  EXPECT_FALSE(WatchdogTimeout().has_value());
  ::unsetenv("WATCHDOG_PID");
  ::setenv("WATCHDOG_USEC", "zero", 1);
  EXPECT_FALSE(WatchdogTimeout().has_value());
}

TEST_F(SdNotifyTest, MonotonicField) {
  const std::string field = MonotonicUsecField();
  ASSERT_EQ(field.rfind("MONOTONIC_USEC=", 0), 0u);
  EXPECT_GT(std::strtoull(field.c_str() + 15, nullptr, 10), 0u);
}

}  // namespace
}  // namespace tc::sd
