// libFuzzer target: POST /v1/records bodies (application/json) through
// ingest::DecodeRecords, then the properties of decoder_checks.h (a body that is not JSON must
// be refused whole).

#include <simdjson.h>

#include <cstddef>
#include <cstdint>

#include "decoder_checks.h"
#include "fuzz_input.h"
#include "ingest/decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tc::ingest::IngestLimits limits = tc::fuzz::FuzzLimits();
  const tc::fuzz::PaddedInput input(data, size, simdjson::SIMDJSON_PADDING);
  const auto decoded =
      tc::ingest::DecodeRecords(input.view(), tc::ingest::BodyFormat::kJson, limits);
  tc::fuzz::CheckDecoded(decoded, /*traces=*/false, limits);
  tc::fuzz::CheckInvalidJsonRefused(input.view(), /*ndjson=*/false, decoded);
  return 0;
}
