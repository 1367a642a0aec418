#pragma once

// Helpers shared by the fuzz targets (tests/fuzz/, docs/fuzzing.md).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace tc::fuzz {

// A copy of the fuzzer's input followed by exactly `padding` readable bytes (the simdjson
// contract of the decoder), in an allocation of that exact size: AddressSanitizer reports any
// read past the padding. The padding bytes are spaces.
class PaddedInput {
 public:
  PaddedInput(const uint8_t* data, size_t size, size_t padding)
      : bytes_(std::make_unique<char[]>(size + padding)), size_(size) {
    if (size > 0) {
      std::memcpy(bytes_.get(), data, size);
    }
    std::memset(bytes_.get() + size, ' ', padding);
  }
  std::string_view view() const { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<char[]> bytes_;
  size_t size_;
};

}  // namespace tc::fuzz
