// DecodeRecords validation: every refusal names index, id, field and what is wrong; limits;
// whole-body failures; garbage never crashes.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "ingest/decoder.h"
#include "test_util.h"

namespace tc::ingest {
namespace {

using testing::Padded;
using testing::ReadTestData;
using testing::Records;
using testing::RecordsBodyError;

struct RefusalCase {
  std::string record;   // the bad record's JSON
  std::string field;    // expected RecordError::field
  std::string message;  // expected substring of RecordError::message
  std::string id = "";  // expected RecordError::id
};

IngestLimits SmallLimits() {
  IngestLimits limits;
  limits.max_string_bytes = 16;
  limits.max_array_items = 3;
  limits.max_id_bytes = 8;
  return limits;
}

// Each bad record sits between two good ones: it alone is refused, with index 1.
void ExpectRefused(const RefusalCase& c, const IngestLimits& limits = {}) {
  SCOPED_TRACE(c.record);
  std::string body = R"({"records":[{"type":"session","session_id":"a"},)" + c.record +
                     R"(,{"type":"session","session_id":"b"}]})";
  DecodedRequest request = Records(body, limits);
  EXPECT_EQ(request.total, 3u);
  ASSERT_EQ(request.records.size(), 2u);
  EXPECT_EQ((std::vector<size_t>{0, 2}), request.indexes);
  ASSERT_EQ(request.errors.size(), 1u);
  const RecordError& error = request.errors[0];
  EXPECT_EQ(error.index, 1u);
  EXPECT_EQ(error.id, c.id);
  EXPECT_EQ(error.field, c.field);
  EXPECT_NE(error.message.find(c.message), std::string::npos) << error.message;
}

TEST(DecodeRecordsValidationTest, RecordLevelRefusals) {
  const RefusalCase cases[] = {
      {R"({"session_id":"s"})", "type", "required field is missing"},
      // Stored in cents: x 100 would overflow to Inf.
      {R"({"type":"event","session_id":"s","system_instance_id":"a","cost_usd":1e308})",
       "cost_usd", "out of range"},
      {R"({"type":"event","session_id":"s","system_instance_id":"a","cost_usd":-1.7e307})",
       "cost_usd", "out of range"},
      {R"({"type":"span","id":"k","session_id":"s"})", "type", "unknown type \"span\"", "k"},
      {R"({"type":5})", "type", "expected a string, got a number"},
      {R"({"type":"session","id":7,"session_id":"s"})", "id", "expected a string"},
      {R"({"type":"session","id":"k2"})", "session_id", "required field is missing", "k2"},
      {R"({"type":"session","session_id":null})", "session_id", "required field is null"},
      {R"({"type":"session","session_id":["s"]})", "session_id", "expected a string, got an array"},
      {R"({"type":"session_end"})", "session_id", "required field is missing"},
      {R"({"type":"timestep","session_id":"s"})", "step_id", "required field is missing"},
      {R"({"type":"timestep","session_id":"s","step_id":"t","step_index":"1"})", "step_index",
       "expected an integer, got a string"},
      {R"({"type":"event"})", "session_id", "required field is missing"},
      {R"({"type":"event","session_id":"s","event_type":"llm"})", "event_type",
       "unknown event_type \"llm\""},
      {R"({"type":"event","session_id":"s","input_tokens":"5"})", "input_tokens",
       "expected an integer, got a string"},
      {R"({"type":"event","session_id":"s","input_tokens":1.5})", "input_tokens", "fractional"},
      {R"({"type":"event","session_id":"s","input_tokens":9223372036854775808})", "input_tokens",
       "out of the signed 64-bit range"},
      {R"({"type":"event","session_id":"s","output_tokens":-9223372036854775809})", "output_tokens",
       "out of the signed 64-bit range"},
      {R"({"type":"event","session_id":"s","total_tokens":1e30})", "total_tokens",
       "out of the signed 64-bit range"},
      {R"({"type":"event","session_id":"s","latency_ms":123456789012345678901234567890})",
       "latency_ms", "out of the signed 64-bit range"},
      {R"({"type":"event","session_id":"s","reward":1e400})", "reward", "invalid number"},
      {R"({"type":"event","session_id":"s","cost_usd":"0.1"})", "cost_usd",
       "expected a number, got a string"},
      {R"({"type":"event","session_id":"s","terminated":"yes"})", "terminated",
       "expected a boolean"},
      {R"({"type":"event","session_id":"s","time_record":{"event_time":"now"}})",
       "time_record.event_time", "expected a number"},
      {R"({"type":"event","session_id":"s","time_record":{"message_time":0.5}})",
       "time_record.message_time", "fractional"},
      {R"({"type":"event","session_id":"s","time_record":[1]})", "time_record",
       "expected an object, got an array"},
      {R"({"type":"event","session_id":"s","call_records":{"a":1}})", "call_records",
       "expected an array"},
      {R"({"type":"event","session_id":"s","metadata":[1]})", "metadata",
       "expected an object, got an array"},
      {R"({"type":"event","session_id":"s","actions":[1,"a"]})", "actions[1]",
       "expected an integer"},
      {R"({"type":"event","session_id":"s","actions":5})", "actions", "expected an array"},
      {R"({"type":"event","session_id":"s","created_at":true})", "created_at",
       "expected an ISO datetime string"},
      {R"({"type":"event","session_id":"s","created_at":253402300800})", "created_at",
       "datetime in Unix seconds is out of range"},
      {R"({"type":"session","session_id":"s","created_at":-62135596800})", "created_at",
       "datetime in Unix seconds is out of range"},
      {R"({"type":"event","session_id":"s","system_state_before":{"a":[1,2,{"b":1e999}]}})",
       "system_state_before.a[2].b", "invalid number"},
      {R"({"type":"event","session_id":"s","metadata":{"x":{"y":"\ud800"}}})", "metadata.x.y",
       "invalid string"},
      {R"({"type":"message","session_id":"s","content":"c"})", "message_type",
       "required field is missing"},
      {R"({"type":"message","session_id":"s","message_type":"user"})", "content",
       "required field is missing"},
      {R"({"type":"message","session_id":"s","message_type":"user","content":null})", "content",
       "required field is null"},
      {R"({"type":"message","session_id":"s","message_type":"observation","content":"c"})",
       "message_type", "unknown message_type \"observation\""},
      {R"({"type":"experiment","experiment_id":"e"})", "name", "required field is missing"},
      {R"({"type":"experiment","name":"n"})", "experiment_id", "required field is missing"},
      {R"({"type":"system","name":"n"})", "system_id", "required field is missing"},
      {R"({"type":"system","system_id":"s"})", "name", "required field is missing"},
      {R"({"type":"system_version","system_id":"s","version_number":"1"})", "version_id",
       "required field is missing"},
      {R"({"type":"system_version","version_id":"v","version_number":"1"})", "system_id",
       "required field is missing"},
      {R"({"type":"system_version","version_id":"v","system_id":"s"})", "version_number",
       "required field is missing"},
      {R"({"type":"system_version","version_id":"v","system_id":"s","version_number":1.5})",
       "version_number", "fractional"},
      {R"({"type":"outcome_reward","session_id":"s"})", "total_reward",
       "required field is missing"},
      {R"({"type":"outcome_reward","session_id":"s","total_reward":"1"})", "total_reward",
       "expected a number, got a string"},
      {R"({"type":"outcome_reward","total_reward":1})", "session_id", "required field is missing"},
      {R"({"type":"event_reward","session_id":"s","reward_value":1})", "event_id",
       "event_id or event_ref"},
      {R"({"type":"event_reward","session_id":"s","event_id":1,"event_ref":"e","reward_value":1})",
       "event_ref", "not both"},
      {R"({"type":"event_reward","session_id":"s","event_id":1,"message_id":2,
           "message_ref":"m","reward_value":1})",
       "message_ref", "not both"},
      {R"({"type":"event_reward","session_id":"s","event_ref":"e"})", "reward_value",
       "required field is missing"},
      {R"({"type":"event_reward","session_id":"s","event_id":"1","reward_value":1})", "event_id",
       "expected an integer, got a string"},
      {"5", "", "expected a record object, got a number"},
      {"[]", "", "expected a record object, got an array"},
      {"null", "", "expected a record object, got null"},
  };
  for (const RefusalCase& c : cases) ExpectRefused(c);
}

