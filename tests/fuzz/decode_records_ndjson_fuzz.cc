// libFuzzer target: POST /v1/records bodies (application/x-ndjson) through
// ingest::DecodeRecords, then the properties of decoder_checks.h (a line that is not JSON
// refuses its record), and a differential check: the JSON array of the body's lines decodes
// to the same records.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "decoder_checks.h"
#include "fuzz_input.h"
#include "ingest/body_scan.h"
#include "ingest/decoder.h"
#include "json_grammar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tc::ingest::IngestLimits limits = tc::fuzz::FuzzLimits();
  const tc::fuzz::PaddedInput input(data, size, simdjson::SIMDJSON_PADDING);
  const auto ndjson =
      tc::ingest::DecodeRecords(input.view(), tc::ingest::BodyFormat::kNdjson, limits);
  tc::fuzz::CheckDecoded(ndjson, /*traces=*/false, limits);
  tc::fuzz::CheckInvalidJsonRefused(input.view(), /*ndjson=*/true, ndjson);
  if (!ndjson.has_value() || ndjson->total == 0 || !ndjson->errors.empty()) {
    return 0;  // refusals are worded per line in NDJSON, per body in JSON
  }
  std::string array = "[";
  tc::ingest::internal::ForEachNdjsonLine(input.view(),
                                          [&](const tc::ingest::internal::NdjsonLine& line) {
                                            if (array.size() > 1) {
                                              array += ',';
                                            }
                                            array.append(line.text);
                                          });
  array += ']';
  if (!tc::fuzz::IsJson(array)) {
    return 0;  // equivalence holds for JSON only (see CheckInvalidJsonRefused)
  }
  const tc::fuzz::PaddedInput json(reinterpret_cast<const uint8_t*>(array.data()), array.size(),
                                   simdjson::SIMDJSON_PADDING);
  tc::fuzz::CheckSameDecoding(
      ndjson, tc::ingest::DecodeRecords(json.view(), tc::ingest::BodyFormat::kJson, limits),
      "NDJSON lines and their JSON array");
  return 0;
}
