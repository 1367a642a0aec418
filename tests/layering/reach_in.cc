// Must not compile: http/session.h is internal to the http stage, even for tc_app, which links
// every stage.
#include "http/session.h"

namespace tc::layering {
int ReachIn() { return 0; }
}  // namespace tc::layering
