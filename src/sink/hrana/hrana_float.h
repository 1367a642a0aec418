#pragma once

// Floats for Hrana servers written in Rust. sqld and tursodb read JSON numbers with serde_json's
// default (not "float_roundtrip") parser: it keeps the first digits that fit a u64 and applies
// one multiplication or division by a power of ten, so a double printed with 16-17 significant
// digits can come back one ULP off (0.44999999999999996 is read as 0.45, measured on tursodb).
// The encoder therefore picks, among decimal texts of the double, one that both a correctly
// rounding parser and serde_json's read back exactly.

#include <optional>
#include <string>
#include <string_view>

namespace tc::sink::hrana {

// Appends a finite `value` as a JSON number (see above): a text every correct parser reads back
// exactly, and serde_json's default parser too when such a text exists; for about 1% of
// doubles none does (e.g. 464.72924252192803), then the one serde_json reads nearest (one ULP
// off for everyday magnitudes), counted in InexactFloatCount().
void AppendExactFloat(double value, std::string* out);

// What serde_json 1.x without float_roundtrip reads from the JSON number `text`; nullopt when
// it refuses it (out of range, malformed). Exposed for tests.
std::optional<double> SerdeJsonDefaultParse(std::string_view text);

// Number of values AppendExactFloat could not encode exactly (process-wide, for tests).
uint64_t InexactFloatCount();

}  // namespace tc::sink::hrana
