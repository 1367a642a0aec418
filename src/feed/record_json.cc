// AppendRecordJson (record_json.h).

#include "record_json.h"

#include <string_view>
#include <type_traits>

#include "common/json_writer.h"
#include "schema/record_fields.h"

namespace tc::feed {
namespace {

// The fields that hold JSON text (schema::JsonText), by wire name: written as JSON.
bool IsJsonField(std::string_view name) {
  for (std::string_view json :
       {"metadata", "step_metadata", "call_records", "system_state_before", "system_state_after",
        "event_metadata", "configuration", "reward_metadata"}) {
    if (name == json) return true;
  }
  return false;
}

}  // namespace

void AppendRecordJson(const schema::Record& record, uint64_t position, std::string* out) {
  JsonWriter json;
  json.BeginObject();
  json.Key("position").Uint(position);
  json.Key("type").String(schema::RecordTypeName(record.body));
  if (!record.key.empty()) json.Key("id").String(record.key);
  std::visit(
      [&](const auto& body) {
        schema::VisitNamedFields(body, [&](std::string_view name, const auto& field) {
          using T = std::decay_t<decltype(field)>;
          if constexpr (std::is_same_v<T, std::string>) {
            json.Key(name).String(field);
          } else if constexpr (std::is_same_v<T, schema::OptString>) {
            if (!field) return;
            json.Key(name);
            if (IsJsonField(name) && !field->empty()) {
              json.Raw(*field);
            } else {
              json.String(*field);
            }
          } else if constexpr (std::is_same_v<T, schema::OptInt>) {
            if (field) json.Key(name).Int(*field);
          } else if constexpr (std::is_same_v<T, schema::OptDouble>) {
            if (field) json.Key(name).Double(*field);
          } else if constexpr (std::is_same_v<T, schema::OptBool>) {
            if (field) json.Key(name).Bool(*field);
          } else if constexpr (std::is_same_v<T, double>) {
            json.Key(name).Double(field);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            json.Key(name).Int(field);
          } else if constexpr (std::is_same_v<T, schema::EventType>) {
            json.Key(name).String(schema::EventTypeName(field));
          } else if constexpr (std::is_same_v<T, schema::MessageType>) {
            json.Key(name).String(schema::MessageTypeName(field));
          } else {
            static_assert(!sizeof(T), "a field type the stream cannot write");
          }
        });
      },
      record.body);
  json.EndObject();
  out->append(json.str());
}

}  // namespace tc::feed
