#pragma once

// The three layers Load() stacks on Defaults(): a TOML file, the environment and (flags.h) the
// command line. Each applies what it finds to `config` and stops at the first error, whose
// message names the culprit: "FILE:LINE:COL: key: ...", "VARIABLE: ...". Each reads the old
// names of renamed keys (key_table.h, RenamedKey) before the others, so the new name wins, and
// appends one line to `warnings` per old name used.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"

namespace tc::config {

// TOML document `text`; `source_name` (the file path) prefixes error messages.
Status ApplyToml(std::string_view text, std::string_view source_name, Config* config,
                 std::vector<std::string>* warnings);

// Reads `path` and applies it. `origin` says where the path came from ("--config",
// "TRACECOLLECTOR_CONFIG") for a file that cannot be read.
Status ApplyTomlFile(const std::string& path, std::string_view origin, Config* config,
                     std::vector<std::string>* warnings);

// "NAME=value" entries. The seed's aliases (TURSO_*, SQLD_*) first, then TRACECOLLECTOR_*;
// an unknown TRACECOLLECTOR_* variable is an error (TRACECOLLECTOR_CONFIG is Load's).
// An empty alias variable counts as unset; a duplicated name: the first one counts (getenv).
Status ApplyEnvironment(const std::vector<std::string>& env, Config* config,
                        std::vector<std::string>* warnings);

// The value of `name` in `env`, if present (first occurrence).
std::optional<std::string> FindEnv(const std::vector<std::string>& env, std::string_view name);

}  // namespace tc::config
