#pragma once

// The pipeline's options from the configuration ([queue], [batch], the retry backoff).
// Internal to app; tests/unit/app checks that PipelineOptions{} equals what it builds from
// config::Defaults(), so the two sets of defaults cannot drift apart.

#include "config/config.h"
#include "pipeline/pipeline.h"

namespace tc::app {

pipeline::PipelineOptions PipelineOptionsFrom(const config::Config& c);

}  // namespace tc::app
