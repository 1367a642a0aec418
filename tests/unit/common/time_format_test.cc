#include "common/time_format.h"

#include <gtest/gtest.h>

namespace tc {
namespace {

TEST(TimeFormatTest, UnixSecondsAcrossTheWholeSpellableRange) {
  EXPECT_EQ(IsoUtcFromUnixSeconds(0), "1970-01-01T00:00:00.000000+00:00");
  EXPECT_EQ(IsoUtcFromUnixSeconds(1735689600.5), "2025-01-01T00:00:00.500000+00:00");
  EXPECT_EQ(IsoUtcFromUnixSeconds(-1.25), "1969-12-31T23:59:58.750000+00:00");
  // Past the system clock's nanosecond range (1678..2262): computed in microseconds.
  EXPECT_EQ(IsoUtcFromUnixSeconds(174105086001.5), "7487-03-04T03:53:21.500000+00:00");
  EXPECT_EQ(IsoUtcFromUnixSeconds(253402300799), "9999-12-31T23:59:59.000000+00:00");
  EXPECT_EQ(IsoUtcFromUnixSeconds(-62135596799.5), "0001-01-01T00:00:00.500000+00:00");
}

TEST(TimeFormatTest, TimePointsKeepMicroseconds) {
  auto tp = std::chrono::system_clock::time_point(std::chrono::microseconds(1735689600123456));
  EXPECT_EQ(FormatIsoUtc(tp), "2025-01-01T00:00:00.123456+00:00");
}

}  // namespace
}  // namespace tc
