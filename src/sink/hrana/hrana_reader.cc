// The read API's store on sqld (storage/read_store.h): the queries in one pipeline of its own,
// on a client of its own (never the writer's connections): BEGIN, the queries, ROLLBACK (a
// read-only snapshot that cannot outlive the request), then close where the server has streams.

#include <mutex>

#include "hrana_client.h"
#include "hrana_encoder.h"
#include "hrana_errors.h"
#include "hrana_response.h"
#include "hrana_sink.h"
#include "sink/hrana.h"

namespace tc::sink {
namespace {

class HranaReader : public storage::ReadStore {
 public:
  explicit HranaReader(std::unique_ptr<HranaClient> client) : client_(std::move(client)) {}

  Result<std::vector<storage::SqlRows>> Read(std::span<const storage::ReadQuery> queries) override {
    TC_RETURN_IF_ERROR(EnsureDialect());
    hrana::PipelineBuilder builder;
    builder.AddExecute("BEGIN");
    for (const storage::ReadQuery& query : queries) {
      builder.AddExecute(query.sql, query.params);
    }
    builder.AddExecute("ROLLBACK");
    if (client_->dialect().send_close) builder.AddClose();
    TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, client_->Pipeline(builder.Finish()));
    if (response.results.size() < queries.size() + 2) {
      return Status::Internal("read: the server answered fewer results than requests");
    }
    std::vector<storage::SqlRows> rows(queries.size());
    for (size_t q = 0; q <= queries.size(); ++q) {
      hrana::StreamResult& result = response.results[q];
      if (!result.ok) return ClassifyError(result.error);
      if (q > 0) rows[q - 1] = std::move(result.execute.rows);
    }
    return rows;
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

Result<std::unique_ptr<storage::ReadStore>> CreateHranaReader(const config::SqldConfig& sqld,
                                                              std::string url) {
  HranaClientOptions options = HranaSinkOptionsFromConfig(sqld, std::move(url)).client;
  TC_ASSIGN_OR_RETURN(std::unique_ptr<HranaClient> client, HranaClient::Create(options));
  return std::unique_ptr<storage::ReadStore>(new HranaReader(std::move(client)));
}

}  // namespace tc::sink
