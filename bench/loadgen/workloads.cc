#include "loadgen/workloads.h"

#include <fmt/format.h>

#include <cstring>
#include <protozero/pbf_writer.hpp>
#include <stdexcept>

namespace tc::bench {
namespace {

// One synth-ai LLMCallRecord, trimmed to a realistic small chat completion.
constexpr std::string_view kCallRecord =
    R"({"call_id":"c0","api_type":"chat_completions","provider":"openai",)"
    R"("model_name":"gpt-4o-mini","schema_version":"1.0",)"
    R"("started_at":"2025-03-04T10:15:01.120000+00:00",)"
    R"("completed_at":"2025-03-04T10:15:01.940000+00:00","latency_ms":820,)"
    R"("request_params":{"temperature":0.2,"max_tokens":256},)"
    R"("input_messages":[{"role":"user","parts":[{"type":"text",)"
    R"("text":"Observation: tree at left; wood 0. What next?"}]}],)"
    R"("output_messages":[{"role":"assistant","parts":[{"type":"text",)"
    R"("text":"{\"action\": \"do\"}"}]}],)"
    R"("usage":{"input_tokens":412,"output_tokens":38,"total_tokens":450},)"
    R"("finish_reason":"stop","outcome":"success"})";

// The fields of an LLM event shared by the /v1/records record and the trace document.
void AppendLlmFields(BodyTemplate* t) {
  t->Append(R"("system_instance_id":"agent-llm","time_record":{"event_time":1741083301.35,)"
            R"("message_time":null},"model_name":"gpt-4o-mini","provider":"openai",)"
            R"("input_tokens":412,"output_tokens":38,"total_tokens":450,"cost_usd":8.46e-05,)"
            R"("latency_ms":820,"span_id":"span-c0","trace_id":"trace-7f3a","call_records":[)");
  t->Append(kCallRecord);
  t->Append("]");
}

void AppendEventRecord(BodyTemplate* t, uint32_t offset) {
  t->Append(R"({"type":"event","id":"ev-)");
  t->AppendConn();
  t->Append("-");
  t->AppendSeq(offset);
  t->Append(R"(","session_id":"bench-session-)");
  t->AppendConn();
  t->Append(R"(","event_type":"cais",)");
  AppendLlmFields(t);
  t->Append(R"(,"metadata":{"attempt":1}})");
}

Workload Records(WorkloadKind kind, uint32_t per_request) {
  Workload w{kind,
             per_request == 1 ? "1 rec/req" : fmt::format("{} rec/req", per_request),
             "/v1/records",
             per_request,
             1,
             {},
             {}};
  w.rows.events = 1;
  w.rows.keys = 1;
  w.body.set_units_per_request(per_request);
  w.body.Append(R"({"records":[)");
  for (uint32_t i = 0; i < per_request; ++i) {
    if (i > 0) {
      w.body.Append(",");
    }
    AppendEventRecord(&w.body, i);
  }
  w.body.Append("]}");
  return w;
}

std::string StepMeta(int step) { return fmt::format(R"({{"step_id":"turn_{}"}})", step); }

void AppendLlmEvent(BodyTemplate* t, int step) {
  t->Append("{");
  AppendLlmFields(t);
  t->Append(fmt::format(R"(,"metadata":{},"event_metadata":null,"system_state_before":{{"hp":{}}},)"
                        R"("system_state_after":{{"hp":{}}}}})",
                        StepMeta(step), 9 - step % 3, 9 - (step + 1) % 3));
}

void AppendEnvEvent(BodyTemplate* t, int step) {
  t->Append(
      fmt::format(R"({{"system_instance_id":"crafter-env","time_record":{{"event_time":{}.5,)"
                  R"("message_time":null}},"metadata":{},"event_metadata":null,"reward":0.{},)"
                  R"("terminated":false,"truncated":false,"system_state_before":{{"pos":[{},3]}},)"
                  R"("system_state_after":{{"pos":[{},3]}}}})",
                  1741083302 + step, StepMeta(step), step, step, step + 1));
}

void AppendMessage(BodyTemplate* t, int step, bool user) {
  t->Append(fmt::format(
      R"({{"content":{{"text":"{}","json_payload":null}},"message_type":"{}",)"
      R"("time_record":{{"event_time":{}.25,"message_time":{}}},"metadata":{}}})",
      user ? "Observation: tree at left; wood 0. What next?" : R"({\"action\": \"do\"})",
      user ? "user" : "assistant", 1741083301 + step, step * 2 + (user ? 0 : 1), StepMeta(step)));
}

template <typename F>
void AppendList(BodyTemplate* t, F&& item) {
  t->Append("[");
  for (int s = 1; s <= kTraceSteps; ++s) {
    if (s > 1) {
      t->Append(",");
    }
    item(s);
  }
  t->Append("]");
}