TEST(DecodeRecordsValidationTest, LimitRefusals) {
  IngestLimits limits = SmallLimits();
  const RefusalCase cases[] = {
      {R"({"type":"session","session_id":"123456789"})", "session_id",
       "longer than max_id_bytes (8)"},
      {R"({"type":"session","id":"123456789","session_id":"s"})", "id", "max_id_bytes"},
      {R"({"type":"message","session_id":"s","message_type":"user",
           "content":"12345678901234567"})",
       "content", "max_string_bytes (16)"},
      {R"({"type":"session","session_id":"s","metadata":{"a":{"b":"12345678901234567"}}})",
       "metadata.a.b", "max_string_bytes (16)"},
      {R"({"type":"session","session_id":"s","metadata":{"12345678901234567":1}})",
       "metadata.12345678901234567", "key longer than max_string_bytes"},
      {R"({"type":"event","session_id":"s","call_records":[1,2,3,4]})", "call_records",
       "more than max_array_items (3)"},
      {R"({"type":"event","session_id":"s","metadata":{"x":[[1,2,3,4]]}})", "metadata.x[0]",
       "more than max_array_items (3)"},
      {R"({"type":"event","session_id":"s","actions":[1,2,3,4]})", "actions",
       "more than max_array_items (3)"},
  };
  for (const RefusalCase& c : cases) ExpectRefused(c, limits);
  // At the limits exactly: accepted.
  DecodedRequest ok = Records(
      R"([{"type":"event","session_id":"12345678","metadata":{"s":"1234567890123456"},
           "call_records":[1,2,3],"actions":[1,2,3]}])",
      limits);
  EXPECT_EQ(ok.records.size(), 1u);
  EXPECT_EQ(ok.errors.size(), 0u);
}

