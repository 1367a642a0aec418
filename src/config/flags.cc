#include "flags.h"

#include <fmt/format.h>

#include "common/check.h"
#include "key_table.h"
#include "text_util.h"
#include "value_codec.h"

namespace tc::config {
namespace {

// A key set by a flag of its own (the code's names: current ones).
Status SetKey(std::string_view dotted, std::string_view value, Config* config) {
  const KeyMatch match = FindKey(dotted);
  TC_CHECK(match.key != nullptr && match.renamed == nullptr);
  return SetFromText(*match.key, value, config);
}

// The key a --set value names ("section.key=value"), or an empty match.
KeyMatch SetTarget(std::string_view value) {
  size_t eq = value.find('=');
  return eq == std::string_view::npos ? KeyMatch{} : FindKey(value.substr(0, eq));
}

Status ApplyNothing(std::string_view, Invocation*) { return Status::Ok(); }

Status ApplyListen(std::string_view value, Invocation* inv) {
  return SetKey("http.listen", value, &inv->config);
}

Status ApplyBackend(std::string_view value, Invocation* inv) {
  return SetKey("backend", value, &inv->config);
}

Status ApplyDb(std::string_view value, Invocation* inv) {
  TC_RETURN_IF_ERROR(SetKey("embedded.path", value, &inv->config));
  return SetKey("sqld.db_path", value, &inv->config);
}

Status ApplySqldUrl(std::string_view value, Invocation* inv) {
  if (value.empty()) {
    return Status::InvalidArgument("the URL must not be empty");
  }
  TC_RETURN_IF_ERROR(SetKey("sqld.url", value, &inv->config));
  inv->config.sqld.mode = SqldMode::kExternal;
  inv->config.backend = Backend::kSqld;
  return Status::Ok();
}

Status ApplyAck(std::string_view value, Invocation* inv) {
  return SetKey("ingest.ack", value, &inv->config);
}

Status ApplyLogLevel(std::string_view value, Invocation* inv) {
  return SetKey("log.level", value, &inv->config);
}

Status ApplyLogFormat(std::string_view value, Invocation* inv) {
  return SetKey("log.format", value, &inv->config);
}

Status ApplySet(std::string_view value, Invocation* inv) {
  size_t eq = value.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument(
        fmt::format("expected section.key=value (e.g. queue.max_records=50000), got '{}'", value));
  }
  std::string_view dotted = value.substr(0, eq);
  const KeyMatch match = FindKey(dotted);
  if (!match) {
    std::vector<std::string> names;
    for (const KeySpec& k : Keys()) {
      names.push_back(DottedName(k));
    }
    std::string hint = Closest(dotted, names);
    return Status::InvalidArgument(fmt::format(
        "unknown key '{}'{}", dotted, hint.empty() ? "" : fmt::format("; did you mean {}?", hint)));
  }
  if (match.renamed != nullptr) {
    inv->warnings.push_back(RenamedKeyWarning("--set ", dotted, match.renamed->new_name));
  }
  Status status = SetFromText(*match.key, value.substr(eq + 1), &inv->config);
  if (!status.ok()) {
    return Status::InvalidArgument(fmt::format("{}: {}", dotted, status.message()));
  }
  return Status::Ok();
}

Status ApplyCheckConfig(std::string_view, Invocation* inv) {
  inv->check_config = true;
  return Status::Ok();
}

Status ApplyVersion(std::string_view, Invocation* inv) {
  inv->show_version = true;
  return Status::Ok();
}

Status ApplyHelp(std::string_view, Invocation* inv) {
  inv->show_help = true;
  return Status::Ok();
}

const FlagSpec kFlags[] = {
    {"config", "FILE",
     "Read this TOML configuration file (default: $TRACECOLLECTOR_CONFIG, else none: "
     "built-in defaults). Every key is documented in config/tracecollector.toml.",
     ApplyNothing},
    {"listen", "HOST:PORT", "HTTP address to listen on (http.listen; port 0 = any free port).",
     ApplyListen},
    {"backend", "auto|embedded|sqld", "Where records are stored (backend).", ApplyBackend},
    {"db", "PATH",
     "The database: the SQLite file for the embedded backend, or sqld's data directory / "
     "tursodb's file for a spawned server (sets embedded.path and sqld.db_path).",
     ApplyDb},
    {"sqld-url", "URL",
     "Use the external Hrana server at URL (libsql://, https://, http://): sets sqld.url, "
     "sqld.mode = external and backend = sqld.",
     ApplySqldUrl},
    {"ack", "durable|queued",
     "Default acknowledgement (ingest.ack): durable = after commit, queued = on admission.",
     ApplyAck},
    {"log-level", "LEVEL", "debug, info, warn or error (log.level).", ApplyLogLevel},
    {"log-format", "logfmt|json",
     "Log lines as logfmt for people or JSON objects for machines (log.format).", ApplyLogFormat},
    {"set", "SECTION.KEY=VALUE",
     "Set any configuration key, e.g. --set queue.max_records=50000 or --set backend=sqld. "
     "Repeatable.",
     ApplySet},
    {"check-config", "",
     "Validate the configuration and what a start needs (API keys, the sqld binary, "
     "writable database and spool paths), print the effective configuration as TOML and exit "
     "(0 = valid, 2 = problems, listed on stderr).",
     ApplyCheckConfig},
    {"version", "", "Print the version and exit.", ApplyVersion},
    {"help", "", "Print this help and exit (also -h).", ApplyHelp},
};

const FlagSpec* FindFlag(std::string_view name) {
  for (const FlagSpec& flag : kFlags) {
    if (flag.name == name) {
      return &flag;
    }
  }
  return nullptr;
}

}  // namespace

