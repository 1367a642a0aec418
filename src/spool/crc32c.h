#pragma once

// CRC-32C (Castagnoli), the checksum of spool frames. Table-driven; about 1 GB/s, far more than
// the fsync that follows every append.

#include <cstdint>
#include <string_view>

namespace tc::spool {

// Extends `crc` (0 to start) with `bytes`.
uint32_t Crc32c(std::string_view bytes, uint32_t crc = 0);

}  // namespace tc::spool