TEST(DecodeRecordsValidationTest, SingleRecordBodyRefusal) {
  DecodedRequest request = Records(R"({"type":"session","id":"x1"})");
  EXPECT_EQ(request.total, 1u);
  EXPECT_TRUE(request.records.empty());
  ASSERT_EQ(request.errors.size(), 1u);
  EXPECT_EQ(request.errors[0].index, 0u);
  EXPECT_EQ(request.errors[0].id, "x1");
  EXPECT_EQ(request.errors[0].field, "session_id");
}

// Many bad records: the first kMaxRecordErrors are described, the rest only counted (the
// decoder holds no message for them); the good ones are all there.
TEST(DecodeRecordsValidationTest, RefusalsPastTheListedLimitAreCounted) {
  std::string body = "[";
  for (size_t i = 0; i < 3 * kMaxRecordErrors; ++i) {
    body += i == 0 ? "" : ",";
    body += i % 3 == 0 ? R"({"type":"session","session_id":"s"})" : R"({"type":"x"})";
  }
  body += "]";
  DecodedRequest request = Records(body);
  EXPECT_EQ(request.total, 3 * kMaxRecordErrors);
  EXPECT_EQ(request.records.size(), kMaxRecordErrors);
  ASSERT_EQ(request.errors.size(), kMaxRecordErrors);
  EXPECT_EQ(request.errors_dropped, kMaxRecordErrors);
  EXPECT_EQ(request.errors.back().index, 3 * kMaxRecordErrors / 2 - 1);
}

