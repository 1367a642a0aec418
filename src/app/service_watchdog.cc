#include "app/service_watchdog.h"

#include <fmt/format.h>

#include "common/log.h"
#include "common/sd_notify.h"
#include "common/thread_name.h"

namespace tc::app {

WriterHealth::Sample WriterHealth::From(const metrics::Metrics& m) {
  return {.queued_records = m.queue_records.Get(),
          .progress = m.batches_committed.Get() + m.sink_errors.Get() + m.batch_retries.Get() +
                      m.records_spooled.Get() + m.records_replayed.Get() + m.records_dropped.Get()};
}

bool WriterHealth::Healthy(const Sample& sample, Clock::time_point now) {
  const bool moved = !have_last_ || sample.progress != last_progress_;
  have_last_ = true;
  last_progress_ = sample.progress;
  if (moved || sample.queued_records <= 0) {
    stalled_ = false;
    return true;
  }
  if (!stalled_) {
    stalled_ = true;
    stall_started_ = now;
  }
  return now - stall_started_ <= stall_limit_;
}

WriterHealth::Clock::duration WriterHealth::stalled_for(Clock::time_point now) const {
  return stalled_ ? now - stall_started_ : Clock::duration::zero();
}

std::string StatusLine(const metrics::Metrics& m) {
  return fmt::format("stored {} records, queue {}/{} records", m.records_stored.Get(),
                     m.queue_records.Get(), m.queue_capacity_records.Get());
}

ServiceWatchdog::ServiceWatchdog(const metrics::Metrics& metrics,
                                 std::chrono::microseconds interval,
                                 std::chrono::microseconds stall_limit)
    : metrics_(metrics), interval_(interval), health_(stall_limit) {
  thread_ = std::thread([this] { Run(); });
}

ServiceWatchdog::~ServiceWatchdog() { Stop(); }

void ServiceWatchdog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void ServiceWatchdog::Run() {
  SetThreadName("tc-watchdog");
  bool withheld = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const auto now = WriterHealth::Clock::now();
    if (health_.Healthy(WriterHealth::From(metrics_), now)) {
      if (withheld) {
        TC_LOG(kInfo, "systemd", "writer progressing again; watchdog pings resumed");
        withheld = false;
      }
      Status st = sd::Notify("WATCHDOG=1\nSTATUS=" + StatusLine(metrics_));
      if (!st.ok()) {
        TC_LOG_LIMITED(kWarn, "systemd", "watchdog ping failed: {}", st.ToString());
      }
    } else if (!withheld) {
      withheld = true;
      const auto stalled = std::chrono::duration_cast<std::chrono::seconds>(
          health_.stalled_for(now));
      const std::string why =
          fmt::format("writer stalled for {} s with {} records queued; watchdog pings withheld",
                      stalled.count(), metrics_.queue_records.Get());
      TC_LOG(kError, "systemd", "{}", why);
      (void)sd::Notify("STATUS=" + why);
    }
    cv_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace tc::app
