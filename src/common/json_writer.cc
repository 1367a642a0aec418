#include "common/json_writer.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace tc {

namespace {

// Whether any of the 8 bytes of `v` is below 0x20, '"' or '\\' (the bytes JSON escapes): the
// "has a zero byte" / "has a byte less than n" bit tricks, exact as to whether one exists.
bool AnyNeedsEscape(uint64_t v) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t quote = v ^ (kOnes * '"');
  const uint64_t backslash = v ^ (kOnes * '\\');
  return (((v - kOnes * 0x20) & ~v) | ((quote - kOnes) & ~quote) |
          ((backslash - kOnes) & ~backslash)) &
         kHigh;
}

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  // Runs of characters that need no escape are appended whole, found 8 bytes at a time.
  size_t run = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if (!AnyNeedsEscape(word)) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = static_cast<unsigned char>(text[i++]);
    if (!NeedsEscape(c)) continue;
    out.append(text.data() + run, i - 1 - run);
    run = i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += fmt::format("\\u{:04x}", c);
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  if (!first_) out_ += ',';
  AppendJsonString(out_, key);
  out_ += ':';
  first_ = true;  // the value that follows needs no comma
  return *this;
}

JsonWriter& JsonWriter::Element() {
  if (!first_) out_ += ',';
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  AppendJsonString(out_, value);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  if (!std::isfinite(value)) return Null();
  fmt::format_to(std::back_inserter(out_), "{}", value);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  out_ += value ? "true" : "false";
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Null() {
  out_ += "null";
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  out_ += json;
  first_ = false;
  return *this;
}

}  // namespace tc
