// loadgen: the benchmark of docs/performance.md. Starts the collector itself (each run on a
// fresh database), drives it with N keep-alive connections, checks the database holds exactly
// what was acknowledged, runs the baselines on the same records, and prints markdown tables.
// Usage: see options.h or `loadgen --help`; normally run through bench/run_bench.sh.

#include <curl/curl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "loadgen/baseline_runner.h"
#include "loadgen/collector_run.h"
#include "loadgen/options.h"
#include "loadgen/process.h"
#include "loadgen/report.h"

#ifndef TC_BENCH_COLLECTOR
#define TC_BENCH_COLLECTOR ""
#endif
#ifndef TC_BENCH_TURSODB
#define TC_BENCH_TURSODB ""
#endif

namespace tc::bench {
namespace {

std::string Fixed(double v, int digits) { return fmt::format("{:.{}f}", v, digits); }
std::string Rate(double v) { return fmt::format("{:.0f}", v); }
double CpuPerRecordUs(const StageResult& r) {
  return r.records > 0 ? 1e6 * r.write_cpu_s / static_cast<double>(r.records) : 0;
}

// tursodb <db> --sync-server 127.0.0.1:<port>; stopped with SIGINT by StopTursodb.
bool StartTursodb(const Options& o, const std::string& db, Child* child, std::string* url,
                  std::string* error) {
  const uint16_t port = FreePort();
  const std::string listen = fmt::format("127.0.0.1:{}", port);
  if (!child->Spawn({o.tursodb, db, "--sync-server", listen}, {}, db + ".log", error)) {
    return false;
  }
  if (!WaitForPort(port, std::chrono::seconds(20))) {
    *error = "tursodb did not listen: " + Tail(db + ".log", 1000);
    return false;
  }
  *url = "http://" + listen;
  return true;
}

// Columns of the load table that are filled in once the workload's baselines have run.
constexpr size_t kSameBatchColumn = 14;
constexpr size_t kCeilingColumn = 15;

// One load row whose ratios to the baselines are not known yet.
struct LoadFigures {
  size_t row = 0;  // in Bench::runs
  std::string ack;
  double rate = 0;       // records/s acknowledged
  double avg_batch = 0;  // records per committed batch (/metrics), 0 = unknown
};

std::string Ratio(double rate, double base) {
  return base > 0 ? fmt::format("{:.0f}%", 100 * rate / base) : "-";
}

struct Bench {
  Options o;
  int failures = 0;
  Table runs{{"backend", "workload", "ack", "conns", "records/s", "req/s", "p50 ms", "p99 ms",
              "p99.9 ms", "errors", "peak RSS MiB", "avg batch", "CPU% coll/db/client", "stop s",
              "vs same-batch baseline", fmt::format("vs {}-record baseline", o.baseline_batch),
              "DB check"}};
  Table baselines{{"backend", "workload", "baseline", "txn size from", "txn records", "records/s",
                   "collector's sink alone", "write CPU µs/rec baseline/sink",
                   "decode alone (1 thread)", "DB check"}};
  Table latency{{"backend", "workload", "offered req/s", "answered req/s", "p50 ms", "p99 ms",
                 "p99.9 ms", "errors", "peak RSS MiB", "DB check"}};
  std::map<std::string, double> peak_1rec_durable;  // backend -> records/s
  // (backend, ack) -> the 100 rec/req and the otlp runs (the otlp table).
  struct OtlpPair {
    double rate[2] = {0, 0};       // records/s: [0] 100 rec/req, [1] otlp
    double per_cpu_s[2] = {0, 0};  // records per CPU second of the collector
    std::string rss[2];            // peak RSS MiB
  };
  std::map<std::pair<std::string, std::string>, OtlpPair> otlp_vs_records;
  Table otlp{{"backend", "ack", "100 rec/req records/s", "otlp spans/s", "otlp / 100 rec/req",
              "records per collector CPU s 100 / otlp", "ratio per CPU s",
              "peak RSS MiB 100 / otlp", "target (issue 12: >= 80%)"}};
  int serial = 0;
  double client_cpu_ = 0;  // of the last Load(), load generator included (not only its load)

