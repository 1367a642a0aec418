#include "http/ingest_results.h"

#include <gtest/gtest.h>

#include "test_client.h"

namespace tc::http {
namespace {

using testing::Json;

ingest::RecordError Refused(size_t index, std::string id, std::string field, std::string message) {
  ingest::RecordError e;
  e.index = index;
  e.id = std::move(id);
  e.field = std::move(field);
  e.message = std::move(message);
  return e;
}

sink::RecordResult Outcome(sink::RecordOutcome outcome, std::string message = "") {
  sink::RecordResult r;
  r.outcome = outcome;
  r.message = std::move(message);
  return r;
}

TEST(IngestResultsTest, AllStoredIs200WithCounts) {
  PendingIngest p;
  p.indexes = {0, 1, 2};
  p.ids = {"a", "b", ""};
  std::vector<sink::RecordResult> results = {Outcome(sink::RecordOutcome::kStored),
                                             Outcome(sink::RecordOutcome::kDuplicate),
                                             Outcome(sink::RecordOutcome::kStored)};
  Response out;
  BuildIngestResponse(p, &results, &out);
  EXPECT_EQ(out.status, 200u);
  Json body(out.body);
  ASSERT_TRUE(body.valid()) << out.body;
  EXPECT_EQ(body.Str("/status"), "ok");
  EXPECT_EQ(body.Str("/ack"), "durable");
  EXPECT_EQ(body.Int("/accepted"), 3);
  EXPECT_EQ(body.Int("/total"), 3);
  EXPECT_EQ(body.Int("/stored"), 2);
  EXPECT_EQ(body.Int("/duplicates"), 1);
  EXPECT_EQ(body.Int("/refused"), 0);
  EXPECT_FALSE(body.Has("/results"));
}

TEST(IngestResultsTest, QueuedWithoutRefusalsIs202) {
  PendingIngest p;
  p.indexes = {0, 1};
  p.ids = {"a", "b"};
  Response out;
  BuildIngestResponse(p, nullptr, &out);
  EXPECT_EQ(out.status, 202u);
  Json body(out.body);
  EXPECT_EQ(body.Str("/status"), "queued");
  EXPECT_EQ(body.Int("/accepted"), 2);
  EXPECT_EQ(body.Int("/queued"), 2);
  EXPECT_FALSE(body.Has("/stored"));
}

TEST(IngestResultsTest, PartialMergesValidationAndDatabaseRefusalsInRequestOrder) {
  PendingIngest p;
  p.indexes = {0, 2, 4};
  p.ids = {"a", "c", "e"};
  p.errors = {Refused(1, "b", "event_type", "not one of cais, environment, runtime"),
              Refused(3, "", "", "not a JSON object")};
  std::vector<sink::RecordResult> results = {
      Outcome(sink::RecordOutcome::kStored), Outcome(sink::RecordOutcome::kRefused, "FK failed"),
      Outcome(sink::RecordOutcome::kDuplicate)};
  Response out;
  BuildIngestResponse(p, &results, &out);
  EXPECT_EQ(out.status, 207u);
  Json body(out.body);
  ASSERT_TRUE(body.valid()) << out.body;
  EXPECT_EQ(body.Str("/status"), "partial");
  EXPECT_EQ(body.Int("/accepted"), 2);
  EXPECT_EQ(body.Int("/refused"), 3);
  EXPECT_EQ(body.Int("/stored"), 1);
  EXPECT_EQ(body.Int("/duplicates"), 1);
  ASSERT_EQ(body.Size("/results"), 5u);
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(body.Int(("/results/" + std::to_string(i) + "/index").c_str()), i);
  }
  EXPECT_EQ(body.Str("/results/0/status"), "stored");
  EXPECT_EQ(body.Str("/results/0/id"), "a");
  EXPECT_FALSE(body.Has("/results/0/error"));
  EXPECT_EQ(body.Str("/results/1/status"), "refused");
  EXPECT_EQ(body.Str("/results/1/id"), "b");
  EXPECT_EQ(body.Str("/results/1/code"), "invalid_record");
  EXPECT_EQ(body.Str("/results/1/field"), "event_type");
  EXPECT_EQ(body.Str("/results/1/error"), "not one of cais, environment, runtime");
  EXPECT_EQ(body.Str("/results/2/status"), "refused");
  EXPECT_EQ(body.Str("/results/2/code"), "database_refused");
  EXPECT_EQ(body.Str("/results/2/error"), "FK failed");
  EXPECT_FALSE(body.Has("/results/3/id"));
  EXPECT_FALSE(body.Has("/results/3/field"));
  EXPECT_EQ(body.Str("/results/4/status"), "duplicate");
}

TEST(IngestResultsTest, EveryRecordRefusedIs207WithResults) {
  PendingIngest p;
  p.errors = {Refused(0, "x", "session_id", "required field is missing")};
  const std::vector<sink::RecordResult> none;
  Response out;
  BuildIngestResponse(p, &none, &out);
  EXPECT_EQ(out.status, 207u);
  Json body(out.body);
  EXPECT_EQ(body.Int("/accepted"), 0);
  EXPECT_EQ(body.Int("/refused"), 1);
  EXPECT_EQ(body.Str("/results/0/field"), "session_id");
}

TEST(IngestResultsTest, TraceDocumentsAggregateTheirRecords) {
  PendingIngest p;
  p.traces = true;
  // doc 0: 3 records all duplicates; doc 1: refused by validation; doc 2: one stored, one dup;
  // doc 3: one record refused by the database.
  p.indexes = {0, 0, 0, 2, 2, 3, 3};
  p.ids = {"s0", "s0", "s0", "s2", "s2", "s3", "s3"};
  p.errors = {Refused(1, "s1", "event_history[2].time_record.event_time", "expected a number")};
  using O = sink::RecordOutcome;
  std::vector<sink::RecordResult> results = {Outcome(O::kDuplicate), Outcome(O::kDuplicate),
                                             Outcome(O::kDuplicate), Outcome(O::kStored),
                                             Outcome(O::kDuplicate), Outcome(O::kStored),
                                             Outcome(O::kRefused, "no such event")};
  Response out;
  BuildIngestResponse(p, &results, &out);
  EXPECT_EQ(out.status, 207u);
  Json body(out.body);
  ASSERT_EQ(body.Size("/results"), 4u) << out.body;
  EXPECT_EQ(body.Int("/total"), 4);
  EXPECT_EQ(body.Str("/results/0/status"), "duplicate");
  EXPECT_EQ(body.Str("/results/0/id"), "s0");
  EXPECT_EQ(body.Str("/results/1/status"), "refused");
  EXPECT_EQ(body.Str("/results/1/field"), "event_history[2].time_record.event_time");
  EXPECT_EQ(body.Str("/results/2/status"), "stored");
  EXPECT_EQ(body.Str("/results/3/status"), "refused");
  EXPECT_EQ(body.Str("/results/3/error"), "no such event");
  EXPECT_EQ(body.Int("/stored"), 1);
  EXPECT_EQ(body.Int("/duplicates"), 1);
  EXPECT_EQ(body.Int("/refused"), 2);
}

// A 207 lists positions in order until kMaxRefusedListed refused ones are listed; the rest is
// counted. Database refusals after the cut count too, and so do decoder errors that were only
// counted (errors_dropped).
TEST(IngestResultsTest, ManyRefusalsAreListedUpToTheLimitThenCounted) {
  PendingIngest p;
  std::vector<sink::RecordResult> results;
  // Positions 0..299: even ones submitted (odd ones refused by validation, the first 100 of
  // them described), and every submitted one from 200 on refused by the database.
  for (size_t i = 0; i < 300; ++i) {
    if (i % 2 == 0) {
      p.indexes.push_back(i);
      p.ids.push_back("r" + std::to_string(i));
      results.push_back(i >= 200 ? Outcome(sink::RecordOutcome::kRefused, "FOREIGN KEY")
                                 : Outcome(sink::RecordOutcome::kStored));
    } else if (p.errors.size() < kMaxRefusedListed) {
      p.errors.push_back(Refused(i, "", "session_id", "required field is missing"));
    } else {
      ++p.errors_dropped;
    }
  }
  Response out;
  BuildIngestResponse(p, &results, &out);
  EXPECT_EQ(out.status, 207u);
  Json body(out.body);
  ASSERT_TRUE(body.valid()) << out.body;
  EXPECT_EQ(body.Int("/total"), 300);
  EXPECT_EQ(body.Int("/stored"), 100);
  EXPECT_EQ(body.Int("/refused"), 200);  // 150 invalid + 50 by the database
  // Listed: positions 0..199 (100 stored, 100 refused), then the cut.
  EXPECT_EQ(body.Size("/results"), 200u);
  EXPECT_EQ(body.Int("/results/199/index"), 199);
  EXPECT_EQ(body.Str("/results/199/status"), "refused");
  EXPECT_EQ(body.Int("/results_omitted"), 100);
  EXPECT_TRUE(body.Has("/results_truncated"));
}

TEST(IngestResultsTest, ResultsStopBeforeTheirByteLimit) {
  PendingIngest p;
  std::vector<sink::RecordResult> results;
  const std::string long_id(500, 'k');
  for (size_t i = 0; i < 1000; ++i) {
    p.indexes.push_back(i);
    p.ids.push_back(long_id);
    results.push_back(Outcome(i == 999 ? sink::RecordOutcome::kRefused
                                       : sink::RecordOutcome::kStored, "refused"));
  }
  Response out;
  BuildIngestResponse(p, &results, &out);
  EXPECT_EQ(out.status, 207u);
  EXPECT_LE(out.body.size(), kMaxResultsBytes + 512);
  Json body(out.body);
  ASSERT_TRUE(body.valid());
  const size_t listed = body.Size("/results");
  EXPECT_GT(listed, 100u);
  EXPECT_LT(listed, 1000u);
  EXPECT_EQ(body.Int("/results_omitted"), static_cast<int64_t>(1000 - listed));
  EXPECT_EQ(body.Int("/refused"), 1);
}

TEST(IngestResultsTest, AnAnswerUnderTheLimitsIsNotMarkedTruncated) {
  PendingIngest p;
  p.errors.push_back(Refused(0, "", "", "bad"));
  Response out;
  BuildIngestResponse(p, nullptr, &out);
  Json body(out.body);
  EXPECT_EQ(body.Size("/results"), 1u);
  EXPECT_FALSE(body.Has("/results_truncated"));
}

}  // namespace
}  // namespace tc::http
