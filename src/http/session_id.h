#pragma once

// The {id} of /v1/sessions/{id} (GET and DELETE, docs/api.md §8, §9), internal to src/http/.
// Pure function; no I/O.

#include <cstddef>
#include <string>
#include <string_view>

namespace tc::http {

// Percent-decodes the path segment `raw` (the {id}, RFC 3986 §2.1) into `*id`. Empty if that
// gives a usable session id; else what is wrong (for a 400 `bad_session_id`): empty, a raw '/'
// (an id with '/' is sent as %2F), a '%' not followed by two hex digits, not UTF-8 once
// decoded, or longer than `max_bytes` once decoded.
std::string DecodeSessionId(std::string_view raw, size_t max_bytes, std::string* id);

}  // namespace tc::http
