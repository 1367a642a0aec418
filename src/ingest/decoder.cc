#include "ingest/decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <type_traits>
#include <utility>

#include "body_scan.h"
#include "json_check.h"
#include "json_reader.h"
#include "record_decoder.h"

namespace tc::ingest {
namespace {

using internal::FieldError;
namespace od = simdjson::ondemand;
using internal::Reader;

simdjson::padded_string_view PaddedView(const char* data, size_t size, const char* body_end) {
  return simdjson::padded_string_view(
      data, size, static_cast<size_t>(body_end - data) + simdjson::SIMDJSON_PADDING);
}

// The fields of one record object: `type` and `id` first (fields may come in any order), then
// the typed fields. On failure the reader holds the error (error.syntax: malformed JSON).
bool DecodeRecordObject(od::object& object, Reader& reader, schema::Record* out, std::string* id) {
  std::string record_type;
  bool has_type = false;
  for (auto result : object) {
    od::field field;
    if (auto err = std::move(result).get(field)) return reader.FailCode("", err);
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return reader.FailCode("", err);
    if (key == "type") {
      if (!reader.Id(field.value(), "type", &record_type)) return false;
      has_type = true;
    } else if (key == "id") {
      if (!reader.Id(field.value(), "id", id)) return false;
      if (!id->empty() && id->front() == schema::kDerivedKeyMark) {
        return reader.Fail("id", fmt::format("an id may not begin with '{}' (reserved for keys "
                                             "the collector derives)",
                                             schema::kDerivedKeyMark));
      }
    }
  }
  if (!has_type) return reader.Fail("type", "required field is missing");
  bool reset_ok = false;
  if (auto err = object.reset().get(reset_ok)) return reader.FailCode("", err);
  if (!internal::DecodeTypedRecord(record_type, object, reader, &out->body)) return false;
  out->key = *id;
  return true;
}

bool NotARecord(Reader& reader, od::json_type type) {
  return reader.Fail("",
                     fmt::format("expected a record object, got {}", internal::JsonTypeName(type)));
}

// A record that is an element of an array.
bool DecodeRecordValue(od::value& value, Reader& reader, schema::Record* out, std::string* id) {
  od::json_type type;
  if (!reader.Type(value, "", &type)) return false;
  if (type != od::json_type::object) return NotARecord(reader, type);
  od::object object;
  if (auto err = value.get_object().get(object)) return reader.FailCode("", err);
  return DecodeRecordObject(object, reader, out, id);
}

// Builds the DecodedRequest of one body: counts its records against max_records_per_request
// and keeps each record's outcome (accepted record, or its refusal) in request order.
class RequestBuilder {
 public:
  explicit RequestBuilder(const IngestLimits& limits) : limits_(limits) {}

  // Whole-body failure on too many records.
  Status Count() {
    if (++request_.total > limits_.max_records_per_request) {
      return Status::InvalidArgument(
          fmt::format("more than max_records_per_request ({}) records in the request",
                      limits_.max_records_per_request));
    }
    return Status::Ok();
  }

  // Whole-body failure when `count` records exceed the limit; else room for them is reserved
  // (a Record is ~700 bytes: growing the vector would copy and page-fault for nothing).
  Status Expect(size_t count) {
    if (count > limits_.max_records_per_request) {
      return Status::InvalidArgument(
          fmt::format("{} records, more than max_records_per_request ({})", count,
                      limits_.max_records_per_request));
    }
    request_.records.reserve(count);
    request_.indexes.reserve(count);
    request_.ids.reserve(count);
    return Status::Ok();
  }

  void Accept(schema::Record&& record, std::string id) {
    request_.indexes.push_back(request_.total - 1);
    request_.ids.push_back(std::move(id));
    request_.records.push_back(std::move(record));
  }

  void Refuse(std::string id, std::string field, std::string message) {
    request_.AddError(
        RecordError{request_.total - 1, std::move(id), std::move(field), std::move(message)});
  }

  DecodedRequest Take() { return std::move(request_); }