TEST(DecodeRecordsValidationTest, CostsThatFitInCentsAreKept) {
  DecodedRequest request =
      Records(R"({"type":"event","session_id":"s","system_instance_id":"a","cost_usd":1e300})");
  ASSERT_EQ(request.records.size(), 1u);
  EXPECT_TRUE(request.errors.empty());
}

TEST(DecodeRecordsValidationTest, WholeBodyErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "body is empty"},
      {" \n\t ", "body is empty"},
      {"5", "got a number"},
      {"\"records\"", "got a string"},
      {"null", "got null"},
      {R"({"records":5})", "records: expected an array, got a number"},
      {R"({"records":{"a":1}})", "records: expected an array, got an object"},
      {R"({"records":[{"type":"session","session_id":"s"})", "not valid JSON"},
      {R"([{"type":"session","session_id":"s"},)", "not valid JSON"},
      {R"([{"type":"session","session_id":"s"}] [])", "not valid JSON"},
      {R"([{"type":"session","session_id":"s"}] x)", "not valid JSON"},
      {"[{\"type\":\"session\",\"session_id\":\"\xc3\x28\"}]", "UTF-8"},
      {R"([{"type":"session","session_id":"s","metadata":{"a":tru}}])",
       "not valid JSON: invalid literal at [0].metadata.a (line 1, column 53)"},
      {R"({"records":[{"type":"session","session_id":"s","metadata":{"a":tru}}]})",
       "invalid literal at records[0].metadata.a (line 1, column 64)"},
      {R"([{"type":"session","session_id":"s","metadata":{"a":[1,}}])", "not valid JSON"},
      {R"({"type":"session","session_id":"s"} {})", "content after the top-level value"},
      {R"([{"type":"message","session_id":"s","message_type":"user","content":{"x":nul}}])",
       "not valid JSON"},
      {R"([NaN])", "not valid JSON"},
      {R"({"type":"session","session_id":"s","metadata":Infinity})", "not valid JSON"},
      {"{\"records\":[\"unterminated]}", "not valid JSON"},
  };
  for (const auto& [body, expected] : cases) {
    std::string message = RecordsBodyError(body);
    EXPECT_NE(message.find(expected), std::string::npos)
        << "body: " << body << "\nmessage: " << message;
  }
}

TEST(DecodeRecordsValidationTest, RecordCountLimit) {
  IngestLimits limits;
  limits.max_records_per_request = 3;
  std::string three = R"([{"type":"x"},{"type":"x"},{"type":"x"}])";
  EXPECT_EQ(Records(three, limits).total, 3u);
  std::string message = RecordsBodyError(R"({"records":[{},{},{},{}]})", limits);
  EXPECT_NE(message.find("more than max_records_per_request (3)"), std::string::npos) << message;
}