  std::string Fresh(const std::string& stem) {
    return fmt::format("{}/{:02}-{}", o.workdir, ++serial, stem);
  }

  void Fail(const std::string& what) {
    ++failures;
    fmt::print(stderr, "loadgen: {}\n", what);
  }

  // A fresh database for one run: an embedded file, or a new tursodb server.
  bool FreshDb(const std::string& backend, const std::string& stem, Child* server,
               std::string* db_path, std::string* url) {
    *db_path = Fresh(stem + ".db");
    url->clear();
    if (backend == "embedded") {
      return true;
    }
    std::string error;
    if (!StartTursodb(o, *db_path, server, url, &error)) {
      Fail(error);
      return false;
    }
    return true;
  }

  // Runs the baseline and the collector's sink alone with transactions of about
  // `batch_records` records (whole requests), adds a row to `baselines` (`source` says where
  // the size came from), and returns the baseline's records/s (0 if it failed).
  double Baseline(const std::string& backend, const Workload& w, uint64_t batch_records,
                  const std::string& source) {
    StageSpec spec;
    spec.workload = &w;
    spec.connections = o.connections;
    spec.batch_records = batch_records;
    spec.duration_s = o.baseline_duration_s;
    const bool sqld = backend == "sqld";
    StageResult base;
    StageResult sink;
    for (StageKind kind : {sqld ? StageKind::kPlainHrana : StageKind::kRawSqlite,
                           sqld ? StageKind::kHranaSink : StageKind::kSqliteSink}) {
      Child server;
      if (!FreshDb(backend, fmt::format("{}-{}", backend, StageName(kind)), &server, &spec.db_path,
                   &spec.base_url)) {
        return 0;
      }
      spec.kind = kind;
      const auto start = std::chrono::steady_clock::now();
      StageResult r = RunStage(spec);
      fmt::print(
          stderr,
          "  {} {} {} ({} per txn): {:.0f} records/s in {} transactions, {:.1f} CPU µs/record "
          "({:.1f} s)\n",
          backend, w.name, StageName(kind), batch_records,
          r.write_s > 0 ? r.records / r.write_s : 0, r.transactions, CpuPerRecordUs(r),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (!r.error.empty()) {
        Fail(r.error);
      } else if (r.check != "ok") {
        Fail(fmt::format("{} {}: DB check {}", StageName(kind), w.name, r.check));
      }
      if (kind == StageKind::kRawSqlite || kind == StageKind::kPlainHrana) {
        base = std::move(r);
      } else {
        sink = std::move(r);
      }
      server.Stop(SIGINT, std::chrono::seconds(10));
    }
    const double base_rate = base.write_s > 0 ? base.records / base.write_s : 0;
    baselines.Add({backend, w.name, sqld ? "plain libcurl Hrana" : "raw SQLite", source,
                   std::to_string(base.transactions ? base.records / base.transactions : 0),
                   Rate(base_rate), sink.write_s > 0 ? Rate(sink.records / sink.write_s) : "-",
                   fmt::format("{:.1f} / {:.1f}", CpuPerRecordUs(base), CpuPerRecordUs(sink)),
                   base.decode_s > 0 ? Rate(base.records / base.decode_s) : "-",
                   base.check == sink.check ? base.check : base.check + " / " + sink.check});
    return base.error.empty() && base.check == "ok" ? base_rate : 0;
  }

  // The workload's baselines, after its load runs: one with transactions of the load's own
  // batch size (the ack=durable run's avg batch, else the queued run's; none: skipped) and one
  // of --baseline-batch records (the store's ceiling); then the load rows' ratios to both.
  void Baselines(const std::string& backend, const Workload& w,
                 const std::vector<LoadFigures>& loads) {
    const LoadFigures* from = nullptr;
    for (const LoadFigures& f : loads) {
      if (f.avg_batch > 0 && (from == nullptr || f.ack == "durable")) {
        from = &f;
      }
    }
    double same = 0;
    uint64_t same_batch = 0;
    if (from != nullptr) {
      same_batch = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(from->avg_batch)));
      if (same_batch != o.baseline_batch) {
        same = Baseline(backend, w, same_batch,
                        fmt::format("{} run's avg batch {:.1f}", from->ack, from->avg_batch));
      }
    }
    const double ceiling = Baseline(backend, w, o.baseline_batch,
                                    fmt::format("--baseline-batch {}", o.baseline_batch));
    if (same_batch == o.baseline_batch) {
      same = ceiling;  // the load's batches were already that size: one baseline serves both
    }
    for (const LoadFigures& f : loads) {
      runs.Set(f.row, kSameBatchColumn, from != nullptr ? Ratio(f.rate, same) : "-");
      runs.Set(f.row, kCeilingColumn, Ratio(f.rate, ceiling));
    }
  }

