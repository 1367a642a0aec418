#pragma once

// One embedded file of the viewer, as the generator (embed_main.cc) writes the table
// (ui_assets.cc in the build directory) and ui.cc serves it.

#include <cstddef>
#include <string_view>

namespace tc::ui {

struct Asset {
  std::string_view name;          // "app.js", "index.html"
  std::string_view url;           // "/ui/assets/app.<hash>.js" (index.html: its own name's URL)
  std::string_view content_type;  // asset_build.h ContentTypeFor
  std::string_view etag;          // "\"<hash of body>\""
  std::string_view body;          // the bytes served (index.html: placeholders substituted)
  std::string_view gzip;          // the gzip of body; empty when it would not be smaller
};

// The generated table (ui_assets.cc).
extern const Asset kAssets[];
extern const size_t kAssetCount;

}  // namespace tc::ui
