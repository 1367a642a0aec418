// The Idempotency-Key pieces alone: the header check, the derived record keys, the bounded
// in-memory registry (body fingerprints, in-flight requests, window, eviction).

#include "http/idempotency.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ingest/decoder.h"
#include "schema/records.h"

namespace tc::http {
namespace {

using namespace std::chrono_literals;
using Begin = IdempotencyKeys::Begin;

TEST(IdempotencyKeyCheck, AcceptsVisibleAsciiUpToTheLimit) {
  EXPECT_EQ(CheckIdempotencyKey("a"), "");
  EXPECT_EQ(CheckIdempotencyKey("2f1c7a9e-1b2c-4d5e-8f90-0a1b2c3d4e5f"), "");
  EXPECT_EQ(CheckIdempotencyKey("!~/:{}\"'"), "");
  EXPECT_EQ(CheckIdempotencyKey(std::string(kMaxIdempotencyKeyBytes, 'k')), "");
}

TEST(IdempotencyKeyCheck, RefusesEmptyLongSpacesControlAndNonAscii) {
  EXPECT_NE(CheckIdempotencyKey("").find("empty"), std::string::npos);
  EXPECT_NE(CheckIdempotencyKey(std::string(kMaxIdempotencyKeyBytes + 1, 'k')).find("256 bytes"),
            std::string::npos);
  EXPECT_NE(CheckIdempotencyKey("a b").find("at byte 1"), std::string::npos);
  EXPECT_NE(CheckIdempotencyKey("ab\t").find("at byte 2"), std::string::npos);
  EXPECT_NE(CheckIdempotencyKey("\x7f").find("visible ASCII"), std::string::npos);
  EXPECT_NE(CheckIdempotencyKey("caf\xc3\xa9").find("at byte 3"), std::string::npos);
}

TEST(DerivedRecordKeyTest, IsDeterministicAndDistinctPerKeyAndIndex) {
  EXPECT_EQ(DerivedRecordKey("k1", 0), "~idem/k1/0");
  EXPECT_EQ(DerivedRecordKey("k1", 0), DerivedRecordKey("k1", 0));
  std::set<std::string> seen;
  // Keys that contain '/' and digits cannot make two (key, index) pairs meet.
  for (std::string key : {"a", "a/1", "a/1/2", "1", "a/", "/"}) {
    for (size_t index : {0u, 1u, 2u, 12u, 21u}) {
      EXPECT_TRUE(seen.insert(DerivedRecordKey(key, index)).second) << key << " " << index;
    }
  }
}

TEST(DerivedRecordKeyTest, NoClientIdCanEqualADerivedKey) {
  // The decoder refuses a client id in the derived keys' namespace, so a record sent with
  // "id":"~idem/k1/0" can never be taken for the first record of a request with key k1.
  const std::string derived = DerivedRecordKey("k1", 0);
  ASSERT_EQ(derived.front(), schema::kDerivedKeyMark);
  const std::string body = R"({"type":"session","session_id":"s","id":")" + derived + R"("})";
  std::string padded = body;
  padded.reserve(body.size() + 64);
  auto decoded = ingest::DecodeRecords(padded, ingest::BodyFormat::kJson, ingest::IngestLimits{});
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->records.empty());
  ASSERT_EQ(decoded->errors.size(), 1u);
  EXPECT_EQ(decoded->errors[0].field, "id");
  EXPECT_NE(decoded->errors[0].message.find("reserved"), std::string::npos);
}

TEST(RequestFingerprintTest, DependsOnBodyAndEndpoint) {
  EXPECT_EQ(RequestFingerprint("/v1/records", "{}"), RequestFingerprint("/v1/records", "{}"));
  EXPECT_NE(RequestFingerprint("/v1/records", "{}"), RequestFingerprint("/v1/records", "{ }"));
  EXPECT_NE(RequestFingerprint("/v1/records", "{}"), RequestFingerprint("/v1/traces", "{}"));
}

class IdempotencyKeysTest : public ::testing::Test {
 protected:
  metrics::Metrics metrics_;
  IdempotencyKeys::Clock::time_point t0_ = IdempotencyKeys::Clock::now();
};

TEST_F(IdempotencyKeysTest, NewThenInFlightThenReplayOrMismatch) {
  IdempotencyKeys keys(60s, 100, metrics_);
  EXPECT_EQ(keys.TryBegin("k", 1, t0_), Begin::kNew);
  EXPECT_EQ(keys.TryBegin("k", 1, t0_), Begin::kInFlight);
  EXPECT_EQ(keys.TryBegin("k", 2, t0_), Begin::kMismatch);  // another body: 422 even in flight
  keys.End("k", t0_);
  EXPECT_EQ(keys.TryBegin("k", 2, t0_ + 1s), Begin::kMismatch);
  EXPECT_EQ(keys.TryBegin("k", 1, t0_ + 1s), Begin::kReplay);
  EXPECT_EQ(keys.TryBegin("k", 1, t0_ + 1s), Begin::kInFlight);
  keys.End("k", t0_ + 1s);
  EXPECT_EQ(keys.size(), 1u);
}

TEST_F(IdempotencyKeysTest, ForgetMakesANewKeyUnknownAgain) {
  IdempotencyKeys keys(60s, 100, metrics_);
  EXPECT_EQ(keys.TryBegin("k", 1, t0_), Begin::kNew);
  keys.Forget("k");  // e.g. the queue refused the request (429): nothing was stored
  EXPECT_EQ(keys.size(), 0u);
  EXPECT_EQ(keys.TryBegin("k", 2, t0_), Begin::kNew);
}

TEST_F(IdempotencyKeysTest, KeysExpireAfterTheWindow) {
  IdempotencyKeys keys(10s, 100, metrics_);
  ASSERT_EQ(keys.TryBegin("k", 1, t0_), Begin::kNew);
  keys.End("k", t0_);
  EXPECT_EQ(keys.TryBegin("k", 2, t0_ + 9s), Begin::kMismatch);
  EXPECT_EQ(keys.TryBegin("k", 2, t0_ + 10s), Begin::kNew);  // forgotten: a new request
  EXPECT_EQ(metrics_.idempotency_keys_evicted.Get(), 0u);    // expiry is not eviction
}

TEST_F(IdempotencyKeysTest, OldestFinishedKeyIsEvictedPastMaxKeysButNeverOneInFlight) {
  IdempotencyKeys keys(60s, 2, metrics_);
  ASSERT_EQ(keys.TryBegin("busy", 9, t0_), Begin::kNew);  // stays in flight throughout
  for (const char* k : {"a", "b", "c"}) {
    ASSERT_EQ(keys.TryBegin(k, 1, t0_), Begin::kNew);
    keys.End(k, t0_);
  }
  EXPECT_EQ(metrics_.idempotency_keys_evicted.Get(), 1u);
  EXPECT_EQ(keys.size(), 3u);                                  // b, c and the one in flight
  EXPECT_EQ(keys.TryBegin("a", 2, t0_), Begin::kNew);          // forgotten
  EXPECT_EQ(keys.TryBegin("busy", 9, t0_), Begin::kInFlight);  // never evicted
  EXPECT_EQ(keys.TryBegin("c", 2, t0_), Begin::kMismatch);     // still remembered
}

TEST_F(IdempotencyKeysTest, HoldFinishesOnceAndAbandonRestores) {
  auto keys = std::make_shared<IdempotencyKeys>(60s, 100, metrics_);
  ASSERT_EQ(keys->TryBegin("new", 1, t0_), Begin::kNew);
  IdempotencyHold(keys, "new", true).Abandon();
  EXPECT_EQ(keys->TryBegin("new", 2, t0_), Begin::kNew);  // a new key abandoned is forgotten
  { IdempotencyHold dropped(keys, "new", true); }         // destroyed unfinished: remembered
  EXPECT_EQ(keys->TryBegin("new", 1, t0_), Begin::kMismatch);
  EXPECT_EQ(keys->TryBegin("new", 2, IdempotencyKeys::Clock::now()), Begin::kReplay);
  IdempotencyHold replay(keys, "new", false);
  replay.Abandon();  // a replay abandoned keeps the key and its body
  EXPECT_EQ(keys->TryBegin("new", 1, IdempotencyKeys::Clock::now()), Begin::kMismatch);
}

}  // namespace
}  // namespace tc::http
