#include "decode_util.h"

#include <fmt/format.h>

namespace tc::otlp::internal {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// 0-15 for a hex digit (either case), 16 otherwise.
constexpr uint8_t HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<uint8_t>(c - 'A' + 10);
  return 16;
}

}  // namespace

std::string Path::Render(std::string_view field, std::string_view root) const {
  std::string out;
  for (const Frame& frame : frames_) {
    if (!out.empty()) out += '.';
    out += frame.name;
    if (frame.index != kNoIndex) fmt::format_to(std::back_inserter(out), "[{}]", frame.index);
  }
  if (!field.empty()) {
    if (!out.empty()) out += '.';
    out += field;
  }
  if (out.empty()) out = root;
  return out;
}

void AppendHex(std::string_view bytes, std::string* out) {
  const size_t start = out->size();
  out->resize(start + 2 * bytes.size());
  char* p = out->data() + start;
  for (unsigned char c : bytes) {
    *p++ = kHexDigits[c >> 4];
    *p++ = kHexDigits[c & 0xF];
  }
}

bool IsHex(std::string_view text) {
  if (text.size() % 2 != 0) return false;
  for (unsigned char c : text) {
    if (HexValue(c) > 15) return false;
  }
  return true;
}

void AppendLowerHex(std::string_view hex, std::string* out) {
  const size_t start = out->size();
  out->resize(start + hex.size());
  char* p = out->data() + start;
  for (unsigned char c : hex) *p++ = kHexDigits[HexValue(c)];
}

std::string IdProblem(size_t size, bool all_zero, size_t want) {
  if (size == 0) return "is missing";
  if (size != want) return fmt::format("must be {} bytes, got {}", want, size);
  if (all_zero) return "must not be all zero";
  return {};
}

void ThrowInvalid(std::string where, std::string_view what) {
  throw DecodeFailure{Status::InvalidArgument(fmt::format("{}: {}", where, what))};
}

void ThrowTooLarge(std::string where, std::string_view what) {
  throw DecodeFailure{Status::ResourceExhausted(fmt::format("{}: {}", where, what))};
}

}  // namespace tc::otlp::internal
