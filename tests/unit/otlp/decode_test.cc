// The OTLP trace decoders (DecodeProtobuf, DecodeJson): every field of a request written with
// protozero's writer and as OTLP/JSON decodes to the same model; the recorded bodies of the
// OpenTelemetry JS SDK (tests/data/otlp/) decode, both encodings to the same spans, with the
// values the SDK was given; wire variations (order, repeats, unknown fields, merges); every
// malformed input and limit is a refusal naming where, never a crash; invalid ids are a
// span's problem, not an error. (Decoding speed: bench/otlp_decode_bench.)

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <protozero/pbf_writer.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/model.h"
#include "otlp_writer.h"

namespace tc::otlp {
namespace {

using testing::Bool;
using testing::Dbl;
using testing::EncodeJson;
using testing::EncodeProtobuf;
using testing::HexToBytes;
using testing::Int;
using testing::SameModel;
using testing::Str;

// ---- helpers -----------------------------------------------------------------------------

std::string ReadData(std::string_view name) {
  const std::filesystem::path dir =
      std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "data" / "otlp";
  std::ifstream in(dir / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << (dir / name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<ExportRequest> Proto(std::string_view body, const DecodeLimits& limits = {}) {
  return DecodeProtobuf(body, limits);
}

Result<ExportRequest> Json(std::string_view text, const DecodeLimits& limits = {}) {
  const simdjson::padded_string padded(text);
  return DecodeJson(std::string_view(padded.data(), padded.size()), limits);
}

// The decoded request; fails the test (and returns an empty one) on an error.
ExportRequest Ok(const Result<ExportRequest>& result) {
  EXPECT_TRUE(result.has_value()) << result.error().ToString();
  return result.has_value() ? *result : ExportRequest{};
}

// The error of a refused body; fails the test if it was accepted.
Status Refused(const Result<ExportRequest>& result) {
  EXPECT_FALSE(result.has_value()) << "decoded with " << result->span_count << " spans";
  return result.has_value() ? Status::Ok() : result.error();
}

void ExpectSame(const ExportRequest& a, const ExportRequest& b) {
  std::string diff;
  EXPECT_TRUE(SameModel(a, b, &diff)) << diff;
}

const AnyValue* Find(const std::vector<KeyValue>& attributes, std::string_view key) {
  for (const KeyValue& kv : attributes) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

AnyValue Bytes(std::string bytes) {
  AnyValue v;
  v.kind = AnyValue::Kind::kBytes;
  v.text = std::move(bytes);
  return v;
}
AnyValue Array(std::vector<AnyValue> values) {
  AnyValue v;
  v.kind = AnyValue::Kind::kArray;
  v.array = std::move(values);
  return v;
}
AnyValue KvList(std::vector<KeyValue> values) {
  AnyValue v;
  v.kind = AnyValue::Kind::kKvList;
  v.kvlist = std::move(values);
  return v;
}

constexpr std::string_view kTrace = "5b8efff798038103d269b633813fc60c";
constexpr std::string_view kSpanA = "eee19b7ec3c1b174";
constexpr std::string_view kSpanB = "eee19b7ec3c1b173";

// A request with every field and every kind of value: two resources, two scopes, three spans
// (a root, a child with events and an error status, a span of another resource).
ExportRequest Sample() {
  ExportRequest r;
  ResourceSpans& rs = r.resource_spans.emplace_back();
  rs.resource_attributes = {{"service.name", Str("agent")}, {"host.cpus", Int(8)}};
  ScopeSpans& ss = rs.scope_spans.emplace_back();
  ss.scope_name = "my.scope";
  ss.scope_version = "1.0";
  Span& root = ss.spans.emplace_back();
  root.trace_id = kTrace;
  root.span_id = kSpanA;
  root.name = "invoke_agent planner";
  root.kind = 1;
  root.start_time_unix_nano = 1735732800000000000u;
  root.end_time_unix_nano = 1735732802100000000u;
  root.attributes = {{"gen_ai.operation.name", Str("invoke_agent")}};
  Span& chat = ss.spans.emplace_back();
  chat.trace_id = kTrace;
  chat.span_id = kSpanB;
  chat.parent_span_id = kSpanA;
  chat.name = "chat gpt-4o";
  chat.kind = 3;
  chat.start_time_unix_nano = 1735732800100000000u;
  chat.end_time_unix_nano = std::numeric_limits<uint64_t>::max();
  chat.attributes = {
      {"gen_ai.operation.name", Str("chat")},
      {"gen_ai.request.model", Str("gpt-4o")},
      {"gen_ai.usage.input_tokens", Int(120)},
      {"negative", Int(-9223372036854775807 - 1)},
      {"big", Int(9223372036854775807)},
      {"gen_ai.request.temperature", Dbl(0.7)},
      {"tiny", Dbl(-1.5e-300)},
      {"nan", Dbl(std::numeric_limits<double>::quiet_NaN())},
      {"inf", Dbl(-std::numeric_limits<double>::infinity())},
      {"gen_ai.request.stream", Bool(true)},
      {"off", Bool(false)},
      {"blob", Bytes(std::string("\x00\xff\x10 binary", 10))},
      {"gen_ai.response.finish_reasons", Array({Str("stop"), Str("length")})},
      {"mixed", Array({Int(1), Dbl(2.5), Bool(false), Array({}), Array({Array({Str("deep")})})})},
      {"map", KvList({{"a", Int(1)}, {"b", KvList({{"c", Str("d")}})}, {"e", AnyValue{}}})},
      {"empty", AnyValue{}},
      {"", Str("")},
      {"unicode \xc3\xa9", Str("h\xc3\xa9llo \xf0\x9f\x8c\x8d \"quoted\" \\ \n\t\x01")},
  };
  chat.events = {{1735732800150000000u,
                  "gen_ai.content.prompt",
                  {{"gen_ai.prompt", Str("[{\"role\":\"user\"}]")}}},
                 {0, "", {}}};
  chat.status_code = 2;
  chat.status_message = "rate limited";
  ResourceSpans& rs2 = r.resource_spans.emplace_back();
  ScopeSpans& ss2 = rs2.scope_spans.emplace_back();
  Span& other = ss2.spans.emplace_back();
  other.trace_id = "0000000000000000000000000000000f";
  other.span_id = "ffffffffffffffff";
  other.kind = 5;
  other.status_code = 1;
  r.span_count = 3;
  return r;
}

// ---- protobuf and JSON of the same model -------------------------------------------------

TEST(OtlpDecodeTest, ProtobufDecodesEveryField) {
  const ExportRequest sample = Sample();
  const ExportRequest decoded = Ok(Proto(EncodeProtobuf(sample)));
  ExpectSame(decoded, sample);
  // A few fields spelled out, so that a writer and a decoder that agree on a mistake fail.
  ASSERT_EQ(decoded.resource_spans.size(), 2u);
  const Span& chat = decoded.resource_spans[0].scope_spans[0].spans[1];
  EXPECT_EQ(chat.trace_id, kTrace);
  EXPECT_EQ(chat.span_id, kSpanB);
  EXPECT_EQ(chat.parent_span_id, kSpanA);
  EXPECT_EQ(chat.name, "chat gpt-4o");
  EXPECT_EQ(chat.kind, 3);
  EXPECT_EQ(chat.end_time_unix_nano, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(chat.status_code, 2);
  EXPECT_EQ(chat.status_message, "rate limited");
  EXPECT_TRUE(chat.problem.empty());
  EXPECT_EQ(Find(chat.attributes, "negative")->integer, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Find(chat.attributes, "blob")->text, std::string("\x00\xff\x10 binary", 10));
  EXPECT_EQ(Find(chat.attributes, "map")->kvlist[1].value.kvlist[0].value.text, "d");
  ASSERT_EQ(chat.events.size(), 2u);
  EXPECT_EQ(chat.events[0].time_unix_nano, 1735732800150000000u);
  EXPECT_EQ(decoded.resource_spans[0].scope_spans[0].scope_name, "my.scope");
  EXPECT_EQ(decoded.resource_spans[1].scope_spans[0].spans[0].span_id, "ffffffffffffffff");
  EXPECT_EQ(decoded.span_count, 3u);
}

TEST(OtlpDecodeTest, JsonDecodesToTheSameModel) {
  const ExportRequest sample = Sample();
  const ExportRequest from_json = Ok(Json(EncodeJson(sample)));
  ExpectSame(from_json, sample);
  ExpectSame(from_json, Ok(Proto(EncodeProtobuf(sample))));
}

TEST(OtlpDecodeTest, EmptyBodiesAndEmptyContainers) {
  EXPECT_EQ(Ok(Proto("")).span_count, 0u);
  EXPECT_EQ(Ok(Json("{}")).span_count, 0u);
  EXPECT_EQ(Ok(Json(R"({"resourceSpans":null})")).span_count, 0u);
  // Resources and scopes without spans carry nothing: dropped, in both encodings.
  ExportRequest empty;
  empty.resource_spans.emplace_back().resource_attributes = {{"k", Str("v")}};
  empty.resource_spans.emplace_back().scope_spans.emplace_back().scope_name = "s";
  EXPECT_TRUE(Ok(Proto(EncodeProtobuf(empty))).resource_spans.empty());
  EXPECT_TRUE(Ok(Json(EncodeJson(empty))).resource_spans.empty());
  // 100,000 empty resource_spans (2 bytes each) do not become 100,000 objects.
  std::string many;
  for (int i = 0; i < 100000; ++i) many += std::string("\x0a\x00", 2);
  EXPECT_TRUE(Ok(Proto(many)).resource_spans.empty());
}

// ---- the recorded OpenTelemetry JS SDK bodies --------------------------------------------

constexpr std::string_view kJsTrace = "b43167a7fd29b3278c5c5d8a10290ac2";
constexpr uint64_t kT0 = 1735732800000000000u;  // 2025-01-01T12:00:00Z

void CheckJsCapture(const ExportRequest& r) {
  ASSERT_EQ(r.span_count, 3u);
  ASSERT_EQ(r.resource_spans.size(), 1u);
  const ResourceSpans& rs = r.resource_spans[0];
  EXPECT_EQ(Find(rs.resource_attributes, "service.name")->text, "capture-agent");
  EXPECT_EQ(Find(rs.resource_attributes, "service.version")->text, "1.2.3");
  EXPECT_EQ(Find(rs.resource_attributes, "telemetry.sdk.language")->text, "nodejs");
  EXPECT_EQ(Find(rs.resource_attributes, "telemetry.sdk.version")->text, "2.0.1");
  ASSERT_EQ(rs.scope_spans.size(), 1u);
  const ScopeSpans& ss = rs.scope_spans[0];
  EXPECT_EQ(ss.scope_name, "tracecollector-capture");
  EXPECT_EQ(ss.scope_version, "0.1.0");
  ASSERT_EQ(ss.spans.size(), 3u);

  // The chat span (ended first, so exported first).
  const Span& chat = ss.spans[0];
  EXPECT_TRUE(chat.problem.empty()) << chat.problem;
  EXPECT_EQ(chat.trace_id, kJsTrace);
  EXPECT_EQ(chat.span_id, "fa5a94ccb4bdaabd");
  EXPECT_EQ(chat.parent_span_id, "bd65e0a1daf3141a");
  EXPECT_EQ(chat.name, "chat gpt-4o-mini");
  EXPECT_EQ(chat.kind, 3);  // CLIENT
  EXPECT_EQ(chat.start_time_unix_nano, kT0 + 100000000u);
  EXPECT_EQ(chat.end_time_unix_nano, kT0 + 1300000000u);
  EXPECT_EQ(chat.status_code, 1);
  EXPECT_EQ(chat.status_message, "");
  ASSERT_EQ(chat.attributes.size(), 16u);
  EXPECT_EQ(chat.attributes[0].key, "gen_ai.operation.name");
  EXPECT_EQ(chat.attributes[0].value.text, "chat");
  EXPECT_EQ(Find(chat.attributes, "gen_ai.request.model")->text, "gpt-4o-mini");
  const AnyValue* temperature = Find(chat.attributes, "gen_ai.request.temperature");
  EXPECT_EQ(temperature->kind, AnyValue::Kind::kDouble);
  EXPECT_EQ(temperature->number, 0.7);
  const AnyValue* top_p = Find(chat.attributes, "gen_ai.request.top_p");  // 1.0 in JS: an int
  EXPECT_EQ(top_p->kind, AnyValue::Kind::kInt);
  EXPECT_EQ(top_p->integer, 1);
  const AnyValue* input_tokens = Find(chat.attributes, "gen_ai.usage.input_tokens");
  EXPECT_EQ(input_tokens->kind, AnyValue::Kind::kInt);
  EXPECT_EQ(input_tokens->integer, 120);
  EXPECT_EQ(Find(chat.attributes, "gen_ai.usage.output_tokens")->integer, 42);
  const AnyValue* stream = Find(chat.attributes, "gen_ai.request.stream");
  EXPECT_EQ(stream->kind, AnyValue::Kind::kBool);
  EXPECT_FALSE(stream->boolean);
  const AnyValue* finish = Find(chat.attributes, "gen_ai.response.finish_reasons");
  EXPECT_EQ(finish->kind, AnyValue::Kind::kArray);
  ASSERT_EQ(finish->array.size(), 1u);
  EXPECT_EQ(finish->array[0].text, "stop");
  EXPECT_EQ(Find(chat.attributes, "test.negative")->integer, -7);  // a 10-byte varint
  const AnyValue* ints = Find(chat.attributes, "test.int_array");
  ASSERT_EQ(ints->array.size(), 3u);
  EXPECT_EQ(ints->array[2].integer, 3);
  EXPECT_EQ(Find(chat.attributes, "test.unicode")->text, "h\xc3\xa9llo \xf0\x9f\x8c\x8d");
  ASSERT_EQ(chat.events.size(), 1u);
  EXPECT_EQ(chat.events[0].name, "gen_ai.content.prompt");
  EXPECT_EQ(chat.events[0].time_unix_nano, kT0 + 150000000u);
  EXPECT_EQ(Find(chat.events[0].attributes, "gen_ai.prompt")->text,
            R"([{"role":"user","content":"Weather in Paris?"}])");

  // The tool span: an error status, an exception event, a link (skipped).
  const Span& tool = ss.spans[1];
  EXPECT_EQ(tool.span_id, "99fa6bae007acc5a");
  EXPECT_EQ(tool.parent_span_id, "bd65e0a1daf3141a");
  EXPECT_EQ(tool.name, "execute_tool get_weather");
  EXPECT_EQ(tool.kind, 1);
  EXPECT_EQ(tool.status_code, 2);
  EXPECT_EQ(tool.status_message, "tool timed out");
  EXPECT_EQ(Find(tool.attributes, "gen_ai.tool.name")->text, "get_weather");
  ASSERT_EQ(tool.events.size(), 1u);
  EXPECT_EQ(tool.events[0].name, "exception");
  EXPECT_EQ(tool.events[0].time_unix_nano, kT0 + 1900000000u);
  EXPECT_EQ(Find(tool.events[0].attributes, "exception.type")->text, "TimeoutError");
  EXPECT_EQ(Find(tool.events[0].attributes, "exception.message")->text, "upstream timed out");

  // The root: no parent.
  const Span& agent = ss.spans[2];
  EXPECT_EQ(agent.span_id, "bd65e0a1daf3141a");
  EXPECT_EQ(agent.parent_span_id, "");
  EXPECT_EQ(agent.name, "invoke_agent travel-agent");
  EXPECT_EQ(agent.start_time_unix_nano, kT0);
  EXPECT_EQ(agent.end_time_unix_nano, kT0 + 2100000000u);
  EXPECT_EQ(agent.status_code, 0);
  EXPECT_EQ(Find(agent.attributes, "gen_ai.conversation.id")->text, "conv-42");
  for (const Span& span : ss.spans) EXPECT_EQ(span.trace_id, kJsTrace);
}

TEST(OtlpDecodeTest, JsSdkProtobufCapture) {
  CheckJsCapture(Ok(Proto(ReadData("js_sdk_chat.pb"))));
}

TEST(OtlpDecodeTest, JsSdkJsonCapture) { CheckJsCapture(Ok(Json(ReadData("js_sdk_chat.json")))); }

TEST(OtlpDecodeTest, JsSdkCapturesDecodeToTheSameModel) {
  const ExportRequest proto = Ok(Proto(ReadData("js_sdk_chat.pb")));
  ExpectSame(proto, Ok(Json(ReadData("js_sdk_chat.json"))));
  ExpectSame(proto, Ok(Proto(ReadData("js_sdk_chat_gunzipped.pb"))));
  // And the model written back out decodes to itself in both encodings.
  ExpectSame(proto, Ok(Proto(EncodeProtobuf(proto))));
  ExpectSame(proto, Ok(Json(EncodeJson(proto))));
}

// ---- protobuf on the wire ----------------------------------------------------------------

// An ExportTraceServiceRequest holding one span whose body `write_span` writes.
// (Nested protozero writers drop a submessage left empty: an empty message is written with
// add_bytes(tag, "") in these tests.)
template <typename F>
std::string OneSpan(F write_span) {
  std::string span;
  {
    protozero::pbf_writer s(span);
    write_span(s);
  }
  std::string ss;
  protozero::pbf_writer(ss).add_message(2, span);
  std::string rs;
  protozero::pbf_writer(rs).add_message(2, ss);
  std::string out;
  protozero::pbf_writer(out).add_message(1, rs);
  return out;
}

void ValidIds(protozero::pbf_writer& span) {
  span.add_bytes(1, HexToBytes(kTrace));
  span.add_bytes(2, HexToBytes(kSpanA));
}

// The only span of `r` (a copy: `r` is often a temporary).
Span TheSpan(const ExportRequest& r) {
  if (r.resource_spans.size() != 1 || r.resource_spans[0].scope_spans.size() != 1 ||
      r.resource_spans[0].scope_spans[0].spans.size() != 1) {
    ADD_FAILURE() << "expected exactly one span";
    return {};
  }
  return r.resource_spans[0].scope_spans[0].spans[0];
}

TEST(OtlpDecodeTest, ProtobufFieldsInAnyOrderRepeatedAndUnknown) {
  const std::string body = OneSpan([](protozero::pbf_writer& span) {
    // Unknown fields of every wire type, before, between and after the known ones.
    span.add_uint64(100, 7);
    span.add_fixed64(101, 7);
    span.add_string(102, "unknown");
    span.add_fixed32(103, 7);
    span.add_fixed64(8, 2000);  // end before start
    span.add_fixed64(7, 1000);
    span.add_string(5, "first name");
    span.add_string(5, "last name wins");
    span.add_int32(6, 2);
    span.add_int32(6, -1);  // a 10-byte varint, kept as the enum's int32 value
    {
      protozero::pbf_writer kv(span, 9);
      kv.add_uint32(3, 5);  // key_strindex: ignored
      protozero::pbf_writer value(kv, 2);
      value.add_string(1, "was a string");
      value.add_int64(3, -42);  // the oneof's last member wins
    }
    {
      protozero::pbf_writer kv(span, 9);
      kv.add_string(1, "k2");
      {
        protozero::pbf_writer value(kv, 2);
        protozero::pbf_writer a(value, 5);
        a.add_string(1, "");
      }
      // A second value message merges into the first: the array gets its values appended.
      {
        protozero::pbf_writer value(kv, 2);
        protozero::pbf_writer a(value, 5);
        protozero::pbf_writer v(a, 1);
        v.add_bool(2, true);
      }
      kv.add_string(1, "k2-last");
    }
    span.add_bytes(2, HexToBytes(kSpanB));  // ids after everything else
    span.add_bytes(1, HexToBytes(kTrace));
    span.add_bytes(3, "tracestate=1");
    span.add_uint32(10, 0);
    span.add_uint32(12, 0);
    span.add_uint32(14, 0);
    {
      protozero::pbf_writer link(span, 13);
      link.add_bytes(1, "whatever");
    }
    span.add_fixed32(16, 0x301);
    {
      protozero::pbf_writer status(span, 15);
      status.add_int32(3, 2);
      status.add_uint32(1, 9);
    }
    // A second status merges: code kept, message added.
    {
      protozero::pbf_writer status(span, 15);
      status.add_string(2, "boom");
    }
    {
      protozero::pbf_writer event(span, 11);
      event.add_string(2, "e1");
      event.add_fixed64(1, 5);
      event.add_uint32(4, 0);
      event.add_uint64(99, 1);
    }
  });
  const Span span = TheSpan(Ok(Proto(body)));
  EXPECT_TRUE(span.problem.empty()) << span.problem;
  EXPECT_EQ(span.trace_id, kTrace);
  EXPECT_EQ(span.span_id, kSpanB);
  EXPECT_EQ(span.name, "last name wins");
  EXPECT_EQ(span.kind, -1);
  EXPECT_EQ(span.start_time_unix_nano, 1000u);
  EXPECT_EQ(span.end_time_unix_nano, 2000u);
  ASSERT_EQ(span.attributes.size(), 2u);
  EXPECT_EQ(span.attributes[0].key, "");
  EXPECT_EQ(span.attributes[0].value.kind, AnyValue::Kind::kInt);
  EXPECT_EQ(span.attributes[0].value.integer, -42);
  EXPECT_EQ(span.attributes[0].value.text, "");
  EXPECT_EQ(span.attributes[1].key, "k2-last");
  ASSERT_EQ(span.attributes[1].value.array.size(), 2u);
  EXPECT_EQ(span.attributes[1].value.array[0].kind, AnyValue::Kind::kEmpty);
  EXPECT_TRUE(span.attributes[1].value.array[1].boolean);
  EXPECT_EQ(span.status_code, 2);
  EXPECT_EQ(span.status_message, "boom");
  ASSERT_EQ(span.events.size(), 1u);
  EXPECT_EQ(span.events[0].name, "e1");
  EXPECT_EQ(span.events[0].time_unix_nano, 5u);
}

TEST(OtlpDecodeTest, ProtobufRepeatedResourceAndScopeMerge) {
  std::string out;
  {
    protozero::pbf_writer request(out);
    request.add_string(99, "unknown at the top");
    protozero::pbf_writer rs(request, 1);
    {
      protozero::pbf_writer scope_spans(rs, 2);
      {
        protozero::pbf_writer span(scope_spans, 2);
        ValidIds(span);
      }
      {
        protozero::pbf_writer scope(scope_spans, 1);
        scope.add_string(1, "s");
      }
      {
        protozero::pbf_writer scope(scope_spans, 1);
        scope.add_string(2, "v");
        protozero::pbf_writer attr(scope, 3);
        attr.add_string(1, "scope attributes are skipped");
      }
    }
    {
      protozero::pbf_writer resource(rs, 1);
      protozero::pbf_writer kv(resource, 1);
      kv.add_string(1, "a");
    }
    {
      protozero::pbf_writer resource(rs, 1);
      resource.add_uint32(2, 0);
      protozero::pbf_writer kv(resource, 1);
      kv.add_string(1, "b");
    }
    rs.add_string(3, "https://schema");
  }
  const ExportRequest r = Ok(Proto(out));
  ASSERT_EQ(r.resource_spans.size(), 1u);
  ASSERT_EQ(r.resource_spans[0].resource_attributes.size(), 2u);
  EXPECT_EQ(r.resource_spans[0].resource_attributes[0].key, "a");
  EXPECT_EQ(r.resource_spans[0].resource_attributes[1].key, "b");
  EXPECT_EQ(r.resource_spans[0].resource_attributes[1].value.kind, AnyValue::Kind::kEmpty);
  EXPECT_EQ(r.resource_spans[0].scope_spans[0].scope_name, "s");
  EXPECT_EQ(r.resource_spans[0].scope_spans[0].scope_version, "v");
  EXPECT_EQ(r.span_count, 1u);
}

// ---- invalid ids: the span's problem, not an error ---------------------------------------

TEST(OtlpDecodeTest, ProtobufInvalidIdsAreTheSpansProblem) {
  struct Case {
    std::string trace, span, parent, problem;
  };
  const std::string trace = HexToBytes(kTrace);
  const std::string span = HexToBytes(kSpanA);
  const Case cases[] = {
      {"", span, "", "spans[0].trace_id: is missing"},
      {trace.substr(1), span, "", "spans[0].trace_id: must be 16 bytes, got 15"},
      {std::string(16, '\0'), span, "", "spans[0].trace_id: must not be all zero"},
      {trace, "", "", "spans[0].span_id: is missing"},
      {trace, span + "x", "", "spans[0].span_id: must be 8 bytes, got 9"},
      {trace, std::string(8, '\0'), "", "spans[0].span_id: must not be all zero"},
      {trace, span, "abc", "spans[0].parent_span_id: must be 8 bytes, got 3"},
  };
  for (const Case& c : cases) {
    std::string out;
    {
      protozero::pbf_writer request(out);
      protozero::pbf_writer rs(request, 1);
      protozero::pbf_writer ss(rs, 2);
      for (int i = 0; i < 2; ++i) {
        protozero::pbf_writer s(ss, 2);
        if (i == 1) {  // a valid span next to it is not affected
          ValidIds(s);
          continue;
        }
        if (!c.trace.empty()) s.add_bytes(1, c.trace);
        if (!c.span.empty()) s.add_bytes(2, c.span);
        if (!c.parent.empty()) s.add_bytes(4, c.parent);
        s.add_string(5, "named");
      }
    }
    const ExportRequest r = Ok(Proto(out));
    ASSERT_EQ(r.span_count, 2u);
    const Span& bad = r.resource_spans[0].scope_spans[0].spans[0];
    EXPECT_EQ(bad.problem, "resource_spans[0].scope_spans[0]." + c.problem);
    EXPECT_EQ(bad.name, "named");  // still decoded
    EXPECT_EQ(bad.trace_id, "");
    EXPECT_EQ(bad.span_id, "");
    const Span& good = r.resource_spans[0].scope_spans[0].spans[1];
    EXPECT_TRUE(good.problem.empty()) << good.problem;
    EXPECT_EQ(good.trace_id, kTrace);
  }
  // An all-zero parent is a root, not a problem.
  const Span root = TheSpan(Ok(Proto(OneSpan([](protozero::pbf_writer& s) {
    ValidIds(s);
    s.add_bytes(4, std::string(8, '\0'));
  }))));
  EXPECT_TRUE(root.problem.empty()) << root.problem;
  EXPECT_EQ(root.parent_span_id, "");
}

TEST(OtlpDecodeTest, JsonInvalidIdsAreTheSpansProblem) {
  const auto span_json = [](std::string_view fields) {
    return fmt::format(R"({{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{{}}}]}}]}}]}})", fields);
  };
  struct Case {
    std::string fields, problem;
  };
  const Case cases[] = {
      {R"("spanId":"eee19b7ec3c1b174")", "traceId: is missing"},
      {R"("traceId":"","spanId":"eee19b7ec3c1b174")", "traceId: is missing"},
      {R"("traceId":"5b8efff798038103d269b633813fc6","spanId":"eee19b7ec3c1b174")",
       "traceId: must be 16 bytes, got 15"},
      {R"("traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174")",
       "traceId: must not be all zero"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c")", "spanId: is missing"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b17400")",
       "spanId: must be 8 bytes, got 9"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",)"
       R"("parentSpanId":"abcd")",
       "parentSpanId: must be 8 bytes, got 2"},
  };
  for (const Case& c : cases) {
    const Span span = TheSpan(Ok(Json(span_json(c.fields))));
    EXPECT_EQ(span.problem, "resourceSpans[0].scopeSpans[0].spans[0]." + c.problem) << c.fields;
    EXPECT_EQ(span.trace_id, "");
  }
  // Upper-case hex is lower-cased; an empty or all-zero parent is a root.
  const Span span = TheSpan(Ok(
      Json(span_json(R"("traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19b7ec3c1b174",)"
                     R"("parentSpanId":"")"))));
  EXPECT_TRUE(span.problem.empty()) << span.problem;
  EXPECT_EQ(span.trace_id, kTrace);
  EXPECT_EQ(span.span_id, kSpanA);
  EXPECT_EQ(span.parent_span_id, "");
  EXPECT_EQ(TheSpan(Ok(Json(span_json(R"("traceId":"5b8efff798038103d269b633813fc60c",)"
                                      R"("spanId":"eee19b7ec3c1b174",)"
                                      R"("parentSpanId":"0000000000000000")"))))
                .parent_span_id,
            "");
}

// ---- malformed protobuf ------------------------------------------------------------------

void ExpectInvalid(const Result<ExportRequest>& result, std::string_view expected_text) {
  const Status status = Refused(result);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find(expected_text), std::string::npos)
      << "\"" << status.message() << "\" lacks \"" << expected_text << "\"";
}

// `message` preceded by its tag and one-byte length (messages under 128 bytes).
std::string Field(char tag, const std::string& message) {
  EXPECT_LT(message.size(), 128u);
  return std::string(1, tag) + static_cast<char>(message.size()) + message;
}

// An ExportTraceServiceRequest around the raw bytes of one span.
std::string AroundSpan(const std::string& span) {
  return Field('\x0a', Field('\x12', Field('\x12', span)));
}

TEST(OtlpDecodeTest, ProtobufTruncatedVarint) {
  ExpectInvalid(Proto("\x0a\x80"), "resource_spans: truncated");
  ExpectInvalid(Proto("\x0a\x80"), "at byte 0");
  ExpectInvalid(Proto("\x10"), "request: truncated");  // an unknown field 2
  // Inside a span: the kind's varint (tag 0x30) runs past the end of the span message.
  const std::string request = AroundSpan(Field('\x0a', HexToBytes(kTrace)) + "\x30\xff");
  ExpectInvalid(Proto(request),
                "resource_spans[0].scope_spans[0].spans[0].kind: truncated (a varint, length or "
                "value runs past the end of its message) at byte 24");
  // The same span with its varint complete decodes.
  EXPECT_EQ(TheSpan(Ok(Proto(AroundSpan(Field('\x0a', HexToBytes(kTrace)) + "\x30\x7f")))).kind,
            127);
}

TEST(OtlpDecodeTest, ProtobufLengthPastTheEnd) {
  ExpectInvalid(Proto(std::string("\x0a\x05\x12\x00", 4)), "resource_spans: truncated");
  // A nested length that fits in the body but not in its parent message: a span name of 16
  // bytes with 4 present, the body going on after the span.
  const std::string request = AroundSpan("\x2a\x10name") + "\x62\x0cpadpadpadpad";
  ExpectInvalid(Proto(request), "resource_spans[0].scope_spans[0].spans[0].name: truncated");
  ExpectInvalid(Proto(request), "at byte 6");
  // An unknown field's length past the end.
  ExpectInvalid(Proto(AroundSpan("\xfa\x01\x10name")),
                "resource_spans[0].scope_spans[0].spans[0]: truncated");
  // A fixed64 with 7 of its 8 bytes.
  ExpectInvalid(Proto(AroundSpan("\x39" + std::string(7, '\x01'))),
                "spans[0].start_time_unix_nano: truncated");
}

TEST(OtlpDecodeTest, ProtobufWrongWireTypeForAKnownField) {
  const std::string name_as_varint = OneSpan([](protozero::pbf_writer& s) {
    ValidIds(s);
    s.add_uint64(5, 42);
  });
  ExpectInvalid(Proto(name_as_varint),
                "resource_spans[0].scope_spans[0].spans[0].name: wire type 0 (varint), expected 2 "
                "(length-delimited)");
  const std::string start_as_varint = OneSpan([](protozero::pbf_writer& s) { s.add_uint64(7, 1); });
  ExpectInvalid(Proto(start_as_varint), "spans[0].start_time_unix_nano: wire type 0");
  const std::string kind_as_string =
      OneSpan([](protozero::pbf_writer& s) { s.add_string(6, "CLIENT"); });
  ExpectInvalid(Proto(kind_as_string), "spans[0].kind: wire type 2");
  const std::string flags_as_varint = OneSpan([](protozero::pbf_writer& s) {
    s.add_uint32(16, 1);  // a field the decoder skips is still checked
  });
  ExpectInvalid(Proto(flags_as_varint), "spans[0].flags: wire type 0");
  const std::string bool_as_fixed = OneSpan([](protozero::pbf_writer& s) {
    protozero::pbf_writer kv(s, 9);
    protozero::pbf_writer v(kv, 2);
    v.add_fixed64(2, 1);
  });
  ExpectInvalid(Proto(bool_as_fixed), "spans[0].attributes[0].value.bool_value: wire type 1");
  std::string resource_spans_as_varint = "\x08\x01";
  ExpectInvalid(Proto(resource_spans_as_varint), "resource_spans: wire type 0");
}

TEST(OtlpDecodeTest, ProtobufOverlongVarintAndBadTags) {
  // An 11-byte varint: the value of an unknown field 2, then of a span's known field 10.
  const std::string overlong = std::string(10, '\xff') + "\x01";
  ExpectInvalid(Proto("\x10" + overlong), "request: varint longer than 10 bytes at byte 0");
  ExpectInvalid(Proto(AroundSpan("\x50" + overlong)),
                "resource_spans[0].scope_spans[0].spans[0].dropped_attributes_count: varint "
                "longer than 10 bytes at byte 6");
  // A 10-byte varint is fine (a negative int64).
  EXPECT_TRUE(Proto(AroundSpan("\x50" + std::string(9, '\xff') + "\x01")).has_value());
  // An overlong tag.
  ExpectInvalid(Proto(overlong), "varint longer than 10 bytes");
  // Group wire types (3, 4) and 6, 7 are not protobuf we accept; tag 0 is invalid.
  ExpectInvalid(Proto("\x0b"), "unknown wire type");
  ExpectInvalid(Proto("\x0c"), "unknown wire type");
  ExpectInvalid(Proto(AroundSpan("\x0e")), "spans[0]: unknown wire type");
  ExpectInvalid(Proto(std::string("\x00\x00", 2)), "invalid field number");
  ExpectInvalid(Proto("\xb8\xc8\x09\x00"), "invalid field number");  // 19000
}

TEST(OtlpDecodeTest, ProtobufNestingDeeperThanMaxDepth) {
  // arrayValue in arrayValue ... `levels` deep, as an attribute of a span. Built outside in,
  // in one pass (lengths first), so that 100,000 levels take no time.
  const auto nested = [](size_t levels) {
    const auto varint_size = [](size_t n) {
      size_t bytes = 1;
      while (n >= 0x80) {
        n >>= 7;
        ++bytes;
      }
      return bytes;
    };
    const auto append_varint = [](std::string* out, size_t n) {
      while (n >= 0x80) {
        out->push_back(static_cast<char>((n & 0x7f) | 0x80));
        n >>= 7;
      }
      out->push_back(static_cast<char>(n));
    };
    // any[k]: size of the AnyValue k levels deep; array[k]: of its ArrayValue.
    std::vector<size_t> any(levels + 1, 0);
    std::vector<size_t> array(levels + 1, 0);
    for (size_t k = 1; k <= levels; ++k) {
      array[k] = 1 + varint_size(any[k - 1]) + any[k - 1];  // ArrayValue.values (1)
      any[k] = 1 + varint_size(array[k]) + array[k];        // AnyValue.array_value (5)
    }
    std::string value;
    value.reserve(any[levels]);
    for (size_t k = levels; k >= 1; --k) {
      value.push_back('\x2a');
      append_varint(&value, array[k]);
      value.push_back('\x0a');
      append_varint(&value, any[k - 1]);
    }
    return OneSpan([&](protozero::pbf_writer& s) {
      ValidIds(s);
      protozero::pbf_writer kv(s, 9);
      kv.add_string(1, "deep");
      kv.add_message(2, value);
    });
  };
  DecodeLimits limits;
  limits.max_depth = 32;
  EXPECT_TRUE(Proto(nested(32), limits).has_value());
  ExpectInvalid(Proto(nested(33), limits), "nested deeper than max_depth (32)");
  ExpectInvalid(Proto(nested(1000), limits), "nested deeper than max_depth (32)");
  // kvlists count too.
  std::string value;
  for (int i = 0; i < 40; ++i) {
    std::string kv;
    protozero::pbf_writer k(kv);
    k.add_string(1, "k");
    k.add_message(2, value);
    std::string list;
    protozero::pbf_writer l(list);
    l.add_message(1, kv);
    std::string any;
    protozero::pbf_writer v(any);
    v.add_message(6, list);
    value = any;
  }
  ExpectInvalid(Proto(OneSpan([&](protozero::pbf_writer& s) {
                        protozero::pbf_writer kv(s, 9);
                        kv.add_message(2, value);
                      }),
                      limits),
                "kvlist_value: arrays and kvlists nested deeper than max_depth (32)");
  // A configured depth beyond the hard bound is held to it (no stack overflow at 100,000).
  limits.max_depth = 1000000;
  ExpectInvalid(Proto(nested(100000), limits), "nested deeper than max_depth (256)");
}

TEST(OtlpDecodeTest, ProtobufLimits) {
  DecodeLimits limits;
  limits.max_spans = 3;
  limits.max_string_bytes = 10;
  limits.max_attributes = 2;
  limits.max_events = 1;
  // max_spans: 3 spans pass, 4 are refused as too large, across scopes and resources.
  const auto spans = [](int per_scope, int scopes) {
    std::string out;
    protozero::pbf_writer request(out);
    for (int r = 0; r < scopes; ++r) {
      protozero::pbf_writer rs(request, 1);
      protozero::pbf_writer ss(rs, 2);
      for (int i = 0; i < per_scope; ++i) {
        protozero::pbf_writer s(ss, 2);
        ValidIds(s);
      }
    }
    return out;
  };
  EXPECT_EQ(Ok(Proto(spans(3, 1), limits)).span_count, 3u);
  EXPECT_EQ(Ok(Proto(spans(1, 3), limits)).span_count, 3u);
  for (const std::string& body : {spans(4, 1), spans(2, 2)}) {
    const Status status = Refused(Proto(body, limits));
    EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
    EXPECT_NE(status.message().find("max_spans (3)"), std::string::npos) << status.message();
  }
  // A string longer than max_string_bytes, wherever it is.
  const auto named = [](std::string name) {
    return OneSpan([&](protozero::pbf_writer& s) { s.add_string(5, name); });
  };
  EXPECT_TRUE(Proto(named("0123456789"), limits).has_value());
  ExpectInvalid(Proto(named("0123456789a"), limits),
                "spans[0].name: 11 bytes, more than max_string_bytes (10)");
  ExpectInvalid(Proto(OneSpan([](protozero::pbf_writer& s) {
                        protozero::pbf_writer kv(s, 9);
                        kv.add_string(1, "a key that is long");
                      }),
                      limits),
                "spans[0].attributes[0].key: 18 bytes");
  // Ids are not strings: one of 11 bytes is the span's problem (and not copied).
  EXPECT_EQ(
      TheSpan(
          Ok(Proto(OneSpan([](protozero::pbf_writer& s) { s.add_bytes(1, std::string(11, 'x')); }),
                   limits)))
          .problem,
      "resource_spans[0].scope_spans[0].spans[0].trace_id: must be 16 bytes, got 11");
  // Attributes, events, array values.
  const auto attributes = [](int n) {
    return OneSpan([&](protozero::pbf_writer& s) {
      for (int i = 0; i < n; ++i) s.add_bytes(9, "");
    });
  };
  EXPECT_TRUE(Proto(attributes(2), limits).has_value());
  ExpectInvalid(Proto(attributes(3), limits), "spans[0]: more than max_attributes (2) attributes");
  ExpectInvalid(Proto(OneSpan([](protozero::pbf_writer& s) {
                        s.add_bytes(11, "");
                        s.add_bytes(11, "");
                      }),
                      limits),
                "more than max_events (1) events");
  ExpectInvalid(Proto(OneSpan([](protozero::pbf_writer& s) {
                        protozero::pbf_writer kv(s, 9);
                        protozero::pbf_writer v(kv, 2);
                        protozero::pbf_writer a(v, 5);
                        for (int i = 0; i < 3; ++i) a.add_bytes(1, "");
                      }),
                      limits),
                "attributes[0].value.array_value: more than max_attributes (2) values");
  ExpectInvalid(Proto(OneSpan([](protozero::pbf_writer& s) {
                        protozero::pbf_writer e(s, 11);
                        for (int i = 0; i < 3; ++i) e.add_bytes(3, "");
                      }),
                      limits),
                "events[0]: more than max_attributes (2) attributes");
}

TEST(OtlpDecodeTest, ProtobufValueBudget) {
  // max_spans 10 → the request-wide budget is its floor, 100,000 values: a resource of 100,001
  // empty attributes (200 KB on the wire, ~15 MB as a model) is refused as too large.
  DecodeLimits limits;
  limits.max_spans = 10;
  limits.max_attributes = 1000000;
  const auto resource = [](int n) {
    std::string out;
    protozero::pbf_writer request(out);
    protozero::pbf_writer rs(request, 1);
    {
      protozero::pbf_writer res(rs, 1);
      for (int i = 0; i < n; ++i) res.add_bytes(1, "");
    }
    protozero::pbf_writer ss(rs, 2);
    protozero::pbf_writer s(ss, 2);
    ValidIds(s);
    return out;
  };
  EXPECT_EQ(Ok(Proto(resource(100000), limits)).resource_spans[0].resource_attributes.size(),
            100000u);
  const Status status = Refused(Proto(resource(100001), limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("more than 100000 attributes, events and values"),
            std::string::npos)
      << status.message();
}

TEST(OtlpDecodeTest, ProtobufInvalidUtf8) {
  ExpectInvalid(Proto(OneSpan([](protozero::pbf_writer& s) { s.add_string(5, "\xc3("); })),
                "spans[0].name: not valid UTF-8");
  // bytes_value is not text: any bytes.
  const Span span = TheSpan(Ok(Proto(OneSpan([](protozero::pbf_writer& s) {
    protozero::pbf_writer kv(s, 9);
    protozero::pbf_writer v(kv, 2);
    v.add_bytes(7, "\xc3(");
  }))));
  EXPECT_EQ(span.attributes[0].value.text, "\xc3(");
}

TEST(OtlpDecodeTest, ProtobufGarbageNeverCrashes) {
  // Every prefix of a real body, and the body with each byte flipped: decoded or refused with
  // kInvalidArgument, never anything else.
  const std::string body = ReadData("js_sdk_chat.pb");
  size_t refused = 0;
  for (size_t n = 0; n < body.size(); ++n) {
    const auto r = Proto(std::string_view(body).substr(0, n));
    if (!r.has_value()) {
      ++refused;
      EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << r.error().ToString();
    }
  }
  EXPECT_GT(refused, body.size() / 2);
  for (size_t i = 0; i < body.size(); ++i) {
    std::string copy = body;
    copy[i] = static_cast<char>(copy[i] ^ 0x5a);
    const auto r = Proto(copy);
    if (!r.has_value()) {
      EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << r.error().ToString();
    }
  }
}

// ---- OTLP/JSON ---------------------------------------------------------------------------

std::string JsonSpan(std::string_view span_fields) {
  return fmt::format(
      R"({{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{}","spanId":"{}",{}}}]}}]}}]}})",
      kTrace, kSpanA, span_fields);
}

