#include "loadgen/baseline_runner.h"

#include <time.h>

#include <chrono>
#include <memory>
#include <variant>
#include <vector>

#include "baseline/hrana_plain.h"
#include "baseline/raw_sqlite.h"
#include "ingest/decoder.h"
#include "loadgen/db_count.h"
#include "otlp/otlp.h"
#include "sink/hrana/hrana_sink.h"
#include "sink/sqlite/sqlite_sink.h"

namespace tc::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kPadding = 64;  // >= simdjson::SIMDJSON_PADDING

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The writer under test behind one interface.
class Writer {
 public:
  virtual ~Writer() = default;
  virtual bool Write(std::span<const schema::Record> records, std::string* error) = 0;
};

class RawWriter : public Writer {
 public:
  bool Open(const StageSpec& spec, std::string* error) {
    return raw_.Open(spec.db_path, spec.synchronous, error);
  }
  bool Write(std::span<const schema::Record> records, std::string* error) override {
    return raw_.Write(records, error);
  }

 private:
  RawSqliteWriter raw_;
};

class PlainWriter : public Writer {
 public:
  bool Open(const StageSpec& spec, std::string* error) { return plain_.Open(spec.base_url, error); }
  // Encoding is the collector's work, done before the clock runs: see hrana_plain.h.
  void Prepare(std::span<const schema::Record> records) {
    bodies_.clear();
    plain_.Encode(records, &bodies_);
  }
  bool Write(std::span<const schema::Record>, std::string* error) override {
    for (const std::string& body : bodies_) {
      if (!plain_.Post(body, error)) {
        return false;
      }
    }
    return true;
  }

 private:
  PlainHranaClient plain_;
  std::vector<std::string> bodies_;
};

class SinkWriter : public Writer {
 public:
  explicit SinkWriter(std::unique_ptr<sink::Sink> sink) : sink_(std::move(sink)) {}
  bool Open(std::string* error) {
    if (Status s = sink_->Open(); !s.ok()) {
      *error = s.ToString();
      return false;
    }
    return true;
  }
  bool Write(std::span<const schema::Record> records, std::string* error) override {
    if (Status s = sink_->Write(records, &results_); !s.ok()) {
      *error = s.ToString();
      return false;
    }
    for (const auto& r : results_) {
      if (r.outcome != sink::RecordOutcome::kStored) {
        *error = "a record was not stored: " + r.message;
        return false;
      }
    }
    return true;
  }

 private:
  std::unique_ptr<sink::Sink> sink_;
  std::vector<sink::RecordResult> results_;
};

std::unique_ptr<Writer> OpenWriter(const StageSpec& spec, PlainWriter** plain, std::string* error) {
  *plain = nullptr;
  switch (spec.kind) {
    case StageKind::kRawSqlite: {
      auto w = std::make_unique<RawWriter>();
      return w->Open(spec, error) ? std::move(w) : nullptr;
    }
    case StageKind::kPlainHrana: {
      auto w = std::make_unique<PlainWriter>();
      *plain = w.get();
      return w->Open(spec, error) ? std::move(w) : nullptr;
    }
    case StageKind::kSqliteSink: {
      auto sink = sink::SqliteSink::Create({spec.db_path, spec.synchronous, 5000});
      if (!sink.has_value()) {
        *error = sink.error().ToString();
        return nullptr;
      }
      auto w = std::make_unique<SinkWriter>(std::move(*sink));
      return w->Open(error) ? std::move(w) : nullptr;
    }
    case StageKind::kHranaSink: {
      sink::HranaSinkOptions options;
      options.client.url = spec.base_url;
      options.client.pool.timeout_ms = 60000;
      auto sink = sink::HranaSink::Create(options);
      if (!sink.has_value()) {
        *error = sink.error().ToString();
        return nullptr;
      }
      auto w = std::make_unique<SinkWriter>(std::move(*sink));
      return w->Open(error) ? std::move(w) : nullptr;
    }
  }
  return nullptr;
}

}  // namespace

const char* StageName(StageKind kind) {
  switch (kind) {
    case StageKind::kRawSqlite:
      return "raw SQLite";
    case StageKind::kPlainHrana:
      return "plain Hrana client";
    case StageKind::kSqliteSink:
      return "SqliteSink alone";
    case StageKind::kHranaSink:
      return "HranaSink alone";
  }
  return "?";
}

