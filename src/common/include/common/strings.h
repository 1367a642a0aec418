#pragma once

// ASCII string helpers the stages share. Locale-independent: only 'a'..'z' / 'A'..'Z' change
// case, every other byte (UTF-8 included) is left as it is. Pure and thread-safe.

#include <string>
#include <string_view>

namespace tc {

// `text` without the leading (TrimLeft), trailing (TrimRight) or both (Trim) characters that
// are in `chars`; a view into `text`.
std::string_view TrimLeft(std::string_view text, std::string_view chars);
std::string_view TrimRight(std::string_view text, std::string_view chars);
std::string_view Trim(std::string_view text, std::string_view chars);

// `text` with 'a'..'z' as 'A'..'Z'.
std::string AsciiUpper(std::string_view text);

// Equal, or `text` starts with `prefix`, ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

}  // namespace tc
