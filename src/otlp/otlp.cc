// OTLP's public side (otlp/otlp.h): telling OTLP/JSON from a SessionTrace document, decoding and
// mapping a request, and the answers in the request's encoding.

#include "otlp/otlp.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <protozero/pbf_writer.hpp>

#include "common/json_writer.h"
#include "mapping.h"
#include "model.h"

namespace tc::otlp {

bool IsOtlpJson(std::string_view padded_body) {
  thread_local simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser
          .iterate(padded_body.data(), padded_body.size(),
                   padded_body.size() + simdjson::SIMDJSON_PADDING)
          .get(doc) != simdjson::SUCCESS) {
    return false;
  }
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return false;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key == "resourceSpans") return true;
    // The value is skipped by moving on to the next field.
  }
  return false;
}

Result<Conversion> Convert(std::string_view padded_body, Encoding encoding,
                           const DecodeLimits& limits, const MappingOptions& options) {
  Result<ExportRequest> request = encoding == Encoding::kProtobuf
                                      ? DecodeProtobuf(padded_body, limits)
                                      : DecodeJson(padded_body, limits);
  if (!request.has_value()) return request.error();
  Conversion out = MapSpans(*request, options);
  if (options.max_records != 0 && out.records.size() > options.max_records) {
    return Status::ResourceExhausted(
        fmt::format("the spans make more than {} records (events, steps and messages); send "
                    "fewer spans per request",
                    options.max_records));
  }
  return out;
}

std::string SuccessBody(Encoding encoding, int64_t rejected_spans, std::string_view message) {
  if (encoding == Encoding::kJson) {
    if (rejected_spans == 0 && message.empty()) return "{}";
    JsonWriter json;
    json.BeginObject().Key("partialSuccess").BeginObject();
    // proto3's JSON form of an int64 is a decimal string.
    json.Key("rejectedSpans").String(std::to_string(rejected_spans));
    json.Key("errorMessage").String(message);
    json.EndObject().EndObject();
    return json.Take();
  }
  std::string out;
  if (rejected_spans == 0 && message.empty()) return out;  // partial_success unset
  protozero::pbf_writer response(out);
  protozero::pbf_writer partial(response, 1);  // ExportTraceServiceResponse.partial_success
  partial.add_int64(1, rejected_spans);        // ExportTracePartialSuccess.rejected_spans
  partial.add_string(2, message.data(), message.size());  // .error_message
  partial.commit();
  return out;
}

std::string StatusBody(Encoding encoding, int grpc_code, std::string_view message) {
  if (encoding == Encoding::kJson) {
    JsonWriter json;
    json.BeginObject().Key("code").Int(grpc_code).Key("message").String(message).EndObject();
    return json.Take();
  }
  std::string out;
  protozero::pbf_writer status(out);
  status.add_int32(1, grpc_code);                        // google.rpc.Status.code
  status.add_string(2, message.data(), message.size());  // .message
  return out;
}

}  // namespace tc::otlp