Workload Traces() {
  Workload w{WorkloadKind::kTraces, "trace", "/v1/traces", 1, 0, {}, {}};
  w.check_sessions = true;
  const int64_t events = 2 * kTraceSteps;
  const int64_t messages = 2 * kTraceSteps;
  w.rows = {1, kTraceSteps, events, messages, kTraceSteps, 1 + kTraceSteps + events + messages};
  w.records_per_unit = static_cast<uint32_t>(w.rows.keys);
  BodyTemplate& t = w.body;
  t.Append(R"({"session_id":"bench-trace-)");
  t.AppendConn();
  t.Append("-");
  t.AppendSeq(0);
  t.Append(R"(","created_at":"2025-03-04T10:15:00.000000+00:00",)"
           R"("metadata":{"env":"crafter","model":"gpt-4o-mini","run":"loadgen"},)"
           R"("session_metadata":null,"session_time_steps":)");
  AppendList(&t, [&](int s) {
    t.Append(fmt::format(
        R"({{"step_id":"turn_{}","step_index":{},"timestamp":"2025-03-04T10:15:{:02}.250000+00:00",)"
        R"("turn_number":{},"events":[)",
        s, s - 1, s, s));
    AppendLlmEvent(&t, s);
    t.Append(",");
    AppendEnvEvent(&t, s);
    t.Append(R"(],"markov_blanket_messages":[)");
    AppendMessage(&t, s, true);
    t.Append(",");
    AppendMessage(&t, s, false);
    t.Append(fmt::format(
        R"(],"step_metadata":{{"reward":0.{}}},"completed_at":"2025-03-04T10:15:{:02}.900000+00:00"}})",
        s % 10, s));
  });
  t.Append(R"(,"event_history":[)");
  for (int s = 1; s <= kTraceSteps; ++s) {
    t.Append(s > 1 ? "," : "");
    AppendLlmEvent(&t, s);
    t.Append(",");
    AppendEnvEvent(&t, s);
  }
  t.Append(R"(],"markov_blanket_message_history":[)");
  for (int s = 1; s <= kTraceSteps; ++s) {
    t.Append(s > 1 ? "," : "");
    AppendMessage(&t, s, true);
    t.Append(",");
    AppendMessage(&t, s, false);
  }
  t.Append("]}");
  return w;
}

// --- OTLP (kOtlp) -----------------------------------------------------------------------
// Field numbers: opentelemetry.proto (ExportTraceServiceRequest, ResourceSpans, ScopeSpans,
// Span, KeyValue, AnyValue; docs/otlp.md). The body is written once by protozero with a marker
// where the trace id goes; the marker becomes the template's holes (conn + seq digits: the
// 16 raw bytes of the id). Every hole has a fixed width, so no length prefix ever changes.
constexpr std::string_view kTraceIdMarker = "\x01TRACE_ID_HOLE_\x02";  // 16 bytes
static_assert(kTraceIdMarker.size() == BodyTemplate::kConnWidth + BodyTemplate::kSeqWidth);

using Pbf = protozero::pbf_writer;

void StringAttribute(Pbf& span_or_resource, uint32_t field, std::string_view key,
                     std::string_view value) {
  Pbf kv(span_or_resource, field);
  kv.add_string(1, key.data(), key.size());
  Pbf any(kv, 2);
  any.add_string(1, value.data(), value.size());  // AnyValue.string_value
}

void IntAttribute(Pbf& span, std::string_view key, int64_t value) {
  Pbf kv(span, 9);
  kv.add_string(1, key.data(), key.size());
  Pbf any(kv, 2);
  any.add_int64(3, value);  // AnyValue.int_value
}

void DoubleAttribute(Pbf& span, std::string_view key, double value) {
  Pbf kv(span, 9);
  kv.add_string(1, key.data(), key.size());
  Pbf any(kv, 2);
  any.add_double(4, value);  // AnyValue.double_value
}

