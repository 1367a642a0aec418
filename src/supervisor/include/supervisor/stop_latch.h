#pragma once

#include <chrono>

#include "common/unique_fd.h"

namespace tc::supervisor {

// A one-way "stop requested" flag that can be waited on with poll(2) next to other fds.
// Backed by an eventfd that stays readable once triggered (the counter is never read).
// Thread-safety: every method may be called from any thread. Not copyable or movable.
class StopLatch {
 public:
  StopLatch();  // aborts (TC_CHECK) if no eventfd can be created: fd exhaustion is fatal
  StopLatch(const StopLatch&) = delete;
  StopLatch& operator=(const StopLatch&) = delete;

  void Trigger();
  bool triggered() const;
  // Sleeps up to `timeout`; returns true early (and at once) when triggered.
  bool WaitFor(std::chrono::milliseconds timeout) const;
  // POLLIN once triggered. Owned by the latch.
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

}  // namespace tc::supervisor
