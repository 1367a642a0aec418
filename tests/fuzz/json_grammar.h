#pragma once

// An independent, strict RFC 8259 syntax check (grammar only: any number is fine whatever its
// magnitude), the oracle for "this body is not JSON". Iterative: no recursion depth limit.

#include <string_view>

namespace tc::fuzz {

// True when `text` is exactly one JSON value surrounded by optional whitespace, in valid UTF-8.
bool IsJson(std::string_view text);

}  // namespace tc::fuzz
