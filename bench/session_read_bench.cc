// GET /v1/sessions/{id} of a large session (docs/performance.md "Reading a session"): starts the
// real collector (embedded backend) on a loopback port, posts one SessionTrace of N LM CAIS
// events (with call records) and M messages over 50 steps, then times repeated GETs of it and
// prints the figures. Not a test: nothing is asserted beyond the answers being 200.
//   session_read_bench [events=5000] [messages=2000] [gets=50]

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/collector_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

using tc::testing::CollectorProcess;
using tc::testing::HttpClient;
using tc::testing::TempDir;

namespace {

std::string Trace(int events, int messages, int steps) {
  std::string out =
      R"({"session_id":"bench-read","metadata":{"bench":true},"session_time_steps":[)";
  for (int s = 0; s < steps; ++s) {
    out += fmt::format(R"({}{{"step_id":"t{}","step_index":{},"turn_number":{}}})", s ? "," : "", s,
                       s, s);
  }
  out += R"(],"event_history":[)";
  for (int i = 0; i < events; ++i) {
    out += fmt::format(
        R"({}{{"system_instance_id":"policy","time_record":{{"event_time":{}.5,"message_time":{}}},)"
        R"("metadata":{{"step_id":"t{}"}},"model_name":"gpt-4o-mini","provider":"openai",)"
        R"("input_tokens":812,"output_tokens":64,"total_tokens":876,"cost_usd":0.0045,)"
        R"("latency_ms":930,"call_records":[{{"call_id":"c{}","api_type":"chat_completions",)"
        R"("input_messages":[{{"role":"user","parts":[{{"type":"text","text":"observation {} )"
        R"(with some words to make the record realistic in size"}}]}}],"output_messages":)"
        R"([{{"role":"assistant","parts":[{{"type":"text","text":"action {}"}}]}}],)"
        R"("usage":{{"input_tokens":812,"output_tokens":64}}}}]}})",
        i ? "," : "", 1740000000 + i, i, i % steps, i, i, i);
  }
  out += R"(],"markov_blanket_message_history":[)";
  for (int i = 0; i < messages; ++i) {
    out += fmt::format(
        R"({}{{"message_type":"{}","content":{{"text":"message {} of the bench session"}},)"
        R"("metadata":{{"step_id":"t{}"}}}})",
        i ? "," : "", i % 2 ? "assistant" : "user", i, i % steps);
  }
  out += "]}";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int messages = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int gets = argc > 3 ? std::atoi(argv[3]) : 50;
  TempDir dir;
  CollectorProcess collector({"--backend", "embedded", "--db", dir.File("bench.db")}, {},
                             dir.File("collector.log"));
  HttpClient client("127.0.0.1", collector.port());
  const std::string body = Trace(events, messages, 50);
  auto posted = client.Post("/v1/traces?ack=durable", body);
  if (posted.status != 200) {
    fmt::print(stderr, "POST answered {}: {}\n", posted.status, posted.body.substr(0, 300));
    return 1;
  }
  std::vector<double> ms;
  size_t bytes = 0;
  for (int i = 0; i < gets; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto got = client.Get("/v1/sessions/bench-read");
    const auto took = std::chrono::steady_clock::now() - start;
    if (got.status != 200) {
      fmt::print(stderr, "GET answered {}: {}\n", got.status, got.body.substr(0, 300));
      return 1;
    }
    bytes = got.body.size();
    ms.push_back(std::chrono::duration<double, std::milli>(took).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, size_t(p * ms.size()))]; };
  fmt::print(
      "GET /v1/sessions/{{id}}: {} events, {} messages, 50 steps; posted {:.1f} MB, "
      "answer {:.1f} MB\n",
      events, messages, body.size() / 1e6, bytes / 1e6);
  fmt::print(
      "{} GETs (loopback, keep-alive): min {:.1f} ms, p50 {:.1f} ms, p99 {:.1f} ms, "
      "max {:.1f} ms\n",
      gets, ms.front(), pct(0.5), pct(0.99), ms.back());
  return 0;
}
