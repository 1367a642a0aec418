#pragma once

// What the build does to the viewer's files (src/ui/assets/), shared by the generator that
// embeds them (embed_main.cc, at build time) and by the development mode that serves them from
// disk (TC_UI_DIR, ui.cc): the content type of a name, a content hash, the hashed URL of an
// asset, the substitution of `{{name}}` placeholders in HTML, and gzip.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace tc::ui {

inline constexpr std::string_view kAssetsPrefix = "/ui/assets/";

// "text/html; charset=utf-8", "text/javascript; charset=utf-8", "text/css; charset=utf-8",
// "image/svg+xml", "image/png", "application/json"; "" for any other extension (not served).
std::string_view ContentTypeFor(std::string_view name);

// 64-bit FNV-1a of `bytes` as 16 lowercase hex digits (not a security hash: a cache key).
std::string ContentHash(std::string_view bytes);

// "/ui/assets/app.0123456789abcdef.js" for "app.js" and its hash; "/ui/assets/app.js" when the
// hash is empty (development mode: no hashing, no long caching).
std::string AssetUrl(std::string_view name, std::string_view hash);

// `html` with every `{{name}}` replaced by urls[name]. False (and `*error` saying which) when a
// placeholder names no asset or is not closed.
bool SubstitutePlaceholders(std::string_view html, const std::map<std::string, std::string>& urls,
                            std::string* out, std::string* error);

// gzip (RFC 1952) of `bytes` at the best compression, with a zero mtime so the output depends
// on the input only. Empty on failure.
std::string Gzip(std::string_view bytes);

// True for a name that may be an asset: [A-Za-z0-9._-], not starting with '.', at most 100.
bool IsAssetName(std::string_view name);

}  // namespace tc::ui
