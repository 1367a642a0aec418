#include "http/api_keys.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/beast/core/string.hpp>

#include "common/strings.h"
#include "router.h"

namespace tc::http {

namespace {

// Around keys, lines of the key file (CRLF files too) and the Authorization value.
constexpr std::string_view kBlanks = " \t\r";

// The one path that also takes the key as ?access_token= (PresentedToken).
constexpr std::string_view kStreamPath = "/v1/stream";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Empty when `key` is acceptable; otherwise what is wrong with it (never the key itself).
std::string KeyProblem(std::string_view key) {
  if (key.size() > kMaxKeyBytes) {
    return fmt::format("is longer than {} bytes", kMaxKeyBytes);
  }
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ',') {
      return "contains a space, comma, control character or non-ASCII byte";
    }
  }
  return "";
}

// Reads the key lines of `path` (the setting `setting`, for messages) into `keys`.
Status ReadKeyFile(std::string_view setting, const std::string& path,
                   std::vector<std::string>* keys) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument(
        fmt::format("{} \"{}\": cannot be opened for reading", setting, path));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Status::InvalidArgument(fmt::format("{} \"{}\": read failed", setting, path));
  }
  const std::string content = text.str();
  std::string_view rest = content;
  size_t line_number = 0;
  size_t found = 0;
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    const std::string_view line = Trim(rest.substr(0, newline), kBlanks);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const std::string problem = KeyProblem(line);
    if (!problem.empty()) {
      return Status::InvalidArgument(
          fmt::format("{} \"{}\" line {}: the key {}", setting, path, line_number, problem));
    }
    keys->emplace_back(line);
    ++found;
  }
  if (found == 0) {
    return Status::InvalidArgument(
        fmt::format("{} \"{}\" holds no key (blank lines and '#' comments only)", setting, path));
  }
  return Status::Ok();
}

