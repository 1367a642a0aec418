#include "app/pipeline_options.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "pipeline/pipeline.h"

namespace tc::app {
namespace {

// PipelineOptions{} (what tests and tools get) and the configuration's defaults (what the
// daemon runs with) must be the same settings: they had drifted apart once (a 5 ms batch delay
// for PipelineOptions{}, 0 for the daemon).
TEST(PipelineOptionsTest, DefaultsAreTheConfigDefaults) {
  const pipeline::PipelineOptions defaults;
  const pipeline::PipelineOptions from_config = PipelineOptionsFrom(config::Defaults());
  EXPECT_EQ(defaults.capacity.max_records, from_config.capacity.max_records);
  EXPECT_EQ(defaults.capacity.max_bytes, from_config.capacity.max_bytes);
  EXPECT_EQ(defaults.batch_max_records, from_config.batch_max_records);
  EXPECT_EQ(defaults.batch_max_bytes, from_config.batch_max_bytes);
  EXPECT_EQ(defaults.batch_max_delay, from_config.batch_max_delay);
  EXPECT_EQ(defaults.retry.initial, from_config.retry.initial);
  EXPECT_EQ(defaults.retry.max, from_config.retry.max);
  EXPECT_EQ(defaults.retry.multiplier, from_config.retry.multiplier);
  EXPECT_EQ(defaults.retry.jitter, from_config.retry.jitter);
  EXPECT_EQ(defaults.sink_open, from_config.sink_open);
  EXPECT_EQ(defaults.retention.max_age, from_config.retention.max_age);
  EXPECT_EQ(defaults.retention.max_db_bytes, from_config.retention.max_db_bytes);
  EXPECT_EQ(defaults.retention.interval, from_config.retention.interval);
  EXPECT_EQ(defaults.retention.batch_sessions, from_config.retention.batch_sessions);
}

TEST(PipelineOptionsTest, BatchAndRetrySettingsAreTakenFromTheConfig) {
  config::Config c = config::Defaults();
  c.queue.max_records = 7;
  c.queue.max_bytes = 8;
  c.batch.max_records = 9;
  c.batch.max_bytes = 10;
  c.batch.max_delay_ms = 11;
  c.retry = {.initial_ms = 12, .max_ms = 13, .multiplier = 1.5};
  const pipeline::PipelineOptions o = PipelineOptionsFrom(c);
  EXPECT_EQ(o.capacity.max_records, 7u);
  EXPECT_EQ(o.capacity.max_bytes, 8u);
  EXPECT_EQ(o.batch_max_records, 9u);
  EXPECT_EQ(o.batch_max_bytes, 10u);
  EXPECT_EQ(o.batch_max_delay, std::chrono::milliseconds(11));
  EXPECT_EQ(o.retry.initial, std::chrono::milliseconds(12));
  EXPECT_EQ(o.retry.max, std::chrono::milliseconds(13));
  EXPECT_EQ(o.retry.multiplier, 1.5);
}

TEST(PipelineOptionsTest, RetentionSettingsAreTakenFromTheConfig) {
  config::Config c = config::Defaults();
  c.retention = {.max_age = "30d", .max_db_bytes = 5, .interval_ms = 250, .batch_sessions = 7};
  const pipeline::PipelineOptions o = PipelineOptionsFrom(c);
  EXPECT_EQ(o.retention.max_age, std::chrono::seconds(30 * 86400));
  EXPECT_EQ(o.retention.max_db_bytes, 5u);
  EXPECT_EQ(o.retention.interval, std::chrono::milliseconds(250));
  EXPECT_EQ(o.retention.batch_sessions, 7u);
  EXPECT_TRUE(o.retention.enabled());
  EXPECT_FALSE(PipelineOptionsFrom(config::Defaults()).retention.enabled());
}

}  // namespace
}  // namespace tc::app
