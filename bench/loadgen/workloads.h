#pragma once

// The request shapes the benchmark sends, as body templates with unique ids:
//   kEvents1    POST /v1/records, 1 `event` record (cais, with an `id`) per request
//   kEvents100  POST /v1/records, 100 such records per request (one session per request)
//   kTraces     POST /v1/traces, 1 synth-ai SessionTrace document per request: 10 timesteps,
//               each with an LLM (cais) event, an environment event (with a reward) and two
//               messages, written as SessionTrace.to_dict() does (every event and message both
//               in its step and in the history lists)
// A "unit" is what one acknowledgement counts: a record, or a whole document.

#include <cstdint>
#include <string>
#include <string_view>

#include "loadgen/body_template.h"

namespace tc::bench {

enum class WorkloadKind { kEvents1, kEvents100, kTraces, kOtlp };

// Rows the database gains per acknowledged unit (or, as `Workload::per_request`, per
// acknowledged request).
struct RowsPerUnit {
  int64_t sessions = 0;  // traces: 1 per document; records: sessions are shared (not checked)
  int64_t timesteps = 0;
  int64_t events = 0;
  int64_t messages = 0;
  int64_t event_rewards = 0;
  int64_t keys = 0;  // tc_idempotency rows
};

struct Workload {
  WorkloadKind kind;
  std::string name;            // for the table: "1 rec/req", "100 rec/req", "trace"
  std::string path;            // "/v1/records" or "/v1/traces" (without the query)
  uint32_t units_per_request;  // records per request, or documents per request
  uint32_t records_per_unit;   // 1, or the records a document expands into (51)
  RowsPerUnit rows;
  BodyTemplate body;
  std::string content_type = "application/json";
  // Rows per acknowledged request on top of `rows` (kOtlp: the trace's session and timestep).
  RowsPerUnit per_request = {};
  // Whether the sessions can be counted (records share a session per connection: not checked).
  bool check_sessions = false;
};

inline constexpr int kTraceSteps = 10;
inline constexpr uint32_t kOtlpSpans = 100;  // spans per kOtlp request

// The kOtlp request body alone (trace id: conn 0, request `seq`): for bench/otlp_decode_bench.
std::string OtlpBody(uint32_t spans, uint64_t seq);

Workload MakeWorkload(WorkloadKind kind);

// "1", "100", "trace", "otlp" (command-line names).
bool ParseWorkloadKind(std::string_view text, WorkloadKind* out);

}  // namespace tc::bench
