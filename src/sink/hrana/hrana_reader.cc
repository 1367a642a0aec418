// GET /v1/sessions/{id} on sqld (contract/reader.h): the six shared SELECTs
// (storage/session_read.h) in one pipeline of its own, on a client of its own (never the
// writer's connections): BEGIN, the six, ROLLBACK (a read-only snapshot that cannot outlive
// the request), then close where the server has streams.

#include <mutex>

#include "hrana_client.h"
#include "hrana_encoder.h"
#include "hrana_errors.h"
#include "hrana_response.h"
#include "hrana_sink.h"
#include "sink/hrana.h"
#include "storage/session_read.h"

namespace tc::sink {
namespace {

class HranaReader : public pipeline::TraceReader {
 public:
  explicit HranaReader(std::unique_ptr<HranaClient> client) : client_(std::move(client)) {}

  Result<std::string> SessionTraceJson(std::string_view session_id) override {
    TC_RETURN_IF_ERROR(EnsureDialect());
    const storage::SqlValue id{std::string(session_id)};
    hrana::PipelineBuilder builder;
    builder.AddExecute("BEGIN");
    for (size_t q = 0; q < storage::kSessionQueryCount; ++q) {
      builder.AddExecute(storage::SessionQuerySql(static_cast<storage::SessionQuery>(q)), {&id, 1});
    }
    builder.AddExecute("ROLLBACK");
    if (client_->dialect().send_close) builder.AddClose();
    TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, client_->Pipeline(builder.Finish()));
    if (response.results.size() < storage::kSessionQueryCount + 2) {
      return Status::Internal("session read: the server answered fewer results than requests");
    }
    storage::SessionRows rows;
    for (size_t q = 0; q <= storage::kSessionQueryCount; ++q) {
      hrana::StreamResult& result = response.results[q];
      if (!result.ok) return ClassifyError(result.error);
      if (q > 0) rows[q - 1] = std::move(result.execute.rows);
    }
    return storage::RenderSessionTrace(rows);
  }

 private:
  // The dialect is learned on first use (the server may come up after the collector).
  Status EnsureDialect() {
    std::lock_guard<std::mutex> lock(mu_);
    if (detected_) return Status::Ok();
    TC_ASSIGN_OR_RETURN(HranaDialect dialect, client_->DetectDialect());
    (void)dialect;
    detected_ = true;
    return Status::Ok();
  }

  std::unique_ptr<HranaClient> client_;
  std::mutex mu_;
  bool detected_ = false;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<pipeline::TraceReader>> CreateHranaReader(const config::SqldConfig& sqld,
                                                                std::string url) {
  HranaClientOptions options = HranaSinkOptionsFromConfig(sqld, std::move(url)).client;
  TC_ASSIGN_OR_RETURN(std::unique_ptr<HranaClient> client, HranaClient::Create(options));
  return std::unique_ptr<pipeline::TraceReader>(new HranaReader(std::move(client)));
}

}  // namespace tc::sink
