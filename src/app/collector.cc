#include "app/collector.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "common/log.h"
#include "common/paths.h"
#include "pipeline_options.h"
#include "sink/hrana.h"
#include "sink/sqlite.h"

namespace tc::app {
namespace {

using Clock = std::chrono::steady_clock;

// The supervisor's state changes as metrics (sqld_child_state, sqld_child_restarts_total).
void RecordChildState(metrics::Metrics& metrics, supervisor::State state) {
  using supervisor::State;
  metrics::ChildState mapped = metrics::ChildState::kNone;
  switch (state) {
    case State::kIdle: mapped = metrics::ChildState::kNone; break;
    case State::kStarting: mapped = metrics::ChildState::kStarting; break;
    case State::kReady: mapped = metrics::ChildState::kReady; break;
    case State::kRestarting:
      mapped = metrics::ChildState::kRestarting;
      metrics.child_restarts.Add();
      break;
    case State::kFailed: mapped = metrics::ChildState::kFailed; break;
    case State::kStopping: mapped = metrics::ChildState::kStopping; break;
    case State::kStopped: mapped = metrics::ChildState::kStopped; break;
  }
  metrics.child_state.store(mapped, std::memory_order_relaxed);
}

}  // namespace

pipeline::PipelineOptions PipelineOptionsFrom(const config::Config& c) {
  pipeline::PipelineOptions o;
  o.capacity = {.max_records = c.queue.max_records, .max_bytes = c.queue.max_bytes};
  o.batch_max_records = c.batch.max_records;
  o.batch_max_bytes = c.batch.max_bytes;
  o.batch_max_delay = std::chrono::milliseconds(c.batch.max_delay_ms);
  o.retry = {.initial = std::chrono::milliseconds(c.retry.initial_ms),
             .max = std::chrono::milliseconds(c.retry.max_ms),
             .multiplier = c.retry.multiplier};
  // Validate() checked max_age (ParseRetentionAge), so it parses here.
  const Result<uint64_t> max_age = config::ParseRetentionAge(c.retention.max_age);
  o.retention.max_age = std::chrono::seconds(max_age.has_value() ? *max_age : 0);
  o.retention.max_db_bytes = c.retention.max_db_bytes;
  o.retention.interval = std::chrono::milliseconds(c.retention.interval_ms);
  o.retention.batch_sessions = c.retention.batch_sessions;
  return o;
}

BackendChoice ChooseBackend(const config::Config& config) {
  using config::Backend;
  using config::SqldMode;
  const auto& sqld = config.sqld;
  if (config.backend == Backend::kEmbedded) {
    return {Backend::kEmbedded, false, "backend = embedded"};
  }
  if (sqld.mode == SqldMode::kExternal && !sqld.url.empty()) {
    return {Backend::kSqld, false, "an external sqld URL is configured (" + sqld.url + ")"};
  }
  if (config.backend == Backend::kSqld) {
    return {Backend::kSqld, true, "backend = sqld: the collector starts and supervises it"};
  }
  // auto
  if (!sqld.binary.empty()) {
    return {Backend::kSqld, true, "auto: a sqld binary is configured (" + sqld.binary + ")"};
  }
  // The same search the supervisor's spawn makes (BuildServerPlan), so "found" means runnable.
  if (FindExecutable("sqld").has_value()) {
    return {Backend::kSqld, true, "auto: sqld found on PATH"};
  }
  return {Backend::kEmbedded, false, "auto: no sqld binary configured or on PATH"};
}

std::string SpoolDir(const config::Config& config, const BackendChoice& choice) {
  if (!config.spool.dir.empty()) return config.spool.dir;
  if (choice.backend == config::Backend::kEmbedded) return config.embedded.path + ".spool";
  if (choice.spawn_child) return config.sqld.db_path + ".spool";
  return "tracecollector.spool";
}

Collector::Collector(const config::Config& config) : config_(config) {}

Collector::~Collector() { Shutdown(); }

Result<std::unique_ptr<Collector>> Collector::Create(const config::Config& config) {
  std::unique_ptr<Collector> c(new Collector(config));
  c->choice_ = ChooseBackend(config);
  // A permanent local failure stops the start (exit 1); the spool is for a store that is away.
  if (std::vector<Status> problems = Preflight(config, c->choice_); !problems.empty()) {
    std::string all;
    for (const Status& problem : problems) all += (all.empty() ? "" : "; ") + problem.message();
    return Status::FailedPrecondition(all);
  }
  for (const std::string& warning : PreflightWarnings(config)) {
    TC_LOG(kWarn, "app", "{}", warning);
  }
  metrics::Metrics& metrics = metrics::Global();
  // The embedded sink, if that is the backend: its database file can be deleted or replaced
  // under it (SqliteSink's header), which /readyz reports and the writer checks when idle.
  sink::EmbeddedSink* embedded = nullptr;

  if (c->choice_.backend == config::Backend::kEmbedded) {
    TC_LOG(kInfo, "app", "backend embedded (SQLite file {}): {}", config.embedded.path,
           c->choice_.reason);
    TC_ASSIGN_OR_RETURN(auto sqlite, sink::CreateSqliteSink({
                                         .path = config.embedded.path,
                                         .synchronous = config.embedded.synchronous,
                                         .busy_timeout_ms = config.embedded.busy_timeout_ms,
                                         .message_index = config.embedded.message_index,
                                     }));
    embedded = sqlite.get();
    c->sink_ = std::move(sqlite);
    // Reads use their own read-only connections, one per io thread at most.
    c->reader_ = sink::CreateSqliteReader({
        .path = config.embedded.path,
        .connections = static_cast<uint32_t>(
            config.http.io_threads > 0 ? std::min(config.http.io_threads, 8) : 4),
        .busy_timeout_ms = config.embedded.busy_timeout_ms,
    });
  } else {
    std::string url = config.sqld.url;
    if (c->choice_.spawn_child) {
      supervisor::Supervisor::Options options;
      Collector* self = c.get();
      options.on_state = [](supervisor::State state, uint64_t /*generation*/) {
        RecordChildState(metrics::Global(), state);
      };
      options.on_failed = [self](const Status& why) {
        TC_LOG(kError, "app", "the sqld child keeps crashing ({}); shutting down",
               why.ToString());
        self->child_failed_ = true;
        ::kill(::getpid(), SIGTERM);  // main's signal wait starts the ordered shutdown
      };
      c->supervisor_ = std::make_unique<supervisor::Supervisor>(config.sqld, std::move(options));
      TC_RETURN_IF_ERROR(c->supervisor_->Start());
      url = c->supervisor_->base_url();
    }
    TC_LOG(kInfo, "app", "backend sqld at {}: {}", url, c->choice_.reason);
    TC_ASSIGN_OR_RETURN(auto hrana, sink::CreateHranaSink(config.sqld, url));
    c->sink_ = std::move(hrana);
    // Reads go through a client of their own, never the writer's connections.
    TC_ASSIGN_OR_RETURN(c->reader_, sink::CreateHranaReader(config.sqld, url));
  }
  pipeline::PipelineOptions pipeline_options = PipelineOptionsFrom(config);
  if (embedded != nullptr) pipeline_options.on_idle = [embedded] {
    embedded->Idle(std::chrono::steady_clock::now());
  };
  if (Status opened = c->sink_->Open(); !opened.ok()) {
    // A store that is not reachable yet (an external server starting after us) is what the
    // spool is for; anything else (bad URL, refused token, unwritable file) stops the start.
    if (!config.spool.enabled || !IsRetryable(opened)) return opened;
    TC_LOG(kWarn, "app", "{} not reachable at start ({}); accepting into the spool until it is",
           c->sink_->Describe(), opened.ToString());
    pipeline_options.sink_open = false;
    pipeline_options.sink_open_error = opened.ToString();
  }

  if (config.spool.enabled) {
    spool::SpoolOptions options{SpoolDir(config, c->choice_), config.spool.max_bytes,
                                config.spool.segment_bytes};
    TC_ASSIGN_OR_RETURN(c->spool_, spool::Spool::Open(options, metrics));
    TC_LOG(kInfo, "app", "spool at {} (up to {} bytes)", options.dir, options.max_bytes);
  }
  {
    // The stream's positions live with the collector's other local state, in the spool's
    // directory (also when the spool is off).
    const std::string dir = SpoolDir(config, c->choice_);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    feed::FeedOptions options{dir + "/stream-position", config.stream.buffer_records,
                              config.stream.buffer_bytes};
    TC_ASSIGN_OR_RETURN(c->feed_, feed::Feed::Open(options));
    feed::Feed* feed = c->feed_.get();
    pipeline_options.on_committed = [feed](std::span<const schema::Record> records,
                                           std::span<const sink::RecordResult> results) {
      feed->Publish(records, results);
    };
  }
  c->pipeline_ = std::make_unique<pipeline::Pipeline>(pipeline_options, *c->sink_, metrics,
                                                      c->spool_.get());
  Collector* self = c.get();
  auto readiness = [self, embedded]() -> pipeline::Readiness {
    pipeline::Readiness r = self->pipeline_->Ready();
    if (!r.status.ok()) return r;
    if (self->supervisor_ && !self->supervisor_->ready()) {
      r.status = Status::Unavailable(std::string("sqld child is ") +
                                     supervisor::StateName(self->supervisor_->state()));
    } else if (embedded != nullptr) {
      // Not ready while the database file is gone, even though the spool takes the records:
      // an operator has to put it back (or restart the collector).
      r.status = embedded->Health();
    }
    return r;
  };
  TC_ASSIGN_OR_RETURN(c->server_,
                      http::Server::Create(http::ServerOptions::FromConfig(config), *c->pipeline_,
                                           std::move(readiness), metrics, c->pipeline_.get(),
                                           c->reader_.get(), c->feed_.get()));
  return c;
}

Status Collector::Start() {
  pipeline_->Start();
  TC_RETURN_IF_ERROR(server_->Start());
  TC_LOG(kInfo, "app", "ready: sink {}, ack default {}", sink_->Describe(),
         config::AckModeName(config_.ingest.ack));
  return Status::Ok();
}

std::string Collector::listen_address() const {
  if (!server_) {
    return "";
  }
  const auto endpoint = server_->local_endpoint();
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

Status Collector::ReloadTls() { return server_ ? server_->ReloadTls() : Status::Ok(); }

void Collector::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (!supervisor_ && !sink_) return;  // Create stopped before anything was started
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::milliseconds(config_.shutdown_timeout_ms);
  TC_LOG(kInfo, "app", "shutting down: draining {} queued records (deadline {} ms)",
         pipeline_ ? pipeline_->held_records() : 0, config_.shutdown_timeout_ms);
  if (server_) server_->StopAccepting();
  if (pipeline_) pipeline_->Shutdown(deadline);
  // Every completion has fired; give the io threads a moment past the deadline to write them.
  if (server_) server_->Shutdown(std::max(deadline, Clock::now()) + std::chrono::seconds(2));
  server_.reset();
  reader_.reset();
  pipeline_.reset();
  feed_.reset();  // after the last commit: saves the exact stream position
  spool_.reset();
  sink_.reset();
  if (supervisor_) supervisor_->Stop();  // the child server goes last
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  TC_LOG(kInfo, "app", "stopped in {} ms", took.count());
}

}  // namespace tc::app
