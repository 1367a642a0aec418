#include "loadgen/workloads.h"

#include <fmt/format.h>

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

}  // namespace

Workload MakeWorkload(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kEvents1:
      return Records(kind, 1);
    case WorkloadKind::kEvents100:
      return Records(kind, 100);
    case WorkloadKind::kTraces:
      return Traces();
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
  } else {
    return false;
  }
  return true;
}

}  // namespace tc::bench
