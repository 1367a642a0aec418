#pragma once

// One spool entry on disk: a 12-byte header and a payload (the encoded records of one batch).
//
//   u32 magic "TCS1" · u32 payload length · u32 CRC-32C of (length bytes · payload) · payload
//
// The checksum covers the length, so a torn or bit-flipped frame is detected whether the damage
// is in the header or the payload. Readers resynchronise after damage by searching for the next
// magic whose frame checks out.

#include <cstdint>
#include <string>
#include <string_view>

namespace tc::spool {

inline constexpr uint32_t kFrameMagic = 0x31534354;  // "TCS1" little-endian
inline constexpr size_t kFrameHeaderBytes = 12;
inline constexpr uint32_t kMaxPayloadBytes = 1u << 30;

// Appends a frame holding `payload` to `out`.
void AppendFrame(std::string_view payload, std::string* out);

enum class FrameCheck {
  kGood,       // a whole frame with a matching checksum
  kIncomplete, // the bytes end inside the frame (a torn tail, or more is still being written)
  kBad,        // wrong magic, impossible length or checksum mismatch
};

// Checks the frame starting at bytes[0]. On kGood, *payload views it and *frame_bytes is the
// whole frame's size.
FrameCheck CheckFrame(std::string_view bytes, std::string_view* payload, size_t* frame_bytes);

// The offset of the next good frame at or after `from`, or bytes.size() when there is none.
size_t FindNextGoodFrame(std::string_view bytes, size_t from);

}  // namespace tc::spool