 private:
  const IngestLimits& limits_;
  DecodedRequest request_;
};

// A record of a JSON body (an od::value element, or the root od::object); a syntax error is a
// whole-body failure.
template <typename Json>
Status DecodeJsonElement(Json& json, const char* body_end, const IngestLimits& limits,
                         std::string_view where, RequestBuilder& builder) {
  TC_RETURN_IF_ERROR(builder.Count());
  Reader reader(limits, body_end);
  schema::Record record;
  std::string id;
  bool ok = false;
  if constexpr (std::is_same_v<Json, od::object>) {
    ok = DecodeRecordObject(json, reader, &record, &id);
  } else {
    ok = DecodeRecordValue(json, reader, &record, &id);
  }
  if (ok) {
    builder.Accept(std::move(record), std::move(id));
    return Status::Ok();
  }
  const FieldError& error = reader.error();
  if (error.syntax) {
    std::string path = internal::JoinPath(where, error.field);
    return Status::InvalidArgument(fmt::format("{}: {}", path, error.message));
  }
  builder.Refuse(std::move(id), error.field, error.message);
  return Status::Ok();
}

Result<DecodedRequest> DecodeJson(std::string_view body, const IngestLimits& limits) {
  const char* body_end = body.data() + body.size();
  od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(PaddedView(body.data(), body.size(), body_end)).get(doc)) {
    return Status::InvalidArgument(
        fmt::format("body is not valid JSON: {}", simdjson::error_message(err)));
  }
  od::json_type type;
  if (auto err = doc.type().get(type)) {
    return Status::InvalidArgument(
        fmt::format("body is not valid JSON: {}", simdjson::error_message(err)));
  }
  RequestBuilder builder(limits);
  od::array array;
  std::string prefix;
  if (type == od::json_type::object) {
    od::object root;
    if (auto err = doc.get_object().get(root)) {
      return Status::InvalidArgument(
          fmt::format("body is not valid JSON: {}", simdjson::error_message(err)));
    }
    od::value records;
    auto err = root.find_field_unordered("records").get(records);
    if (err == simdjson::NO_SUCH_FIELD) {  // a single record object
      bool reset_ok = false;
      if (auto reset_err = root.reset().get(reset_ok)) {
        return Status::InvalidArgument(
            fmt::format("body is not valid JSON: {}", simdjson::error_message(reset_err)));
      }
      TC_RETURN_IF_ERROR(DecodeJsonElement(root, body_end, limits, "", builder));
      return builder.Take();
    }
    if (err) {
      return Status::InvalidArgument(
          fmt::format("body is not valid JSON: {}", simdjson::error_message(err)));
    }
    od::json_type records_type;
    if (auto type_err = records.type().get(records_type)) {
      return Status::InvalidArgument(
          fmt::format("records: not valid JSON: {}", simdjson::error_message(type_err)));
    }
    if (records_type != od::json_type::array) {
      return Status::InvalidArgument(
          fmt::format("records: expected an array, got {}", internal::JsonTypeName(records_type)));
    }
    if (auto array_err = records.get_array().get(array)) {
      return Status::InvalidArgument(
          fmt::format("records: not valid JSON: {}", simdjson::error_message(array_err)));
    }
    prefix = "records";
  } else if (type == od::json_type::array) {
    if (auto err = doc.get_array().get(array)) {
      return Status::InvalidArgument(
          fmt::format("body is not valid JSON: {}", simdjson::error_message(err)));
    }
  } else {
    return Status::InvalidArgument(fmt::format(
        "body must be {{\"records\":[...]}}, an array of records or one record object; got {}",
        internal::JsonTypeName(type)));
  }
  size_t count = 0;
  if (auto err = array.count_elements().get(count)) {
    return Status::InvalidArgument(fmt::format(
        "{}: not valid JSON: {}", prefix.empty() ? "body" : prefix, simdjson::error_message(err)));
  }
  TC_RETURN_IF_ERROR(builder.Expect(count));
  size_t index = 0;
  for (auto element : array) {
    std::string where = fmt::format("{}[{}]", prefix, index++);
    od::value value;
    if (auto err = element.get(value)) {
      return Status::InvalidArgument(
          fmt::format("{}: not valid JSON: {}", where, simdjson::error_message(err)));
    }
    TC_RETURN_IF_ERROR(DecodeJsonElement(value, body_end, limits, where, builder));
  }
  return builder.Take();
}

Result<DecodedRequest> DecodeNdjson(std::string_view body, const IngestLimits& limits) {
  size_t lines = 0;
  internal::ForEachNdjsonLine(body, [&](const internal::NdjsonLine&) { ++lines; });
  const char* body_end = body.data() + body.size();
  RequestBuilder builder(limits);
  TC_RETURN_IF_ERROR(builder.Expect(lines));
  od::parser parser;
  Status too_deep;  // a line nested deeper than max_depth fails the whole body
  internal::ForEachNdjsonLine(body, [&](const internal::NdjsonLine& line) {
    if (!too_deep.ok()) return;
    (void)builder.Count();  // cannot fail: lines were counted above
    const std::string where = fmt::format("line {}", line.line_number);
    // Validated first: on-demand iteration does not check what it skips.
    internal::JsonCheck check = internal::CheckJson(line.text, limits.max_depth, true);
    if (check.too_deep) {
      too_deep = Status::InvalidArgument(fmt::format("{}: {}", where, check.message));
      return;
    }
    if (!check.ok) {
      builder.Refuse("", "", fmt::format("{}: not valid JSON: {}", where, check.message));
      return;
    }
    Reader reader(limits, line.text.data() + line.text.size());
    od::document doc;
    od::json_type type;
    od::object object;
    auto err = parser.iterate(PaddedView(line.text.data(), line.text.size(), body_end)).get(doc);
    if (!err) err = doc.type().get(type);
    if (!err && type != od::json_type::object) {
      (void)NotARecord(reader, type);
      builder.Refuse("", "", fmt::format("{}: {}", where, reader.error().message));
      return;
    }
    if (!err) err = doc.get_object().get(object);
    if (err) {
      builder.Refuse("", "",
                     fmt::format("{}: not valid JSON: {}", where, simdjson::error_message(err)));
      return;
    }
    schema::Record record;
    std::string id;
    if (DecodeRecordObject(object, reader, &record, &id)) {
      const char* trailing = nullptr;
      if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
        builder.Refuse(std::move(id), "",
                       fmt::format("{}: not valid JSON: content after the record", where));
        return;
      }
      builder.Accept(std::move(record), std::move(id));
      return;
    }
    const FieldError& error = reader.error();
    builder.Refuse(std::move(id), error.field, fmt::format("{}: {}", where, error.message));
  });
  TC_RETURN_IF_ERROR(too_deep);
  return builder.Take();
}

}  // namespace

Result<DecodedRequest> DecodeRecords(std::string_view padded_body, BodyFormat format,
                                     const IngestLimits& limits) {
  if (format == BodyFormat::kNdjson) return DecodeNdjson(padded_body, limits);
  TC_RETURN_IF_ERROR(internal::CheckBody(padded_body, limits.max_depth));
  return DecodeJson(padded_body, limits);
}

}  // namespace tc::ingest
