#pragma once

// A fixed set of libcurl easy handles, each reused serially so it keeps its own keep-alive
// connection to the server (sqld); tursodb answers `Connection: close`, so there every request
// opens a fresh connection. The set bounds the number of concurrent requests (and connections).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tc::sink {

// Embedded in HranaClientOptions (`pool`), itself in HranaSinkOptions (`client.pool`).
struct CurlPoolOptions {
  uint32_t size = 8;  // handles = connections, >= 1 (sqld.pool_size, TURSO_POOL_SIZE)
  uint32_t connect_timeout_ms = 3000;
  uint32_t timeout_ms = 10000;  // whole request; a call may pass its own (sqld.timeout_ms)
  bool tls_verify = true;       // CURLOPT_SSL_VERIFYPEER + VERIFYHOST
  std::string auth_token;       // sent as "Authorization: Bearer <token>" when not empty
};

struct HttpResponse {
  long status = 0;  // any HTTP status, including errors
  // Capacity is at least size + 64 (simdjson's padding), so it can be parsed in place.
  std::string body;
  std::string retry_after;  // the Retry-After header, when present
};

class CurlPool {
 public:
  // Initializes libcurl once per process and creates `options.size` handles.
  // kInternal when libcurl cannot be initialized.
  static Result<std::unique_ptr<CurlPool>> Create(const CurlPoolOptions& options);

 private:
  struct PassKey {};

 public:
  CurlPool(const CurlPoolOptions& options, PassKey);  // use Create()
  ~CurlPool();
  CurlPool(const CurlPool&) = delete;
  CurlPool& operator=(const CurlPool&) = delete;

  // Thread-safe; blocks until a handle is free. Any complete HTTP response (whatever its
  // status) is a value; a failure below HTTP (refused, reset, torn, timeout, TLS) is returned
  // as the Status ClassifyFailure() gives it. `timeout_ms` 0 = the pool's default.
  // POST sends `body` as application/json with "Expect:" suppressed (tursodb never answers
  // 100-continue, which would stall every large request by 1 s).
  Result<HttpResponse> Get(const std::string& url, uint32_t timeout_ms = 0);
  Result<HttpResponse> Post(const std::string& url, std::string_view body, uint32_t timeout_ms = 0);

 private:
  struct Handle;
  Result<HttpResponse> Perform(const std::string& url, const std::string_view* body,
                               uint32_t timeout_ms);
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);

  const CurlPoolOptions options_;
  struct HeaderList;
  std::unique_ptr<HeaderList> post_headers_;  // read-only after construction
  std::unique_ptr<HeaderList> get_headers_;

  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Handle>> free_;  // guarded by mutex_
};

}  // namespace tc::sink
