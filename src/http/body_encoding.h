#pragma once

// Request bodies sent with Content-Encoding: gzip (what OTLP exporters send when compression is
// on), inflated with a bound on the output so that a small body cannot make a large one (a
// "gzip bomb" is a 413, never an allocation).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace tc::http {

// "gzip" or "x-gzip" (any case, surrounding whitespace ignored).
bool IsGzipCoding(std::string_view content_encoding);

enum class InflateResult {
  kOk,
  kTooLarge,  // the inflated body would exceed max_bytes
  kCorrupt,   // not gzip, or damaged
  kRefused,   // `reserve` said no (the body budget is spent)
};

// Inflates every gzip member of `compressed` into `*out` (with `padding` spare bytes of
// capacity after its end, for simdjson). `reserve(n)` is asked before the output grows by `n`
// bytes; false stops with kRefused. Nothing beyond max_bytes (plus one chunk of at most 64 KiB)
// is ever allocated.
InflateResult InflateGzip(std::string_view compressed, size_t max_bytes, size_t padding,
                          const std::function<bool(size_t)>& reserve, std::string* out);

}  // namespace tc::http
