#pragma once

// What the two OTLP trace decoders (decode_proto.cc, decode_json.cc) share: where an error is
// (the path of the message or JSON value being decoded), how one is raised, the id checks and
// hex, and the bounds that are not in DecodeLimits. Internal to src/otlp/.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model.h"

namespace tc::otlp::internal {

// Hard bound on AnyValue nesting whatever DecodeLimits::max_depth says: the decoders recurse
// once per level, and the stack of an I/O thread must not overflow.
inline constexpr size_t kHardMaxDepth = 256;

// Values one request may decode in all (attributes of spans, events, resources and kvlists,
// array elements, events): each costs ~150 bytes in the model but can take 2 bytes on the wire,
// so DecodeLimits' per-object bounds alone (max_spans x max_attributes x max_events) would let
// a 20 MB body become gigabytes. The budget: kValuesPerSpan per span of max_spans, at least
// kMinValueBudget (2,000,000 with the default 10,000 spans, ~300 MB of model at worst). Beyond
// it the request is refused as too large (kResourceExhausted, like max_spans).
inline constexpr size_t kValuesPerSpan = 200;
inline constexpr size_t kMinValueBudget = 100'000;
inline size_t ValueBudget(const DecodeLimits& limits) {
  if (limits.max_values != 0) return limits.max_values;
  const size_t per_span =
      limits.max_spans > SIZE_MAX / kValuesPerSpan ? SIZE_MAX : limits.max_spans * kValuesPerSpan;
  return per_span > kMinValueBudget ? per_span : kMinValueBudget;
}

// max_depth as the decoders apply it.
inline size_t EffectiveMaxDepth(const DecodeLimits& limits) {
  return limits.max_depth < kHardMaxDepth ? limits.max_depth : kHardMaxDepth;
}

// A decoding failure; thrown inside a decoder, caught at its entry point and returned.
struct DecodeFailure {
  Status status;
};

// Where the decoder is: "resource_spans[0].scope_spans[1].spans[3].attributes[2].value".
// Frames are pushed and popped as the decoder descends; nothing is allocated per frame (the
// names are literals), the text is built only for an error. Pushed and popped by hand, not by
// a scope guard: when a parser throws deep inside, the frames must still be there for the
// entry point that catches it to say where.
class Path {
 public:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);

  Path() { frames_.reserve(16 + 3 * kHardMaxDepth); }
  void Push(const char* name, size_t index = kNoIndex) { frames_.push_back({name, index}); }
  void Pop() { frames_.pop_back(); }
  // The index of the innermost frame (the element being decoded).
  void SetIndex(size_t index) { frames_.back().index = index; }
  // "a[0].b.c[2]" then ".field" when `field` is given; `root` when both are empty.
  std::string Render(std::string_view field, std::string_view root) const;

 private:
  struct Frame {
    const char* name;
    size_t index;
  };
  std::vector<Frame> frames_;
};

// Appends the lower-case hex of `bytes` to `out`.
void AppendHex(std::string_view bytes, std::string* out);

// True when `text` is hex digits only (either case), an even number of them.
bool IsHex(std::string_view text);

// Appends `hex` lower-cased (IsHex(hex) must hold).
void AppendLowerHex(std::string_view hex, std::string* out);

// The span's ids, checked: `size` is the id's length in bytes, `all_zero` whether every byte
// is zero. Returns the problem ("must be 16 bytes, got 3", "is missing", "must not be all
// zero"), or "" when the id is valid. A parent id may be absent (a root span).
std::string IdProblem(size_t size, bool all_zero, size_t want);

// Refusals, with `where` (a rendered Path) in front of the message.
[[noreturn]] void ThrowInvalid(std::string where, std::string_view what);
[[noreturn]] void ThrowTooLarge(std::string where, std::string_view what);

// The request-wide count of decoded values against ValueBudget(), and of spans against max_spans.
class Budget {
 public:
  explicit Budget(const DecodeLimits& limits) : limits_(limits), max_values_(ValueBudget(limits)) {}
  size_t max_values() const { return max_values_; }
  // Reserves `n` more values; false when that would pass the ValueBudget(). Throws
  // DecodeFailure (kUnavailable) when DecodeLimits::charge refuses their memory.
  bool TakeValues(size_t n) {
    if (n > max_values_ - values_) return false;
    values_ += n;
    while (limits_.charge && values_ > charged_values_) {
      if (!limits_.charge(kChargeValues * kModelBytesPerValue)) {
        throw DecodeFailure{Status::Unavailable(
            "too many request bodies in flight (http.max_body_bytes_in_flight) to decode this "
            "one; retry")};
      }
      charged_values_ += kChargeValues;
    }
    return true;
  }
  // Reserves `n` more spans; false when that would pass max_spans.
  bool TakeSpans(size_t n) {
    if (n > limits_.max_spans - spans_) return false;
    spans_ += n;
    return true;
  }

 private:
  const DecodeLimits& limits_;
  const size_t max_values_;
  size_t values_ = 0;
  size_t charged_values_ = 0;  // values DecodeLimits::charge has been called for
  size_t spans_ = 0;
};

// Decoders drop a scope_spans without spans and a resource_spans without scope_spans as soon
// as they are decoded: they carry nothing the collector stores, and keeping them would let a
// body of empty messages (2 bytes each) grow the model without bound.

}  // namespace tc::otlp::internal