std::span<const FlagSpec> Flags() { return kFlags; }

Result<std::vector<FlagUse>> ParseFlags(const std::vector<std::string>& args) {
  std::vector<FlagUse> uses;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h") {
      arg = "--help";
    }
    if (!arg.starts_with("--") || arg.size() == 2) {
      return Status::InvalidArgument(fmt::format("unexpected argument '{}' (see --help)", arg));
    }
    std::string_view body = arg.substr(2);
    size_t eq = body.find('=');
    std::string_view name = body.substr(0, eq);
    const FlagSpec* flag = FindFlag(name);
    if (flag == nullptr) {
      std::vector<std::string> names;
      for (const FlagSpec& f : kFlags) {
        names.push_back(fmt::format("--{}", f.name));
      }
      std::string hint = Closest(fmt::format("--{}", name), names);
      return Status::InvalidArgument(
          fmt::format("unknown flag --{}{} (see --help)", name,
                      hint.empty() ? "" : fmt::format("; did you mean {}?", hint)));
    }
    FlagUse use{flag, ""};
    if (flag->value_name.empty()) {
      if (eq != std::string_view::npos) {
        return Status::InvalidArgument(fmt::format("--{} takes no value", name));
      }
    } else if (eq != std::string_view::npos) {
      use.value = std::string(body.substr(eq + 1));
    } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
      use.value = args[++i];
    } else {
      return Status::InvalidArgument(
          fmt::format("--{} needs a value: --{} {}", name, name, flag->value_name));
    }
    uses.push_back(std::move(use));
  }
  return uses;
}

Status ApplyFlags(const std::vector<FlagUse>& uses, Invocation* invocation) {
  // --set of an old key name first, so the new name wins when both are given.
  for (bool old_names : {true, false}) {
    for (const FlagUse& use : uses) {
      const bool old_name = use.flag->apply == ApplySet && SetTarget(use.value).renamed != nullptr;
      if (old_name != old_names) {
        continue;
      }
      Status status = use.flag->apply(use.value, invocation);
      if (!status.ok()) {
        return Status::InvalidArgument(fmt::format("--{}: {}", use.flag->name, status.message()));
      }
    }
  }
  return Status::Ok();
}

std::string HelpText() {
  constexpr size_t kColumn = 30;
  constexpr size_t kWidth = 100;
  std::string out =
      "Usage: tracecollector [FLAGS]\n\n"
      "Collects LLM-agent traces (synth-ai Tracing V3) over HTTP/JSON and stores them durably\n"
      "in SQLite (embedded) or sqld/Turso (Hrana over HTTP).\n\nFlags:\n";
  for (const FlagSpec& flag : kFlags) {
    std::string head = fmt::format("  --{}", flag.name);
    if (!flag.value_name.empty()) {
      head += fmt::format(" {}", flag.value_name);
    }
    std::vector<std::string> lines = Wrap(flag.help, kWidth - kColumn);
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string left = i == 0 ? head : "";
      if (left.size() + 1 >= kColumn) {  // a long flag gets its own line
        out += left + "\n";
        left.clear();
      }
      out += fmt::format("{:<{}}{}\n", left, kColumn, lines[i]);
    }
  }
  std::string aliases;
  for (const EnvAlias& alias : EnvAliases()) {
    aliases += fmt::format("{}{}", aliases.empty() ? "" : ", ", alias.env);
  }
  out += "\n";
  std::string footer = fmt::format(
      "Precedence: built-in defaults < the TOML file (--config, or TRACECOLLECTOR_CONFIG) < "
      "environment < flags. Every key has an environment variable "
      "TRACECOLLECTOR_<SECTION>_<KEY> (e.g. TRACECOLLECTOR_HTTP_LISTEN, "
      "TRACECOLLECTOR_RETRY_MAX_MS); the seed's variables are read too: {}. Unknown keys, "
      "variables and flags are errors.",
      aliases);
  for (const std::string& line : Wrap(footer, kWidth)) {
    out += line + "\n";
  }
  out +=
      "\nExit status:\n"
      "  0  stopped cleanly (SIGTERM/SIGINT), or --help, --version, a valid --check-config\n"
      "  1  runtime failure: could not start (port in use, database not writable, sqld binary\n"
      "     not found or not ready, ...)\n"
      "  2  usage or configuration error (unknown flag or key, invalid value); nothing started\n"
      "  3  the supervised sqld child crash-looped (sqld.max_restarts) and the collector gave up\n"
      "\nEvery key, with its meaning, unit and default: config/tracecollector.toml\n"
      "Reference and examples: docs/configuration.md; problems: docs/troubleshooting.md\n";
  return out;
}

}  // namespace tc::config
