// Issue 12: how fast is an OTLP body read on one core? Decodes the same body many times on one
// thread and prints spans/s for
//   decode   otlp::DecodeProtobuf / otlp::DecodeJson alone (src/otlp/model.h), into the model
//   map      the mapping alone (MapSpans: spans -> records, the events' JSON columns written)
//   convert  otlp::Convert = decode + map, what the collector's io thread runs per request
// on two bodies, each as protobuf and as OTLP/JSON:
//   js-sdk     tests/data/otlp/js_sdk_chat.{pb,json}: recorded from the OpenTelemetry JS SDK
//              (3 spans: chat, tool with an exception event and a link, agent)
//   loadgen    the loadgen's `otlp` body (bench/loadgen/workloads.cc): 100 GenAI chat spans of
//              one trace, 15 attributes each, no content; its JSON twin is written here from the
//              decoded protobuf (ids in hex, 64-bit integers as strings, as the JS exporter does)
// and, for comparison, ingest::DecodeRecords of the loadgen's `100` body (/v1/records, 100 cais
// event records), records/s.
//
//   build-bench/bench/otlp_decode_bench [--ms M] [--rounds N] [--profile S]
// Each figure is the median over N rounds (default 5) of M ms (default 300) of back-to-back
// calls; the rate is per second of the thread's CPU time (CLOCK_THREAD_CPUTIME_ID: what one core
// does, whatever else runs on the machine), wall-clock rate beside it. --profile S: only Convert
// of the loadgen's protobuf body for S CPU seconds, for perf. docs/performance.md "OTLP".

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ingest/decoder.h"
#include "loadgen/workloads.h"
#include "otlp/mapping.h"
#include "otlp/model.h"
#include "otlp/otlp.h"
#include "schema/records.h"

#ifndef TC_SOURCE_DIR
#define TC_SOURCE_DIR "."
#endif

namespace {

using namespace tc;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double WallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "otlp_decode_bench: cannot read {}\n", path);
    std::exit(1);
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A body with simdjson's padding after it (the decoders' contract); view() is the body alone.
struct Padded {
  explicit Padded(std::string body) : size(body.size()), text(std::move(body)) {
    text.append(simdjson::SIMDJSON_PADDING, '\0');
  }
  std::string_view view() const { return {text.data(), size}; }
  size_t size;
  std::string text;
};

// ---- the model as OTLP/JSON (the loadgen body's JSON twin) ----

void JsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      *out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void JsonKeyValues(std::string* out, const std::vector<otlp::KeyValue>& kvs);

void JsonAnyValue(std::string* out, const otlp::AnyValue& v) {
  using Kind = otlp::AnyValue::Kind;
  switch (v.kind) {
    case Kind::kString:
      *out += R"({"stringValue":)";
      JsonString(out, v.text);
      *out += "}";
      return;
    case Kind::kBool:
      *out += v.boolean ? R"({"boolValue":true})" : R"({"boolValue":false})";
      return;
    case Kind::kInt:
      // The JS exporter writes intValue as a number (docs/otlp design §4); either is accepted.
      *out += fmt::format(R"({{"intValue":{}}})", v.integer);
      return;
    case Kind::kDouble:
      *out += fmt::format(R"({{"doubleValue":{}}})", v.number);
      return;
    case Kind::kArray:
      *out += R"({"arrayValue":{"values":[)";
      for (size_t i = 0; i < v.array.size(); ++i) {
        if (i > 0) out->push_back(',');
        JsonAnyValue(out, v.array[i]);
      }
      *out += "]}}";
      return;
    case Kind::kKvList:
      *out += R"({"kvlistValue":{"values":)";
      JsonKeyValues(out, v.kvlist);
      *out += "}}";
      return;
    case Kind::kBytes:
    case Kind::kEmpty:
      *out += "{}";
      return;
  }
}

void JsonKeyValues(std::string* out, const std::vector<otlp::KeyValue>& kvs) {
  out->push_back('[');
  for (size_t i = 0; i < kvs.size(); ++i) {
    if (i > 0) out->push_back(',');
    *out += R"({"key":)";
    JsonString(out, kvs[i].key);
    *out += R"(,"value":)";
    JsonAnyValue(out, kvs[i].value);
    out->push_back('}');
  }
  out->push_back(']');
}

