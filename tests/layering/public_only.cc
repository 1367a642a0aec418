// Compiles: public headers of stages this target links (tc_http, tc_pipeline) and of what they
// link publicly (contract, ingest, common).
#include "common/status.h"
#include "contract/submission.h"
#include "http/server.h"
#include "ingest/decoder.h"
#include "pipeline/pipeline.h"

namespace tc::layering {
int PublicOnly() { return sizeof(http::ServerOptions) > 0 ? 0 : 1; }
}  // namespace tc::layering