std::string JsonAttribute(std::string_view value) {
  return JsonSpan(fmt::format(R"("attributes":[{{"key":"k","value":{}}}])", value));
}

TEST(OtlpDecodeTest, JsonForms) {
  // Times as strings or numbers, intValue as string or number, doubles as numbers or the
  // special strings, enum names, unknown keys and nulls ignored.
  const ExportRequest r = Ok(Json(R"({
    "unknown": {"deep": [1, 2, {"x": null}]},
    "resourceSpans": [{
      "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}],
                   "droppedAttributesCount": 0, "entityRefs": []},
      "schemaUrl": "x",
      "scopeSpans": [{
        "scope": {"name": "sc", "version": null, "attributes": [{"key": "ignored"}]},
        "spans": [{
          "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "eee19b7ec3c1b174",
          "parentSpanId": null, "traceState": "", "flags": 256,
          "name": "n", "kind": "SPAN_KIND_CLIENT",
          "startTimeUnixNano": 1735732800000000000, "endTimeUnixNano": "18446744073709551615",
          "attributes": [
            {"key": "i1", "value": {"intValue": "-9223372036854775808"}},
            {"key": "i2", "value": {"intValue": 42}},
            {"key": "i3", "value": {"intValue": 1e3}},
            {"key": "d1", "value": {"doubleValue": 1}},
            {"key": "d2", "value": {"doubleValue": "NaN"}},
            {"key": "d3", "value": {"doubleValue": "-Infinity"}},
            {"key": "d4", "value": {"doubleValue": "2.5"}},
            {"key": "b", "value": {"bytesValue": "AP8Q"}},
            {"key": "b2", "value": {"bytesValue": "AP8QAA"}},
            {"key": "e1", "value": {}},
            {"key": "e2", "value": null},
            {"key": "e3"},
            {"key": "s", "value": {"stringValue": "caf\u00e9 \ud83d\ude00", "other": 1}},
            {"key": "a", "value": {"arrayValue": {"values": [{"boolValue": true}, {}]}}},
            {"key": "kv", "value": {"kvlistValue": {"values": [{"key": "x", "value": {"intValue": 1}}]}}}
          ],
          "droppedAttributesCount": 0,
          "events": [{"timeUnixNano": "5", "name": "ev", "attributes": [], "droppedAttributesCount": 0}],
          "droppedEventsCount": 0,
          "links": [{"traceId": "not even hex", "spanId": 5}],
          "status": {"code": "STATUS_CODE_ERROR", "message": "m"}
        }, {
          "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b173",
          "kind": 2, "status": {"code": 1}
        }]
      }]
    }]
  })"));
  ASSERT_EQ(r.span_count, 2u);
  const ScopeSpans& ss = r.resource_spans[0].scope_spans[0];
  EXPECT_EQ(Find(r.resource_spans[0].resource_attributes, "service.name")->text, "svc");
  EXPECT_EQ(ss.scope_name, "sc");
  EXPECT_EQ(ss.scope_version, "");
  const Span& s = ss.spans[0];
  EXPECT_EQ(s.trace_id, kTrace);
  EXPECT_EQ(s.kind, 3);
  EXPECT_EQ(s.start_time_unix_nano, 1735732800000000000u);
  EXPECT_EQ(s.end_time_unix_nano, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Find(s.attributes, "i1")->integer, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Find(s.attributes, "i2")->integer, 42);
  EXPECT_EQ(Find(s.attributes, "i3")->integer, 1000);
  EXPECT_EQ(Find(s.attributes, "d1")->kind, AnyValue::Kind::kDouble);
  EXPECT_EQ(Find(s.attributes, "d1")->number, 1.0);
  EXPECT_TRUE(std::isnan(Find(s.attributes, "d2")->number));
  EXPECT_EQ(Find(s.attributes, "d3")->number, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Find(s.attributes, "d4")->number, 2.5);
  EXPECT_EQ(Find(s.attributes, "b")->kind, AnyValue::Kind::kBytes);
  EXPECT_EQ(Find(s.attributes, "b")->text, std::string("\x00\xff\x10", 3));
  EXPECT_EQ(Find(s.attributes, "b2")->text, std::string("\x00\xff\x10\x00", 4));
  EXPECT_EQ(Find(s.attributes, "e1")->kind, AnyValue::Kind::kEmpty);
  EXPECT_EQ(Find(s.attributes, "e2")->kind, AnyValue::Kind::kEmpty);
  EXPECT_EQ(Find(s.attributes, "e3")->kind, AnyValue::Kind::kEmpty);
  EXPECT_EQ(Find(s.attributes, "s")->text, "caf\xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_TRUE(Find(s.attributes, "a")->array[0].boolean);
  EXPECT_EQ(Find(s.attributes, "a")->array[1].kind, AnyValue::Kind::kEmpty);
  EXPECT_EQ(Find(s.attributes, "kv")->kvlist[0].key, "x");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].time_unix_nano, 5u);
  EXPECT_EQ(s.status_code, 2);
  EXPECT_EQ(s.status_message, "m");
  EXPECT_EQ(ss.spans[1].kind, 2);
  EXPECT_EQ(ss.spans[1].status_code, 1);
}

