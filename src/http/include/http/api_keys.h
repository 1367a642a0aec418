#pragma once

// API keys for "Authorization: Bearer <key>" ([auth] in the configuration).
//
// Keys come from auth.api_keys (comma-separated) and auth.api_keys_file (one per line; blank
// lines and lines starting with '#' ignored), united; admin keys likewise from auth.admin_keys
// and auth.admin_keys_file. An ingest key may POST; an admin key may POST and DELETE a session
// (a key in both lists is an admin key). No key configured = authentication off, and no one
// may delete a session (docs/api.md, "DELETE /v1/sessions/{id}").
// A key is 1..kMaxKeyBytes printable ASCII characters without spaces or commas.
//
// Checking is constant-time with respect to the secret: the presented token and every key are
// compared as zero-padded kMaxKeyBytes buffers, all keys, all bytes, with no early exit, so the
// time depends only on the number of keys (not on which bytes or which key differed, nor on
// the keys' lengths). Immutable after Load(): thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "common/result.h"
#include "config/config.h"

namespace tc::http {

inline constexpr size_t kMaxKeyBytes = 256;

enum class KeyScope : uint8_t {
  kNone,    // no valid key presented
  kIngest,  // auth.api_keys: POST
  kAdmin,   // auth.admin_keys: POST and DELETE /v1/sessions/{id}
};

class ApiKeys {
 public:
  ApiKeys() = default;  // no keys: authentication off

  // Reads auth.api_keys, auth.api_keys_file, auth.admin_keys and auth.admin_keys_file. Errors
  // (kInvalidArgument, the message names the setting and the file or the key's position, never
  // the key): a file cannot be read, a file holds no key, a key is too long or contains a space,
  // control character or non-ASCII byte.
  static Result<ApiKeys> Load(const config::AuthConfig& auth);
  // The same checks on lists of keys (empty entries are skipped).
  static Result<ApiKeys> FromKeys(const std::vector<std::string>& keys,
                                  const std::vector<std::string>& admin_keys = {});

  bool enabled() const { return !keys_.empty(); }
  size_t size() const { return keys_.size(); }
  size_t admin_size() const;
  bool protect_metrics() const { return protect_metrics_; }

  // Whether a request needs a key (always false when !enabled()): every POST and DELETE
  // (whatever the path), every request to /v1/sessions... (reads) and, with protect_metrics,
  // /metrics; never /healthz or /readyz. `path`
  // without query.
  bool Required(boost::beast::http::verb method, std::string_view path) const;

  // True if `authorization` (the header's value) is "Bearer <key>" ("bearer" in any case, one
  // or more spaces, surrounding whitespace ignored) for a configured key. False when absent,
  // malformed or wrong; false for every input when !enabled().
  bool Authorize(std::string_view authorization) const {
    return Scope(authorization) != KeyScope::kNone;
  }
  // The same parsing; which scope the presented key has (kNone: absent, malformed or wrong).
  KeyScope Scope(std::string_view authorization) const;

  // Constant-time equality of `token` with one of the keys (see above). Exposed for tests.
  bool Matches(std::string_view token) const { return Match(token) != KeyScope::kNone; }
  KeyScope Match(std::string_view token) const;

 private:
  struct PaddedKey {
    std::array<unsigned char, kMaxKeyBytes> bytes{};
    size_t size = 0;
    bool admin = false;
  };
  std::vector<PaddedKey> keys_;
  bool protect_metrics_ = false;
};

}  // namespace tc::http
