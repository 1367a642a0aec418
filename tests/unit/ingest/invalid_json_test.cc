// Bodies that are not JSON (RFC 8259) are refused in every mode, wherever the bad part is: in
// a field the decoder reads or in one it skips (simdjson's on-demand API does not validate what
// it skips). Also the validating pass itself (json_check.h). Reproducers of the fuzz findings:
// tests/fuzz/corpus/*/regress-invalid-json-*.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/decoder.h"
#include "ingest/json_check.h"
#include "test_util.h"

namespace tc::ingest {
namespace {

using internal::CheckJson;
using internal::JsonCheck;
using testing::Padded;
using testing::Records;
using testing::RecordsBodyError;
using testing::Traces;
using testing::TracesBodyError;

// A bad value and what the message must say about it.
struct BadValue {
  std::string json;
  std::string what;
};

const std::vector<BadValue>& BadValues() {
  static const std::vector<BadValue> kValues = {
      {"tru", "invalid literal"},
      {"nul", "invalid literal"},
      {"falsey", "invalid literal"},
      {"NaN", "expected a value"},
      {"01", "invalid number"},
      {"1.", "invalid number"},
      {"-", "invalid number"},
      {"1e", "invalid number"},
      {"+1", "expected a value"},
      {"0x10", "invalid number"},
      {R"("a\x")", "invalid escape"},
      {R"("\u12")", "invalid \\u escape"},
      {"\"a\tb\"", "unescaped control character"},
      {"'a'", "expected a value"},
      {R"({"a":1)", "expected ',' or '}'"},
      {R"({"a":[1,2})", "expected ',' or ']'"},
      {R"({"a" 1})", "expected ':'"},
      {R"({"a":1,})", "expected a string key"},
      {R"({a:1})", "expected a string key"},
      {"[1,,2]", "expected a value"},
      {"[1 2]", "expected ',' or ']'"},
      {"[1,]", "expected a value"},
      {R"({"a":1]})", "expected ',' or '}'"},
  };
  return kValues;
}

TEST(InvalidJsonTest, RecordsJsonUnknownFieldEveryMode) {
  for (const BadValue& bad : BadValues()) {
    const std::string record = R"({"type":"session","session_id":"s","x":)" + bad.json + "}";
    for (const std::string& body :
         {record, "[" + record + "]", R"({"records":[)" + record + "]}",
          R"({"records":[{"type":"session","session_id":"a"},)" + record + "]}"}) {
      SCOPED_TRACE(body);
      const std::string message = RecordsBodyError(body);
      EXPECT_NE(message.find("body is not valid JSON: "), std::string::npos) << message;
      EXPECT_NE(message.find(bad.what), std::string::npos) << message;
      EXPECT_NE(message.find("line 1, column "), std::string::npos) << message;
    }
  }
}

TEST(InvalidJsonTest, RecordsJsonKnownFieldsAndFirstPassFields) {
  // A bad value in a field that is read (metadata), one skipped by the first pass over the
  // record (only type and id are read there), and one after the fields a type needs.
  for (const BadValue& bad : BadValues()) {
    for (const std::string& record :
         {R"({"type":"session","session_id":"s","metadata":{"k":)" + bad.json + "}}",
          R"({"type":"session","session_id":)" + bad.json + "}",
          R"({"x":)" + bad.json + R"(,"type":"session","session_id":"s"})",
          R"({"type":"event","session_id":"s","actions":[1,)" + bad.json + "]}"}) {
      SCOPED_TRACE(record);
      const std::string message = RecordsBodyError("[" + record + "]");
      EXPECT_NE(message.find(bad.what), std::string::npos) << message;
    }
  }
}

TEST(InvalidJsonTest, MessageNamesThePathAndPosition) {
  EXPECT_EQ(RecordsBodyError(R"({"records":[{"type":"session","session_id":"s","x":tru}]})"),
            "body is not valid JSON: invalid literal at records[0].x (line 1, column 52)");
  EXPECT_EQ(RecordsBodyError("[{\"type\":\"session\",\n \"metadata\":{\"a\":[1,{\"b\":01}]}}]"),
            "body is not valid JSON: invalid number at [0].metadata.a[1].b (line 2, column 26)");
  EXPECT_EQ(RecordsBodyError(R"([{"type":"session"}] x)"),
            "body is not valid JSON: content after the top-level value at line 1, column 22");
  EXPECT_EQ(RecordsBodyError(R"([{"type":"session"}] [])"),
            "body is not valid JSON: content after the top-level value at line 1, column 22");
  EXPECT_EQ(RecordsBodyError(R"({"type":"session","session_id":"s")"),
            "body is not valid JSON: unexpected end of the text: expected ',' or '}' at "
            "session_id (line 1, column 35)");
  EXPECT_EQ(RecordsBodyError("[{\"type\":\"session\",\"session_id\":\"\xc3\x28\"}]"),
            "body is not valid JSON: invalid UTF-8 at line 1, column 34");
}

TEST(InvalidJsonTest, ReproducerRecordsJson) {
  // tests/fuzz/corpus/decode_records_json/regress-invalid-json-skipped-field
  EXPECT_NE(RecordsBodyError(R"({"type":"session","session_id":"s","x":tru})")
                .find("invalid literal at x"),
            std::string::npos);
}

TEST(InvalidJsonTest, NdjsonBadLineRefusesItsRecordOnly) {
  for (const BadValue& bad : BadValues()) {
    // tests/fuzz/corpus/decode_records_ndjson/regress-invalid-json-line-accepted is the first.
    const std::string body =
        "{\"type\":\"session\",\"session_id\":\"s\"}\n"
        "{\"type\":\"session\",\"session_id\":\"t\",\"x\":" +
        bad.json + "}\n{\"type\":\"session\",\"session_id\":\"u\"}\n";
    SCOPED_TRACE(body);
    DecodedRequest request = Records(body, {}, BodyFormat::kNdjson);
    EXPECT_EQ(request.total, 3u);
    EXPECT_EQ((std::vector<size_t>{0, 2}), request.indexes);
    ASSERT_EQ(request.errors.size(), 1u);
    EXPECT_EQ(request.errors[0].index, 1u);
    const std::string& message = request.errors[0].message;
    EXPECT_EQ(message.rfind("line 2: not valid JSON: ", 0), 0u) << message;
    EXPECT_NE(message.find(bad.what), std::string::npos) << message;
    EXPECT_NE(message.find(" at x"), std::string::npos) << message;
    EXPECT_NE(message.find(" (column "), std::string::npos) << message;
  }
  // Trailing garbage after the record, and an unclosed record.
  DecodedRequest request =
      Records("{\"type\":\"session\",\"session_id\":\"s\"} x\n{\"type\":\"session\"\n", {},
              BodyFormat::kNdjson);
  ASSERT_EQ(request.errors.size(), 2u);
  EXPECT_NE(request.errors[0].message.find("line 1: not valid JSON: content after the top-level"),
            std::string::npos)
      << request.errors[0].message;
  EXPECT_NE(request.errors[1].message.find("line 2: not valid JSON: unexpected end of the text"),
            std::string::npos)
      << request.errors[1].message;
}

TEST(InvalidJsonTest, TracesEveryMode) {
  for (const BadValue& bad : BadValues()) {
    const std::string doc = R"({"session_id":"s","x":)" + bad.json + "}";
    const std::string in_event =
        R"({"session_id":"s","event_history":[{"event_type":"runtime","y":)" + bad.json + "}]}";
    for (const std::string& body : {doc, "[" + doc + "]", R"({"traces":[)" + doc + "]}", in_event,
                                    R"({"traces":[)" + in_event + "]}"}) {
      SCOPED_TRACE(body);
      const std::string message = TracesBodyError(body);
      EXPECT_EQ(message.rfind("body is not valid JSON: ", 0), 0u) << message;
      EXPECT_NE(message.find(bad.what), std::string::npos) << message;
    }
  }
}

TEST(InvalidJsonTest, ReproducerTracesAloneAndWrapped) {
  // tests/fuzz/corpus/decode_traces/regress-invalid-json-document: the old byte pre-scan and
  // simdjson disagreed about where strings start after a stray backslash.
  const std::string doc = R"({"":\"},"":})";
  EXPECT_NE(TracesBodyError(doc).find("body is not valid JSON: expected a value at"),
            std::string::npos)
      << TracesBodyError(doc);
  EXPECT_NE(TracesBodyError(R"({"traces":[)" + doc + "]}").find("body is not valid JSON"),
            std::string::npos);
}

TEST(InvalidJsonTest, ValidButUnusualSkippedValuesAreAccepted) {
  // Grammatically valid: any magnitude, escapes, a lone \u surrogate, nested values, unicode.
  for (const std::string value :
       {"1e400", "-123456789012345678901234567890.5E-7", "0", "-0.0e+0",
        R"("\ud800 \"\\\/\b\f\n\r\t \u00e9")", R"({"a":[[],{},[null,true,false]]})",
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", R"(  [ 1 , "x" ]  )"}) {
    SCOPED_TRACE(value);
    const std::string record = R"({"type":"session","session_id":"s","x":)" + value + "}";
    EXPECT_EQ(Records("[" + record + "]").records.size(), 1u);
    EXPECT_EQ(Records(record + "\n", {}, BodyFormat::kNdjson).records.size(), 1u);
    EXPECT_EQ(Traces(R"({"session_id":"s","x":)" + value + "}").records.size(), 1u);
  }
}

TEST(CheckJsonTest, ValidTexts) {
  for (const std::string text :
       {"0", " 1 ", "\"\"", "[]", "{}", " {\"a\" : [ 1 , 2.5e-3 , \"b\" ] }\r\n", "null",
        "[\"0123456789abcdef0123456789abcdef\\n\"]", "{\"\":{\"\":{}}}"}) {
    EXPECT_TRUE(CheckJson(text, 64).ok) << text << ": " << CheckJson(text, 64).message;
  }
}

TEST(CheckJsonTest, InvalidTexts) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "unexpected end of the text: expected a value at line 1, column 1"},
      {"[", "unexpected end of the text: expected a value at [0] (line 1, column 2)"},
      {"\"abc", "unterminated string at line 1, column 1"},
      {"[\"0123456789abcdef0123456789abcdef", "unterminated string at [0] (line 1, column 2)"},
      {"[\"0123456789abcdef\x01\"]", "unescaped control character in a string at [0]"},
      {"{\"a\":1,\"b", "unterminated string at line 1, column 8"},
      {"\xef\xbb\xbf{}", "invalid UTF-8"},  // a BOM is valid UTF-8 but not JSON
      {"[\xed\xa0\x80]", "invalid UTF-8 at line 1, column 2"},
      {"[1]\n\n  ]", "content after the top-level value at line 3, column 3"},
  };
  for (const auto& [text, expected] : cases) {
    JsonCheck check = CheckJson(text, 64);
    EXPECT_FALSE(check.ok) << text;
    if (expected != "invalid UTF-8") {
      EXPECT_NE(check.message.find(expected), std::string::npos) << text << ": " << check.message;
    }
  }
  EXPECT_NE(CheckJson("\xef\xbb\xbf{}", 64).message.find("expected a value"), std::string::npos);
}

TEST(CheckJsonTest, DepthAndLongKeys) {
  EXPECT_TRUE(CheckJson("[[[]]]", 3).ok);
  JsonCheck deep = CheckJson("{\"a\":[[[]]]}", 3);
  EXPECT_TRUE(deep.too_deep);
  EXPECT_EQ(deep.message, "nesting deeper than max_depth (3) at a[0][0] (line 1, column 8)");
  JsonCheck single = CheckJson("{\"a\":tru}", 3, /*single_line=*/true);
  EXPECT_EQ(single.message, "invalid literal at a (column 6)");
  // Keys in the path are cut at 64 bytes, not inside a UTF-8 sequence.
  const std::string key = std::string(63, 'k') + "\xc3\xa9" + "tail";
  JsonCheck long_key = CheckJson("{\"" + key + "\":x}", 8);
  EXPECT_NE(long_key.message.find(std::string(63, 'k') + "... ("), std::string::npos)
      << long_key.message;
}

}  // namespace
}  // namespace tc::ingest
