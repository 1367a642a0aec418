#pragma once

// The single declarative table of configuration keys (fluent-bit's config_map idea). Every
// consumer walks it: the TOML reader, the environment reader, --set, ToToml, the sample file and
// the key reference in docs/configuration.md. A key is written once, in key_table.cc.
// Internal to tc_config (tests use it too); the table is immutable and thread-safe to read.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "config/config.h"

namespace tc::config {

// A typed pointer to one field of a Config.
using FieldPtr = std::variant<std::string*, bool*, int*, uint16_t*, uint32_t*, uint64_t*, double*,
                              Backend*, AckMode*, SqldMode*>;

// Checks one value on its own (a listen address parses, a level is known); the message does not
// name the key (callers prefix the key, variable or flag). nullptr = no check beyond type/range.
using ValueCheck = Status (*)(const FieldPtr& value);

// The case a string key's value is stored in. A choice (log.level, embedded.synchronous) is
// accepted in any case from every layer and stored in its canonical case, so that
// TRACECOLLECTOR_LOG_LEVEL=WARN and log.level = "warn" are the same setting.
enum class TextCase { kAsIs, kLower, kUpper };

struct KeySpec {
  std::string_view section;    // "" for a top-level key, else "http", "retry", ...
  std::string_view name;       // "listen"
  std::string_view help;       // what it does and its unit; rendered into docs and sample
  FieldPtr (*field)(Config&);  // the field this key sets
  uint64_t min = 0;            // inclusive range for integer keys
  uint64_t max = UINT64_MAX;
  ValueCheck check = nullptr;
  bool secret = false;  // never printed (sqld.auth_token)
  TextCase text_case = TextCase::kAsIs;  // string keys: folded before the check
};

// A variable of the Python seed (synth-ai tracing v3) read as an alias of a key.
struct EnvAlias {
  std::string_view env;   // "TURSO_POOL_SIZE"
  std::string_view key;   // "sqld.pool_size"
  std::string_view note;  // extra effect, for the docs ("" = none)
};

struct SectionSpec {
  std::string_view name;  // "" = top level
  std::string_view help;
};

// A key that was renamed. Its old name is still read everywhere a key is named (the TOML file,
// TRACECOLLECTOR_* variables, --set): FindKey / FindKeyByEnv resolve it to the key of the new
// name, and the source adds one warning per use (RenamedKeyWarning). Within one source the new
// name wins whatever the order: each source applies the old names before all others. Across
// sources the usual precedence holds (an old name in the environment beats the file).
struct RenamedKey {
  std::string_view old_name;  // "sqld.retry.initial_ms"
  std::string_view new_name;  // "retry.initial_ms"
};

// A key found by one of its names.
struct KeyMatch {
  const KeySpec* key = nullptr;         // nullptr: no key has this name
  const RenamedKey* renamed = nullptr;  // set when the name used is the key's old name
  explicit operator bool() const { return key != nullptr; }
};

// Keys in file order: top-level keys first, then section by section.
std::span<const KeySpec> Keys();
std::span<const SectionSpec> Sections();
// Applied before TRACECOLLECTOR_* variables, which therefore win over them.
std::span<const EnvAlias> EnvAliases();
std::span<const RenamedKey> RenamedKeys();

// "retry.initial_ms" / "backend".
std::string DottedName(const KeySpec& key);
// "TRACECOLLECTOR_RETRY_INITIAL_MS".
// What --check-config prints for a secret that is set. Loading it back is an error, so a
// rendered configuration never turns a secret into "none" without a word.
inline constexpr std::string_view kRedactedSecret = "<redacted>";

std::string EnvName(const KeySpec& key);
// The variable of a dotted name: "sqld.retry.max_ms" -> "TRACECOLLECTOR_SQLD_RETRY_MAX_MS".
std::string EnvNameOf(std::string_view dotted);
// By current or old (RenamedKeys) name; an empty match when unknown.
KeyMatch FindKey(std::string_view dotted);
KeyMatch FindKeyByEnv(std::string_view env_name);
// A section of Sections(), or a table that only old names use ("sqld.retry").
bool IsSection(std::string_view dotted);

// The warning for one use of an old name: "`used` is deprecated: use `instead` (...)". `used`
// and `instead` are spelled as the source spells them ("sqld.retry.max_ms",
// "TRACECOLLECTOR_SQLD_RETRY_MAX_MS"); `where` (may be empty) prefixes the line, e.g.
// "FILE:LINE:COL: " or "--set ".
std::string RenamedKeyWarning(std::string_view where, std::string_view used,
                              std::string_view instead);

}  // namespace tc::config
