// libFuzzer target: POST /v1/traces bodies (SessionTrace documents) through
// ingest::DecodeTraces, then the properties of decoder_checks.h (a body that is not JSON must
// be refused whole), and a differential check: a single valid JSON document decodes the same
// alone and as {"traces":[document]}.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "decoder_checks.h"
#include "fuzz_input.h"
#include "ingest/decoder.h"
#include "json_grammar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tc::ingest::IngestLimits limits = tc::fuzz::FuzzLimits();
  const tc::fuzz::PaddedInput input(data, size, simdjson::SIMDJSON_PADDING);
  const auto alone = tc::ingest::DecodeTraces(input.view(), limits);
  tc::fuzz::CheckDecoded(alone, /*traces=*/true, limits);
  tc::fuzz::CheckInvalidJsonRefused(input.view(), /*ndjson=*/false, alone);
  if (!alone.has_value() || alone->total != 1 || !tc::fuzz::IsJson(input.view())) {
    return 0;
  }
  const std::string view(input.view());
  if (view.find("\"traces\"") != std::string::npos ||
      view.find_first_not_of(" \t\r\n") == std::string::npos ||
      view[view.find_first_not_of(" \t\r\n")] != '{') {
    return 0;  // already a wrapper (or an array of one document)
  }
  const std::string wrapped = "{\"traces\":[" + view + "]}";
  const tc::fuzz::PaddedInput other(reinterpret_cast<const uint8_t*>(wrapped.data()),
                                    wrapped.size(), simdjson::SIMDJSON_PADDING);
  tc::fuzz::CheckSameDecoding(alone, tc::ingest::DecodeTraces(other.view(), limits),
                              "a trace document alone and inside {\"traces\":[...]}");
  return 0;
}