TEST(DecodeRecordsValidationTest, DepthLimit) {
  IngestLimits limits;
  limits.max_depth = 6;
  // {"records":[{ metadata:{a:[ ]}}]} is depth 5.
  std::string ok = R"({"records":[{"type":"session","session_id":"s","metadata":{"a":[1]}}]})";
  EXPECT_EQ(Records(ok, limits).records.size(), 1u);
  std::string deep =
      R"({"records":[{"type":"session","session_id":"s","metadata":{"a":[[[1]]]}}]})";
  std::string message = RecordsBodyError(deep, limits);
  EXPECT_NE(message.find("nesting deeper than max_depth (6)"), std::string::npos) << message;
  // Brackets inside strings do not count.
  std::string in_string =
      R"({"records":[{"type":"session","session_id":"s","metadata":{"a":"[[[[[[[[\"{{{{"}}]})";
  EXPECT_EQ(Records(in_string, limits).records.size(), 1u);
  // The default limit (64) holds against a very deep body.
  std::string very_deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(RecordsBodyError(very_deep).find("max_depth (64)"), std::string::npos);
}

TEST(DecodeRecordsValidationTest, InvalidUtf8InNdjsonLineRefusesThatLine) {
  std::string body =
      "{\"type\":\"session\",\"session_id\":\"\xed\xa0\x80\"}\n"
      "{\"type\":\"session\",\"session_id\":\"ok\"}\n";
  DecodedRequest request = Records(body, {}, BodyFormat::kNdjson);
  EXPECT_EQ(request.records.size(), 1u);
  ASSERT_EQ(request.errors.size(), 1u);
  EXPECT_EQ(request.errors[0].index, 0u);
}

// Decodes `body` both ways; only checks that the result is self-consistent.
void DecodeAnything(std::string_view body, const IngestLimits& limits) {
  Padded padded(body);
  for (BodyFormat format : {BodyFormat::kJson, BodyFormat::kNdjson}) {
    Result<DecodedRequest> result = DecodeRecords(padded.view(), format, limits);
    if (result.has_value()) {
      const DecodedRequest& r = *result;
      ASSERT_EQ(r.records.size() + r.errors.size() + r.errors_dropped, r.total);
      ASSERT_EQ(r.indexes.size(), r.records.size());
      ASSERT_EQ(r.ids.size(), r.records.size());
    } else {
      ASSERT_EQ(result.error().code(), StatusCode::kInvalidArgument);
      ASSERT_FALSE(result.error().message().empty());
    }
  }
  Result<DecodedRequest> traces = DecodeTraces(padded.view(), limits);
  if (traces.has_value()) {
    ASSERT_EQ(traces->indexes.size(), traces->records.size());
  }
}

TEST(DecodeRecordsValidationTest, GarbageNeverCrashes) {
  IngestLimits limits = SmallLimits();
  limits.max_depth = 8;
  std::mt19937 rng(12345);
  const std::string alphabet = "{}[]\":,0123456789.eE-+truefalsnl \\\n\t\x01\xff\xc3";
  for (int i = 0; i < 3000; ++i) {
    std::string body(rng() % 200, ' ');
    for (char& c : body) c = alphabet[rng() % alphabet.size()];
    DecodeAnything(body, limits);
    DecodeAnything(body, {});
  }
  for (int i = 0; i < 300; ++i) {
    std::string body(rng() % 300, ' ');
    for (char& c : body) c = static_cast<char>(rng());
    DecodeAnything(body, {});
  }
}

TEST(DecodeRecordsValidationTest, TruncatedAndMutatedSamplesNeverCrash) {
  for (const char* name : {"records_all_types.json", "records.ndjson", "records_single.json",
                           "session_trace_full.json", "session_trace_old_names.json"}) {
    std::string sample = ReadTestData(name);
    const size_t step = sample.size() / 150 + 1;  // ~150 cut points per sample
    for (size_t cut = 0; cut < sample.size(); cut += step) {
      DecodeAnything(sample.substr(0, cut), {});
    }
    std::mt19937 rng(99);
    for (int i = 0; i < 100; ++i) {
      std::string mutated = sample;
      for (int j = 0; j < 3; ++j) mutated[rng() % mutated.size()] = static_cast<char>(rng());
      DecodeAnything(mutated, {});
    }
  }
}

TEST(DecodeRecordsValidationTest, HugeNumbersNeverCrash) {
  std::string digits(5000, '9');
  for (const std::string& number :
       {digits, "-" + digits, "1e" + digits, "0." + digits, digits + ".5e-99999"}) {
    std::string body = R"([{"type":"event","session_id":"s","input_tokens":)" + number +
                       R"(},{"type":"event","session_id":"s","reward":)" + number +
                       R"(},{"type":"session","session_id":"s","metadata":{"n":)" + number + "}}]";
    DecodeAnything(body, {});
  }
}

}  // namespace
}  // namespace tc::ingest
