// The environment layer: the seed's aliases (TURSO_*, SQLD_*), then TRACECOLLECTOR_<KEY>.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/check.h"
#include "key_table.h"
#include "sources.h"
#include "text_util.h"
#include "value_codec.h"

namespace tc::config {
namespace {

constexpr std::string_view kPrefix = "TRACECOLLECTOR_";
constexpr std::string_view kConfigVar = "TRACECOLLECTOR_CONFIG";
// What the examples and docs give to clients (curl, Python, Node), not settings: a shell that
// exports them for a client may start the collector too. Ignored with a warning, since someone
// may have meant the collector's own keys.
constexpr std::pair<std::string_view, std::string_view> kClientVars[] = {
    {"TRACECOLLECTOR_URL", "http.listen"},
    {"TRACECOLLECTOR_API_KEY", "auth.api_keys"},
    {"TRACECOLLECTOR_READ_KEY", "auth.read_keys"},
    {"TRACECOLLECTOR_ADMIN_KEY", "auth.admin_keys"},
};
constexpr std::string_view kDatabaseUrl = "TURSO_DATABASE_URL";

// The seed's SQLAlchemy-style "sqlite+libsql://" URLs name the same server as libsql:// (or the
// http(s):// URL that follows the prefix).
std::string NormalizeSeedUrl(std::string_view url) {
  constexpr std::string_view kSeedPrefix = "sqlite+libsql://";
  if (!url.starts_with(kSeedPrefix)) {
    return std::string(url);
  }
  std::string_view rest = url.substr(kSeedPrefix.size());
  if (rest.starts_with("http://") || rest.starts_with("https://")) {
    return std::string(rest);
  }
  return fmt::format("libsql://{}", rest);
}

Status ApplyAliases(const std::vector<std::string>& env, Config* config) {
  for (const EnvAlias& alias : EnvAliases()) {
    std::optional<std::string> value = FindEnv(env, alias.env);
    if (!value || value->empty()) {
      continue;
    }
    const KeySpec* key = FindKey(alias.key).key;
    TC_CHECK(key != nullptr);
    std::string text = alias.env == kDatabaseUrl ? NormalizeSeedUrl(*value) : *value;
    Status status = SetFromText(*key, text, config);
    if (!status.ok()) {
      return Status::InvalidArgument(fmt::format("{}: {}", alias.env, status.message()));
    }
    if (alias.env == kDatabaseUrl) {
      config->sqld.mode = SqldMode::kExternal;
    }
  }
  return Status::Ok();
}

std::vector<std::string> AllEnvNames() {
  std::vector<std::string> names;
  for (const KeySpec& key : Keys()) {
    names.push_back(EnvName(key));
  }
  names.emplace_back(kConfigVar);
  return names;
}

}  // namespace

std::optional<std::string> FindEnv(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& entry : env) {
    if (entry.size() > name.size() && entry[name.size()] == '=' && entry.starts_with(name)) {
      return entry.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

Status ApplyEnvironment(const std::vector<std::string>& env, Config* config,
                        std::vector<std::string>* warnings) {
  TC_RETURN_IF_ERROR(ApplyAliases(env, config));
  // Old names of renamed keys first, so the new name wins when both are set.
  for (bool old_names : {true, false}) {
    std::set<std::string_view> seen;
    for (const std::string& entry : env) {
      std::string_view text = entry;
      size_t eq = text.find('=');
      std::string_view name = text.substr(0, eq);
      if (!name.starts_with(kPrefix) || name == kConfigVar || !seen.insert(name).second) {
        continue;
      }
      const auto* client = std::find_if(std::begin(kClientVars), std::end(kClientVars),
                                        [&](const auto& var) { return var.first == name; });
      if (client != std::end(kClientVars)) {
        if (!old_names) {
          warnings->push_back(fmt::format(
              "{} is read by the example clients, not by the collector: ignored here (the "
              "collector's setting is {}, variable {})",
              name, client->second, EnvNameOf(client->second)));
        }
        continue;
      }
      const KeyMatch match = FindKeyByEnv(name);
      if ((match.renamed != nullptr) != old_names) {
        continue;  // the other pass's (unknown names are reported by the second)
      }
      if (!match) {
        std::string hint = Closest(name, AllEnvNames());
        return Status::InvalidArgument(fmt::format(
            "unknown environment variable {}{} (variables are TRACECOLLECTOR_<SECTION>_<KEY>, "
            "see docs/configuration.md)",
            name, hint.empty() ? "" : fmt::format("; did you mean {}?", hint)));
      }
      if (match.renamed != nullptr) {
        warnings->push_back(RenamedKeyWarning("", name, EnvNameOf(match.renamed->new_name)));
      }
      std::string_view value = eq == std::string_view::npos ? "" : text.substr(eq + 1);
      Status status = SetFromText(*match.key, value, config);
      if (!status.ok()) {
        return Status::InvalidArgument(fmt::format("{}: {}", name, status.message()));
      }
    }
  }
  return Status::Ok();
}

}  // namespace tc::config
