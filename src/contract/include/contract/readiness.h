#pragma once

// What GET /readyz reports: the pipeline fills it (the store and the spool), the wiring adds
// what it knows (the sqld child, a lost database file), the HTTP layer renders it.

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace tc::pipeline {

struct Readiness {
  Status status;            // OK: 200, records submitted now can be made durable; else 503
  bool store_ok = true;     // the last write to the store did not fail (nor the start's open)
  std::string store_error;  // why, when !store_ok
  bool has_spool = false;   // the spool takes batches while the store is away
  uint64_t spool_bytes = 0, spool_max_bytes = 0;
};

// Asked by the HTTP layer on io threads for each GET /readyz: thread-safe and quick.
using ReadinessFn = std::function<Readiness()>;

}  // namespace tc::pipeline
