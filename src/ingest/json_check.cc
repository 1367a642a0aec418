#include "json_check.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "body_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tc::ingest::internal {
namespace {

constexpr size_t kMaxKeyInPath = 64;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// A byte that may not directly follow a number or a literal (it would make a longer token).
bool ContinuesToken(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
         c == '-' || c == '_';
}

// First byte in [p, end) that ends a run of plain string bytes: '"', '\\' or a control
// character (< 0x20); `end` when there is none.
const char* FindStringSpecial(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control_max = _mm_set1_epi8(0x1f);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

// Offset of the first byte of `text` that is not part of valid UTF-8 (text.size() if none).
size_t FirstInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;  // range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;
      if (c == 0xed) high = 0x9f;  // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;
    } else {
      return i;
    }
    if (i + length > n || s[i + 1] < low || s[i + 1] > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return i;
    }
    i += length;
  }
  return n;
}

// One pass over the text. kTrackPath keeps the path of keys and indexes for the message; it is
// only used to describe a failure found by the untracked (faster) pass.
template <bool kTrackPath>
class Scanner {
 public:
  Scanner(std::string_view text, size_t max_depth)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        max_depth_(max_depth) {}

  bool Run();

  const char* what() const { return what_; }
  size_t offset() const { return static_cast<size_t>(error_at_ - begin_); }
  bool too_deep() const { return too_deep_; }
  std::string Path() const;

 private:
  struct Level {
    std::string_view key;  // objects: the current member's key (as written)
    size_t index = 0;      // arrays: the current element
    bool started = false;  // a key or element has been seen
  };

  bool Fail(const char* what, const char* at) {
    what_ = what;
    error_at_ = at;
    return false;
  }
  void SkipSpace() {
    while (p_ < end_ && IsSpace(*p_)) ++p_;
  }
  bool Open(bool object);
  bool Key();
  bool String();
  bool Number();
  bool Literal(const char* word, size_t length);

  const char* begin_;
  const char* p_;
  const char* end_;
  size_t max_depth_;
  std::string stack_;  // one byte per open container: 'o' object, 'a' array (SSO: no malloc)
  std::vector<Level> path_;
  const char* what_ = "";
  const char* error_at_ = nullptr;
  bool too_deep_ = false;
};

template <bool kTrackPath>
bool Scanner<kTrackPath>::Open(bool object) {
  if (stack_.size() >= max_depth_) {
    too_deep_ = true;
    return Fail("nesting deeper than max_depth", p_);
  }
  stack_.push_back(object ? 'o' : 'a');
  if constexpr (kTrackPath) path_.emplace_back();
  ++p_;
  return true;
}

template <bool kTrackPath>
bool Scanner<kTrackPath>::Key() {
  if constexpr (kTrackPath) path_.back().started = false;  // the previous key is done
  SkipSpace();
  if (p_ == end_) return Fail("unexpected end of the text: expected a string key", p_);
  if (*p_ != '"') return Fail("expected a string key", p_);
  const char* start = ++p_;
  if (!String()) return false;
  if constexpr (kTrackPath) {
    path_.back().key = std::string_view(start, static_cast<size_t>(p_ - 1 - start));
    path_.back().started = true;
  }
  SkipSpace();
  if (p_ == end_) return Fail("unexpected end of the text: expected ':'", p_);
  if (*p_ != ':') return Fail("expected ':' after the key", p_);
  ++p_;
  return true;
}

// p_ is past the opening quote; on success p_ is past the closing quote.
template <bool kTrackPath>
bool Scanner<kTrackPath>::String() {
  const char* start = p_ - 1;
  for (;;) {
    p_ = FindStringSpecial(p_, end_);
    if (p_ == end_) return Fail("unterminated string", start);
    const char c = *p_;
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c != '\\') return Fail("unescaped control character in a string", p_);
    const char* escape = p_++;
    if (p_ == end_) return Fail("unterminated string", start);
    const char e = *p_++;
    if (e == 'u') {
      if (end_ - p_ < 4 || !IsHex(p_[0]) || !IsHex(p_[1]) || !IsHex(p_[2]) || !IsHex(p_[3])) {
        return Fail("invalid \\u escape in a string (4 hex digits needed)", escape);
      }
      p_ += 4;
    } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
               e != 't') {
      return Fail("invalid escape in a string", escape);
    }
  }
}

template <bool kTrackPath>
bool Scanner<kTrackPath>::Number() {
  const char* start = p_;
  if (*p_ == '-') ++p_;
  if (p_ < end_ && *p_ == '0') {
    ++p_;
  } else if (p_ < end_ && IsDigit(*p_)) {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  } else {
    return Fail("invalid number", start);
  }
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Fail("invalid number", start);
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Fail("invalid number", start);
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ < end_ && ContinuesToken(*p_)) return Fail("invalid number", start);
  return true;
}

