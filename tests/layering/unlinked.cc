// Must not compile: pipeline/pipeline.h is public, but this target links only tc_ingest.
#include "pipeline/pipeline.h"

namespace tc::layering {
int Unlinked() { return 0; }
}  // namespace tc::layering
