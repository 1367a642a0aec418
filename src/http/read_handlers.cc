// AnswerRecordRead (read_handlers.h).

#include "read_handlers.h"

#include "query/records_read.h"
#include "session_read.h"

namespace tc::http {

void AnswerRecordRead(const RouteMatch& match, storage::ReadStore& store, Response* out) {
  switch (match.route) {
    case Route::kEventList:
      return SetReadAnswer(query::ListEvents(store, match.query), out);
    case Route::kEventGet:
      return SetReadAnswer(query::ReadEvent(store, match.param), out);
    case Route::kMessageList:
      return SetReadAnswer(query::ListMessages(store, match.query), out);
    case Route::kMessageGet:
      return SetReadAnswer(query::ReadMessage(store, match.param), out);
    case Route::kExperimentList:
      return SetReadAnswer(query::ListExperiments(store, match.query), out);
    case Route::kExperimentGet:
      return SetReadAnswer(query::ReadExperiment(store, match.param), out);
    case Route::kStatsModels:
      return SetReadAnswer(query::ModelStats(store, match.query), out);
    case Route::kStatsUsage:
      return SetReadAnswer(query::UsageStats(store, match.query), out);
    default:
      SetError(out, 500, "internal", "not a read route");
  }
}

}  // namespace tc::http