template <bool kTrackPath>
bool Scanner<kTrackPath>::Literal(const char* word, size_t length) {
  const char* start = p_;
  if (static_cast<size_t>(end_ - p_) < length || std::memcmp(p_, word, length) != 0) {
    return Fail("invalid literal", start);
  }
  p_ += length;
  if (p_ < end_ && ContinuesToken(*p_)) {
    return Fail("invalid literal", start);
  }
  return true;
}

template <bool kTrackPath>
bool Scanner<kTrackPath>::Run() {
  bool want_value = true;  // else: a value just ended
  for (;;) {
    if (want_value) {
      SkipSpace();
      if (p_ == end_) return Fail("unexpected end of the text: expected a value", p_);
      switch (*p_) {
        case '{':
          if (!Open(true)) return false;
          SkipSpace();
          if (p_ < end_ && *p_ == '}') {
            ++p_;
            stack_.pop_back();
            if constexpr (kTrackPath) path_.pop_back();
            want_value = false;
            continue;
          }
          if (!Key()) return false;
          continue;
        case '[':
          if (!Open(false)) return false;
          SkipSpace();
          if (p_ < end_ && *p_ == ']') {
            ++p_;
            stack_.pop_back();
            if constexpr (kTrackPath) path_.pop_back();
            want_value = false;
            continue;
          }
          if constexpr (kTrackPath) path_.back().started = true;
          continue;
        case '"':
          ++p_;
          if (!String()) return false;
          break;
        case 't':
          if (!Literal("true", 4)) return false;
          break;
        case 'f':
          if (!Literal("false", 5)) return false;
          break;
        case 'n':
          if (!Literal("null", 4)) return false;
          break;
        default:
          if (*p_ == '-' || IsDigit(*p_)) {
            if (!Number()) return false;
            break;
          }
          return Fail("expected a value", p_);
      }
      want_value = false;
    }
    SkipSpace();
    if (stack_.empty()) {
      return p_ == end_ || Fail("content after the top-level value", p_);
    }
    const bool object = stack_.back() == 'o';
    if (p_ == end_) {
      return Fail(object ? "unexpected end of the text: expected ',' or '}'"
                         : "unexpected end of the text: expected ',' or ']'",
                  p_);
    }
    if (*p_ == ',') {
      ++p_;
      want_value = true;
      if (object) {
        if (!Key()) return false;
      } else if constexpr (kTrackPath) {
        ++path_.back().index;
      }
      continue;
    }
    if (*p_ == (object ? '}' : ']')) {
      ++p_;
      stack_.pop_back();
      if constexpr (kTrackPath) path_.pop_back();
      continue;
    }
    return Fail(
        object ? "expected ',' or '}' after a member" : "expected ',' or ']' after an element", p_);
  }
}

template <bool kTrackPath>
std::string Scanner<kTrackPath>::Path() const {
  std::string path;
  for (size_t i = 0; i < path_.size(); ++i) {
    const Level& level = path_[i];
    if (!level.started) break;
    if (stack_[i] == 'a') {
      path += fmt::format("[{}]", level.index);
      continue;
    }
    std::string_view key = level.key;
    if (key.size() > kMaxKeyInPath) {
      size_t cut = kMaxKeyInPath;  // not inside a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xc0) == 0x80) --cut;
      key = key.substr(0, cut);
    }
    if (!path.empty()) path += '.';
    path.append(key);
    if (key.size() < level.key.size()) path += "...";
  }
  return path;
}

std::string Where(std::string_view text, size_t offset, bool single_line) {
  size_t line = 1;
  size_t line_start = 0;
  if (!single_line) {
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return fmt::format("line {}, column {}", line, offset - line_start + 1);
  }
  return fmt::format("column {}", offset + 1);
}

}  // namespace

JsonCheck CheckJson(std::string_view text, size_t max_depth, bool single_line) {
  JsonCheck check;
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    check.ok = false;
    check.message =
        fmt::format("invalid UTF-8 at {}", Where(text, FirstInvalidUtf8(text), single_line));
    return check;
  }
  {
    Scanner<false> fast(text, max_depth);
    if (fast.Run()) return check;
  }
  // Again, keeping the path this time: the same failure, described.
  Scanner<true> slow(text, max_depth);
  (void)slow.Run();
  check.ok = false;
  check.too_deep = slow.too_deep();
  const std::string what = slow.too_deep()
                               ? fmt::format("nesting deeper than max_depth ({})", max_depth)
                               : std::string(slow.what());
  const std::string path = slow.Path();
  const std::string where = Where(text, slow.offset(), single_line);
  check.message = path.empty() ? fmt::format("{} at {}", what, where)
                               : fmt::format("{} at {} ({})", what, path, where);
  return check;
}

Status CheckBody(std::string_view body, size_t max_depth) {
  if (IsBlank(body)) return Status::InvalidArgument("body is empty");
  JsonCheck check = CheckJson(body, max_depth);
  if (check.ok) return Status::Ok();
  if (check.too_deep) return Status::InvalidArgument(std::move(check.message));
  return Status::InvalidArgument("body is not valid JSON: " + check.message);
}

}  // namespace tc::ingest::internal
