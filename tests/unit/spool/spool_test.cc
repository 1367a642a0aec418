// The spool against real files in a temp directory: order, reopen, segment deletion, damage
// (torn tail, flipped byte), the size cap and the directory lock.

#include "spool/spool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace tc::spool {
namespace {

namespace fs = std::filesystem;

std::vector<schema::Record> Batch(const std::string& prefix, int n) {
  std::vector<schema::Record> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({prefix + std::to_string(i), schema::SessionRecord{prefix + std::to_string(i)}});
  }
  return out;
}

std::vector<std::string> Keys(const std::vector<schema::Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.key);
  return out;
}

std::vector<std::string> Segments(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".spool") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SpoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Spool> OpenSpool(uint64_t max_bytes = 1 << 20, uint64_t segment = 1 << 16) {
    auto spool = Spool::Open({dir_.path() + "/spool", max_bytes, segment}, metrics_);
    EXPECT_TRUE(spool.has_value()) << spool.status().ToString();
    return spool.has_value() ? std::move(*spool) : nullptr;
  }
  // Reads everything unread, consuming as it goes.
  std::vector<std::string> Drain(Spool& spool) {
    std::vector<std::string> keys;
    Chunk chunk;
    do {
      EXPECT_TRUE(spool.ReadNext(1000, &chunk).ok());
      for (const auto& k : Keys(chunk.records)) keys.push_back(k);
      EXPECT_TRUE(spool.Consume(chunk.end).ok());
    } while (!chunk.records.empty());
    return keys;
  }
  std::string SpoolDir() const { return dir_.path() + "/spool"; }

  testing::TempDir dir_;
  metrics::Metrics metrics_;
};

TEST_F(SpoolTest, ReadsBackInAppendOrderAndDeletesWhenConsumed) {
  auto spool = OpenSpool();
  EXPECT_TRUE(spool->Empty());
  ASSERT_TRUE(spool->Append(Batch("a", 3)).ok());
  ASSERT_TRUE(spool->Append(Batch("b", 2)).ok());
  EXPECT_FALSE(spool->Empty());
  EXPECT_GT(metrics_.spool_bytes.Get(), 0);
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"a0", "a1", "a2", "b0", "b1"}));
  EXPECT_TRUE(spool->Empty());
  EXPECT_TRUE(spool->AllRead());
  EXPECT_EQ(metrics_.spool_bytes.Get(), 0);
  EXPECT_TRUE(Segments(SpoolDir()).empty());
  // Appending again after everything was consumed starts a new segment.
  ASSERT_TRUE(spool->Append(Batch("c", 1)).ok());
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"c0"}));
}

TEST_F(SpoolTest, ReadStopsAtWholeFramesNearTheLimit) {
  auto spool = OpenSpool();
  ASSERT_TRUE(spool->Append(Batch("a", 3)).ok());
  ASSERT_TRUE(spool->Append(Batch("b", 3)).ok());
  Chunk chunk;
  ASSERT_TRUE(spool->ReadNext(2, &chunk).ok());
  EXPECT_EQ(chunk.records.size(), 3u) << "a frame is never split";
  ASSERT_TRUE(spool->ReadNext(2, &chunk).ok());
  EXPECT_EQ(Keys(chunk.records), (std::vector<std::string>{"b0", "b1", "b2"}));
}

TEST_F(SpoolTest, WhatWasNotConsumedIsReplayedAfterReopen) {
  {
    auto spool = OpenSpool(1 << 20, 512);  // small segments: several files
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(spool->Append(Batch("x" + std::to_string(i) + "-", 4)).ok());
    EXPECT_GT(Segments(SpoolDir()).size(), 2u);
    Chunk chunk;
    ASSERT_TRUE(spool->ReadNext(40, &chunk).ok());  // read but not consumed: must come back
  }
  auto spool = OpenSpool(1 << 20, 512);
  auto keys = Drain(*spool);
  ASSERT_EQ(keys.size(), 200u);
  EXPECT_EQ(keys.front(), "x0-0");
  EXPECT_EQ(keys.back(), "x49-3");
  EXPECT_TRUE(Segments(SpoolDir()).empty());
}

TEST_F(SpoolTest, ConsumedSegmentsAreGoneAfterReopen) {
  {
    auto spool = OpenSpool(1 << 20, 512);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(spool->Append(Batch("x" + std::to_string(i) + "-", 4)).ok());
    Chunk chunk;
    ASSERT_TRUE(spool->ReadNext(100, &chunk).ok());
    ASSERT_TRUE(spool->Consume(chunk.end).ok());
  }
  auto spool = OpenSpool(1 << 20, 512);
  auto keys = Drain(*spool);
  // Replay restarts at the first segment not wholly consumed: never later than record 100.
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.back(), "x49-3");
  EXPECT_GE(keys.size(), 100u);
  EXPECT_LT(keys.size(), 200u);
}

