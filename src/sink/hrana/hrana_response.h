#pragma once

// Parses Hrana pipeline responses (simdjson on-demand, no exceptions):
//   {"baton":..,"base_url":..,"results":[{"type":"ok","response":{...}} |
//                                         {"type":"error","error":{"message":..,"code":..}}]}
// Batch step results keep only ok / error / skipped (the rows of our writes are never needed);
// execute results keep columns and rows (probes, reads in tests).

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/sql_value.h"

namespace tc::sink::hrana {

struct Error {
  std::string message;
  std::string code;
};

struct StepResult {
  enum class State : uint8_t { kSkipped, kOk, kError };
  State state = State::kSkipped;
  Error error;  // kError only
};

struct StmtResult {
  std::vector<std::string> cols;
  // Values: null, integer, float (null when the server sent a non-finite one), text; a blob is
  // kept as its base64 text.
  std::vector<std::vector<storage::SqlValue>> rows;
  uint64_t affected_row_count = 0;  // sqld only: tursodb always reports 0
};

struct StreamResult {
  bool ok = false;
  Error error;                    // !ok
  std::string type;               // response type when ok: "execute", "batch", "close", ...
  StmtResult execute;             // type == "execute"
  std::vector<StepResult> steps;  // type == "batch", one per step
};

struct PipelineResponse {
  std::vector<StreamResult> results;
};

// `body` is padded in place (capacity grows by simdjson's padding; contents unchanged).
// kInternal when the body is not a well-formed pipeline response.
Result<PipelineResponse> ParsePipelineResponse(std::string& body);

}  // namespace tc::sink::hrana
