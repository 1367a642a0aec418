#pragma once

// API keys for "Authorization: Bearer <key>" ([auth] in the configuration), and the scopes
// they carry.
//
// Keys come from three lists, each a comma-separated setting and a file (one key per line;
// blank lines and lines starting with '#' ignored), united:
//   auth.api_keys,   auth.api_keys_file:   the ingest scope: POST /v1/records, /v1/traces (any
//                                          POST);
//   auth.read_keys,  auth.read_keys_file:  the read scope: GET of the read API (/v1/sessions...,
//                                          /v1/events..., /v1/messages..., /v1/experiments...,
//                                          /v1/stats..., /v1/stream);
//   auth.admin_keys, auth.admin_keys_file: the admin scope, which holds the other two, plus
//                                          DELETE /v1/sessions/{id}.
// A key in several lists has the union of their scopes. No key configured = authentication
// off: everything is open, except deleting, which nobody may do (docs/api.md, "DELETE
// /v1/sessions/{id}"). A key is 1..kMaxKeyBytes printable ASCII characters without spaces or
// commas.
//
// Checking is constant-time with respect to the secret: the presented token and every key are
// compared as zero-padded kMaxKeyBytes buffers, all keys, all bytes, with no early exit, and the
// scopes of the keys that matched are united without a branch, so the time depends only on the
// number of keys (not on which bytes or which key differed, nor on the keys' lengths or
// scopes). Immutable after Load(): thread-safe.

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

// A set of scopes: what a key may do, or what a request needs (any one of them).
struct Scopes {
  uint8_t bits = 0;

  constexpr bool empty() const { return bits == 0; }
  // Every scope of `other` is in this set.
  constexpr bool Has(Scopes other) const { return (bits & other.bits) == other.bits; }
  friend constexpr Scopes operator|(Scopes a, Scopes b) {
    return Scopes{static_cast<uint8_t>(a.bits | b.bits)};
  }
  friend constexpr bool operator==(Scopes, Scopes) = default;
};

inline constexpr Scopes kNoScope{0};
inline constexpr Scopes kIngestScope{1};  // auth.api_keys: POST
inline constexpr Scopes kReadScope{2};    // auth.read_keys: GET of the read API
inline constexpr Scopes kAdminScope{4};   // auth.admin_keys: DELETE /v1/sessions/{id}
// What an admin key has: admin implies ingest and read.
inline constexpr Scopes kAdminKeyScopes = kIngestScope | kReadScope | kAdminScope;
// Any valid key will do (GET /metrics with auth.protect_metrics).
inline constexpr Scopes kAnyKey = kAdminKeyScopes;

// Whether a key with `have` may make a request that needs `need`: true when `need` is empty
// (an open request) or `have` holds one of `need`'s scopes.
constexpr bool Allows(Scopes have, Scopes need) {
  return need.empty() || (have.bits & need.bits) != 0;
}

// "ingest", "read", "admin" for a single scope; "" otherwise.
std::string_view ScopeName(Scopes scope);
// The settings that grant a single scope, for messages: "auth.read_keys or auth.read_keys_file".
std::string_view ScopeSettings(Scopes scope);
// The message of a 403 to a valid key without the single scope `need`: the scope and the
// settings that grant it ("this request needs the read scope, which this API key lacks: ...").
std::string ForbiddenMessage(Scopes need);

// The token a request presents, to check with ApiKeys::Match: the <key> of an Authorization
// header "Bearer <key>" ("bearer" in any case, one or more spaces or tabs, surrounding
// whitespace ignored). Only for /v1/stream (`path` == "/v1/stream"; ApiKeys::Check passes the
// query of a GET only) and only when there is no Authorization header (empty or blank), the
// percent-decoded value of the query parameter `access_token` instead ('+' stays a plus sign):
// a browser's EventSource cannot send headers. Empty when nothing
// usable is presented (no header, another scheme, a malformed header or escape). `path`
// without the query; `query` after '?'.
std::string PresentedToken(std::string_view path, std::string_view query,
                           std::string_view authorization);

// What ApiKeys::Check decided about a request.
struct Access {
  enum class Verdict : uint8_t {
    kAllowed,       // open, or the presented key has a scope the request needs
    kUnauthorized,  // 401: a key is needed and none valid was presented
    kForbidden,     // 403: a valid key without the scope `need`
  };
  Verdict verdict = Verdict::kAllowed;
  Scopes need;  // what the request needs (kNoScope: open)
};

class ApiKeys {
 public:
  ApiKeys() = default;  // no keys: authentication off

  // The three lists, each with empty entries skipped.
  struct Lists {
    std::vector<std::string> ingest;
    std::vector<std::string> read;
    std::vector<std::string> admin;
  };

  // Reads auth.api_keys, auth.read_keys, auth.admin_keys and their *_file settings. Errors
  // (kInvalidArgument, the message names the setting and the file or the key's position, never
  // the key): a file cannot be read, a file holds no key, a key is too long or contains a
  // space, control character or non-ASCII byte.
  static Result<ApiKeys> Load(const config::AuthConfig& auth);
  // The same checks on lists of keys.
  static Result<ApiKeys> FromKeys(const Lists& lists);

  bool enabled() const { return !keys_.empty(); }
  size_t size() const { return keys_.size(); }  // distinct keys
  // How many distinct keys have `scope` (an admin key counts for ingest and read too).
  size_t count(Scopes scope) const;
  bool protect_metrics() const { return protect_metrics_; }

  // What a request needs (kNoScope when !enabled(): everything open). `path` without query:
  //   /healthz, /readyz: nothing, ever;
  //   /metrics: any key (kAnyKey) with protect_metrics, else nothing;
  //   POST (any path): ingest;  DELETE (any path): admin;
  //   any other method on the read API (paths starting with /v1/sessions, /v1/events,
  //   /v1/messages, /v1/experiments, /v1/stats or /v1/stream): read;
  //   anything else: nothing (404 and 405 answers stay open).
  Scopes Needed(boost::beast::http::verb method, std::string_view path) const;
  bool Required(boost::beast::http::verb method, std::string_view path) const {
    return !Needed(method, path).empty();
  }

  // The one question a request asks: with the token PresentedToken(path, query, authorization)
  // gives, may it go on (kAllowed), or is it 401 (a key is needed, none valid presented) or 403
  // (a valid key without the scope Needed() names)?
  Access Check(boost::beast::http::verb method, std::string_view path, std::string_view query,
               std::string_view authorization) const;

  // The scopes of the key in the Authorization value (kNoScope: absent, malformed or wrong;
  // always when !enabled()).
  Scopes Scope(std::string_view authorization) const;
  // True if `authorization` is "Bearer <key>" for a configured key (any scope).
  bool Authorize(std::string_view authorization) const { return !Scope(authorization).empty(); }

  // Constant-time lookup of `token` among the keys (see above): the union of the scopes of the
  // keys equal to it, kNoScope when none. Exposed for tests.
  Scopes Match(std::string_view token) const;
  bool Matches(std::string_view token) const { return !Match(token).empty(); }

 private:
  struct PaddedKey {
    std::array<unsigned char, kMaxKeyBytes> bytes{};
    size_t size = 0;
    Scopes scopes;
  };
  std::vector<PaddedKey> keys_;
  bool protect_metrics_ = false;
};

}  // namespace tc::http
