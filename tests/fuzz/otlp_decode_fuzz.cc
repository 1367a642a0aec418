// libFuzzer target: OTLP/HTTP trace bodies (POST /v1/traces with application/x-protobuf or
// application/json) through otlp::DecodeProtobuf and otlp::DecodeJson, both on every input
// (seeds of each encoding; tests/fuzz/corpus/otlp_decode/). Checks, besides crashes, leaks and
// sanitizer reports:
//  - a failure is kInvalidArgument or kResourceExhausted (max_spans and the value budget
//    only) with a message;
//  - a decoded request is within the limits: span_count is the number of spans and at most
//    max_spans; no resource or scope without spans; attributes, events, array values and
//    strings within their limits; arrays/kvlists nested at most max_depth; every text is UTF-8;
//  - a span's ids are "" or lower-case hex of the right length, not all zero; a span has a
//    problem exactly when its ids are "" (trace and span id), and then all of them are "";
//  - round trips: the decoded model written back as protobuf and as OTLP/JSON
//    (tests/unit/otlp/otlp_writer.h) decodes to the same model with either decoder.
// TC_FUZZ_VERBOSE=1 prints what each decoder made of the input.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../unit/otlp/otlp_writer.h"
#include "common/check.h"
#include "fuzz_input.h"
#include "otlp/model.h"

namespace {

using tc::Result;
using tc::StatusCode;
using tc::otlp::AnyValue;
using tc::otlp::DecodeLimits;
using tc::otlp::ExportRequest;
using tc::otlp::KeyValue;
using tc::otlp::Span;

// Small enough that fuzzed inputs reach every limit.
DecodeLimits FuzzLimits() {
  DecodeLimits limits;
  limits.max_spans = 64;
  limits.max_string_bytes = 4096;
  limits.max_attributes = 64;
  limits.max_events = 16;
  limits.max_depth = 8;
  return limits;
}

bool Verbose() {
  static const bool verbose = std::getenv("TC_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

[[noreturn]] void Violation(const char* what, const std::string& detail) {
  std::fprintf(stderr, "otlp_decode property violated: %s: %s\n", what, detail.c_str());
  std::abort();
}

bool IsLowerHex(std::string_view text, size_t digits) {
  if (text.size() != digits) return false;
  bool nonzero = false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    nonzero = nonzero || c != '0';
  }
  return nonzero;
}

class ModelCheck {
 public:
  explicit ModelCheck(const DecodeLimits& limits) : limits_(limits) {}

  void Request(const ExportRequest& request) {
    size_t spans = 0;
    for (const auto& rs : request.resource_spans) {
      TC_CHECK(!rs.scope_spans.empty());
      KeyValues(rs.resource_attributes, 0);
      for (const auto& ss : rs.scope_spans) {
        TC_CHECK(!ss.spans.empty());
        Text(ss.scope_name);
        Text(ss.scope_version);
        for (const Span& span : ss.spans) {
          ++spans;
          OneSpan(span);
        }
      }
    }
    TC_CHECK(spans == request.span_count);
    TC_CHECK(spans <= limits_.max_spans);
  }

 private:
  void OneSpan(const Span& span) {
    if (span.problem.empty()) {
      TC_CHECK(IsLowerHex(span.trace_id, 32));
      TC_CHECK(IsLowerHex(span.span_id, 16));
      TC_CHECK(span.parent_span_id.empty() || IsLowerHex(span.parent_span_id, 16));
    } else {
      TC_CHECK(span.trace_id.empty() && span.span_id.empty() && span.parent_span_id.empty());
    }
    Text(span.name);
    Text(span.status_message);
    KeyValues(span.attributes, 0);
    TC_CHECK(span.events.size() <= limits_.max_events);
    for (const auto& event : span.events) {
      Text(event.name);
      KeyValues(event.attributes, 0);
    }
  }

  void KeyValues(const std::vector<KeyValue>& list, size_t depth) {
    TC_CHECK(list.size() <= limits_.max_attributes);
    for (const KeyValue& kv : list) {
      Text(kv.key);
      Value(kv.value, depth);
    }
  }

  void Value(const AnyValue& value, size_t depth) {
    using Kind = AnyValue::Kind;
    TC_CHECK(value.kind == Kind::kArray || value.array.empty());
    TC_CHECK(value.kind == Kind::kKvList || value.kvlist.empty());
    TC_CHECK(value.kind == Kind::kString || value.kind == Kind::kBytes || value.text.empty());
    if (value.kind == Kind::kString) Text(value.text);
    if (value.kind == Kind::kBytes) TC_CHECK(value.text.size() <= limits_.max_string_bytes);
    if (value.kind == Kind::kArray || value.kind == Kind::kKvList) {
      TC_CHECK(depth + 1 <= limits_.max_depth);
      TC_CHECK(value.array.size() <= limits_.max_attributes);
      for (const AnyValue& item : value.array) Value(item, depth + 1);
      if (value.kind == Kind::kKvList) KeyValues(value.kvlist, depth + 1);
    }
  }

  void Text(const std::string& text) {
    TC_CHECK(text.size() <= limits_.max_string_bytes);
    TC_CHECK(simdjson::validate_utf8(text.data(), text.size()));
  }

  const DecodeLimits& limits_;
};

Result<ExportRequest> DecodeJsonCopy(const std::string& json, const DecodeLimits& limits) {
  const tc::fuzz::PaddedInput input(reinterpret_cast<const uint8_t*>(json.data()), json.size(),
                                    simdjson::SIMDJSON_PADDING);
  return tc::otlp::DecodeJson(input.view(), limits);
}

void RoundTrip(const ExportRequest& model, const DecodeLimits& limits, const char* from) {
  std::string diff;
  const std::string proto = tc::otlp::testing::EncodeProtobuf(model);
  const Result<ExportRequest> again = tc::otlp::DecodeProtobuf(proto, limits);
  if (!again.has_value()) {
    Violation(from, "written back as protobuf, refused: " + again.error().ToString());
  }
  if (!tc::otlp::testing::SameModel(model, *again, &diff)) {
    Violation(from, "written back as protobuf, decoded differently: " + diff);
  }
  const std::string json = tc::otlp::testing::EncodeJson(model);
  const Result<ExportRequest> from_json = DecodeJsonCopy(json, limits);
  if (!from_json.has_value()) {
    Violation(from, "written back as JSON, refused: " + from_json.error().ToString());
  }
  if (!tc::otlp::testing::SameModel(model, *from_json, &diff)) {
    Violation(from, "written back as JSON, decoded differently: " + diff);
  }
}

void Check(const char* decoder, const Result<ExportRequest>& result, const DecodeLimits& limits) {
  if (!result.has_value()) {
    const auto code = result.error().code();
    TC_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kResourceExhausted);
    TC_CHECK(!result.error().message().empty());
    if (Verbose()) std::fprintf(stderr, "%s: %s\n", decoder, result.error().ToString().c_str());
    return;
  }
  if (Verbose()) std::fprintf(stderr, "%s: %zu spans\n", decoder, result->span_count);
  ModelCheck(limits).Request(*result);
  RoundTrip(*result, limits, decoder);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const DecodeLimits limits = FuzzLimits();
  const tc::fuzz::PaddedInput input(data, size, simdjson::SIMDJSON_PADDING);
  Check("protobuf", tc::otlp::DecodeProtobuf(input.view(), limits), limits);
  Check("json", tc::otlp::DecodeJson(input.view(), limits), limits);
  return 0;
}
