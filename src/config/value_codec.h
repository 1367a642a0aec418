#pragma once

// Text <-> typed field conversion shared by the TOML file, the environment, --set and the
// renderers. Messages never name the key: callers prefix the key, variable or flag.

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/config.h"
#include "key_table.h"

namespace tc::config {

// The TOML value type a key must have in the file. kFloat keys also accept TOML integers.
enum class ValueKind { kString, kInteger, kFloat, kBoolean };
ValueKind KindOf(const FieldPtr& field);

// What a value must look like, for messages and docs: "an integer", "one of auto|embedded|sqld".
std::string Expectation(const FieldPtr& field);

// Parses `text` as the key's type (integers: decimal; booleans: true/false/1/0; enums: their
// lowercase names), checks its range and value check, and stores it in `config`.
// kInvalidArgument on failure; `config` may then hold the bad value.
Status SetFromText(const KeySpec& key, std::string_view text, Config* config);

// Range and value check of the key's current value in `config` (what Validate runs per key).
Status CheckValue(const KeySpec& key, const Config& config);

// The key's current value as a TOML literal: "\"127.0.0.1:4318\"", "4096", "2.0", "true".
std::string FormatToml(const KeySpec& key, const Config& config);

// A TOML basic string, quoted and escaped.
std::string TomlQuote(std::string_view text);

bool ParseBackend(std::string_view text, Backend* out);
bool ParseAckMode(std::string_view text, AckMode* out);
bool ParseSqldMode(std::string_view text, SqldMode* out);

}  // namespace tc::config
