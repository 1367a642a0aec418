#pragma once

// systemd watchdog (Type=notify, WatchdogSec=): a thread sends "WATCHDOG=1" plus a STATUS line
// every `interval` (half of $WATCHDOG_USEC) while the writer is healthy-ish.
//
// Healthy-ish (WriterHealth): the writer makes progress or has nothing to do. It is stalled
// when records have been queued for longer than `stall_limit` while none of its progress
// counters moved (batches committed, write failures, retries, records spooled / replayed /
// dropped). A database that is down is NOT a stall: the writer keeps failing and retrying, which
// is progress, and a restart would not help. A Sink::Write that hangs, or a dead writer thread,
// is a stall: pings stop, and systemd kills and restarts the service after WatchdogSec. HTTP
// threads are not checked.
//
// Thread-safety: WriterHealth is not thread-safe (the watchdog thread owns it). ServiceWatchdog
// starts its thread in the constructor and joins it in the destructor / Stop().

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "metrics/metrics.h"

namespace tc::app {

class WriterHealth {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WriterHealth(Clock::duration stall_limit) : stall_limit_(stall_limit) {}

  struct Sample {
    int64_t queued_records = 0;
    uint64_t progress = 0;  // sum of the writer's progress counters
  };
  static Sample From(const metrics::Metrics& metrics);

  // False once the writer has been stalled for longer than stall_limit.
  bool Healthy(const Sample& sample, Clock::time_point now);
  // How long the current stall has lasted (0 when not stalled).
  Clock::duration stalled_for(Clock::time_point now) const;

 private:
  Clock::duration stall_limit_;
  uint64_t last_progress_ = 0;
  bool have_last_ = false;
  bool stalled_ = false;
  Clock::time_point stall_started_;
};

class ServiceWatchdog {
 public:
  // Pings every `interval`; the writer counts as stalled after `stall_limit`.
  ServiceWatchdog(const metrics::Metrics& metrics, std::chrono::microseconds interval,
                  std::chrono::microseconds stall_limit);
  ~ServiceWatchdog();
  ServiceWatchdog(const ServiceWatchdog&) = delete;
  ServiceWatchdog& operator=(const ServiceWatchdog&) = delete;

  void Stop();  // safe twice

 private:
  void Run();

  const metrics::Metrics& metrics_;
  const std::chrono::microseconds interval_;
  WriterHealth health_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

// The STATUS= text: "stored N records, queue Q/CAP records".
std::string StatusLine(const metrics::Metrics& metrics);

}  // namespace tc::app