std::string ToOtlpJson(const otlp::ExportRequest& request) {
  std::string out = R"({"resourceSpans":[)";
  for (size_t r = 0; r < request.resource_spans.size(); ++r) {
    const otlp::ResourceSpans& rs = request.resource_spans[r];
    if (r > 0) out += ",";
    out += R"({"resource":{"attributes":)";
    JsonKeyValues(&out, rs.resource_attributes);
    out += R"(,"droppedAttributesCount":0},"scopeSpans":[)";
    for (size_t s = 0; s < rs.scope_spans.size(); ++s) {
      const otlp::ScopeSpans& ss = rs.scope_spans[s];
      if (s > 0) out += ",";
      out += R"({"scope":{"name":)";
      JsonString(&out, ss.scope_name);
      out += R"(,"version":)";
      JsonString(&out, ss.scope_version);
      out += R"(},"spans":[)";
      for (size_t i = 0; i < ss.spans.size(); ++i) {
        const otlp::Span& span = ss.spans[i];
        if (i > 0) out += ",";
        out += fmt::format(R"({{"traceId":"{}","spanId":"{}",)", span.trace_id, span.span_id);
        if (!span.parent_span_id.empty()) {
          out += fmt::format(R"("parentSpanId":"{}",)", span.parent_span_id);
        }
        out += R"("name":)";
        JsonString(&out, span.name);
        out += fmt::format(
            R"(,"kind":{},"startTimeUnixNano":"{}","endTimeUnixNano":"{}","attributes":)",
            span.kind, span.start_time_unix_nano, span.end_time_unix_nano);
        JsonKeyValues(&out, span.attributes);
        out += fmt::format(
            R"(,"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"status":{{"code":{}}},)"
            R"("links":[],"droppedLinksCount":0,"flags":257}})",
            span.status_code);
      }
      out += "]}";
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

// ---- timing ----

struct Rate {
  double per_cpu_s = 0;    // units per second of thread CPU time (median over rounds)
  double per_wall_s = 0;   // units per wall second (median over rounds)
  double us_per_call = 0;  // thread CPU µs per call (median)
};

// Calls `fn` back to back for `ms` per round, `rounds` times; `units` per call.
Rate Measure(const std::function<void()>& fn, size_t units, int ms, int rounds) {
  std::vector<double> cpu_rates, wall_rates, per_call;
  for (int round = 0; round < rounds; ++round) {
    uint64_t calls = 0;
    const double cpu0 = ThreadCpuSeconds();
    const double wall0 = WallSeconds();
    double cpu = 0;
    do {
      for (int i = 0; i < 16; ++i) fn();
      calls += 16;
      cpu = ThreadCpuSeconds() - cpu0;
    } while (cpu < ms / 1000.0);
    const double wall = WallSeconds() - wall0;
    cpu_rates.push_back(static_cast<double>(calls * units) / cpu);
    wall_rates.push_back(static_cast<double>(calls * units) / wall);
    per_call.push_back(1e6 * cpu / static_cast<double>(calls));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  return {median(cpu_rates), median(wall_rates), median(per_call)};
}

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "otlp_decode_bench: {}\n", what);
  std::exit(1);
}

otlp::ExportRequest MustDecode(const Padded& body, otlp::Encoding encoding,
                               const otlp::DecodeLimits& limits) {
  Result<otlp::ExportRequest> r = encoding == otlp::Encoding::kProtobuf
                                      ? otlp::DecodeProtobuf(body.view(), limits)
                                      : otlp::DecodeJson(body.view(), limits);
  if (!r.has_value()) Die("a body does not decode: " + r.error().ToString());
  return std::move(*r);
}

}  // namespace

