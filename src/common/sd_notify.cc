#include "common/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/unique_fd.h"

namespace tc::sd {
namespace {

std::string_view SocketName() {
  const char* name = std::getenv("NOTIFY_SOCKET");
  return name == nullptr ? std::string_view() : std::string_view(name);
}

}  // namespace

bool NotifyEnabled() { return !SocketName().empty(); }

Status Notify(std::string_view state) {
  const std::string_view name = SocketName();
  if (name.empty()) {
    return Status::Ok();
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (name.size() >= sizeof(addr.sun_path) || (name[0] != '/' && name[0] != '@')) {
    return Status::InvalidArgument(
        fmt::format("NOTIFY_SOCKET '{}' is not an absolute path or @abstract name", name));
  }
  std::memcpy(addr.sun_path, name.data(), name.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  if (name[0] == '@') {
    addr.sun_path[0] = '\0';  // abstract namespace: the length, not a NUL, ends the name
  } else {
    ++length;  // include the terminating NUL of a path
  }
  const UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return Status::Internal(fmt::format("sd_notify socket: {}", std::strerror(errno)));
  }
  const ssize_t sent = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), length);
  const int saved = errno;
  if (sent < 0) {
    return Status::Unavailable(
        fmt::format("sd_notify to {}: {}", name, std::strerror(saved)));
  }
  return Status::Ok();
}

std::optional<std::chrono::microseconds> WatchdogTimeout() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr || *usec == '\0') {
    return std::nullopt;
  }
  char* end = nullptr;
  const unsigned long long value = std::strtoull(usec, &end, 10);
  if (*end != '\0' || value == 0) {
    return std::nullopt;
  }
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && *pid != '\0') {
    if (std::strtoll(pid, nullptr, 10) != static_cast<long long>(::getpid())) {
      return std::nullopt;
    }
  }
  return std::chrono::microseconds(value);
}

std::string MonotonicUsecField() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                    static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
  return fmt::format("MONOTONIC_USEC={}", usec);
}

}  // namespace tc::sd
