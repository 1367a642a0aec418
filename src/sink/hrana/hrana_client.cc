#include "hrana_client.h"

#include <fmt/format.h>

#include "common/log.h"
#include "common/strings.h"
#include "hrana_encoder.h"
#include "hrana_errors.h"

namespace tc::sink {
namespace {

constexpr std::string_view kComponent = "hrana";

Status HttpError(const HttpResponse& response) {
  HranaFailure failure;
  failure.http_status = response.status;
  failure.body = response.body;
  failure.retry_after = response.retry_after;
  return ClassifyFailure(failure);
}

}  // namespace

HranaDialect HranaDialect::Sqld(bool v3) {
  HranaDialect d;
  d.kind = Kind::kSqld;
  d.pipeline_path = v3 ? "/v3/pipeline" : "/v2/pipeline";
  d.send_close = true;
  d.autocommit_cond = v3;  // v2 rejects the is_autocommit condition
  d.needs_checkpoint = false;
  return d;
}

HranaDialect HranaDialect::TursoSyncServer() {
  HranaDialect d;
  d.kind = Kind::kTursoSyncServer;
  d.pipeline_path = "/v2/pipeline";
  d.send_close = false;      // "close" fails the whole pipeline with HTTP 500
  d.autocommit_cond = true;  // evaluated correctly although it is a v3 condition
  d.needs_checkpoint = true;
  return d;
}

std::string_view HranaDialect::name() const {
  if (kind == Kind::kTursoSyncServer) {
    return "tursodb-sync-server";
  }
  return pipeline_path == "/v3/pipeline" ? "sqld-v3" : "sqld-v2";
}

Result<std::string> NormalizeHranaUrl(std::string_view url) {
  std::string_view rest;
  std::string scheme;
  auto strip = [&](std::string_view prefix) {
    if (url.starts_with(prefix)) {
      rest = url.substr(prefix.size());
      return true;
    }
    return false;
  };
  if (strip("libsql://") || strip("wss://") || strip("https://")) {
    scheme = "https://";
  } else if (strip("ws://") || strip("http://")) {
    scheme = "http://";
  } else {
    return Status::InvalidArgument(
        fmt::format("sqld url '{}': expected libsql://, https:// or http://", url));
  }
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  // libsql client convention: "?tls=0" means plain HTTP.
  if (query == "tls=0" && url.starts_with("libsql://")) {
    scheme = "http://";
  } else if (!query.empty()) {
    return Status::InvalidArgument(
        fmt::format("sqld url '{}': unsupported query '{}'", url, query));
  }
  rest = TrimRight(rest, "/");
  if (rest.empty() || rest.front() == '/') {
    return Status::InvalidArgument(fmt::format("sqld url '{}': no host", url));
  }
  return scheme + std::string(rest);
}

HranaClient::HranaClient(std::string base_url, std::unique_ptr<CurlPool> pool, PassKey)
    : base_url_(std::move(base_url)), pool_(std::move(pool)) {}

Result<std::unique_ptr<HranaClient>> HranaClient::Create(const HranaClientOptions& options) {
  TC_ASSIGN_OR_RETURN(std::string base, NormalizeHranaUrl(options.url));
  TC_ASSIGN_OR_RETURN(std::unique_ptr<CurlPool> pool, CurlPool::Create(options.pool));
  return std::make_unique<HranaClient>(std::move(base), std::move(pool), PassKey{});
}

Result<long> HranaClient::GetStatus(std::string_view path) {
  TC_ASSIGN_OR_RETURN(HttpResponse response, pool_->Get(base_url_ + std::string(path)));
  return response.status;
}

Result<HranaDialect> HranaClient::DetectDialect() {
  TC_ASSIGN_OR_RETURN(long health, GetStatus("/health"));
  TC_ASSIGN_OR_RETURN(long v3, GetStatus("/v3"));
  if (health == 401 || health == 403 || v3 == 401 || v3 == 403) {
    return Status::Unauthenticated(fmt::format(
        "sqld {}: GET /health {}, GET /v3 {}: check the auth token", base_url_, health, v3));
  }
  HranaDialect dialect;
  if (v3 == 200) {
    dialect = HranaDialect::Sqld(true);
    dialect.reason = fmt::format("GET /v3 answered 200 (GET /health {})", health);
  } else if (health == 200) {
    TC_ASSIGN_OR_RETURN(long v2, GetStatus("/v2"));
    dialect = HranaDialect::Sqld(false);
    dialect.reason = fmt::format("GET /health answered 200, GET /v3 {}, GET /v2 {}", v3, v2);
  } else {
    // No version probe and no health check: tursodb --sync-server, if a bare pipeline works.
    hrana::PipelineBuilder builder;
    builder.AddExecute("SELECT 1");
    std::string body = builder.Finish();
    TC_ASSIGN_OR_RETURN(HttpResponse response, pool_->Post(base_url_ + "/v2/pipeline", body));
    if (response.status != 200) {
      Status status = HttpError(response);
      return Status(status.code(), fmt::format("{} is not a Hrana server (GET /health {}, GET "
                                               "/v3 {}, POST /v2/pipeline): {}",
                                               base_url_, health, v3, status.message()));
    }
    TC_ASSIGN_OR_RETURN(hrana::PipelineResponse parsed,
                        hrana::ParsePipelineResponse(response.body));
    if (parsed.results.size() != 1 || !parsed.results[0].ok) {
      return Status::Internal(
          fmt::format("{}: POST /v2/pipeline SELECT 1 did not succeed", base_url_));
    }
    dialect = HranaDialect::TursoSyncServer();
    dialect.reason = fmt::format(
        "GET /health {}, GET /v3 {}, but POST /v2/pipeline works: tursodb-like (no close, no "
        "streams, WAL checkpoints by the collector)",
        health, v3);
  }
  dialect.has_health = health == 200;
  set_dialect(dialect);
  TC_LOG(kInfo, kComponent, "{} speaks {} ({}), pipeline {}", base_url_, dialect.name(),
         dialect.reason, dialect.pipeline_path);
  return dialect;
}

Result<hrana::PipelineResponse> HranaClient::Pipeline(std::string_view body, uint32_t timeout_ms) {
  TC_ASSIGN_OR_RETURN(HttpResponse response,
                      pool_->Post(base_url_ + dialect_.pipeline_path, body, timeout_ms));
  if (response.status != 200) {
    Status status = HttpError(response);
    if (status.code() == StatusCode::kUnauthenticated) {
      TC_LOG(kError, kComponent, "{} refused our credentials: {}", base_url_, status.message());
    }
    return status;
  }
  return hrana::ParsePipelineResponse(response.body);
}

Result<hrana::StmtResult> HranaClient::Execute(std::string_view sql) {
  hrana::PipelineBuilder builder;
  builder.AddExecute(sql);
  if (dialect_.send_close) {
    builder.AddClose();
  }
  const std::string body = builder.Finish();
  TC_ASSIGN_OR_RETURN(hrana::PipelineResponse response, Pipeline(body));
  if (response.results.empty()) {
    return Status::Internal("empty Hrana response");
  }
  hrana::StreamResult& result = response.results[0];
  if (!result.ok) {
    HranaFailure failure;
    failure.error_code = result.error.code;
    failure.message = result.error.message;
    return ClassifyFailure(failure);
  }
  return std::move(result.execute);
}

Status HranaClient::Ping() {
  if (!detected_.load(std::memory_order_acquire)) {
    return Status::Unavailable(base_url_ + ": not connected yet (Open() has not succeeded)");
  }
  if (dialect_.has_health) {
    TC_ASSIGN_OR_RETURN(HttpResponse response, pool_->Get(base_url_ + "/health"));
    return response.status == 200 ? Status::Ok() : HttpError(response);
  }
  Result<hrana::StmtResult> result = Execute("SELECT 1");
  return result.status();
}

}  // namespace tc::sink