int main(int argc, char** argv) {
  int ms = 300;
  int rounds = 5;
  double profile_s = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if ((flag == "--ms" || flag == "--rounds") && i + 1 < argc) {
      (flag == "--ms" ? ms : rounds) = std::max(1, std::atoi(argv[++i]));
    } else if (flag == "--profile" && i + 1 < argc) {
      profile_s = std::atof(argv[++i]);
    } else {
      fmt::print(stderr, "usage: otlp_decode_bench [--ms M] [--rounds N] [--profile S]\n");
      return 2;
    }
  }
  const otlp::DecodeLimits limits;
  const otlp::MappingOptions options;
  if (profile_s > 0) {
    // Only otlp::Convert of the loadgen's protobuf body, for S seconds: for a profiler
    // (perf record -g build-bench/bench/otlp_decode_bench --profile 10).
    const Padded body(bench::OtlpBody(bench::kOtlpSpans, 1));
    uint64_t calls = 0;
    const double start = ThreadCpuSeconds();
    while (ThreadCpuSeconds() - start < profile_s) {
      for (int i = 0; i < 16; ++i, ++calls) {
        Result<otlp::Conversion> c =
            otlp::Convert(body.view(), otlp::Encoding::kProtobuf, limits, options);
        if (!c.has_value()) Die("convert failed");
      }
    }
    fmt::print("{} requests, {:.0f} spans/s\n", calls,
               static_cast<double>(calls * bench::kOtlpSpans) / (ThreadCpuSeconds() - start));
    return 0;
  }

  struct Body {
    std::string name;
    otlp::Encoding encoding;
    Padded padded;
  };
  std::vector<Body> bodies;
  const std::string data = std::string(TC_SOURCE_DIR) + "/tests/data/otlp/";
  bodies.push_back(
      {"js-sdk 3 spans", otlp::Encoding::kProtobuf, Padded(ReadFile(data + "js_sdk_chat.pb"))});
  bodies.push_back(
      {"js-sdk 3 spans", otlp::Encoding::kJson, Padded(ReadFile(data + "js_sdk_chat.json"))});
  Padded loadgen_pb(bench::OtlpBody(bench::kOtlpSpans, 1));
  const std::string loadgen_json =
      ToOtlpJson(MustDecode(loadgen_pb, otlp::Encoding::kProtobuf, limits));
  bodies.push_back({"loadgen 100 spans", otlp::Encoding::kProtobuf, loadgen_pb});
  bodies.push_back({"loadgen 100 spans", otlp::Encoding::kJson, Padded(loadgen_json)});

  fmt::print(
      "otlp_decode_bench: median of {} rounds of {} ms; rates per second of thread CPU "
      "time (wall in parentheses)\n\n",
      rounds, ms);
  fmt::print(
      "| body | encoding | bytes | spans | decode spans/s | map spans/s | "
      "convert spans/s | convert µs/request | records out |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|\n");
  for (const Body& b : bodies) {
    const otlp::ExportRequest decoded = MustDecode(b.padded, b.encoding, limits);
    Result<otlp::Conversion> check = otlp::Convert(b.padded.view(), b.encoding, limits, options);
    if (!check.has_value()) Die("Convert failed: " + check.error().ToString());
    const size_t spans = decoded.span_count;
    const Rate decode = Measure(
        [&] {
          Result<otlp::ExportRequest> r = b.encoding == otlp::Encoding::kProtobuf
                                              ? otlp::DecodeProtobuf(b.padded.view(), limits)
                                              : otlp::DecodeJson(b.padded.view(), limits);
          if (!r.has_value()) Die("decode failed");
        },
        spans, ms, rounds);
    const Rate map = Measure(
        [&] {
          otlp::Conversion c = otlp::MapSpans(decoded, options);
          if (c.spans != spans) Die("map failed");
        },
        spans, ms, rounds);
    const Rate convert = Measure(
        [&] {
          Result<otlp::Conversion> c = otlp::Convert(b.padded.view(), b.encoding, limits, options);
          if (!c.has_value()) Die("convert failed");
        },
        spans, ms, rounds);
    fmt::print(
        "| {} | {} | {} | {} | {:.0f} ({:.0f}) | {:.0f} ({:.0f}) | {:.0f} ({:.0f}) | {:.1f} | "
        "{} |\n",
        b.name, b.encoding == otlp::Encoding::kProtobuf ? "protobuf" : "JSON", b.padded.size, spans,
        decode.per_cpu_s, decode.per_wall_s, map.per_cpu_s, map.per_wall_s, convert.per_cpu_s,
        convert.per_wall_s, convert.us_per_call, check->records.size());
    std::fflush(stdout);
  }

  // The /v1/records body of the same 100 LLM calls (the loadgen's `100` workload).
  const bench::Workload records = bench::MakeWorkload(bench::WorkloadKind::kEvents100);
  std::string body;
  records.body.Fill(0, 1, &body);
  const Padded padded(body);
  const ingest::IngestLimits ingest_limits;
  const Rate decode_records = Measure(
      [&] {
        auto r = ingest::DecodeRecords(padded.view(), ingest::BodyFormat::kJson, ingest_limits);
        if (!r.has_value() || r->records.size() != 100) Die("records decode failed");
      },
      100, ms, rounds);
  fmt::print(
      "\nFor comparison, /v1/records with the same 100 LLM calls as cais event records "
      "(ingest::DecodeRecords, {} bytes): {:.0f} ({:.0f}) records/s, {:.1f} µs/request\n",
      padded.size, decode_records.per_cpu_s, decode_records.per_wall_s, decode_records.us_per_call);

  // What a record weighs in the queue (schema::ApproximateSize: queue.max_bytes and
  // batch.max_bytes count it) and in the events row (its JSON columns).
  auto weigh = [](const std::vector<schema::Record>& rs, const char* what) {
    size_t approx = 0, metadata = 0, calls = 0, capacity = 0;
    for (const schema::Record& r : rs) {
      approx += schema::ApproximateSize(r);
      if (const auto* e = std::get_if<schema::EventRecord>(&r.body)) {
        metadata += e->metadata ? e->metadata->size() : 0;
        calls += e->call_records ? e->call_records->size() : 0;
        capacity += (e->metadata ? e->metadata->capacity() : 0) +
                    (e->call_records ? e->call_records->capacity() : 0);
      }
    }
    const double n = static_cast<double>(rs.size());
    fmt::print(
        "{}: {:.0f} bytes per record (ApproximateSize), metadata {:.0f} + call_records "
        "{:.0f} bytes of JSON in strings of capacity {:.0f}\n",
        what, static_cast<double>(approx) / n, static_cast<double>(metadata) / n,
        static_cast<double>(calls) / n, static_cast<double>(capacity) / n);
  };
  Result<otlp::Conversion> otlp_records =
      otlp::Convert(loadgen_pb.view(), otlp::Encoding::kProtobuf, limits, options);
  auto records_decoded =
      ingest::DecodeRecords(padded.view(), ingest::BodyFormat::kJson, ingest_limits);
  weigh(otlp_records->records, "otlp (loadgen 100 spans)");
  weigh(records_decoded->records, "/v1/records (loadgen 100 rec/req)");
  return 0;
}