TEST(OtlpDecodeTest, JsonMalformed) {
  ExpectInvalid(Json(""), "body: empty");
  ExpectInvalid(Json("{\"resourceSpans\":["), "body: not valid JSON");
  ExpectInvalid(Json("{\"resourceSpans\":[], \"x\": tru}"), "body: not valid JSON");
  ExpectInvalid(Json("{\"resourceSpans\":[], \"x\": 1.5.5}"), "body: not valid JSON");
  ExpectInvalid(Json("{\"x\": 123456789012345678901234567890}"), "integers must fit in 64 bits");
  ExpectInvalid(Json("[]"), "body: expected an object, got an array");
  ExpectInvalid(Json("{\"resourceSpans\":{}}"), "resourceSpans: expected an array, got an object");
  ExpectInvalid(Json("{\"resourceSpans\":[1]}"),
                "resourceSpans[0]: expected an object, got a number");
  ExpectInvalid(Json(R"({"resourceSpans":[{"scopeSpans":[{"spans":[null]}]}]})"),
                "resourceSpans[0].scopeSpans[0].spans[0]: expected an object, got null");
  ExpectInvalid(Json(R"({"resourceSpans":[{"resource":[]}]})"),
                "resourceSpans[0].resource: expected an object, got an array");
  // Bad hex ids are an error (not a problem): the body is not OTLP/JSON.
  const std::string prefix = R"({"resourceSpans":[{},{"scopeSpans":[{"spans":[{}, {)";
  const std::string suffix = "}]}]}]}";
  ExpectInvalid(Json(prefix + R"("traceId":"5b8efff798038103d269b633813fc6zz")" + suffix),
                "resourceSpans[1].scopeSpans[0].spans[1].traceId: not hex (a character");
  ExpectInvalid(Json(prefix + R"("spanId":"abc")" + suffix),
                "spans[1].spanId: not hex (an odd number of digits)");
  ExpectInvalid(Json(prefix + R"("parentSpanId":"W7jv95gDgQPSabYzgT/GDA==")" + suffix),
                "spans[1].parentSpanId: not hex");
  ExpectInvalid(Json(prefix + R"("traceId":12)" + suffix),
                "spans[1].traceId: expected a string, got a number");
  // Times.
  ExpectInvalid(Json(JsonSpan(R"("startTimeUnixNano":"12.5")")),
                "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: not an unsigned "
                "64-bit integer");
  ExpectInvalid(Json(JsonSpan(R"("startTimeUnixNano":12.5)")), "startTimeUnixNano: not an");
  ExpectInvalid(Json(JsonSpan(R"("endTimeUnixNano":-1)")), "endTimeUnixNano: must not be negative");
  ExpectInvalid(Json(JsonSpan(R"("endTimeUnixNano":"-1")")), "endTimeUnixNano: not an");
  ExpectInvalid(Json(JsonSpan(R"("endTimeUnixNano":"")")), "endTimeUnixNano: not an");
  ExpectInvalid(Json(JsonSpan(R"("endTimeUnixNano":"18446744073709551616")")),
                "endTimeUnixNano: not an");
  ExpectInvalid(Json(JsonSpan(R"("endTimeUnixNano":true)")),
                "endTimeUnixNano: expected an integer");
  ExpectInvalid(Json(JsonSpan(R"("events":[{"timeUnixNano":"x"}])")),
                "spans[0].events[0].timeUnixNano: not an unsigned");
  // Wrong types.
  ExpectInvalid(Json(JsonSpan(R"("name":5)")), "spans[0].name: expected a string, got a number");
  ExpectInvalid(Json(JsonSpan(R"("kind":"CLIENT")")), "spans[0].kind: unknown enum value");
  ExpectInvalid(Json(JsonSpan(R"("kind":2.5)")), "spans[0].kind: expected an integer");
  ExpectInvalid(Json(JsonSpan(R"("kind":4294967296)")), "spans[0].kind: out of the range");
  ExpectInvalid(Json(JsonSpan(R"("attributes":{})")), "spans[0].attributes: expected an array");
  ExpectInvalid(Json(JsonSpan(R"("attributes":[{"key":1}])")),
                "spans[0].attributes[0].key: expected a string");
  ExpectInvalid(Json(JsonSpan(R"("events":{})")), "spans[0].events: expected an array");
  ExpectInvalid(Json(JsonSpan(R"("status":[])")), "spans[0].status: expected an object");
  ExpectInvalid(Json(JsonSpan(R"("status":{"code":"2"})")), "spans[0].status.code: unknown enum");
  ExpectInvalid(Json(JsonAttribute(R"({"boolValue":"true"})")),
                "spans[0].attributes[0].value.boolValue: expected a boolean, got a string");
  ExpectInvalid(Json(JsonAttribute(R"({"intValue":"12a"})")),
                "attributes[0].value.intValue: not a signed 64-bit integer");
  ExpectInvalid(Json(JsonAttribute(R"({"intValue":"9223372036854775808"})")),
                "attributes[0].value.intValue: not a signed");
  ExpectInvalid(Json(JsonAttribute(R"({"intValue":9223372036854775808})")),
                "attributes[0].value.intValue: out of the range");
  ExpectInvalid(Json(JsonAttribute(R"({"intValue":1.5})")), "value.intValue: not a signed");
  ExpectInvalid(Json(JsonAttribute(R"({"doubleValue":"fast"})")),
                "value.doubleValue: not a number");
  ExpectInvalid(Json(JsonAttribute(R"({"doubleValue":[]})")),
                "value.doubleValue: expected a number");
  ExpectInvalid(Json(JsonAttribute(R"({"bytesValue":"AP8Q!"})")), "value.bytesValue: not base64");
  ExpectInvalid(Json(JsonAttribute(R"({"bytesValue":"A"})")), "value.bytesValue: not base64");
  ExpectInvalid(Json(JsonAttribute(R"({"arrayValue":[]})")),
                "value.arrayValue: expected an object, got an array");
  ExpectInvalid(Json(JsonAttribute(R"({"arrayValue":{"values":[{"stringValue":1}]}})")),
                "attributes[0].value.arrayValue.values[0].stringValue: expected a string");
  ExpectInvalid(
      Json(JsonAttribute(R"({"kvlistValue":{"values":[{"key":"a"},{"key":"b","value":5}]}})")),
      "attributes[0].value.kvlistValue.values[1].value: expected an object, got a number");
  ExpectInvalid(Json(JsonAttribute("5")), "attributes[0].value: expected an object");
}

