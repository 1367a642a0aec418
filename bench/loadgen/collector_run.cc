#include "loadgen/collector_run.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <string_view>

#include "loadgen/db_count.h"
#include "loadgen/process.h"

namespace tc::bench {
namespace {

size_t Collect(char* chunk, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(chunk, size * count);
  return size * count;
}

std::string HttpGet(const std::string& url) {
  std::string out;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return out;
}

// The value of a Prometheus sample "name value" (0 when absent).
double Sample(const std::string& text, std::string_view name) {
  size_t at = 0;
  while ((at = text.find(name, at)) != std::string::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    at += name.size();
    if (line_start && at < text.size() && text[at] == ' ') {
      return std::strtod(text.c_str() + at + 1, nullptr);
    }
  }
  return 0;
}

}  // namespace

RunResult RunAgainstCollector(const CollectorSpec& collector, LoadSpec load, bool queued) {
  RunResult result;
  std::vector<std::string> argv = {collector.binary, "--listen", "127.0.0.1:0", "--log-level",
                                   "info"};
  if (collector.sqld_url.empty()) {
    argv.insert(argv.end(), {"--backend", "embedded", "--db", collector.db_path});
  } else {
    argv.insert(argv.end(), {"--sqld-url", collector.sqld_url});
  }
  argv.insert(argv.end(), collector.extra_args.begin(), collector.extra_args.end());
  Child child;
  if (!child.Spawn(argv, {}, collector.log_path, &result.error)) {
    return result;
  }
  load.port = WaitForListenLine(child, std::chrono::seconds(30));
  if (load.port == 0) {
    result.error = "the collector did not start:\n" + Tail(collector.log_path, 2000);
    return result;
  }
  RssPoller rss(child.pid());
  const double cpu_before = CpuSeconds(child.pid());
  const double server_before = collector.server_pid ? CpuSeconds(collector.server_pid) : 0;
  result.load = RunLoad(load);
  result.collector_cpu = CpuSeconds(child.pid()) - cpu_before;
  if (collector.server_pid) {
    result.server_cpu = CpuSeconds(collector.server_pid) - server_before;
  }

  const std::string base = "http://127.0.0.1:" + std::to_string(load.port);
  const std::string metrics = HttpGet(base + "/metrics");
  const double batches = Sample(metrics, "tracecollector_batches_committed_total");
  const double stored = Sample(metrics, "tracecollector_records_stored_total");
  result.avg_batch = batches > 0 ? stored / batches : 0;

  DbCounts counts;
  std::string count_error;
  auto count = [&] {
    return collector.sqld_url.empty() ? CountSqlite(collector.db_path, &counts, &count_error)
                                      : CountHrana(collector.sqld_url, &counts, &count_error);
  };
  bool counted = false;
  if (!queued) {
    counted = count();
  }
  const auto stop_start = std::chrono::steady_clock::now();
  const int status = child.Stop(SIGTERM, std::chrono::seconds(300));
  result.stop_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - stop_start).count();
  result.peak_rss_kib = rss.Finish();
  if (queued) {
    counted = count();
  }
  result.check = counted ? CheckCounts(*load.workload, result.load.units_acked, counts)
                         : "FAIL " + count_error;
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string exit = status == -1 ? "killed after 300 s"
                             : WIFSIGNALED(status)
                                 ? "died of signal " + std::to_string(WTERMSIG(status))
                                 : "exit status " + std::to_string(WEXITSTATUS(status));
    result.check =
        result.check == "ok" ? "FAIL collector " + exit : result.check + ", collector " + exit;
  }
  return result;
}

}  // namespace tc::bench
