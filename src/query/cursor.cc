// EncodeCursor / DecodeCursor (cursor.h). The text before base64url:
//   "c1\n" sort "\n" order "\n" <type: i|r|t|n> <key length> ":" key id
// (a real key in its shortest round-trip form, so the next page starts exactly after it; n: a
// NULL key, of length 0).

#include "cursor.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace tc::query {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t n = (uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = uint32_t{static_cast<unsigned char>(in[i])} << 16;
    if (i + 1 < in.size()) n |= uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
    const int chars = i + 1 < in.size() ? 3 : 2;
    for (int c = 0; c < chars; ++c) out.push_back(kAlphabet[(n >> (18 - 6 * c)) & 63]);
  }
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t n = 0;
  int bits = 0;
  for (char c : in) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    n = (n << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((n >> bits) & 0xFF));
    }
  }
  return out;
}

// Takes text up to the next '\n' from `*rest`.
std::optional<std::string_view> Line(std::string_view* rest) {
  const size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  const std::string_view line = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return line;
}

}  // namespace

std::string EncodeCursor(const Cursor& cursor) {
  std::string key;
  char type = 't';
  if (const auto* i = std::get_if<int64_t>(&cursor.key)) {
    type = 'i';
    key = fmt::format("{}", *i);
  } else if (const auto* d = std::get_if<double>(&cursor.key)) {
    type = 'r';
    key = fmt::format("{}", *d);
  } else if (const auto* s = std::get_if<std::string>(&cursor.key)) {
    key = *s;
  } else {
    type = 'n';
  }
  return Base64Url(fmt::format("c1\n{}\n{}\n{}{}:{}{}", cursor.sort, cursor.order, type, key.size(),
                               key, cursor.id));
}

std::optional<Cursor> DecodeCursor(std::string_view text) {
  const std::optional<std::string> raw = FromBase64Url(text);
  if (!raw) return std::nullopt;
  std::string_view rest = *raw;
  const auto version = Line(&rest);
  const auto sort = Line(&rest);
  const auto order = Line(&rest);
  if (!version || *version != "c1" || !sort || !order || rest.empty()) return std::nullopt;
  Cursor cursor{std::string(*sort), std::string(*order), {}, {}};
  const char type = rest[0];
  rest.remove_prefix(1);
  size_t length = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), length);
  if (error != std::errc() || end == rest.data() + rest.size() || *end != ':') return std::nullopt;
  rest.remove_prefix(static_cast<size_t>(end - rest.data()) + 1);
  if (length > rest.size()) return std::nullopt;
  const std::string_view key = rest.substr(0, length);
  cursor.id = std::string(rest.substr(length));
  if (type == 't') {
    cursor.key = std::string(key);
  } else if (type == 'i') {
    int64_t v = 0;
    const auto [e, err] = std::from_chars(key.data(), key.data() + key.size(), v);
    if (err != std::errc() || e != key.data() + key.size()) return std::nullopt;
    cursor.key = v;
  } else if (type == 'r') {
    double v = 0;
    const auto [e, err] = std::from_chars(key.data(), key.data() + key.size(), v);
    if (err != std::errc() || e != key.data() + key.size() || !std::isfinite(v)) {
      return std::nullopt;
    }
    cursor.key = v;
  } else if (type == 'n' && key.empty()) {
    cursor.key = storage::SqlValue{};
  } else {
    return std::nullopt;
  }
  return cursor;
}

}  // namespace tc::query