  std::optional<RunResult> Load(const std::string& backend, const Workload& w,
                                const std::string& ack, double rate) {
    Child server;
    CollectorSpec c;
    c.binary = o.collector;
    c.extra_args = o.collector_args;
    std::string db;
    if (!FreshDb(backend, fmt::format("{}-{}-{}", backend, w.path.substr(4), ack), &server, &db,
                 &c.sqld_url)) {
      return std::nullopt;
    }
    if (backend == "embedded") {
      c.db_path = db;
    } else {
      c.server_pid = server.pid();
    }
    c.log_path = db + ".collector.log";
    // Every run its own spool: for an external sqld the default is "tracecollector.spool" in
    // the working directory, which one run's leftovers would replay into the next run's store.
    c.extra_args.insert(c.extra_args.begin(), {"--set", "spool.dir=" + db + ".spool"});
    if (ack == "queued") {
      // The drain is what "stop s" measures and what the check needs: let it finish (the
      // default deadline would spool the rest, and the check would count it as missing).
      c.extra_args.insert(c.extra_args.begin(), {"--set", "shutdown_timeout_ms=290000"});
    }
    LoadSpec load;
    load.target = w.path + "?ack=" + ack;
    load.workload = &w;
    load.connections = o.connections;
    load.threads = o.client_threads;
    load.duration_s = o.duration_s;
    load.rate = rate;
    if (o.max_records > 0) {
      const uint64_t per_request = uint64_t{w.units_per_request} * w.records_per_unit;
      load.max_requests = std::max<uint64_t>(1, o.max_records / per_request);
    }
    const double client_before = CpuSeconds(::getpid());
    RunResult r = RunAgainstCollector(c, load, ack == "queued");
    client_cpu_ = CpuSeconds(::getpid()) - client_before;
    server.Stop(SIGINT, std::chrono::seconds(10));
    if (!r.error.empty()) {
      Fail(r.error);
      return std::nullopt;
    }
    if (r.check != "ok") {
      Fail(fmt::format("{} {} ack={}: DB check {} (log {})", backend, w.name, ack, r.check,
                       c.log_path));
    }
    if (r.load.units_acked == 0) {
      Fail(fmt::format("{} {} ack={}: nothing acknowledged", backend, w.name, ack));
    }
    return r;
  }

