// Reader's structured reads (metadata objects, message content, action lists) and the
// metadata rebuilding they feed. Split from json_reader.cc.

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "common/json_writer.h"
#include "json_reader.h"

namespace tc::ingest::internal {

bool MetadataObject::HasKey(std::string_view key) const {
  return std::any_of(members.begin(), members.end(),
                     [&](const auto& member) { return member.first == key; });
}

schema::JsonText BuildMetadata(const MetadataObject& metadata, const std::string* add_step_id,
                               const std::string* actions_json) {
  const bool add_step = add_step_id != nullptr && !metadata.HasKey("step_id");
  if (!metadata.present && !add_step && actions_json == nullptr) return std::nullopt;
  std::string out = "{";
  bool first = true;
  for (const auto& [key, member] : metadata.members) {
    if (actions_json != nullptr && key == "actions") continue;
    if (!first) out += ',';
    out += member;
    first = false;
  }
  if (add_step) {
    if (!first) out += ',';
    out += "\"step_id\":";
    AppendJsonString(out, *add_step_id);
    first = false;
  }
  if (actions_json != nullptr) {
    if (!first) out += ',';
    out += "\"actions\":";
    out += *actions_json;
  }
  out += '}';
  return out;
}

bool Reader::StringOrJson(od::value& v, std::string_view field, schema::OptString* out) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type == od::json_type::string) return OptText(v, field, out);
  return Json(v, field, out);
}

bool Reader::Metadata(od::value& v, std::string_view field, MetadataObject* out) {
  bool is_null = false;
  if (!IsNull(v, field, &is_null)) return false;
  *out = MetadataObject();
  if (is_null) return true;
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type != od::json_type::object) {
    return Fail(std::string(field), fmt::format("expected an object, got {}", JsonTypeName(type)));
  }
  od::object object;
  if (auto err = v.get_object().get(object)) return FailCode(std::string(field), err);
  out->present = true;
  for (auto result : object) {
    od::field member;
    if (auto err = std::move(result).get(member)) return FailCode(std::string(field), err);
    const char* start = member.key().raw() - 1;  // the key's opening quote
    std::string_view key_view;
    if (auto err = member.unescaped_key().get(key_view)) {
      return FailCode(std::string(field), err);
    }
    std::string key(key_view);
    std::string path = JoinPath(field, key);
    if (key.size() > limits_.max_string_bytes) {
      return Fail(path,
                  fmt::format("key longer than max_string_bytes ({})", limits_.max_string_bytes));
    }
    od::value& child = member.value();
    od::json_type child_type;
    if (!Type(child, path, &child_type)) return false;
    std::string_view span;
    if (key == "step_id" && child_type == od::json_type::string) {
      span = child.raw_json_token();
      std::string step_id;
      if (!Id(child, path, &step_id)) return false;
      out->step_id = std::move(step_id);
    } else if (!WalkSpan(child, 2, &span)) {
      return Reroot(path);
    }
    const char* end = span.data() + span.size();
    std::string text;
    if (!Minify(start, end, path, &text)) return false;
    out->members.emplace_back(std::move(key), std::move(text));
  }
  return true;
}

bool Reader::IntArray(od::value& v, std::string_view field, schema::JsonText* out) {
  bool is_null = false;
  if (!IsNull(v, field, &is_null)) return false;
  if (is_null) {
    out->reset();
    return true;
  }
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type != od::json_type::array) {
    return Fail(std::string(field), fmt::format("expected an array, got {}", JsonTypeName(type)));
  }
  const char* start = v.raw_json_token().data();
  od::array array;
  if (auto err = v.get_array().get(array)) return FailCode(std::string(field), err);
  size_t index = 0;
  for (auto element : array) {
    std::string path = fmt::format("{}[{}]", field, index);
    od::value child;
    if (auto err = element.get(child)) return FailCode(path, err);
    if (++index > limits_.max_array_items) {
      return Fail(std::string(field), fmt::format("array has more than max_array_items ({}) items",
                                                  limits_.max_array_items));
    }
    int64_t ignored = 0;
    if (!Int(child, path, &ignored)) return false;
  }
  std::string text;
  if (!Minify(start, EndOf(v), field, &text)) return false;
  *out = std::move(text);
  return true;
}

bool Reader::Content(od::value& v, std::string_view field, std::string* out) {
  od::json_type type;
  if (!Type(v, field, &type)) return false;
  if (type == od::json_type::null) return Fail(std::string(field), "required field is null");
  if (type == od::json_type::string) {
    std::string_view text;
    if (!String(v, field, limits_.max_string_bytes, "max_string_bytes", &text)) return false;
    out->assign(text);
    return true;
  }
  if (type != od::json_type::object) {
    schema::JsonText json;
    if (!Json(v, field, &json)) return false;
    *out = json.value_or("null");
    return true;
  }
  // Maybe a SessionMessageContent: {"text": str|null, "json_payload": str|null}.
  const char* start = v.raw_json_token().data();
  od::object object;
  if (auto err = v.get_object().get(object)) return FailCode(std::string(field), err);
  schema::OptString text, payload;
  bool has_content_key = false, has_other_key = false;
  for (auto member : object) {
    std::string_view key_view;
    if (auto err = member.unescaped_key().get(key_view)) return FailCode(std::string(field), err);
    std::string key(key_view);
    std::string path = JoinPath(field, key);
    od::value child;
    if (auto err = member.value().get(child)) return FailCode(path, err);
    if (key == "text" || key == "json_payload") {
      has_content_key = true;
      if (!StringOrJson(child, path, key == "text" ? &text : &payload)) return false;
    } else {
      has_other_key = true;
      if (!Walk(child, 2)) return Reroot(path);
    }
  }
  if (has_content_key && !has_other_key) {
    *out = payload ? std::move(*payload) : text ? std::move(*text) : std::string();
    return true;
  }
  return Minify(start, EndOf(v), field, out);
}

}  // namespace tc::ingest::internal
