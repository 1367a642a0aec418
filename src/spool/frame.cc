#include "frame.h"

#include <cstring>

#include "crc32c.h"

namespace tc::spool {
namespace {

uint32_t LoadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void StoreU32(std::string* out, uint32_t v) {
  char bytes[4];
  std::memcpy(bytes, &v, 4);
  out->append(bytes, 4);
}

}  // namespace

void AppendFrame(std::string_view payload, std::string* out) {
  const auto length = static_cast<uint32_t>(payload.size());
  char length_bytes[4];
  std::memcpy(length_bytes, &length, 4);
  uint32_t crc = Crc32c(std::string_view(length_bytes, 4));
  crc = Crc32c(payload, crc);
  StoreU32(out, kFrameMagic);
  out->append(length_bytes, 4);
  StoreU32(out, crc);
  out->append(payload);
}

FrameCheck CheckFrame(std::string_view bytes, std::string_view* payload, size_t* frame_bytes) {
  if (bytes.size() < kFrameHeaderBytes) {
    // A short tail that cannot be the start of a frame is damage, not a frame in progress.
    uint32_t magic = kFrameMagic;
    return std::memcmp(bytes.data(), &magic, std::min<size_t>(bytes.size(), 4)) == 0
               ? FrameCheck::kIncomplete
               : FrameCheck::kBad;
  }
  if (LoadU32(bytes.data()) != kFrameMagic) return FrameCheck::kBad;
  const uint32_t length = LoadU32(bytes.data() + 4);
  if (length > kMaxPayloadBytes) return FrameCheck::kBad;
  if (bytes.size() - kFrameHeaderBytes < length) return FrameCheck::kIncomplete;
  std::string_view body = bytes.substr(kFrameHeaderBytes, length);
  uint32_t crc = Crc32c(bytes.substr(4, 4));
  if (Crc32c(body, crc) != LoadU32(bytes.data() + 8)) return FrameCheck::kBad;
  *payload = body;
  *frame_bytes = kFrameHeaderBytes + length;
  return FrameCheck::kGood;
}

size_t FindNextGoodFrame(std::string_view bytes, size_t from) {
  uint32_t magic = kFrameMagic;
  const std::string_view needle(reinterpret_cast<const char*>(&magic), 4);
  for (size_t at = bytes.find(needle, from); at != std::string_view::npos;
       at = bytes.find(needle, at + 1)) {
    std::string_view payload;
    size_t size = 0;
    if (CheckFrame(bytes.substr(at), &payload, &size) == FrameCheck::kGood) return at;
  }
  return bytes.size();
}

}  // namespace tc::spool
