#include "supervisor/readiness.h"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <mutex>

#include <fmt/format.h>

namespace tc::supervisor {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

void EnsureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t DiscardBody(char* /*data*/, size_t size, size_t count, void* /*user*/) {
  return size * count;
}

struct CurlEasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

Status ChildExited(ChildProcess& child, const ProbeSpec& probe, const ExitInfo& info) {
  child.WaitOutputClosed(milliseconds(500));  // so the last lines are in RecentOutput()
  std::string output = child.RecentOutputText();
  if (child.OutputMatched(kAddressInUse)) {
    return Status::FailedPrecondition(
        fmt::format("the listen address of {} is already in use (child {}; last output: {})",
                    probe.url, info.ToString(), output));
  }
  return Status::Unavailable(fmt::format("{} exited before becoming ready ({}); last output: {}",
                                         child.binary_path(), info.ToString(), output));
}

}  // namespace

Status ProbeOnce(const ProbeSpec& probe, milliseconds timeout) {
  EnsureCurlGlobalInit();
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  if (!curl) {
    return Status::Internal("curl_easy_init failed");
  }
  CURL* h = curl.get();
  long timeout_ms = std::max<long>(1, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_URL, probe.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // loopback: ignore http_proxy & co.
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &DiscardBody);
  std::unique_ptr<curl_slist, CurlListDeleter> headers;
  if (!probe.body.empty()) {
    headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, probe.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(probe.body.size()));
  }
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    return Status::Unavailable(fmt::format("{}: {}", probe.url, curl_easy_strerror(rc)));
  }
  long http_status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status != 200) {
    return Status::Unavailable(fmt::format("{}: HTTP {}", probe.url, http_status));
  }
  return Status::Ok();
}

Status WaitUntilReady(ChildProcess& child, const ProbeSpec& probe, const ReadyOptions& options,
                      const StopLatch* stop) {
  auto start = Clock::now();
  auto deadline = start + options.timeout;
  Status last = Status::Unavailable("not probed yet");
  while (true) {
    if (stop != nullptr && stop->triggered()) {
      return Status::Cancelled("stop requested while waiting for the server to become ready");
    }
    if (auto info = child.TryReap()) {
      return ChildExited(child, probe, *info);
    }
    auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    last = ProbeOnce(probe, std::clamp(left, milliseconds(1), options.probe_timeout));
    if (last.ok()) {
      return last;
    }
    if (auto info = child.TryReap()) {
      return ChildExited(child, probe, *info);
    }
    left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    if (Clock::now() >= deadline) {
      return Status::DeadlineExceeded(fmt::format(
          "{} not ready after {} ms (last probe: {}); last output: {}", child.binary_path(),
          std::chrono::duration_cast<milliseconds>(Clock::now() - start).count(),
          last.message(), child.RecentOutputText()));
    }
    // Sleep one interval, waking early if the child exits or a stop is requested.
    pollfd fds[2] = {{child.pidfd(), POLLIN, 0}, {stop != nullptr ? stop->fd() : -1, POLLIN, 0}};
    int wait_ms = static_cast<int>(std::min(left, options.interval).count());
    while (::poll(fds, 2, wait_ms) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace tc::supervisor