StageResult RunStage(const StageSpec& spec) {
  StageResult result;
  PlainWriter* plain = nullptr;
  std::unique_ptr<Writer> writer = OpenWriter(spec, &plain, &result.error);
  if (!writer) {
    result.error = std::string(StageName(spec.kind)) + ": " + result.error;
    return result;
  }
  const Workload& w = *spec.workload;
  const ingest::IngestLimits limits;
  const otlp::DecodeLimits otlp_limits;
  const otlp::MappingOptions otlp_options;
  std::string body;
  std::string padded;
  std::vector<schema::Record> records;
  uint64_t request = 0;
  const auto wall_start = Clock::now();
  while (result.write_s < spec.duration_s && Since(wall_start) < 4 * spec.duration_s + 1) {
    records.clear();
    uint64_t units = 0;
    uint64_t extra_records = 0;  // added for the raw baseline, not the workload's records
    while (records.size() - extra_records < spec.batch_records) {
      const auto conn = static_cast<uint32_t>(request % spec.connections);
      w.body.Fill(conn, request / spec.connections, &body);
      ++request;
      padded.assign(body);
      padded.append(kPadding, '\0');
      const std::string_view view(padded.data(), body.size());
      const auto start = Clock::now();
      if (w.kind == WorkloadKind::kOtlp) {
        // Decoding and mapping (otlp::Convert), as the collector's ingest handler does it.
        auto converted = otlp::Convert(view, otlp::Encoding::kProtobuf, otlp_limits, otlp_options);
        result.decode_s += Since(start);
        if (!converted.has_value() || converted->rejected_spans != 0 ||
            converted->llm_spans != w.units_per_request) {
          result.error =
              "the workload's body does not convert: " +
              (converted.has_value() ? converted->rejected_message : converted.error().ToString());
          return result;
        }
        if (spec.kind == StageKind::kRawSqlite && !converted->records.empty()) {
          // The raw baseline's minimal SQL does not create a step on the fly as the collector's
          // write plan does (its EnsureTimestep): give it the trace's step as a record (no key,
          // not counted as a record below), the row the collector adds implicitly.
          const auto& first = std::get<schema::EventRecord>(converted->records.front().body);
          schema::TimestepRecord step;
          step.session_id = first.session_id;
          step.step_id = first.step_id.value_or("");
          step.step_index = 0;  // the session's first step (one session per trace)
          step.started_at = first.created_at;
          records.push_back(schema::Record{"", std::move(step)});
          ++extra_records;
        }
        std::move(converted->records.begin(), converted->records.end(),
                  std::back_inserter(records));
        units += w.units_per_request;
        continue;
      }
      auto decoded = w.kind == WorkloadKind::kTraces
                         ? ingest::DecodeTraces(view, limits)
                         : ingest::DecodeRecords(view, ingest::BodyFormat::kJson, limits);
      result.decode_s += Since(start);
      if (!decoded.has_value() || !decoded->errors.empty()) {
        result.error =
            "the workload's body does not decode: " +
            (decoded.has_value() ? decoded->errors[0].message : decoded.error().ToString());
        return result;
      }
      std::move(decoded->records.begin(), decoded->records.end(), std::back_inserter(records));
      units += w.units_per_request;
    }
    if (plain != nullptr) {
      plain->Prepare(records);
    }
    const auto start = Clock::now();
    const double cpu_start = ThreadCpuSeconds();
    if (!writer->Write(records, &result.error)) {
      result.error = std::string(StageName(spec.kind)) + ": " + result.error;
      return result;
    }
    result.write_cpu_s += ThreadCpuSeconds() - cpu_start;
    result.write_s += Since(start);
    result.units += units;
    result.records += records.size() - extra_records;
    ++result.transactions;
  }
  writer.reset();
  DbCounts counts;
  std::string error;
  const bool counted = spec.base_url.empty() ? CountSqlite(spec.db_path, &counts, &error)
                                             : CountHrana(spec.base_url, &counts, &error);
  result.check = counted ? CheckCounts(w, result.units, counts) : "FAIL " + error;
  return result;
}

}  // namespace tc::bench
