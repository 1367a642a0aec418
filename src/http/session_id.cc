// DecodeSessionId (session_id.h).

#include "session_id.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace tc::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string DecodeSessionId(std::string_view raw, size_t max_bytes, std::string* id) {
  id->clear();
  if (raw.empty()) {
    return "the session id is empty: /v1/sessions/<id>";
  }
  id->reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '/') {
      return fmt::format("a '/' at byte {} of the session id: send a '/' in an id as %2F", i);
    }
    if (c != '%') {
      id->push_back(c);
      continue;
    }
    const int high = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
    const int low = i + 2 < raw.size() ? HexValue(raw[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return fmt::format("a '%' at byte {} of the session id is not followed by two hex digits", i);
    }
    id->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (id->size() > max_bytes) {
    return fmt::format("the session id is {} bytes long once decoded; ids are at most {}",
                       id->size(), max_bytes);
  }
  if (!simdjson::validate_utf8(id->data(), id->size())) {
    return "the session id is not UTF-8 once percent-decoded";
  }
  return "";
}

}  // namespace tc::http
