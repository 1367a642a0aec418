// JsonWriter (common/json_writer.h) as the OTLP mapping uses it: strings escaped per RFC 8259
// wherever in the text the escape falls (AppendJsonString scans 8 bytes at a time), integers at
// their limits, Clear() for a writer reused across texts.

#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace tc {
namespace {

// Each byte on its own, as RFC 8259 wants it.
std::string Expected(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

TEST(JsonWriterTest, EveryByteThatNeedsAnEscapeIsEscapedAtEveryPosition) {
  std::string special;
  for (int c = 0; c < 0x20; ++c) special += static_cast<char>(c);
  special += "\"\\";
  for (const char c : special) {
    for (size_t length = 1; length <= 20; ++length) {
      for (size_t at = 0; at < length; ++at) {
        // Bytes next to the special ones in value (0x1f/0x20, '!', '[', ']', 0x7f, UTF-8).
        std::string text(length, 'a');
        for (size_t i = 0; i < length; ++i) text[i] = "a \x21[]\x7f\xc3\xa9"[i % 8];
        text[at] = c;
        std::string out;
        AppendJsonString(out, text);
        ASSERT_EQ(out, Expected(text)) << "byte " << int(c) << " at " << at << " of " << length;
      }
    }
  }
}

TEST(JsonWriterTest, TextWithoutEscapesIsCopiedWhole) {
  for (size_t length = 0; length <= 40; ++length) {
    const std::string text =
        std::string("gen_ai.usage.input_tokens h\xc3\xa9llo \xf0\x9f\x8c\x8d abcdef")
            .substr(0, length);
    std::string out;
    AppendJsonString(out, text);
    EXPECT_EQ(out, "\"" + text + "\"");
  }
}

TEST(JsonWriterTest, IntegersAtTheirLimits) {
  JsonWriter json;
  json.BeginArray();
  json.Element().Int(0);
  json.Element().Int(-7);
  json.Element().Int(std::numeric_limits<int64_t>::min());
  json.Element().Int(std::numeric_limits<int64_t>::max());
  json.Element().Uint(std::numeric_limits<uint64_t>::max());
  json.EndArray();
  EXPECT_EQ(json.str(), "[0,-7,-9223372036854775808,9223372036854775807,18446744073709551615]");
}

TEST(JsonWriterTest, ClearStartsANewTextWithoutAComma) {
  JsonWriter json;
  json.BeginObject().Key("a").Int(1).Key("b").String("x");
  json.Clear();
  json.BeginObject().Key("c").Bool(true).EndObject();
  EXPECT_EQ(json.str(), "{\"c\":true}");
}

}  // namespace
}  // namespace tc
