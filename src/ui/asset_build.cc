// The build's treatment of the viewer's files (asset_build.h).

#include "asset_build.h"

#include <zlib.h>

#include <cstdio>

namespace tc::ui {

std::string_view ContentTypeFor(std::string_view name) {
  struct Entry {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
  };
  for (const Entry& entry : kTypes) {
    if (name.ends_with(entry.extension)) return entry.type;
  }
  return {};
}

std::string ContentHash(std::string_view bytes) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return std::string(out, 16);
}

std::string AssetUrl(std::string_view name, std::string_view hash) {
  std::string url(kAssetsPrefix);
  if (hash.empty()) {
    url.append(name);
    return url;
  }
  const size_t dot = name.rfind('.');
  const std::string_view stem = dot == std::string_view::npos ? name : name.substr(0, dot);
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot);
  url.append(stem).append(".").append(hash).append(ext);
  return url;
}

bool SubstitutePlaceholders(std::string_view html, const std::map<std::string, std::string>& urls,
                            std::string* out, std::string* error) {
  out->clear();
  size_t at = 0;
  while (true) {
    const size_t open = html.find("{{", at);
    if (open == std::string_view::npos) {
      out->append(html.substr(at));
      return true;
    }
    const size_t close = html.find("}}", open + 2);
    if (close == std::string_view::npos) {
      *error = "a {{ placeholder is not closed";
      return false;
    }
    const std::string name(html.substr(open + 2, close - open - 2));
    const auto it = urls.find(name);
    if (it == urls.end()) {
      *error = "{{" + name + "}} names no asset";
      return false;
    }
    out->append(html.substr(at, open - at)).append(it->second);
    at = close + 2;
  }
}

std::string Gzip(std::string_view bytes) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  gz_header header{};  // mtime 0, no name: the same input always gives the same bytes
  header.os = 3;       // Unix
  deflateSetHeader(&z, &header);
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return {};
  out.resize(written);
  return out;
}

bool IsAssetName(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace tc::ui