TEST(OtlpDecodeTest, JsonNestingAndLimits) {
  const auto nested = [](size_t levels) {
    std::string value = "{}";
    for (size_t i = 0; i < levels; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
    return JsonAttribute(value);
  };
  DecodeLimits limits;
  limits.max_depth = 32;
  EXPECT_TRUE(Json(nested(32), limits).has_value());
  ExpectInvalid(Json(nested(33), limits),
                "arrayValue.values[0].arrayValue: arrays and kvlists nested deeper than max_depth "
                "(32)");
  ExpectInvalid(Json(nested(1000), limits), "body: JSON nested deeper than");
  ExpectInvalid(Json(std::string(100000, '[') + std::string(100000, ']')),
                "body: JSON nested deeper than");
  std::string kv = "{}";
  for (int i = 0; i < 32; ++i)
    kv = R"({"kvlistValue":{"values":[{"key":"k","value":)" + kv + "}]}}";
  EXPECT_TRUE(Json(JsonAttribute(kv), limits).has_value());  // the deepest form at max_depth

  limits.max_spans = 2;
  limits.max_string_bytes = 10;
  limits.max_attributes = 2;
  limits.max_events = 1;
  const std::string two = fmt::format(
      R"({{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{}}]}}]}},{{"scopeSpans":[{{"spans":[{{}}]}}]}}]}})");
  EXPECT_EQ(Ok(Json(two, limits)).span_count, 2u);
  const Status status = Refused(
      Json(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{}]},{"spans":[{},{}]}]}]})", limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("resourceSpans[0].scopeSpans[1]: more than max_spans (2)"),
            std::string::npos)
      << status.message();
  ExpectInvalid(Json(JsonSpan(R"("name":"0123456789a")"), limits),
                "spans[0].name: 11 bytes, more than max_string_bytes (10)");
  EXPECT_TRUE(Json(JsonAttribute(R"({"bytesValue":"MDEyMzQ1Njc4OQ=="})"), limits).has_value());
  ExpectInvalid(Json(JsonAttribute(R"({"bytesValue":"MDEyMzQ1Njc4OWE="})"), limits),
                "value.bytesValue: 11 bytes, more than max_string_bytes (10)");
  ExpectInvalid(Json(JsonSpan(R"("attributes":[{},{},{}])"), limits),
                "spans[0].attributes: more than max_attributes (2) attributes");
  ExpectInvalid(Json(JsonSpan(R"("events":[{},{}])"), limits),
                "spans[0]: more than max_events (1) events");
  ExpectInvalid(Json(JsonAttribute(R"({"arrayValue":{"values":[{},{},{}]}})"), limits),
                "value.arrayValue.values: more than max_attributes (2) values");
}

