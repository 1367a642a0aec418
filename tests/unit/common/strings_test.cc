#include "common/strings.h"

#include <gtest/gtest.h>

namespace tc {
namespace {

TEST(StringsTest, TrimTakesOnlyTheGivenCharactersFromTheEnds) {
  EXPECT_EQ(Trim("  a b \t", " \t"), "a b");
  EXPECT_EQ(Trim("\r\nkey\r", " \t\r"), "\nkey");  // '\n' was not asked for
  EXPECT_EQ(Trim("", " "), "");
  EXPECT_EQ(Trim("   ", " "), "");
  EXPECT_EQ(Trim("x", ""), "x");
  EXPECT_EQ(TrimLeft("  a  ", " "), "a  ");
  EXPECT_EQ(TrimRight("  a  ", " "), "  a");
  EXPECT_EQ(TrimRight("host//", "/"), "host");
  EXPECT_EQ(TrimLeft("///", "/"), "");
  EXPECT_EQ(TrimRight("///", "/"), "");
}

TEST(StringsTest, TrimReturnsAViewIntoTheText) {
  const std::string_view text = "  abc  ";
  const std::string_view trimmed = Trim(text, " ");
  EXPECT_EQ(trimmed.data(), text.data() + 2);
  EXPECT_EQ(trimmed.size(), 3u);
}

TEST(StringsTest, AsciiUpperChangesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiUpper("full"), "FULL");
  EXPECT_EQ(AsciiUpper("Wal_2-x.y"), "WAL_2-X.Y");
  EXPECT_EQ(AsciiUpper(""), "");
  EXPECT_EQ(AsciiUpper("\xc3\xbc"), "\xc3\xbc");  // UTF-8 bytes stay as they are
}

TEST(StringsTest, CaseInsensitiveComparisons) {
  EXPECT_TRUE(EqualsIgnoreCase("TRUE", "true"));
  EXPECT_TRUE(EqualsIgnoreCase("tRuE", "TrUe"));
  EXPECT_FALSE(EqualsIgnoreCase("true", "tru"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));  // 0x5B and 0x7B differ by the case bit only
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_TRUE(StartsWithIgnoreCase("Retry-After: 5", "retry-after:"));
  EXPECT_FALSE(StartsWithIgnoreCase("Retry", "retry-after:"));
  EXPECT_TRUE(StartsWithIgnoreCase("anything", ""));
}

}  // namespace
}  // namespace tc
