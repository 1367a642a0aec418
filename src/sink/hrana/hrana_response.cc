#include "hrana_response.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "common/strings.h"

namespace tc::sink::hrana {
namespace {

namespace od = simdjson::ondemand;

Status Malformed(std::string_view what, simdjson::error_code error) {
  return Status::Internal(
      fmt::format("malformed Hrana response ({}): {}", what, simdjson::error_message(error)));
}

Status Malformed(std::string_view what) {
  return Status::Internal(fmt::format("malformed Hrana response: {}", what));
}

// One Hrana Value object. The fields may come in any order, so "value" is kept as text until
// "type" is known.
Status ParseValue(od::value value, storage::SqlValue* out) {
  od::object object;
  if (auto e = value.get_object().get(object)) {
    return Malformed("value", e);
  }
  std::string_view type;
  std::string_view text;    // string value or base64
  std::string_view number;  // raw JSON number
  bool is_null_value = true;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return Malformed("value field", e);
    if (auto e = field.unescaped_key().get(key)) return Malformed("value key", e);
    if (key == "type") {
      if (auto e = field.value().get_string().get(type)) return Malformed("value type", e);
    } else if (key == "value" || key == "base64") {
      od::json_type json_type;
      if (auto e = field.value().type().get(json_type)) return Malformed("value value", e);
      if (json_type == od::json_type::string) {
        if (auto e = field.value().get_string().get(text)) return Malformed("value text", e);
        is_null_value = false;
      } else if (json_type == od::json_type::number) {
        number = field.value().raw_json_token();
        is_null_value = false;
      }
    }
  }
  if (type == "null" || is_null_value) {
    *out = std::monostate{};
  } else if (type == "integer") {
    const std::string_view digits = TrimRight(text.empty() ? number : text, " ");
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return Malformed(fmt::format("integer value '{}'", digits));
    }
    *out = v;
  } else if (type == "float") {
    const std::string_view digits = TrimRight(number.empty() ? text : number, " ");
    double v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc()) {
      return Malformed(fmt::format("float value '{}'", digits));
    }
    *out = v;
  } else if (type == "text" || type == "blob") {
    *out = std::string(text);
  } else {
    return Malformed(fmt::format("value type '{}'", type));
  }
  return Status::Ok();
}

Status ParseError(od::value value, Error* out) {
  od::object object;
  if (auto e = value.get_object().get(object)) return Malformed("error", e);
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return Malformed("error field", e);
    if (auto e = field.unescaped_key().get(key)) return Malformed("error key", e);
    std::string_view text;
    if (key == "message" || key == "code") {
      bool is_null = false;
      if (auto e = field.value().is_null().get(is_null)) return Malformed("error text", e);
      if (is_null) continue;
      if (auto e = field.value().get_string().get(text)) return Malformed("error text", e);
      (key == "message" ? out->message : out->code) = std::string(text);
    }
  }
  return Status::Ok();
}

// Parses the array `key` of a batch result ("step_results" or "step_errors") into `steps`.
Status ParseStepArray(std::string_view key, od::value value, std::vector<StepResult>* steps,
                      size_t* count) {
  const bool is_results = key == "step_results";
  od::array array;
  if (auto e = value.get_array().get(array)) return Malformed(key, e);
  size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto e = std::move(element_result).get(element)) return Malformed(key, e);
    if (steps->size() <= index) steps->resize(index + 1);
    bool is_null = false;
    if (auto e = element.is_null().get(is_null)) return Malformed(key, e);
    if (!is_null) {
      StepResult& step = (*steps)[index];
      if (is_results) {
        if (step.state != StepResult::State::kError) step.state = StepResult::State::kOk;
      } else {
        step.state = StepResult::State::kError;
        TC_RETURN_IF_ERROR(ParseError(element, &step.error));
      }
    }
    ++index;
  }
  *count = index;
  return Status::Ok();
}

Status ParseCols(od::value value, std::vector<std::string>* cols) {
  od::array array;
  if (auto e = value.get_array().get(array)) return Malformed("cols", e);
  for (auto col_result : array) {
    od::object col;
    if (auto e = col_result.get_object().get(col)) return Malformed("col", e);
    std::string name;
    for (auto col_field_result : col) {
      od::field col_field;
      std::string_view col_key;
      if (auto e = std::move(col_field_result).get(col_field)) return Malformed("col field", e);
      if (auto e = col_field.unescaped_key().get(col_key)) return Malformed("col key", e);
      std::string_view text;
      if (col_key == "name" && col_field.value().get_string().get(text) == simdjson::SUCCESS) {
        name = std::string(text);
      }
    }
    cols->push_back(std::move(name));
  }
  return Status::Ok();
}

