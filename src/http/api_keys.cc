#include "http/api_keys.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/beast/core/string.hpp>

#include "common/strings.h"

namespace tc::http {

namespace {

// Around keys, lines of the key file (CRLF files too) and the Authorization value.
constexpr std::string_view kBlanks = " \t\r";

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

Result<ApiKeys> ApiKeys::Load(const config::AuthConfig& auth) {
  std::vector<std::string> keys;
  std::vector<std::string> admin_keys;
  TC_RETURN_IF_ERROR(
      ReadKeys("auth.api_keys", auth.api_keys, "auth.api_keys_file", auth.api_keys_file, &keys));
  TC_RETURN_IF_ERROR(ReadKeys("auth.admin_keys", auth.admin_keys, "auth.admin_keys_file",
                              auth.admin_keys_file, &admin_keys));
  TC_ASSIGN_OR_RETURN(ApiKeys loaded, FromKeys(keys, admin_keys));
  loaded.protect_metrics_ = auth.protect_metrics;
  return loaded;
}

Result<ApiKeys> ApiKeys::FromKeys(const std::vector<std::string>& keys,
                                  const std::vector<std::string>& admin_keys) {
  ApiKeys out;
  // Admin keys first: a key in both lists keeps the admin scope.
  for (const bool admin : {true, false}) {
    const std::vector<std::string>& list = admin ? admin_keys : keys;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string_view key = list[i];
      if (key.empty()) {
        continue;
      }
      const std::string problem = KeyProblem(key);
      if (!problem.empty()) {
        return Status::InvalidArgument(
            fmt::format("{} key number {} {}", admin ? "admin" : "API", i + 1, problem));
      }
      PaddedKey padded;
      std::copy(key.begin(), key.end(), padded.bytes.begin());
      padded.size = key.size();
      padded.admin = admin;
      const bool duplicate = std::any_of(out.keys_.begin(), out.keys_.end(), [&](const auto& k) {
        return k.size == padded.size && k.bytes == padded.bytes;
      });
      if (!duplicate) {
        out.keys_.push_back(padded);
      }
    }
  }
  return out;
}

size_t ApiKeys::admin_size() const {
  return static_cast<size_t>(
      std::count_if(keys_.begin(), keys_.end(), [](const PaddedKey& k) { return k.admin; }));
}

bool ApiKeys::Required(boost::beast::http::verb method, std::string_view path) const {
  if (keys_.empty() || path == "/healthz" || path == "/readyz") {
    return false;
  }
  return method == boost::beast::http::verb::post || method == boost::beast::http::verb::delete_ ||
         path.starts_with("/v1/sessions") || (protect_metrics_ && path == "/metrics");
}

KeyScope ApiKeys::Scope(std::string_view authorization) const {
  if (keys_.empty()) {
    return KeyScope::kNone;
  }
  std::string_view value = Trim(authorization, kBlanks);
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() ||
      !boost::beast::iequals(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return KeyScope::kNone;
  }
  return Match(Trim(value.substr(kScheme.size()), kBlanks));
}

KeyScope ApiKeys::Match(std::string_view token) const {
  // Longer than any key can be: refused without looking at the keys (leaks only that the
  // token is over kMaxKeyBytes, which every client knows).
  if (token.empty() || token.size() > kMaxKeyBytes) {
    return KeyScope::kNone;
  }
  std::array<unsigned char, kMaxKeyBytes> presented{};
  std::copy(token.begin(), token.end(), presented.begin());
  unsigned matched = 0;
  unsigned matched_admin = 0;
  for (const PaddedKey& key : keys_) {
    unsigned diff = 0;
    for (size_t i = 0; i < kMaxKeyBytes; ++i) {
      diff |= static_cast<unsigned>(presented[i] ^ key.bytes[i]);
    }
    // Equal padded bytes and equal lengths (padding alone would let "k" match "k\0").
    diff |= static_cast<unsigned>(key.size ^ token.size());
    // diff < 2^31 here, so (diff - 1) >> 31 is 1 exactly when diff == 0: no branch.
    const unsigned equal = (diff - 1u) >> 31;
    matched |= equal;
    matched_admin |= equal & static_cast<unsigned>(key.admin);
  }
  // Keep the compiler from turning the loops into an early exit.
  volatile unsigned result = matched | (matched_admin << 1);
  const unsigned seen = result;
  if ((seen & 2u) != 0) {
    return KeyScope::kAdmin;
  }
  return (seen & 1u) != 0 ? KeyScope::kIngest : KeyScope::kNone;
}

}  // namespace tc::http
