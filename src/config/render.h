#pragma once

// Text rendered from the key and flag tables: ToToml (config.h), the commented sample file
// config/tracecollector.toml, and the generated reference blocks of docs/configuration.md.

#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"

namespace tc::config {

// `config` as TOML; with `comments`, each section and key is preceded by its help, default and
// environment variable (the sample file is RenderToml(Defaults(), true)).
std::string RenderToml(const Config& config, bool comments);

// The exact content of config/tracecollector.toml.
std::string SampleToml();

// Markdown for one generated block of docs/configuration.md: "keys", "flags" or "env-aliases".
// Empty for an unknown name.
std::string GeneratedBlock(std::string_view name);

// `doc` with the text between every "<!-- BEGIN GENERATED: name -->" and
// "<!-- END GENERATED: name -->" pair replaced by GeneratedBlock(name). kInvalidArgument for an
// unmatched marker or an unknown block name.
Result<std::string> UpdateGeneratedBlocks(std::string_view doc);

}  // namespace tc::config