TEST_F(SpoolTest, TornTailIsReportedAndTheFramesBeforeItKept) {
  {
    auto spool = OpenSpool();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->Append(Batch("t" + std::to_string(i) + "-", 2)).ok());
  }
  auto segments = Segments(SpoolDir());
  ASSERT_EQ(segments.size(), 1u);
  const auto size = fs::file_size(segments[0]);
  fs::resize_file(segments[0], size - 5);  // the last frame loses its end
  auto spool = OpenSpool();
  EXPECT_GT(metrics_.spool_corrupt_bytes.Get(), 0u);
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"t0-0", "t0-1", "t1-0", "t1-1"}));
  // The spool keeps working after the damage.
  ASSERT_TRUE(spool->Append(Batch("n", 1)).ok());
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"n0"}));
}

TEST_F(SpoolTest, AFlippedByteLosesOnlyItsFrame) {
  {
    auto spool = OpenSpool();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->Append(Batch("f" + std::to_string(i) + "-", 2)).ok());
  }
  auto segments = Segments(SpoolDir());
  ASSERT_EQ(segments.size(), 1u);
  std::string bytes = testing::ReadFile(segments[0]);
  const size_t frame = bytes.size() / 3;  // equal-sized frames
  bytes[frame + frame / 2] ^= 0x40;       // inside the second frame's payload
  std::ofstream(segments[0], std::ios::binary | std::ios::trunc) << bytes;
  auto spool = OpenSpool();
  EXPECT_EQ(metrics_.spool_corrupt_bytes.Get(), frame);
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"f0-0", "f0-1", "f2-0", "f2-1"}));
}

TEST_F(SpoolTest, GarbageFileIsSkippedWhole) {
  fs::create_directories(SpoolDir());
  std::ofstream(SpoolDir() + "/seg-00000000000000000003.spool") << "not a spool segment at all";
  auto spool = OpenSpool();
  EXPECT_EQ(metrics_.spool_corrupt_bytes.Get(), 26u);
  ASSERT_TRUE(spool->Append(Batch("g", 1)).ok());
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"g0"}));
  EXPECT_TRUE(Segments(SpoolDir()).empty());
}

TEST_F(SpoolTest, FullSpoolRefusesAndWritesNothing) {
  auto spool = OpenSpool(/*max_bytes=*/300);
  Status status;
  int appended = 0;
  while ((status = spool->Append(Batch("b" + std::to_string(appended) + "-", 1))).ok()) ++appended;
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_GT(appended, 0);
  EXPECT_LE(spool->bytes(), 300u);
  EXPECT_TRUE(spool->full()) << "what the next batch meets";
  EXPECT_EQ(Drain(*spool).size(), static_cast<size_t>(appended));
  EXPECT_FALSE(spool->full()) << "consumed segments made room";
  EXPECT_TRUE(spool->Append(Batch("again", 1)).ok()) << "room again once drained";
}

// A disk that refuses the write (ENOSPC, or here the file-size limit's EFBIG: the same failed
// write(2) to the spool) refuses the batch, keeps nothing of it, and says so until a write works.
TEST_F(SpoolTest, ADiskThatRefusesTheWriteRefusesTheBatchAndSaysSo) {
  auto spool = OpenSpool();
  ASSERT_TRUE(spool->Append(Batch("a", 2)).ok());
  const uint64_t before = spool->bytes();
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(before);  // the segment may not grow
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  Status refused = spool->Append(Batch("b", 50));
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_NE(refused.message().find("cannot write the spool segment"), std::string::npos);
  EXPECT_TRUE(spool->full());
  EXPECT_EQ(spool->bytes(), before) << "nothing of the refused batch is kept";
  ASSERT_TRUE(spool->Append(Batch("c", 1)).ok());
  EXPECT_FALSE(spool->full());
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"a0", "a1", "c0"}));
}

TEST_F(SpoolTest, ASecondProcessCannotOpenTheSameDirectory) {
  auto spool = OpenSpool();
  metrics::Metrics other;
  auto second = Spool::Open({SpoolDir(), 1 << 20, 1 << 16}, other);
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

TEST_F(SpoolTest, ReaderCatchesUpWithTheWriter) {
  auto spool = OpenSpool();
  ASSERT_TRUE(spool->Append(Batch("a", 1)).ok());
  EXPECT_FALSE(spool->AllRead());
  EXPECT_EQ(Drain(*spool), (std::vector<std::string>{"a0"}));
  ASSERT_TRUE(spool->Append(Batch("b", 1)).ok());
  Chunk chunk;
  ASSERT_TRUE(spool->ReadNext(10, &chunk).ok());
  EXPECT_EQ(Keys(chunk.records), (std::vector<std::string>{"b0"}));
  EXPECT_TRUE(spool->AllRead());
  EXPECT_FALSE(spool->Empty()) << "read but not consumed";
}

TEST_F(SpoolTest, UncreatableDirectoryIsAClearStartupError) {
  // A path under a regular file cannot be created, whoever runs the test (root included).
  std::ofstream(dir_.path() + "/file") << "x";
  auto spool = Spool::Open({dir_.path() + "/file/spool", 1 << 20, 1 << 16}, metrics_);
  ASSERT_FALSE(spool.has_value());
  EXPECT_NE(spool.status().message().find("file/spool"), std::string::npos)
      << spool.status().ToString();
}

}  // namespace
}  // namespace tc::spool
