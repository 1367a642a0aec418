// Inflating gzip request bodies with a bound (body_encoding.h).

#include "body_encoding.h"

#include <zlib.h>

#include <boost/beast/core/string.hpp>

#include "common/strings.h"

namespace tc::http {

namespace {
constexpr size_t kChunk = 64 << 10;
}  // namespace

bool IsGzipCoding(std::string_view content_encoding) {
  const std::string_view coding = Trim(content_encoding, " \t");
  return boost::beast::iequals(coding, "gzip") || boost::beast::iequals(coding, "x-gzip");
}

InflateResult InflateGzip(std::string_view compressed, size_t max_bytes, size_t padding,
                          const std::function<bool(size_t)>& reserve, std::string* out) {
  out->clear();
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return InflateResult::kCorrupt;  // gzip only
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  size_t reserved = 0;
  size_t used = 0;
  InflateResult result = InflateResult::kOk;
  while (true) {
    if (used == out->size()) {
      const size_t grow = std::min(kChunk, max_bytes + 1 - std::min(max_bytes, used));
      if (grow == 0 || used >= max_bytes + 1) {
        result = InflateResult::kTooLarge;
        break;
      }
      if (!reserve(grow)) {
        result = InflateResult::kRefused;
        break;
      }
      reserved += grow;
      out->resize(used + grow);
    }
    z.next_out = reinterpret_cast<Bytef*>(out->data() + used);
    z.avail_out = static_cast<uInt>(out->size() - used);
    const int rc = inflate(&z, Z_NO_FLUSH);
    used = out->size() - z.avail_out;
    if (used > max_bytes) {
      result = InflateResult::kTooLarge;
      break;
    }
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      // Another gzip member follows (concatenated files are one body).
      if (inflateReset(&z) != Z_OK) {
        result = InflateResult::kCorrupt;
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      result = InflateResult::kCorrupt;  // truncated: input ended before the stream did
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      result = InflateResult::kCorrupt;
      break;
    }
  }
  inflateEnd(&z);
  (void)reserved;
  if (result != InflateResult::kOk) {
    std::string().swap(*out);
    return result;
  }
  out->resize(used);
  out->reserve(used + padding);
  return InflateResult::kOk;
}

}  // namespace tc::http
