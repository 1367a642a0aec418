// The spool codec: every field of every record type comes back as it went in; damaged payloads
// are refused, never crash.

#include "spool/record_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_records.h"

namespace tc::spool {
namespace {

TEST(RecordCodecTest, EveryFieldOfEveryTypeRoundTrips) {
  std::vector<schema::Record> records = testing::EveryRecordType();
  ASSERT_EQ(records.size(), std::variant_size_v<schema::RecordBody> * 2);
  std::string bytes;
  EncodeRecords(records, &bytes);
  std::vector<schema::Record> decoded;
  ASSERT_TRUE(DecodeRecords(bytes, &decoded).ok());
  ASSERT_EQ(decoded.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_TRUE(decoded[i] == records[i]) << "record " << i << " ("
                                          << schema::RecordTypeName(records[i].body) << ")";
  }
}

TEST(RecordCodecTest, ExtremeNumbersRoundTripBitForBit) {
  schema::EventRecord event;
  event.session_id = "s";
  event.cost_usd = std::numeric_limits<double>::denorm_min();
  event.event_time = -0.0;
  event.input_tokens = std::numeric_limits<int64_t>::min();
  event.output_tokens = std::numeric_limits<int64_t>::max();
  std::vector<schema::Record> records{{"k", event}};
  std::string bytes;
  EncodeRecords(records, &bytes);
  std::vector<schema::Record> decoded;
  ASSERT_TRUE(DecodeRecords(bytes, &decoded).ok());
  const auto& back = std::get<schema::EventRecord>(decoded.at(0).body);
  EXPECT_EQ(back.cost_usd, std::numeric_limits<double>::denorm_min());
  EXPECT_TRUE(std::signbit(*back.event_time));
  EXPECT_EQ(back.input_tokens, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(back.output_tokens, std::numeric_limits<int64_t>::max());
}

TEST(RecordCodecTest, KeylessRecordsGetUniqueSpoolKeysKeyedOnesKeepTheirs) {
  std::vector<schema::Record> records(3);
  records[0].body = schema::SessionRecord{"a"};
  records[1].key = "client-key";
  records[1].body = schema::SessionRecord{"b"};
  records[2].body = schema::SessionRecord{"c"};
  std::string bytes;
  uint64_t next = 7;
  EncodeRecords(records, &bytes, "~spool/x/", &next);
  EXPECT_EQ(next, 9u);
  std::vector<schema::Record> decoded;
  ASSERT_TRUE(DecodeRecords(bytes, &decoded).ok());
  EXPECT_EQ(decoded[0].key, "~spool/x/7");
  EXPECT_EQ(decoded[1].key, "client-key");
  EXPECT_EQ(decoded[2].key, "~spool/x/8");
}

TEST(RecordCodecTest, EveryTruncationIsRefused) {
  std::vector<schema::Record> records = testing::EveryRecordType();
  std::string bytes;
  EncodeRecords(records, &bytes);
  for (size_t size = 0; size < bytes.size(); ++size) {
    std::vector<schema::Record> decoded;
    EXPECT_FALSE(DecodeRecords(std::string_view(bytes).substr(0, size), &decoded).ok()) << size;
  }
  std::vector<schema::Record> decoded;
  EXPECT_FALSE(DecodeRecords(bytes + "x", &decoded).ok()) << "trailing bytes";
}

TEST(RecordCodecTest, FlippedBytesNeverCrash) {
  std::vector<schema::Record> records = testing::EveryRecordType();
  std::string bytes;
  EncodeRecords(records, &bytes);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0xA5);
    std::vector<schema::Record> decoded;
    (void)DecodeRecords(damaged, &decoded);  // refused or decoded to other values, never UB
  }
  SUCCEED();
}

#if defined(__x86_64__) && defined(__GLIBCXX__)
// A tripwire: a field added to a record struct changes its size; then add it to
// schema/record_fields.h and to testing::EveryRecordType(), and update the size here.
TEST(RecordCodecTest, RecordStructsHaveTheFieldsThisTestKnows) {
  EXPECT_EQ(sizeof(schema::SessionRecord), 152u);
  EXPECT_EQ(sizeof(schema::EventRecord), 648u);
  EXPECT_EQ(sizeof(schema::MessageRecord), 224u);
  EXPECT_EQ(sizeof(schema::EventRewardRecord), 360u);
  EXPECT_EQ(sizeof(schema::SessionEndRecord), 112u);
  EXPECT_EQ(sizeof(schema::TimestepRecord), 216u);
  EXPECT_EQ(sizeof(schema::ExperimentRecord), 184u);
  EXPECT_EQ(sizeof(schema::SystemRecord), 184u);
  EXPECT_EQ(sizeof(schema::SystemVersionRecord), 216u);
  EXPECT_EQ(sizeof(schema::OutcomeRewardRecord), 168u);
  EXPECT_EQ(sizeof(schema::TraceLinkRecord), 96u);
}
#endif

}  // namespace
}  // namespace tc::spool
