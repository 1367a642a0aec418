#pragma once

// Internal to ChildProcess: the fork/exec step, isolated because everything between fork() and
// exec() must be async-signal-safe (no allocation, no locks). Not for use elsewhere.

#include <sys/types.h>

#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "supervisor/child_process.h"

namespace tc::supervisor::internal {

struct ForkedChild {
  pid_t pid = -1;
  UniqueFd pidfd;   // pidfd_open(pid)
  UniqueFd output;  // read end of the child's stdout+stderr pipe (CLOEXEC)
};

// Runs `executable` (already resolved, absolute) with argv[0] = spec.binary, spec.args,
// the collector's environment merged with spec.env, in spec.working_dir. Returns once exec()
// succeeded in the child; exec/chdir failures come back as errors with the errno text and the
// failed child is reaped. See child_process.h for the child's environment guarantees.
Result<ForkedChild> ForkExec(const std::string& executable, const SpawnSpec& spec);

}  // namespace tc::supervisor::internal