TEST(OtlpDecodeTest, JsonRepeatedKeys) {
  // A key given twice: scalars take the last value, lists append (as repeated protobuf fields).
  const Span span = TheSpan(Ok(Json(
      JsonSpan(R"("name":"a","name":"b","attributes":[{"key":"x"}],"attributes":[{"key":"y"}],)"
               R"("status":{"code":2},"status":{"message":"m"})"))));
  EXPECT_EQ(span.name, "b");
  ASSERT_EQ(span.attributes.size(), 2u);
  EXPECT_EQ(span.attributes[1].key, "y");
  EXPECT_EQ(span.status_code, 2);
  EXPECT_EQ(span.status_message, "m");
}

TEST(OtlpDecodeTest, JsonGarbageNeverCrashes) {
  const std::string body = ReadData("js_sdk_chat.json");
  for (size_t n = 0; n < body.size(); n += 7) {
    const auto r = Json(std::string_view(body).substr(0, n));
    EXPECT_FALSE(r.has_value());
    if (!r.has_value()) {
      EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << r.error().ToString();
    }
  }
  for (size_t i = 0; i < body.size(); ++i) {
    std::string copy = body;
    copy[i] = static_cast<char>(copy[i] ^ 0x21);
    const auto r = Json(copy);
    if (!r.has_value()) {
      EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << r.error().ToString();
    }
  }
}

}  // namespace
}  // namespace tc::otlp
