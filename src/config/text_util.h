#pragma once

// Small text helpers for messages, help and generated files.

#include <string>
#include <string_view>
#include <vector>

namespace tc::config {

inline bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The candidate closest to `name` by edit distance, or "" when none is close: the "did you
// mean" hint of unknown key / variable / flag errors.
std::string Closest(std::string_view name, const std::vector<std::string>& candidates);

// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole).
std::vector<std::string> Wrap(std::string_view text, size_t width);

}  // namespace tc::config
