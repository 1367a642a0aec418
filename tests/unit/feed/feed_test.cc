// feed::Feed (feed/feed.h): positions, the bounded buffer, readers that fall behind, filters,
// and the position file across a clean stop, a crash and a directory it cannot write.

#include "feed/feed.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace tc::feed {
namespace {

using testing::TempDir;

schema::Record Event(const std::string& session,
                     schema::EventType type = schema::EventType::kCais) {
  schema::EventRecord e;
  e.session_id = session;
  e.event_type = type;
  e.model_name = "m";
  e.metadata = R"({"k":[1,2]})";
  return schema::Record{"key-" + session, e};
}

schema::Record Message(const std::string& session) {
  schema::MessageRecord m;
  m.session_id = session;
  m.content = "hi \"there\"";
  return schema::Record{"", m};
}

void Publish(Feed& feed, const std::vector<schema::Record>& records,
             std::vector<sink::RecordOutcome> outcomes = {}) {
  std::vector<sink::RecordResult> results(records.size());
  for (size_t i = 0; i < outcomes.size(); ++i) results[i].outcome = outcomes[i];
  feed.Publish(records, results);
}

std::unique_ptr<Feed> Open(const std::string& file, uint64_t max_records = 100) {
  auto feed = Feed::Open({file, max_records, 1 << 20});
  EXPECT_TRUE(feed.has_value()) << feed.error().ToString();
  return std::move(*feed);
}

TEST(FeedTest, StoredRecordsGetConsecutivePositionsAndOneRenderedFrame) {
  TempDir dir;
  auto feed = Open(dir.File("pos"));
  const uint64_t start = feed->last_position();
  int woken = 0;
  const uint64_t waiter = feed->AddWaiter([&] { ++woken; });
  Publish(*feed, {Event("a"), Message("a"), Event("b")},
          {sink::RecordOutcome::kStored, sink::RecordOutcome::kDuplicate,
           sink::RecordOutcome::kStored});
  EXPECT_EQ(woken, 1);
  Publish(*feed, {Event("c")}, {sink::RecordOutcome::kRefused});
  EXPECT_EQ(woken, 1);  // nothing appended, nobody woken
  feed->RemoveWaiter(waiter);
  EXPECT_EQ(feed->waiters(), 0u);
  EXPECT_EQ(feed->last_position(), start + 2);

  FeedRead read = feed->Read(start, FeedFilter{}, 1 << 20);
  ASSERT_EQ(read.entries.size(), 2u);
  EXPECT_EQ(read.missed, 0u);
  EXPECT_EQ(read.after, start + 2);
  EXPECT_EQ(read.entries[0]->frame,
            fmt::format("id: {0}\nevent: record\ndata: {{\"position\":{0},\"type\":\"event\","
                        "\"id\":\"key-a\",\"session_id\":\"a\",\"event_type\":\"cais\","
                        "\"system_instance_id\":\"\",\"model_name\":\"m\",\"metadata\":"
                        "{{\"k\":[1,2]}}}}\n\n",
                        start + 1));
  EXPECT_EQ(read.entries[1]->session_id, "b");
  EXPECT_TRUE(feed->Read(start + 2, FeedFilter{}, 1 << 20).entries.empty());
}

TEST(FeedTest, FiltersAndTheByteLimitOfARead) {
  TempDir dir;
  auto feed = Open(dir.File("pos"));
  const uint64_t start = feed->last_position();
  Publish(*feed, {Event("a"), Message("a"), Event("b", schema::EventType::kRuntime), Message("b")});
  FeedFilter messages;
  messages.types = 1u << 4;  // message
  FeedRead read = feed->Read(start, messages, 1 << 20);
  ASSERT_EQ(read.entries.size(), 2u);
  EXPECT_EQ(read.entries[1]->frame.find("hi \\\"there\\\"") != std::string::npos, true);
  FeedFilter b_runtime;
  b_runtime.session_id = "b";
  b_runtime.event_type = "runtime";
  b_runtime.types = 1u << 3;
  read = feed->Read(start, b_runtime, 1 << 20);
  ASSERT_EQ(read.entries.size(), 1u);
  EXPECT_EQ(read.entries[0]->position, start + 3);
  EXPECT_EQ(read.after, start + 4);  // looked at everything
  // A read stops once it has max_bytes (but always takes one).
  read = feed->Read(start, FeedFilter{}, 1);
  EXPECT_EQ(read.entries.size(), 1u);
  EXPECT_EQ(read.after, start + 1);
}

TEST(FeedTest, AReaderBehindTheBufferLearnsHowManyItMissed) {
  TempDir dir;
  auto feed = Open(dir.File("pos"), /*max_records=*/3);
  const uint64_t start = feed->last_position();
  for (int i = 0; i < 5; ++i) Publish(*feed, {Event("s" + std::to_string(i))});
  FeedRead read = feed->Read(start, FeedFilter{}, 1 << 20);
  EXPECT_EQ(read.missed, 2u);
  ASSERT_EQ(read.entries.size(), 3u);
  EXPECT_EQ(read.entries[0]->position, start + 3);
  EXPECT_FALSE(feed->CanResume(start + 1));
  EXPECT_TRUE(feed->CanResume(start + 2));
  EXPECT_TRUE(feed->CanResume(start + 5));
  EXPECT_FALSE(feed->CanResume(start + 6));  // from the future
  EXPECT_EQ(feed->OldestResumable(), start + 2);
}

TEST(FeedTest, PositionsGoOnAfterACleanStopAndJumpAfterACrash) {
  TempDir dir;
  const std::string file = dir.File("pos");
  uint64_t last = 0;
  {
    auto feed = Open(file);
    Publish(*feed, {Event("a"), Event("b")});
    last = feed->last_position();
  }  // clean: the exact position is written
  {
    auto feed = Open(file);
    EXPECT_EQ(feed->last_position(), last);
    EXPECT_TRUE(feed->CanResume(last));       // had everything: nothing missed
    EXPECT_FALSE(feed->CanResume(last - 1));  // the buffer is gone
    Publish(*feed, {Event("c")});
    EXPECT_EQ(feed->last_position(), last + 1);
    // A crash: the file holds the reservation (as written at Open), not the exact position.
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("reserved"), std::string::npos) << text;
    const std::string copy = dir.File("crashed");
    std::ofstream(copy) << text;
    auto after_crash = Open(copy);
    EXPECT_GT(after_crash->last_position(), last + 1);
    EXPECT_FALSE(after_crash->CanResume(last + 1));
  }
  // A file that is not ours: positions start from the clock (microseconds), far above.
  std::ofstream(file) << "garbage";
  auto fresh = Open(file);
  EXPECT_GT(fresh->last_position(), uint64_t{1700000000} * 1000000);
}

TEST(FeedTest, ADirectoryItCannotWriteLeavesAWorkingFeedWithoutResumeAcrossRestarts) {
  // Under /proc nobody can create a file, root included.
  auto feed = Open("/proc/tracecollector-feed-test/pos");
  const uint64_t start = feed->last_position();
  Publish(*feed, {Event("a")});
  EXPECT_EQ(feed->Read(start, FeedFilter{}, 1 << 20).entries.size(), 1u);
}

}  // namespace
}  // namespace tc::feed
