#include "supervisor/stop_latch.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "common/check.h"

namespace tc::supervisor {

StopLatch::StopLatch() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) { TC_CHECK(fd_.valid()); }

void StopLatch::Trigger() {
  uint64_t one = 1;
  ssize_t n = ::write(fd_.get(), &one, sizeof(one));
  (void)n;  // only fails when the counter would overflow: it is already readable then
}

bool StopLatch::triggered() const { return WaitFor(std::chrono::milliseconds(0)); }

bool StopLatch::WaitFor(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd_.get(), POLLIN, 0};
    int rc = ::poll(&pfd, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (rc > 0) {
      return true;
    }
    if (rc == 0 || errno != EINTR) {
      return false;
    }
  }
}

}  // namespace tc::supervisor
