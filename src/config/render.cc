#include "render.h"

#include <fmt/format.h>

#include <cstdlib>
#include <limits>
#include <type_traits>
#include <utility>

#include "flags.h"
#include "key_table.h"
#include "text_util.h"
#include "value_codec.h"

namespace tc::config {
namespace {

constexpr size_t kWidth = 100;

void AppendComment(std::string_view text, std::string* out) {
  for (const std::string& line : Wrap(text, kWidth - 2)) {
    *out += fmt::format("# {}\n", line);
  }
}

std::string EnvNames(const KeySpec& key) {
  std::string names = EnvName(key);
  const std::string dotted = DottedName(key);
  for (const EnvAlias& alias : EnvAliases()) {
    if (alias.key == dotted) {
      names += fmt::format(" or {}", alias.env);
    }
  }
  return names;
}

// " (8 MiB)" after a byte count that is a whole number of KiB/MiB/GiB, else "".
std::string HumanBytes(const KeySpec& key, const Config& config) {
  if (!key.name.ends_with("_bytes")) {
    return "";
  }
  const std::string text = FormatToml(key, config);
  uint64_t value = std::strtoull(text.c_str(), nullptr, 10);
  for (auto [unit, size] :
       {std::pair{"GiB", 1ULL << 30}, {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}}) {
    if (value >= size && value % size == 0) {
      return fmt::format(" ({} {})", value / size, unit);
    }
  }
  return "";
}

// The key's line; a set secret is shown as the placeholder (kRedactedSecret).
std::string KeyLine(const KeySpec& key, const Config& config) {
  std::string value = FormatToml(key, config);
  if (key.secret && value != "\"\"") {
    return fmt::format(
        "{} = \"{}\"  # set, not printed: loading this line fails; put the "
        "value back or set {}\n",
        key.name, kRedactedSecret, EnvName(key));
  }
  return fmt::format("{} = {}\n", key.name, value);
}

std::string MdEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// "integer 1..1024", "integer >= 1", "string", "`auto` \| `embedded` \| `sqld`".
std::string TypeLabel(const KeySpec& key) {
  Config scratch;
  const FieldPtr field = key.field(scratch);
  if (KindOf(field) == ValueKind::kInteger) {
    uint64_t type_max = std::visit(
        [](auto* p) -> uint64_t {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_integral_v<T>) {
            return static_cast<uint64_t>(std::numeric_limits<T>::max());
          } else {
            return 0;
          }
        },
        field);
    if (std::min(key.max, type_max) >= UINT32_MAX) {
      return fmt::format("integer >= {}", key.min);
    }
    return fmt::format("integer {}..{}", key.min, key.max);
  }
  std::string expectation = Expectation(field);
  constexpr std::string_view kOneOf = "one of ";
  if (expectation.starts_with(kOneOf)) {
    std::string out = "`";
    for (char c : expectation.substr(kOneOf.size())) {
      out += c == '|' ? std::string("` \\| `") : std::string(1, c);
    }
    return out + "`";
  }
  return expectation.substr(expectation.find(' ') + 1);  // "a string" -> "string"
}

std::string KeysMarkdown() {
  const Config defaults = Defaults();
  std::string out;
  for (const SectionSpec& section : Sections()) {
    out +=
        section.name.empty() ? "\n### Top level\n\n" : fmt::format("\n### [{}]\n\n", section.name);
    out += fmt::format("{}\n\n", section.help);
    out += "| Key | Type | Default | Environment | Meaning |\n|---|---|---|---|---|\n";
    for (const KeySpec& key : Keys()) {
      if (key.section != section.name) {
        continue;
      }
      std::string env = fmt::format("`{}`", EnvName(key));
      const std::string dotted = DottedName(key);
      for (const EnvAlias& alias : EnvAliases()) {
        if (alias.key == dotted) {
          env += fmt::format(", `{}`", alias.env);
        }
      }
      out += fmt::format("| `{}` | {} | `{}`{} | {} | {} |\n", dotted, TypeLabel(key),
                         MdEscape(FormatToml(key, defaults)), HumanBytes(key, defaults), env,
                         MdEscape(key.help));
    }
  }
  return out;
}

std::string FlagsMarkdown() {
  std::string out = "| Flag | Meaning |\n|---|---|\n";
  for (const FlagSpec& flag : Flags()) {
    std::string head = fmt::format("--{}", flag.name);
    if (!flag.value_name.empty()) {
      head += fmt::format(" {}", flag.value_name);
    }
    out += fmt::format("| `{}` | {} |\n", MdEscape(head), MdEscape(flag.help));
  }
  return out;
}

std::string AliasesMarkdown() {
  std::string out = "| Variable | Key | Note |\n|---|---|---|\n";
  for (const EnvAlias& alias : EnvAliases()) {
    out += fmt::format("| `{}` | `{}` | {} |\n", alias.env, alias.key, MdEscape(alias.note));
  }
  return out;
}

}  // namespace

