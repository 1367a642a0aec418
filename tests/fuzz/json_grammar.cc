#include "json_grammar.h"

#include <simdjson.h>

#include <cstddef>
#include <vector>

namespace tc::fuzz {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool Document() {
    SkipSpace();
    if (!Value()) {
      return false;
    }
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  // Containers are tracked on an explicit stack: '{' or '['.
  bool Value() {
    std::vector<char> stack;
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size()) {
        return false;
      }
      const char c = text_[pos_];
      bool scalar_done = false;
      if (c == '{' || c == '[') {
        ++pos_;
        SkipSpace();
        const char close = c == '{' ? '}' : ']';
        if (Peek() == close) {
          ++pos_;
          scalar_done = true;  // an empty container is a complete value
        } else {
          stack.push_back(c);
          if (c == '{' && !Key()) {
            return false;
          }
          continue;  // parse the first member's value / element
        }
      } else if (c == '"') {
        if (!String()) {
          return false;
        }
        scalar_done = true;
      } else if (c == 't') {
        scalar_done = Literal("true");
      } else if (c == 'f') {
        scalar_done = Literal("false");
      } else if (c == 'n') {
        scalar_done = Literal("null");
      } else {
        scalar_done = Number();
      }
      if (!scalar_done) {
        return false;
      }
      // A value is complete: close containers or move to the next member / element.
      while (true) {
        if (stack.empty()) {
          return true;
        }
        SkipSpace();
        const char open = stack.back();
        const char close = open == '{' ? '}' : ']';
        if (Peek() == ',') {
          ++pos_;
          if (open == '{' && !Key()) {
            return false;
          }
          break;  // next value
        }
        if (Peek() == close) {
          ++pos_;
          stack.pop_back();
          continue;  // the container is a complete value
        }
        return false;
      }
    }
  }

  // `"name"` then ':'.
  bool Key() {
    SkipSpace();
    if (Peek() != '"' || !String()) {
      return false;
    }
    SkipSpace();
    if (Peek() != ':') {
      return false;
    }
    ++pos_;
    return true;
  }

  bool String() {
    ++pos_;  // the opening quote
    while (pos_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_++]);
      if (c == '"') {
        return true;
      }
      if (c < 0x20) {
        return false;
      }
      if (c == '\\') {
        if (pos_ >= text_.size()) {
          return false;
        }
        const char e = text_[pos_++];
        if (e == 'u') {
          for (int i = 0; i < 4; ++i) {
            if (pos_ >= text_.size() || !IsHex(text_[pos_++])) {
              return false;
            }
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }

  bool Number() {
    if (Peek() == '-') {
      ++pos_;
    }
    if (Peek() == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    if (Peek() == '.') {
      ++pos_;
      if (!Digits()) {
        return false;
      }
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') {
        ++pos_;
      }
      if (!Digits()) {
        return false;
      }
    }
    return true;
  }

  bool Digits() {
    const size_t start = pos_;
    while (Peek() >= '0' && Peek() <= '9') {
      ++pos_;
    }
    return pos_ > start;
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return false;
    }
    pos_ += word.size();
    return true;
  }

  static bool IsHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool IsJson(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size()) && Scanner(text).Document();
}

}  // namespace tc::fuzz
