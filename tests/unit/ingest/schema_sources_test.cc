// The record schema is written in four places: schema/records.h (the structs), record_fields.h
// (every field with its wire name: the source the others are checked against), the proto file
// (proto/tracecollector/v1/records.proto, the documented wire schema) and the decoder. records.h
// is checked by the spool's record_codec_test; this test checks the other two:
//  - the proto message of each record type has exactly the fields record_fields.h names (plus
//    the wire-only helpers listed in kWireOnly);
//  - a v1 record carrying every field under that name, with a value of the proto's type, decodes
//    with every field given.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <variant>

#include "ingest/decoder.h"
#include "schema/record_fields.h"
#include "test_util.h"

namespace tc::ingest {
namespace {

// Proto fields that are a wire form of other fields, not fields of their own.
const std::set<std::string> kWireOnly = {
    "time_record",  // {"event_time","message_time"}, also accepted flat
    "actions",      // a runtime event's actions, merged into its metadata
};

using ProtoFields = std::map<std::string, std::string>;  // json_name -> proto type

// message name -> its fields, from the proto file's field lines:
//   [optional|repeated] <type> <name> = <n> [json_name = "<json>"];
std::map<std::string, ProtoFields> ParseProto() {
  std::ifstream in(TC_PROTO_FILE);
  EXPECT_TRUE(in.good()) << TC_PROTO_FILE;
  std::map<std::string, ProtoFields> messages;
  std::string line;
  std::string current;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "message") {
      words >> current;
      continue;
    }
    if (first == "}" && line.rfind('}', 0) == 0) {
      current.clear();  // a top-level closing brace (oneof blocks are indented)
      continue;
    }
    const size_t json = line.find("json_name = \"");
    if (current.empty() || json == std::string::npos || first.rfind("//", 0) == 0) {
      continue;
    }
    std::string type = first;
    if (first == "optional" || first == "repeated") {
      words >> type;
      if (first == "repeated") type = "repeated " + type;
    }
    const size_t start = json + 13;
    messages[current][line.substr(start, line.find('"', start) - start)] = type;
  }
  return messages;
}

// "outcome_reward" -> "OutcomeReward".
std::string MessageName(std::string_view type) {
  std::string out;
  bool upper = true;
  for (char c : type) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  return out;
}

template <typename Body>
std::set<std::string> StructFields() {
  Body body{};
  std::set<std::string> names;
  schema::VisitNamedFields(body, [&](std::string_view name, auto&) { names.emplace(name); });
  return names;
}

// One default body of each record type a client may send (not the internal ones).
std::vector<schema::RecordBody> EveryBody() {
  std::vector<schema::RecordBody> out;
  [&]<size_t... I>(std::index_sequence<I...>) { (out.emplace_back(std::in_place_index<I>), ...); }
  (std::make_index_sequence<std::variant_size_v<schema::RecordBody>>());
  std::erase_if(out, [](const schema::RecordBody& b) { return schema::IsInternalRecord(b); });
  return out;
}

TEST(SchemaSourcesTest, ProtoMessagesHaveTheFieldsRecordFieldsNames) {
  const std::map<std::string, ProtoFields> proto = ParseProto();
  ASSERT_FALSE(proto.empty());
  for (const schema::RecordBody& body : EveryBody()) {
    const std::string message = MessageName(schema::RecordTypeName(body));
    SCOPED_TRACE(message);
    ASSERT_TRUE(proto.contains(message)) << "no proto message " << message;
    std::set<std::string> in_proto;
    for (const auto& [name, type] : proto.at(message)) {
      if (!kWireOnly.contains(name)) in_proto.insert(name);
    }
    const std::set<std::string> in_struct =
        std::visit([](const auto& b) { return StructFields<std::decay_t<decltype(b)>>(); }, body);
    EXPECT_EQ(in_proto, in_struct);
  }
}

// A JSON value of the proto's type for field `name`.
std::string SampleValue(const std::string& name, const std::string& type) {
  if (type == "string") {
    if (name.ends_with("_at") || name == "timestamp") return "\"2025-01-02T03:04:05.000006+00:00\"";
    if (name == "message_type") return "\"assistant\"";
    return "\"v-" + name + "\"";
  }
  if (type == "int64") return "7";
  if (type == "double") return "1.5";
  if (type == "bool") return "true";
  if (type == "google.protobuf.ListValue") return "[1]";
  if (type == "google.protobuf.Value" || type == "google.protobuf.Struct") {
    return name == "content" ? "\"hello\"" : "{\"k\":1}";
  }
  ADD_FAILURE() << "no sample for " << name << " of type " << type;
  return "null";
}

// True when the decoded field holds a value (an optional is set, a text is not empty).
template <typename T>
bool Given(const std::optional<T>& field) {
  return field.has_value();
}
bool Given(const std::string& field) { return !field.empty(); }
bool Given(double field) { return field != 0.0; }
bool Given(int64_t field) { return field != 0; }
bool Given(schema::EventType) { return true; }
bool Given(schema::MessageType) { return true; }

TEST(SchemaSourcesTest, TheDecoderReadsEveryFieldUnderItsName) {
  const std::map<std::string, ProtoFields> proto = ParseProto();
  for (const schema::RecordBody& body : EveryBody()) {
    const std::string type(schema::RecordTypeName(body));
    SCOPED_TRACE(type);
    const ProtoFields& fields = proto.at(MessageName(type));
    // Fields that exclude each other are sent in separate records: an event's fields count
    // only for its type; an event reward names its event and message by id or by ref.
    std::vector<std::map<std::string, std::string>> variants(1);
    if (type == "event")
      variants = {{{"event_type", "\"cais\""}}, {{"event_type", "\"environment\""}}};
    if (type == "event_reward") {
      variants = {{{"event_ref", ""}, {"message_ref", ""}}, {{"event_id", ""}, {"message_id", ""}}};
    }
    std::set<std::string> given;
    for (const auto& overrides : variants) {
      std::string json = "{\"type\":\"" + type + "\"";
      for (const auto& [name, proto_type] : fields) {
        if (kWireOnly.contains(name) || proto_type.starts_with("repeated ")) continue;
        auto it = overrides.find(name);
        if (it != overrides.end() && it->second.empty()) continue;  // left out in this variant
        json += ",\"" + name +
                "\":" + (it != overrides.end() ? it->second : SampleValue(name, proto_type));
      }
      json += "}";
      SCOPED_TRACE(json);
      DecodedRequest request = testing::Records(json);
      ASSERT_TRUE(request.errors.empty())
          << request.errors[0].field << ": " << request.errors[0].message;
      ASSERT_EQ(request.records.size(), 1u);
      std::visit(
          [&](const auto& decoded) {
            schema::VisitNamedFields(decoded, [&](std::string_view name, const auto& field) {
              if (Given(field)) given.emplace(name);
            });
          },
          request.records[0].body);
    }
    const std::set<std::string> all =
        std::visit([](const auto& b) { return StructFields<std::decay_t<decltype(b)>>(); }, body);
    EXPECT_EQ(given, all) << "fields the decoder did not read under their name";
  }
}

}  // namespace
}  // namespace tc::ingest