std::string RenderToml(const Config& config, bool comments) {
  std::string out;
  if (comments) {
    AppendComment(
        "tracecollector configuration: every key, with its meaning, unit and default. This file "
        "is valid as it is and equals the built-in defaults; change what you need or delete a "
        "line to keep its default.",
        &out);
    out += "#\n";
    AppendComment(
        "Precedence: built-in defaults < this file (--config FILE, or TRACECOLLECTOR_CONFIG) < "
        "environment (TRACECOLLECTOR_<SECTION>_<KEY>, and the seed's TURSO_* / SQLD_* variables) "
        "< command-line flags (--listen, --db, --set section.key=value, ...). Unknown keys and "
        "sections are errors. Check a file with: tracecollector --config FILE --check-config",
        &out);
    out += "#\n";
    AppendComment(
        "Generated from src/config/key_table.cc by `tc_config_gen sample`; a unit test keeps "
        "it identical. Reference: docs/configuration.md.",
        &out);
  } else {
    out += "# Effective tracecollector configuration (defaults < file < environment < flags).\n";
  }
  for (const SectionSpec& section : Sections()) {
    if (!section.name.empty()) {
      out += "\n";
      if (comments) {
        AppendComment(section.help, &out);
      }
      out += fmt::format("[{}]\n", section.name);
    }
    for (const KeySpec& key : Keys()) {
      if (key.section != section.name) {
        continue;
      }
      if (comments) {
        out += "\n";
        AppendComment(key.help, &out);
        AppendComment(fmt::format("Default: {}{}. Environment: {}.", FormatToml(key, Defaults()),
                                  HumanBytes(key, Defaults()), EnvNames(key)),
                      &out);
      }
      out += KeyLine(key, config);
    }
  }
  return out;
}

std::string ToToml(const Config& config) { return RenderToml(config, false); }

std::string SampleToml() { return RenderToml(Defaults(), true); }

std::string GeneratedBlock(std::string_view name) {
  if (name == "keys") {
    return KeysMarkdown();
  }
  if (name == "flags") {
    return FlagsMarkdown();
  }
  if (name == "env-aliases") {
    return AliasesMarkdown();
  }
  return "";
}

Result<std::string> UpdateGeneratedBlocks(std::string_view doc) {
  constexpr std::string_view kBegin = "<!-- BEGIN GENERATED: ";
  constexpr std::string_view kClose = " -->\n";
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t begin = doc.find(kBegin, pos);
    if (begin == std::string_view::npos) {
      out += doc.substr(pos);
      return out;
    }
    size_t name_end = doc.find(kClose, begin);
    if (name_end == std::string_view::npos) {
      return Status::InvalidArgument("unterminated BEGIN GENERATED marker");
    }
    std::string_view name = doc.substr(begin + kBegin.size(), name_end - begin - kBegin.size());
    std::string block = GeneratedBlock(name);
    if (block.empty()) {
      return Status::InvalidArgument(fmt::format("unknown generated block '{}'", name));
    }
    const std::string end_marker = fmt::format("<!-- END GENERATED: {} -->", name);
    size_t end = doc.find(end_marker, name_end);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("missing '{}'", end_marker));
    }
    out += doc.substr(pos, name_end + kClose.size() - pos);
    out += block;
    pos = end;
  }
}

}  // namespace tc::config