Status ParseRows(od::value value, std::vector<std::vector<storage::SqlValue>>* rows) {
  od::array array;
  if (auto e = value.get_array().get(array)) return Malformed("rows", e);
  for (auto row_result : array) {
    od::array row;
    if (auto e = row_result.get_array().get(row)) return Malformed("row", e);
    std::vector<storage::SqlValue>& values = rows->emplace_back();
    for (auto cell_result : row) {
      od::value cell;
      if (auto e = std::move(cell_result).get(cell)) return Malformed("cell", e);
      TC_RETURN_IF_ERROR(ParseValue(cell, &values.emplace_back()));
    }
  }
  return Status::Ok();
}

// The "result" of an execute (StmtResult) or a batch (BatchResult), told apart by its keys so
// the response's "type" may come before or after it.
Status ParseResultObject(od::value value, StreamResult* out) {
  od::object object;
  if (auto e = value.get_object().get(object)) return Malformed("result object", e);
  size_t results_seen = 0;
  size_t errors_seen = 0;
  bool is_batch = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return Malformed("result field", e);
    if (auto e = field.unescaped_key().get(key)) return Malformed("result key", e);
    if (key == "step_results" || key == "step_errors") {
      is_batch = true;
      TC_RETURN_IF_ERROR(ParseStepArray(key, field.value(), &out->steps,
                                        key == "step_results" ? &results_seen : &errors_seen));
    } else if (key == "cols") {
      TC_RETURN_IF_ERROR(ParseCols(field.value(), &out->execute.cols));
    } else if (key == "rows") {
      TC_RETURN_IF_ERROR(ParseRows(field.value(), &out->execute.rows));
    } else if (key == "affected_row_count") {
      uint64_t count = 0;
      if (field.value().get_uint64().get(count) == simdjson::SUCCESS) {
        out->execute.affected_row_count = count;
      }
    }
  }
  if (is_batch && results_seen != errors_seen) {
    return Malformed(fmt::format("{} step_results but {} step_errors", results_seen, errors_seen));
  }
  return Status::Ok();
}

Status ParseResponse(od::value value, StreamResult* out) {
  od::object object;
  if (auto e = value.get_object().get(object)) return Malformed("response", e);
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return Malformed("response field", e);
    if (auto e = field.unescaped_key().get(key)) return Malformed("response key", e);
    if (key == "type") {
      std::string_view type;
      if (auto e = field.value().get_string().get(type)) return Malformed("response type", e);
      out->type = std::string(type);
    } else if (key == "result") {
      TC_RETURN_IF_ERROR(ParseResultObject(field.value(), out));
    }
  }
  return Status::Ok();
}

Status ParseStreamResult(od::value value, StreamResult* out) {
  od::object object;
  if (auto e = value.get_object().get(object)) return Malformed("result", e);
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return Malformed("result field", e);
    if (auto e = field.unescaped_key().get(key)) return Malformed("result key", e);
    if (key == "type") {
      std::string_view type;
      if (auto e = field.value().get_string().get(type)) return Malformed("result type", e);
      out->ok = type == "ok";
    } else if (key == "response") {
      TC_RETURN_IF_ERROR(ParseResponse(field.value(), out));
    } else if (key == "error") {
      TC_RETURN_IF_ERROR(ParseError(field.value(), &out->error));
    }
  }
  return Status::Ok();
}

// Responses from this size on size the parser to kParserCapacity at once (see below).
constexpr size_t kSmallResponse = 256 << 10;
constexpr size_t kParserCapacity = 16 << 20;

}  // namespace

Result<PipelineResponse> ParsePipelineResponse(std::string& body) {
  const size_t size = body.size();
  body.reserve(size + simdjson::SIMDJSON_PADDING);
  // A batch's response sizes the parser once for the largest response we expect: growing it
  // step by step leaves each smaller set of buffers (about five times its response's size,
  // touched as far as used) behind in the heap. Untouched capacity costs address space only.
  // Small responses (probes, DDL, pings on other threads) keep a small parser.
  thread_local od::parser parser;
  if (parser.capacity() < size) {
    const size_t capacity = size < kSmallResponse ? size : std::max(size, kParserCapacity);
    if (auto e = parser.allocate(capacity)) {
      return Malformed("parser allocation", e);
    }
  }
  od::document doc;
  if (auto e = parser.iterate(body.data(), size, body.capacity()).get(doc)) {
    return Malformed("document", e);
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) return Malformed("root", e);
  PipelineResponse response;
  bool saw_results = false;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return Malformed("root field", e);
    if (auto e = field.unescaped_key().get(key)) return Malformed("root key", e);
    if (key != "results") continue;
    saw_results = true;
    od::array results;
    if (auto e = field.value().get_array().get(results)) return Malformed("results", e);
    for (auto result : results) {
      od::value value;
      if (auto e = std::move(result).get(value)) return Malformed("results element", e);
      TC_RETURN_IF_ERROR(ParseStreamResult(value, &response.results.emplace_back()));
    }
  }
  if (!saw_results) {
    return Malformed("no \"results\"");
  }
  return response;
}

}  // namespace tc::sink::hrana
