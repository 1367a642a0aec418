#pragma once

// The command-line layer: a declarative table of flags (drives parsing, HelpText and the flag
// reference in docs/configuration.md). Both "--flag value" and "--flag=value" are accepted.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace tc::config {

struct FlagSpec {
  std::string_view name;        // "listen", used as --listen
  std::string_view value_name;  // "HOST:PORT"; empty = the flag takes no value
  std::string_view help;
  // Applies the flag to `invocation` (its config, or its check/version/help bits). The message
  // of an error does not name the flag; ApplyFlags prefixes it.
  Status (*apply)(std::string_view value, Invocation* invocation);
};

std::span<const FlagSpec> Flags();

struct FlagUse {
  const FlagSpec* flag;
  std::string value;
};

// Splits `args` (without argv[0]) into flag uses, in order. kInvalidArgument naming the argument
// for an unknown flag, a missing value, a value given to a flag that takes none, or a positional
// argument.
Result<std::vector<FlagUse>> ParseFlags(const std::vector<std::string>& args);

// Applies `uses` in order; errors are prefixed with the flag ("--listen: ...").
Status ApplyFlags(const std::vector<FlagUse>& uses, Invocation* invocation);

}  // namespace tc::config
