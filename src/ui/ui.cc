// Serving the viewer's files (ui/ui.h).

#include "ui/ui.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "asset.h"
#include "asset_build.h"

namespace tc::ui {

namespace {

constexpr std::string_view kSecurityHeaders =
    "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

// The q of each element of a comma-separated list with optional ";q=" weights (RFC 9110
// §12.4.2), by lowercase-insensitive token; calls `each(token, q)`.
template <typename Fn>
void ForEachWeighted(std::string_view list, Fn each) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    const size_t semi = item.find(';');
    const std::string_view token = Trim(item.substr(0, semi));
    double q = 1.0;
    std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi + 1);
    while (!params.empty()) {
      const size_t next = params.find(';');
      const std::string_view param = Trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        q = std::strtod(std::string(param.substr(2)).c_str(), nullptr);
      }
    }
    if (!token.empty()) each(token, q);
  }
}

const Asset* FindEmbedded(std::string_view name) {
  for (size_t i = 0; i < kAssetCount; ++i) {
    if (kAssets[i].name == name) return &kAssets[i];
  }
  return nullptr;
}

void AddCommonHeaders(Answer* answer) {
  answer->headers.append("Content-Security-Policy: ").append(kContentSecurityPolicy).append("\r\n");
  answer->headers.append(kSecurityHeaders);
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  bool match = false;
  ForEachWeighted(if_none_match, [&](std::string_view tag, double) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    match = match || tag == "*" || tag == etag;
  });
  return match;
}

void AnswerAsset(const Asset& asset, std::string_view cache_control, const RequestHeaders& request,
                 Answer* answer) {
  answer->headers.append("Cache-Control: ").append(cache_control).append("\r\n");
  answer->headers.append("ETag: ").append(asset.etag).append("\r\n");
  if (!asset.gzip.empty()) answer->headers.append("Vary: Accept-Encoding\r\n");
  if (EtagMatches(request.if_none_match, asset.etag)) {
    answer->status = 304;
    return;
  }
  answer->content_type = asset.content_type;
  if (!asset.gzip.empty() && AcceptsGzip(request.accept_encoding)) {
    answer->body = asset.gzip;
    answer->headers.append("Content-Encoding: gzip\r\n");
  } else {
    answer->body = asset.body;
  }
}

// Development mode (TC_UI_DIR): the directory's file, read now; index.html with each
// placeholder {{name}} replaced by the unhashed URL of `name`.
std::optional<std::string> ReadDevFile(const std::string& dir, std::string_view name) {
  std::ifstream in(std::filesystem::path(dir) / std::string(name), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void ServeDev(const std::string& dir, std::string_view path, Answer* answer) {
  std::string name = "index.html";
  if (path.starts_with(kAssetsPrefix)) name = std::string(path.substr(kAssetsPrefix.size()));
  std::optional<std::string> body;
  if (IsAssetName(name) && !ContentTypeFor(name).empty()) body = ReadDevFile(dir, name);
  if (!body) {
    answer->status = 404;
    return;
  }
  answer->headers.append("Cache-Control: no-store\r\n");
  answer->content_type = ContentTypeFor(name);
  if (name.ends_with(".html")) {
    std::map<std::string, std::string> urls;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string file = entry.path().filename().string();
      if (IsAssetName(file)) urls[file] = AssetUrl(file, "");
    }
    std::string error;
    if (!SubstitutePlaceholders(*body, urls, &answer->owned, &error)) {
      answer->owned = "TC_UI_DIR: " + error;
      answer->status = 500;
      answer->content_type = "text/plain; charset=utf-8";
    }
  } else {
    answer->owned = std::move(*body);
  }
  answer->body = answer->owned;
}

}  // namespace

bool IsUiPath(std::string_view path) { return path == "/ui" || path.starts_with("/ui/"); }

bool AcceptsGzip(std::string_view accept_encoding) {
  bool gzip = false, refused = false, star = false;
  ForEachWeighted(accept_encoding, [&](std::string_view coding, double q) {
    if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip")) {
      (q > 0 ? gzip : refused) = true;
    } else if (coding == "*" && q > 0) {
      star = true;
    }
  });
  return gzip || (star && !refused);
}

bool PrefersHtml(std::string_view accept) {
  double html = 0, json = 0;
  ForEachWeighted(accept, [&](std::string_view type, double q) {
    if (IEquals(type, "text/html") || IEquals(type, "application/xhtml+xml")) {
      html = std::max(html, q);
    } else if (IEquals(type, "application/json")) {
      json = std::max(json, q);
    }
  });
  return html > 0 && html >= json;
}

Answer Serve(std::string_view path, const RequestHeaders& request) {
  Answer answer;
  AddCommonHeaders(&answer);
  if (path == "/ui") {
    answer.status = 301;
    answer.headers.append("Location: /ui/\r\n");
    return answer;
  }
  if (const char* dir = std::getenv("TC_UI_DIR"); dir != nullptr && *dir != '\0') {
    ServeDev(dir, path, &answer);
    return answer;
  }
  if (!path.starts_with(kAssetsPrefix)) {
    if (const Asset* index = FindEmbedded("index.html")) {
      AnswerAsset(*index, kRevalidate, request, &answer);
    } else {
      answer.status = 404;
    }
    return answer;
  }
  for (size_t i = 0; i < kAssetCount; ++i) {
    if (kAssets[i].url == path && !kAssets[i].name.ends_with(".html")) {
      AnswerAsset(kAssets[i], kImmutable, request, &answer);
      return answer;
    }
  }
  if (const Asset* asset = FindEmbedded(path.substr(kAssetsPrefix.size()))) {
    AnswerAsset(*asset, kRevalidate, request, &answer);
    return answer;
  }
  answer.status = 404;
  return answer;
}

size_t EmbeddedAssetCount() { return kAssetCount; }

}  // namespace tc::ui
