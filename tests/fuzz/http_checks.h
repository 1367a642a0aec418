#pragma once

// Shared by the HTTP fuzz targets: a Submitter that completes submissions when told, the server
// options the targets run with, and the properties every response must have.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/responses.h"
#include "http/server_options.h"
#include "contract/submission.h"

namespace tc::fuzz {

// Admits or refuses by the first record's key ("overload*" → kResourceExhausted, "unavail*" →
// kUnavailable); RunCompletions() completes the admitted durable submissions: status
// kUnavailable when the first key starts with "fail", else one result per record ("dup*" →
// duplicate, "refuse*" → refused, others stored). Completions never run inside Submit(), as the
// Submitter contract says. Single-threaded (a fuzzer runs one input at a time).
class FuzzSubmitter final : public pipeline::Submitter {
 public:
  [[nodiscard]] Status Submit(pipeline::Submission& submission) override;
  // Completes every pending submission; returns how many.
  size_t RunCompletions();

 private:
  struct Pending {
    std::vector<std::string> keys;
    pipeline::CompletionFn on_done;
  };
  std::vector<Pending> pending_;
};

// Small limits, so that fuzzed inputs reach 413/431 and the decoder's limits; generous timeouts,
// so that they never fire while a target runs (runs stay deterministic).
http::ServerOptions FuzzServerOptions();

// One response as written: a known status with its reason, a JSON body (unless /metrics) that
// parses, and for ingest answers consistent counts (total = accepted + refused).
void CheckResponse(unsigned status, std::string_view content_type, std::string_view body);

// `bytes` (what a session wrote) must be a sequence of complete, well-formed responses, each
// passing CheckResponse. Returns the number of final (non-1xx) responses.
size_t CheckResponseStream(std::string_view bytes);

}  // namespace tc::fuzz
