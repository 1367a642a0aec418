#pragma once

// Names the calling thread as top -H, ps -L, perf and gdb show it ("tc-writer", "tc-io-2").
// Linux keeps at most 15 bytes; longer names are cut. Best effort: failure is ignored.

#include <string_view>

namespace tc {

void SetThreadName(std::string_view name);

}  // namespace tc