// One GenAI chat span as the OpenAI instrumentations export it (semconv 1.37: the operation,
// provider, request and response models and parameters, usage, finish reasons, server), 15
// attributes; the same call as the kEvents100 record (gpt-4o-mini, 412/38 tokens, 820 ms).
void OtlpSpan(Pbf& scope_spans, uint32_t index) {
  Pbf span(scope_spans, 2);                                         // ScopeSpans.spans
  span.add_bytes(1, kTraceIdMarker.data(), kTraceIdMarker.size());  // trace_id
  const std::string span_id = fmt::format("sp{:06}", index);        // 8 bytes, unique in the trace
  span.add_bytes(2, span_id);
  span.add_bytes(4, "ag000001", 8);  // parent_span_id: the agent turn's span (not sent)
  span.add_string(5, "chat gpt-4o-mini");
  span.add_enum(6, 3);  // SPAN_KIND_CLIENT
  const uint64_t start = 1741083301'120000000ULL + uint64_t{index} * 1'000'000'000ULL;
  span.add_fixed64(7, start);
  span.add_fixed64(8, start + 820'000'000ULL);
  StringAttribute(span, 9, "gen_ai.operation.name", "chat");
  StringAttribute(span, 9, "gen_ai.provider.name", "openai");
  StringAttribute(span, 9, "gen_ai.agent.name", "agent-llm");
  StringAttribute(span, 9, "gen_ai.request.model", "gpt-4o-mini");
  DoubleAttribute(span, "gen_ai.request.temperature", 0.2);
  IntAttribute(span, "gen_ai.request.max_tokens", 256);
  StringAttribute(span, 9, "gen_ai.output.type", "text");
  StringAttribute(span, 9, "gen_ai.response.model", "gpt-4o-mini-2024-07-18");
  StringAttribute(span, 9, "gen_ai.response.id",
                  fmt::format("chatcmpl-B9MHDbslfzBeXs{:06}", index));
  {
    Pbf kv(span, 9);
    kv.add_string(1, "gen_ai.response.finish_reasons");
    Pbf any(kv, 2);
    Pbf array(any, 5);  // AnyValue.array_value
    Pbf value(array, 1);
    value.add_string(1, "stop");
  }
  IntAttribute(span, "gen_ai.usage.input_tokens", 412);
  IntAttribute(span, "gen_ai.usage.output_tokens", 38);
  StringAttribute(span, 9, "gen_ai.openai.response.service_tier", "default");
  StringAttribute(span, 9, "server.address", "api.openai.com");
  IntAttribute(span, "server.port", 443);
  // What the JS exporter writes explicitly even when zero (docs/otlp design §1.4).
  span.add_uint32(10, 0);  // dropped_attributes_count
  span.add_uint32(12, 0);  // dropped_events_count
  span.add_uint32(14, 0);  // dropped_links_count
  {
    Pbf status(span, 15);
    status.add_enum(3, 0);  // STATUS_CODE_UNSET
  }
  span.add_fixed32(16, 0x101);  // flags: sampled, has_is_remote
}

// An ExportTraceServiceRequest of `spans` spans, the trace id as kTraceIdMarker.
std::string OtlpMarkedBody(uint32_t spans) {
  std::string out;
  {
    Pbf request(out);
    Pbf resource_spans(request, 1);
    {
      Pbf resource(resource_spans, 1);
      StringAttribute(resource, 1, "service.name", "bench-agent");
      StringAttribute(resource, 1, "telemetry.sdk.language", "nodejs");
      StringAttribute(resource, 1, "telemetry.sdk.name", "opentelemetry");
      StringAttribute(resource, 1, "telemetry.sdk.version", "2.2.0");
      resource.add_uint32(2, 0);
    }
    Pbf scope_spans(resource_spans, 2);
    {
      Pbf scope(scope_spans, 1);
      scope.add_string(1, "@opentelemetry/instrumentation-openai");
      scope.add_string(2, "0.5.0");
    }
    for (uint32_t i = 0; i < spans; ++i) {
      OtlpSpan(scope_spans, i);
    }
  }
  return out;
}

// The marked body as a template: each marker becomes conn (4 digits) + seq (12 digits), the
// same in every span (one trace per request), unique per request.
void AppendOtlpBody(BodyTemplate* t, uint32_t spans) {
  const std::string body = OtlpMarkedBody(spans);
  size_t from = 0;
  uint32_t holes = 0;
  for (size_t at; (at = body.find(kTraceIdMarker, from)) != std::string::npos;) {
    t->Append(std::string_view(body).substr(from, at - from));
    t->AppendConn();
    t->AppendSeq(0);
    from = at + kTraceIdMarker.size();
    ++holes;
  }
  t->Append(std::string_view(body).substr(from));
  if (holes != spans) {
    throw std::logic_error(fmt::format("OTLP body: {} trace id holes for {} spans", holes, spans));
  }
}

Workload Otlp() {
  Workload w{WorkloadKind::kOtlp, "otlp 100 spans/req", "/v1/traces", kOtlpSpans, 1, {}, {}};
  w.content_type = "application/x-protobuf";
  w.rows.events = 1;            // one cais event per span (no message content)
  w.rows.keys = 1;              // ~otlp/<trace>/<span>
  w.per_request.sessions = 1;   // otel-<trace id>
  w.per_request.timesteps = 1;  // step_id = the trace id
  w.check_sessions = true;
  w.body.set_units_per_request(kOtlpSpans);
  AppendOtlpBody(&w.body, kOtlpSpans);
  return w;
}

}  // namespace

std::string OtlpBody(uint32_t spans, uint64_t seq) {
  BodyTemplate t;
  t.set_units_per_request(spans);
  AppendOtlpBody(&t, spans);
  std::string out;
  t.Fill(0, seq, &out);
  return out;
}

Workload MakeWorkload(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kEvents1:
      return Records(kind, 1);
    case WorkloadKind::kEvents100:
      return Records(kind, 100);
    case WorkloadKind::kTraces:
      return Traces();
    case WorkloadKind::kOtlp:
      return Otlp();
  }
  return Records(WorkloadKind::kEvents1, 1);
}

bool ParseWorkloadKind(std::string_view text, WorkloadKind* out) {
  if (text == "1") {
    *out = WorkloadKind::kEvents1;
  } else if (text == "100") {
    *out = WorkloadKind::kEvents100;
  } else if (text == "trace") {
    *out = WorkloadKind::kTraces;
  } else if (text == "otlp") {
    *out = WorkloadKind::kOtlp;
  } else {
    return false;
  }
  return true;
}

}  // namespace tc::bench
