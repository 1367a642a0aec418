// Load(): Defaults() < TOML file < environment < flags, then Validate().
#include <fmt/format.h>

#include <optional>
#include <string>

#include "config/config.h"
#include "flags.h"
#include "sources.h"

namespace tc::config {

Config Defaults() { return Config{}; }

Result<Invocation> Load(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  TC_ASSIGN_OR_RETURN(std::vector<FlagUse> uses, ParseFlags(args));
  Invocation invocation;
  invocation.config = Defaults();

  // --help and --version answer without reading (possibly broken) files or variables.
  std::optional<std::string> path;
  std::string origin;
  for (const FlagUse& use : uses) {
    if (use.flag->name == "help") {
      invocation.show_help = true;
    } else if (use.flag->name == "version") {
      invocation.show_version = true;
    } else if (use.flag->name == "config") {
      path = use.value;
      origin = "--config";
    }
  }
  if (invocation.show_help || invocation.show_version) {
    return invocation;
  }
  if (path && path->empty()) {
    return Status::InvalidArgument("--config: the file name is empty");
  }
  if (!path) {  // an empty TRACECOLLECTOR_CONFIG counts as unset
    path = FindEnv(env, "TRACECOLLECTOR_CONFIG");
    origin = "TRACECOLLECTOR_CONFIG";
    if (path && path->empty()) {
      path.reset();
    }
  }
  if (path) {
    TC_RETURN_IF_ERROR(ApplyTomlFile(*path, origin, &invocation.config, &invocation.warnings));
  }
  TC_RETURN_IF_ERROR(ApplyEnvironment(env, &invocation.config, &invocation.warnings));
  TC_RETURN_IF_ERROR(ApplyFlags(uses, &invocation));
  TC_RETURN_IF_ERROR(Validate(invocation.config));
  return invocation;
}

}  // namespace tc::config