// Reads the comma-separated `list` (the setting `setting`) and the key file `file` (the setting
// `file_setting`; may be empty) into `keys`.
Status ReadKeys(std::string_view setting, std::string_view list, std::string_view file_setting,
                const std::string& file, std::vector<std::string>* keys) {
  size_t position = 0;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view key = Trim(list.substr(0, comma), kBlanks);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    ++position;
    if (key.empty()) {
      continue;
    }
    const std::string problem = KeyProblem(key);
    if (!problem.empty()) {
      return Status::InvalidArgument(
          fmt::format("{}: key number {} {}", setting, position, problem));
    }
    keys->emplace_back(key);
  }
  if (!file.empty()) {
    TC_RETURN_IF_ERROR(ReadKeyFile(file_setting, file, keys));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ScopeName(Scopes scope) {
  if (scope == kIngestScope) return "ingest";
  if (scope == kReadScope) return "read";
  if (scope == kAdminScope) return "admin";
  return "";
}

std::string_view ScopeSettings(Scopes scope) {
  if (scope == kIngestScope) return "auth.api_keys or auth.api_keys_file";
  if (scope == kReadScope) return "auth.read_keys or auth.read_keys_file";
  if (scope == kAdminScope) return "auth.admin_keys or auth.admin_keys_file";
  return "";
}

std::string ForbiddenMessage(Scopes need) {
  return fmt::format(
      "this request needs the {} scope, which this API key lacks: list the key in {}{}",
      ScopeName(need), ScopeSettings(need),
      need == kAdminScope ? "" : " (an admin key has every scope)");
}

std::string PresentedToken(std::string_view path, std::string_view query,
                           std::string_view authorization) {
  const std::string_view value = Trim(authorization, kBlanks);
  if (!value.empty()) {
    constexpr std::string_view kScheme = "bearer";
    if (value.size() <= kScheme.size() ||
        !boost::beast::iequals(value.substr(0, kScheme.size()), kScheme) ||
        (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
      return "";
    }
    return std::string(Trim(value.substr(kScheme.size()), kBlanks));
  }
  std::string_view raw;
  if (path != kStreamPath || !FindQueryParam(query, "access_token", &raw)) {
    return "";
  }
  // Percent-decoding only (RFC 3986): '+' stays a plus sign (a key has no spaces). A token
  // longer than any key cannot match: not decoded.
  if (raw.size() > 3 * kMaxKeyBytes) {
    return "";
  }
  std::string token;
  token.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      token.push_back(raw[i]);
      continue;
    }
    const int high = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
    const int low = i + 2 < raw.size() ? HexValue(raw[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return "";
    }
    token.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return token;
}

Result<ApiKeys> ApiKeys::Load(const config::AuthConfig& auth) {
  Lists lists;
  TC_RETURN_IF_ERROR(ReadKeys("auth.api_keys", auth.api_keys, "auth.api_keys_file",
                              auth.api_keys_file, &lists.ingest));
  TC_RETURN_IF_ERROR(ReadKeys("auth.read_keys", auth.read_keys, "auth.read_keys_file",
                              auth.read_keys_file, &lists.read));
  TC_RETURN_IF_ERROR(ReadKeys("auth.admin_keys", auth.admin_keys, "auth.admin_keys_file",
                              auth.admin_keys_file, &lists.admin));
  TC_ASSIGN_OR_RETURN(ApiKeys loaded, FromKeys(lists));
  loaded.protect_metrics_ = auth.protect_metrics;
  return loaded;
}

Result<ApiKeys> ApiKeys::FromKeys(const Lists& lists) {
  ApiKeys out;
  const struct {
    const std::vector<std::string>* keys;
    std::string_view name;
    Scopes scopes;
  } kLists[] = {{&lists.ingest, "API", kIngestScope},
                {&lists.read, "read", kReadScope},
                {&lists.admin, "admin", kAdminKeyScopes}};
  for (const auto& list : kLists) {
    for (size_t i = 0; i < list.keys->size(); ++i) {
      const std::string_view key = (*list.keys)[i];
      if (key.empty()) {
        continue;
      }
      const std::string problem = KeyProblem(key);
      if (!problem.empty()) {
        return Status::InvalidArgument(
            fmt::format("{} key number {} {}", list.name, i + 1, problem));
      }
      PaddedKey padded;
      std::copy(key.begin(), key.end(), padded.bytes.begin());
      padded.size = key.size();
      padded.scopes = list.scopes;
      // A key in several lists: one entry with the union of their scopes.
      auto same = std::find_if(out.keys_.begin(), out.keys_.end(), [&](const PaddedKey& k) {
        return k.size == padded.size && k.bytes == padded.bytes;
      });
      if (same != out.keys_.end()) {
        same->scopes = same->scopes | padded.scopes;
      } else {
        out.keys_.push_back(padded);
      }
    }
  }
  return out;
}

size_t ApiKeys::count(Scopes scope) const {
  return static_cast<size_t>(std::count_if(
      keys_.begin(), keys_.end(), [scope](const PaddedKey& k) { return k.scopes.Has(scope); }));
}

Scopes ApiKeys::Needed(boost::beast::http::verb method, std::string_view path) const {
  if (keys_.empty() || path == "/healthz" || path == "/readyz") {
    return kNoScope;
  }
  if (path == "/metrics") {
    return protect_metrics_ ? kAnyKey : kNoScope;
  }
  if (method == boost::beast::http::verb::post) {
    return kIngestScope;
  }
  if (method == boost::beast::http::verb::delete_) {
    return kAdminScope;
  }
  constexpr std::string_view kReadApi[] = {"/v1/sessions",    "/v1/events", "/v1/messages",
                                           "/v1/experiments", "/v1/stats",  kStreamPath};
  for (const std::string_view prefix : kReadApi) {
    if (path.starts_with(prefix)) {
      return kReadScope;
    }
  }
  return kNoScope;
}

Access ApiKeys::Check(boost::beast::http::verb method, std::string_view path,
                      std::string_view query, std::string_view authorization) const {
  Access access;
  access.need = Needed(method, path);
  if (access.need.empty()) {
    return access;
  }
  // ?access_token= is for GET /v1/stream only (PresentedToken checks the path).
  const Scopes have = Match(PresentedToken(
      path, method == boost::beast::http::verb::get ? query : std::string_view(), authorization));
  if (have.empty()) {
    access.verdict = Access::Verdict::kUnauthorized;
  } else if (!Allows(have, access.need)) {
    access.verdict = Access::Verdict::kForbidden;
  }
  return access;
}

Scopes ApiKeys::Scope(std::string_view authorization) const {
  if (keys_.empty()) {
    return kNoScope;
  }
  // Not /v1/stream: the header only.
  return Match(PresentedToken("", "", authorization));
}

Scopes ApiKeys::Match(std::string_view token) const {
  // Longer than any key can be: refused without looking at the keys (leaks only that the
  // token is over kMaxKeyBytes, which every client knows).
  if (token.empty() || token.size() > kMaxKeyBytes) {
    return kNoScope;
  }
  std::array<unsigned char, kMaxKeyBytes> presented{};
  std::copy(token.begin(), token.end(), presented.begin());
  unsigned scopes = 0;
  for (const PaddedKey& key : keys_) {
    unsigned diff = 0;
    for (size_t i = 0; i < kMaxKeyBytes; ++i) {
      diff |= static_cast<unsigned>(presented[i] ^ key.bytes[i]);
    }
    // Equal padded bytes and equal lengths (padding alone would let "k" match "k\0").
    diff |= static_cast<unsigned>(key.size ^ token.size());
    // diff < 2^31 here, so (diff - 1) >> 31 is 1 exactly when diff == 0, and 0 - that is all
    // ones or zero: the key's scopes are added only when equal, without a branch.
    const unsigned equal_mask = 0u - ((diff - 1u) >> 31);
    scopes |= equal_mask & key.scopes.bits;
  }
  // Keep the compiler from turning the loops into an early exit.
  volatile unsigned result = scopes;
  return Scopes{static_cast<uint8_t>(result)};
}

}  // namespace tc::http
