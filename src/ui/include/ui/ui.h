#pragma once

// The web viewer (docs/ui.md): its files are part of the binary (embedded at build time from
// src/ui/assets/ by tc_ui_embed), and this is how a GET under /ui is answered. No I/O except in
// development mode (the environment variable TC_UI_DIR names a directory whose files are served
// from disk on every request, unhashed and never cached: for working on the viewer without
// rebuilding). The viewer itself reads only the public API; its files hold no data, so they
// need no key.

#include <string>
#include <string_view>

namespace tc::ui {

// Sent with every answer under /ui: scripts, styles, images and requests from the collector's
// own origin only; no inline script or style, no plugins, no framing, no <base>, forms post
// nowhere else.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct RequestHeaders {
  std::string_view accept_encoding;  // Accept-Encoding (empty: absent)
  std::string_view if_none_match;    // If-None-Match (empty: absent)
};

struct Answer {
  unsigned status = 200;          // 200, 301 (/ui -> /ui/), 304, 404 (no such asset)
  std::string_view content_type;  // static storage; empty for 301/304/404
  std::string_view body;          // points at the embedded bytes, or at `owned`
  std::string owned;              // development mode: the file as read from disk
  std::string headers;            // header lines to add, each ending "\r\n"
};

// "/ui" and every path under "/ui/" (query string already removed).
bool IsUiPath(std::string_view path);

// The answer to GET `path` (IsUiPath):
//   /ui                          301 to /ui/
//   /ui/assets/<name>.<hash>.<ext>  the asset, "Cache-Control: public, max-age=31536000, immutable"
//   /ui/assets/<name>            the asset, "Cache-Control: no-cache" (revalidated by ETag)
//   /ui/assets/<anything else>   404
//   any other /ui/... path       the app (index.html; it routes on the path), "no-cache"
// With an ETag and, when the request's If-None-Match names it, 304 without a body; gzip when
// the asset has a smaller gzip form and Accept-Encoding takes gzip ("Vary: Accept-Encoding");
// the Content-Security-Policy above and nosniff / no-referrer headers on every answer.
Answer Serve(std::string_view path, const RequestHeaders& request);

// Whether an Accept header asks for a web page rather than JSON: it lists text/html (or
// application/xhtml+xml) with a q above 0 and at least that of application/json. A browser's
// navigation does; curl's "*/*" and "application/json" do not.
bool PrefersHtml(std::string_view accept);

// Whether Accept-Encoding takes gzip ("gzip", "x-gzip" or "*" without q=0).
bool AcceptsGzip(std::string_view accept_encoding);

// How many files are embedded (0 would be a build without the viewer: never the case).
size_t EmbeddedAssetCount();

}  // namespace tc::ui
