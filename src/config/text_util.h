#pragma once

// Text helpers for the config's messages, help and generated files (string helpers shared with
// other stages are in common/strings.h).

#include <string>
#include <string_view>
#include <vector>

namespace tc::config {

// The candidate closest to `name` by edit distance, or "" when none is close: the "did you
// mean" hint of unknown key / variable / flag errors.
std::string Closest(std::string_view name, const std::vector<std::string>& candidates);

// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole).
std::vector<std::string> Wrap(std::string_view text, size_t width);

}  // namespace tc::config