  // Adds the run's row to `runs` (ratio columns "-" until Baselines() fills them in).
  std::optional<LoadFigures> LoadRow(const std::string& backend, const Workload& w,
                                     const std::string& ack) {
    const auto start = std::chrono::steady_clock::now();
    std::optional<RunResult> r = Load(backend, w, ack, 0);
    if (!r) {
      return std::nullopt;
    }
    const double seconds = r->load.elapsed_s;
    const double records = static_cast<double>(r->load.units_acked) * w.records_per_unit;
    const double rate = records / seconds;
    if (w.kind == WorkloadKind::kEvents1 && ack == "durable") {
      peak_1rec_durable[backend] = rate;
    }
    if (w.kind == WorkloadKind::kEvents100 || w.kind == WorkloadKind::kOtlp) {
      const int i = w.kind == WorkloadKind::kOtlp ? 1 : 0;
      OtlpPair& pair = otlp_vs_records[{backend, ack}];
      pair.rate[i] = rate;
      pair.per_cpu_s[i] = r->collector_cpu > 0 ? records / r->collector_cpu : 0;
      pair.rss[i] = Fixed(r->peak_rss_kib / 1024.0, 1);
    }
    auto& lat = r->load.latency_ms;
    const double p50 = Percentile(&lat, 0.5);
    const double p99 = Percentile(&lat, 0.99);
    const double p999 = Percentile(&lat, 0.999);
    const LoadFigures figures{runs.size(), ack, rate, r->avg_batch};
    runs.Add({backend, w.name, ack, std::to_string(o.connections), Rate(rate),
              Rate(r->load.requests / seconds), Fixed(p50, 2), Fixed(p99, 2), Fixed(p999, 2),
              FormatErrors(r->load.errors), Fixed(r->peak_rss_kib / 1024.0, 1),
              r->avg_batch > 0 ? Fixed(r->avg_batch, 1) : "-",
              fmt::format("{:.0f}/{}/{:.0f}", 100 * r->collector_cpu / seconds,
                          backend == "sqld" ? Fixed(100 * r->server_cpu / seconds, 0) : "-",
                          100 * client_cpu_ / seconds),
              Fixed(r->stop_s, 1), "-", "-", r->check});
    fmt::print(stderr,
               "  {} {} ack={}: {:.0f} records/s, p99 {:.2f} ms, stop {:.1f} s, {} ({:.1f} s)\n",
               backend, w.name, ack, rate, p99, r->stop_s, r->check,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return figures;
  }

  void LatencyRow(const std::string& backend) {
    double rate = o.latency_rate;
    if (rate < 0) {
      const auto peak = peak_1rec_durable.find(backend);
      if (peak == peak_1rec_durable.end()) {
        return;  // no closed-loop 1 rec/req durable figure to take a fraction of
      }
      rate = o.latency_fraction * peak->second;
    }
    if (rate <= 0) {
      return;
    }
    const Workload w = MakeWorkload(WorkloadKind::kEvents1);
    std::optional<RunResult> r = Load(backend, w, "durable", rate);
    if (!r) {
      return;
    }
    auto& lat = r->load.latency_ms;
    latency.Add({backend, w.name + " durable", Rate(rate),
                 Rate(r->load.requests / r->load.elapsed_s), Fixed(Percentile(&lat, 0.5), 2),
                 Fixed(Percentile(&lat, 0.99), 2), Fixed(Percentile(&lat, 0.999), 2),
                 FormatErrors(r->load.errors), Fixed(r->peak_rss_kib / 1024.0, 1), r->check});
  }

  int Run() {
    fmt::print("machine: {}\n", MachineLine());
    fmt::print("collector: {}\n", o.collector);
    fmt::print(
        "runs: {:.1f} s each, {} connections, {} client thread(s); baselines {:.1f} s each, "
        "transactions of the load's avg batch and of {} records{}\n\n",
        o.duration_s, o.connections, o.client_threads, o.baseline_duration_s, o.baseline_batch,
        o.smoke ? " (SMOKE: not figures)" : "");
    std::fflush(stdout);
    for (const std::string& backend : o.backends) {
      for (WorkloadKind kind : o.workloads) {
        const Workload w = MakeWorkload(kind);
        std::vector<LoadFigures> loads;
        for (const std::string& ack : o.acks) {
          if (std::optional<LoadFigures> f = LoadRow(backend, w, ack)) {
            loads.push_back(*f);
          }
        }
        if (o.baselines) {
          Baselines(backend, w, loads);  // after the loads: the same-batch size is theirs
        }
      }
      if (o.latency) {
        LatencyRow(backend);
      }
    }
    fmt::print("Load (closed loop; records/s acknowledged; latency per request)\n\n{}\n",
               runs.Render());
    for (const auto& [key, p] : otlp_vs_records) {
      if (p.rate[0] > 0 && p.rate[1] > 0) {
        const double ratio = p.rate[1] / p.rate[0];
        otlp.Add({key.first, key.second, Rate(p.rate[0]), Rate(p.rate[1]),
                  fmt::format("{:.0f}%", 100 * ratio),
                  Rate(p.per_cpu_s[0]) + " / " + Rate(p.per_cpu_s[1]),
                  Ratio(p.per_cpu_s[1], p.per_cpu_s[0]), p.rss[0] + " / " + p.rss[1],
                  ratio >= 0.8 ? "met" : "NOT met"});
      }
    }
    if (!otlp.empty()) {
      fmt::print(
          "OTLP protobuf (100 spans per request) vs /v1/records (100 records per request), this "
          "run. The\nper-CPU-second ratio is the one that survives a busy machine (the two runs "
          "are not at the same time)\n\n{}\n",
          otlp.Render());
    }
    if (!baselines.empty()) {
      fmt::print(
          "Baselines (same records, written directly; records/s). Per workload: transactions "
          "of the load's\nown batch size (the ack=durable run's avg batch, rounded: the "
          "\"same-batch\" ratio) and of\n{} records (the store's ceiling)\n\n{}\n",
          o.baseline_batch, baselines.Render());
    }
    if (!latency.empty()) {
      fmt::print("Latency at a fixed rate (open loop, {} connections)\n\n{}\n", o.connections,
                 latency.Render());
    }
    fmt::print("machine at the end: {}\n", MachineLine());
    fmt::print("{}\n", failures == 0 ? "all database checks passed"
                                     : fmt::format("{} FAILURE(S), see above", failures));
    return failures == 0 ? 0 : 1;
  }
};

bool Executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace
}  // namespace tc::bench

int main(int argc, char** argv) {
  tc::bench::Options options;
  bool help = false;
  std::string error;
  if (!tc::bench::ParseOptions(argc, argv, &options, &help, &error)) {
    fmt::print(stderr, "loadgen: {}\n{}", error, tc::bench::Usage());
    return 2;
  }
  if (help) {
    fmt::print("{}", tc::bench::Usage());
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_ALL);
  tc::log::SetLevel(tc::log::Level::kWarn);
  if (options.collector.empty()) {
    options.collector = TC_BENCH_COLLECTOR;
  }
  if (!tc::bench::Executable(options.collector)) {
    fmt::print(stderr, "loadgen: no collector binary at '{}' (--collector)\n", options.collector);
    return 2;
  }
  for (const char* env : {"SQLD_BINARY", "TC_TURSODB"}) {
    if (options.tursodb.empty() && std::getenv(env) != nullptr) {
      options.tursodb = std::getenv(env);
    }
  }
  if (options.tursodb.empty()) {
    options.tursodb = TC_BENCH_TURSODB;
  }
  auto& backends = options.backends;
  if (std::erase(backends, std::string("sqld")) > 0) {
    if (tc::bench::Executable(options.tursodb)) {
      backends.push_back("sqld");
    } else {
      fmt::print("sqld backend skipped: no tursodb at '{}' (--tursodb, $SQLD_BINARY)\n",
                 options.tursodb);
    }
  }
  bool made_workdir = false;
  if (options.workdir.empty()) {
    char dir[] = "/tmp/tc-bench-XXXXXX";
    if (::mkdtemp(dir) == nullptr) {
      fmt::print(stderr, "loadgen: mkdtemp failed\n");
      return 2;
    }
    options.workdir = dir;
    made_workdir = true;
  } else {
    std::filesystem::create_directories(options.workdir);
  }
  tc::bench::Bench bench{options};
  const int rc = bench.Run();
  if (made_workdir && !options.keep && rc == 0) {
    std::filesystem::remove_all(options.workdir);
  } else {
    fmt::print("databases and logs kept in {}\n", options.workdir);
  }
  curl_global_cleanup();
  return rc;
}
