#pragma once

// The load driver: N keep-alive HTTP/1.1 connections on one Boost.Asio io_context (1-2
// threads), each sending the workload's requests back to back.
//   closed loop (rate == 0): a connection sends its next request as soon as the answer to the
//     previous one arrives, until the duration (or max_requests) is reached.
//   open loop (rate > 0): request k is due at start + k / rate; a free connection takes the next
//     due slot and sends it at that time. Latency counts from the due time, so a backlog shows
//     up as latency instead of lowering the offered rate (no coordinated omission).
// Connections that fail are reconnected after a short pause; a 429/503 answer makes its
// connection wait Retry-After seconds, as a well-behaved client would. Every failure is counted.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loadgen/workloads.h"

namespace tc::bench {

struct LoadSpec {
  uint16_t port = 0;   // 127.0.0.1:port
  std::string target;  // path and query, e.g. "/v1/records?ack=durable"
  const Workload* workload = nullptr;
  uint32_t connections = 64;
  uint32_t threads = 1;  // io_context threads
  double duration_s = 5;
  uint64_t max_requests = 0;  // closed loop: stop after this many requests (0 = duration only)
  double rate = 0;            // open loop requests/s; 0 = closed loop
  uint32_t first_conn = 0;    // connection numbers (in the ids) start here
};

struct LoadResult {
  double elapsed_s = 0;                    // first send to last answer
  uint64_t requests = 0;                   // answered with 200/202/207
  uint64_t units_acked = 0;                // records (or documents) acknowledged
  std::map<std::string, uint64_t> errors;  // "429", "503", "connect", "io" ... -> count
  std::vector<double> latency_ms;          // one per acknowledged request, unsorted
};

// Runs the load; returns when every connection has stopped.
LoadResult RunLoad(const LoadSpec& spec);

}  // namespace tc::bench
