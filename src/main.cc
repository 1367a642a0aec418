// tracecollector: durable trace collector for LLM agents. Wiring lives in app/collector.cc;
// this file only turns the command line into a config, handles signals (SIGTERM/SIGINT: ordered
// shutdown; SIGHUP: reload what is safe), talks to systemd and sets the exit code.

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/collector.h"
#include "app/service_watchdog.h"
#include "common/log.h"
#include "common/sd_notify.h"
#include "config/config.h"
#include "metrics/metrics.h"

extern char** environ;

namespace {

void ApplyLogConfig(const tc::config::LogConfig& log) {
  tc::log::Level level;
  if (tc::log::ParseLevel(log.level, &level)) {
    tc::log::SetLevel(level);
  }
  tc::log::Format format;
  if (tc::log::ParseFormat(log.format, &format)) {
    tc::log::SetFormat(format);
  }
}

// Deprecated key names used (each names its replacement).
void LogWarnings(const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) {
    TC_LOG(kWarn, "config", "{}", warning);
  }
}

void Notify(const std::string& state) {
  if (tc::Status st = tc::sd::Notify(state); !st.ok()) {
    TC_LOG_LIMITED(kWarn, "systemd", "notify failed: {}", st.ToString());
  }
}

// The sections that differ (they need a restart to take effect), as "a, b".
std::string ChangedSections(const tc::config::Config& a, const tc::config::Config& b) {
  std::string out;
  auto add = [&out](bool changed, const char* name) {
    if (changed) {
      out += out.empty() ? "" : ", ";
      out += name;
    }
  };
  add(a.http != b.http, "http");
  add(a.tls != b.tls, "tls");
  add(a.ingest != b.ingest, "ingest");
  add(a.queue != b.queue, "queue");
  add(a.batch != b.batch, "batch");
  add(a.retry != b.retry, "retry");
  add(a.backend != b.backend, "backend");
  add(a.embedded != b.embedded, "embedded");
  add(a.sqld != b.sqld, "sqld");
  add(a.spool != b.spool, "spool");
  add(a.auth != b.auth, "auth");
  add(a.shutdown_timeout_ms != b.shutdown_timeout_ms, "shutdown_timeout_ms");
  return out;
}

// SIGHUP: re-reads the configuration the way startup did (same flags, file, environment) and
// applies log.level and log.format, and re-reads the TLS certificate, key and client CA files
// (the files named at startup). Everything else needs a restart: logged, not applied.
void Reload(const std::vector<std::string>& args, const std::vector<std::string>& env,
            tc::config::Config* current, tc::app::Collector& collector) {
  Notify("RELOADING=1\n" + tc::sd::MonotonicUsecField());
  (void)collector.ReloadTls();  // logs and counts its own outcome
  auto reloaded = tc::config::Load(args, env);
  if (!reloaded) {
    TC_LOG(kError, "app", "SIGHUP: configuration invalid, nothing changed: {}",
           reloaded.error().message());
  } else {
    const tc::config::Config& next = reloaded->config;
    LogWarnings(reloaded->warnings);
    if (next.log != current->log) {
      TC_LOG(kInfo, "app", "SIGHUP: log.level {} -> {}, log.format {} -> {}", current->log.level,
             next.log.level, current->log.format, next.log.format);
      ApplyLogConfig(next.log);
      current->log = next.log;
    } else {
      TC_LOG(kInfo, "app", "SIGHUP: configuration re-read; log settings unchanged");
    }
    if (std::string changed = ChangedSections(*current, next); !changed.empty()) {
      TC_LOG(kWarn, "app", "SIGHUP: changes in [{}] need a restart; not applied", changed);
    }
  }
  Notify("READY=1\nSTATUS=" + tc::app::StatusLine(tc::metrics::Global()));
}

}  // namespace

int main(int argc, char** argv) {
  // The memory bound (docs/reliability.md): blocks of 16 KiB and more (request bodies, batch
  // arrays, large answers) are mapped and unmapped on their own. In the heap, a body freed
  // between records that stay queued would leave holes only the next body of the same size
  // can reuse, and glibc's default (a threshold that rises up to 32 MiB as large blocks are
  // freed) keeps them there: at 512 connections sending 30 KB bodies the peak RSS was 8-12 MiB
  // higher. A fixed threshold also stops the rise.
  mallopt(M_MMAP_THRESHOLD, 16 << 10);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);

  auto invocation = tc::config::Load(args, env);
  if (!invocation) {
    std::fprintf(stderr, "tracecollector: configuration error: %s\n",
                 invocation.error().message().c_str());
    return 2;
  }
  tc::config::Config config = invocation->config;
  if (invocation->show_help) {
    std::fputs(tc::config::HelpText().c_str(), stdout);
    return 0;
  }
  if (invocation->show_version) {
    std::printf("tracecollector %.*s\n", static_cast<int>(tc::metrics::Version().size()),
                tc::metrics::Version().data());
    return 0;
  }
  ApplyLogConfig(config.log);
  LogWarnings(invocation->warnings);
  if (invocation->check_config) {
    auto choice = tc::app::ChooseBackend(config);
    std::fputs(tc::config::ToToml(config).c_str(), stdout);
    std::printf("# backend resolves to: %s (%s)\n", tc::config::BackendName(choice.backend),
                choice.reason.c_str());
    // The pre-flight a start would make: whatever would stop it is an error here too.
    auto problems = tc::app::Preflight(config, choice);
    std::fflush(stdout);
    for (const std::string& warning : tc::app::PreflightWarnings(config)) {
      std::fprintf(stderr, "tracecollector: warning: %s\n", warning.c_str());
    }
    for (const tc::Status& problem : problems) {
      std::fprintf(stderr, "tracecollector: configuration error: %s\n", problem.message().c_str());
    }
    return problems.empty() ? 0 : 2;
  }

  // Signals are taken synchronously by this thread (sigwait); every thread created from here on
  // inherits the blocked mask. SIGPIPE: broken connections are handled as error codes.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto collector = tc::app::Collector::Create(config);
  if (!collector) {
    TC_LOG(kError, "app", "cannot start: {}", collector.error().ToString());
    return 1;
  }
  if (auto st = (*collector)->Start(); !st.ok()) {
    TC_LOG(kError, "app", "cannot start: {}", st.ToString());
    (*collector)->Shutdown();
    return 1;
  }
  // The port is bound and the sink open (Create), the HTTP threads run (Start): ready.
  Notify("READY=1\nSTATUS=listening on " + (*collector)->listen_address());
  std::unique_ptr<tc::app::ServiceWatchdog> watchdog;
  if (auto timeout = tc::sd::WatchdogTimeout(); timeout && tc::sd::NotifyEnabled()) {
    watchdog = std::make_unique<tc::app::ServiceWatchdog>(tc::metrics::Global(), *timeout / 2,
                                                          *timeout);
    TC_LOG(kInfo, "systemd", "watchdog pings every {} ms", timeout->count() / 2000);
  }

  int received = 0;
  while (true) {
    sigwait(&signals, &received);
    if (received != SIGHUP) {
      break;
    }
    Reload(args, env, &config, **collector);
  }
  TC_LOG(kInfo, "app", "received {}", received == SIGINT ? "SIGINT" : "SIGTERM");
  Notify("STOPPING=1\nSTATUS=draining the queue");
  (*collector)->Shutdown();
  if (watchdog) {
    watchdog->Stop();
  }
  // Exit status (--help, docs/troubleshooting.md): 0 clean stop, 1 startup failure, 2 usage or
  // configuration error, 3 the supervised sqld child crash-looped and was given up on.
  return (*collector)->child_failed() ? 3 : 0;
}
