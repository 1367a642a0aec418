#include "curl_pool.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "common/strings.h"
#include "hrana_errors.h"

namespace tc::sink {
namespace {

std::once_flag g_curl_init_once;
CURLcode g_curl_init_result = CURLE_OK;

// Bytes kept free after every response body: simdjson's padding (SIMDJSON_PADDING, 64), so the
// Hrana response parser reads the body in place instead of copying it into a larger buffer.
constexpr size_t kBodySlack = 64;
// A Content-Length above this is not trusted for reserving (the body still grows as it comes).
constexpr size_t kMaxReserve = 256 << 20;

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * count;
  const size_t needed = out->size() + n + kBodySlack;
  if (out->capacity() < needed) {
    out->reserve(std::max(needed, out->capacity() * 2));
  }
  out->append(data, n);
  return n;
}

// The value of header `name` (lower case, with the colon) in `line`, trimmed; nullopt if the
// line is another header.
std::optional<std::string_view> HeaderValue(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || !StartsWithIgnoreCase(line, name)) {
    return std::nullopt;
  }
  return TrimRight(TrimLeft(line.substr(name.size()), " \t"), "\r\n ");
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  const size_t n = size * count;
  const std::string_view line(data, n);
  auto* response = static_cast<HttpResponse*>(user);
  if (auto value = HeaderValue(line, "retry-after:")) {
    response->retry_after = std::string(*value);
  } else if (auto length = HeaderValue(line, "content-length:")) {
    // The body's size is known: one allocation (with the parser's slack) instead of doubling.
    size_t bytes = 0;
    const auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), bytes);
    if (ec == std::errc() && end == length->data() + length->size() && bytes <= kMaxReserve) {
      response->body.reserve(bytes + kBodySlack);
    }
  }
  return n;
}

}  // namespace

struct CurlPool::HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool Append(const std::string& header) {
    curl_slist* next = curl_slist_append(list, header.c_str());
    if (next == nullptr) {
      return false;
    }
    list = next;
    return true;
  }
};

struct CurlPool::Handle {
  CURL* easy = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Handle() {
    if (easy != nullptr) {
      curl_easy_cleanup(easy);
    }
  }
};

CurlPool::CurlPool(const CurlPoolOptions& options, PassKey)
    : options_(options),
      post_headers_(std::make_unique<HeaderList>()),
      get_headers_(std::make_unique<HeaderList>()) {}

CurlPool::~CurlPool() = default;

Result<std::unique_ptr<CurlPool>> CurlPool::Create(const CurlPoolOptions& options) {
  std::call_once(g_curl_init_once, [] { g_curl_init_result = curl_global_init(CURL_GLOBAL_ALL); });
  if (g_curl_init_result != CURLE_OK) {
    return Status::Internal(
        fmt::format("curl_global_init: {}", curl_easy_strerror(g_curl_init_result)));
  }
  auto pool = std::make_unique<CurlPool>(options, PassKey{});
  bool ok = pool->post_headers_->Append("Content-Type: application/json") &&
            pool->post_headers_->Append("Expect:");
  if (!options.auth_token.empty()) {
    const std::string auth = "Authorization: Bearer " + options.auth_token;
    ok = ok && pool->post_headers_->Append(auth) && pool->get_headers_->Append(auth);
  }
  if (!ok) {
    return Status::Internal("curl_slist_append failed");
  }
  const uint32_t size = std::max<uint32_t>(options.size, 1);
  for (uint32_t i = 0; i < size; ++i) {
    auto handle = std::make_unique<Handle>();
    handle->easy = curl_easy_init();
    if (handle->easy == nullptr) {
      return Status::Internal("curl_easy_init failed");
    }
    pool->free_.push_back(std::move(handle));
  }
  return pool;
}

std::unique_ptr<CurlPool::Handle> CurlPool::Acquire() {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [this] { return !free_.empty(); });
  std::unique_ptr<Handle> handle = std::move(free_.back());
  free_.pop_back();
  return handle;
}

void CurlPool::Release(std::unique_ptr<Handle> handle) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(handle));
  }
  released_.notify_one();
}

Result<HttpResponse> CurlPool::Get(const std::string& url, uint32_t timeout_ms) {
  return Perform(url, nullptr, timeout_ms);
}

Result<HttpResponse> CurlPool::Post(const std::string& url, std::string_view body,
                                    uint32_t timeout_ms) {
  return Perform(url, &body, timeout_ms);
}

Result<HttpResponse> CurlPool::Perform(const std::string& url, const std::string_view* body,
                                       uint32_t timeout_ms) {
  std::unique_ptr<Handle> handle = Acquire();
  CURL* easy = handle->easy;
  HttpResponse response;
  handle->error[0] = '\0';
  const long timeout = static_cast<long>(timeout_ms != 0 ? timeout_ms : options_.timeout_ms);
  const long connect_timeout = std::min(static_cast<long>(options_.connect_timeout_ms), timeout);

  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle->error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &response);
  if (body != nullptr) {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, post_headers_->list);
  } else {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, get_headers_->list);
  }

  const CURLcode code = curl_easy_perform(easy);
  long status = 0;
  if (code == CURLE_OK) {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  }
  // Nothing of this request may leak into the next use of the handle.
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
  std::string error_text =
      handle->error[0] != '\0' ? std::string(handle->error) : std::string(curl_easy_strerror(code));
  Release(std::move(handle));

  if (code != CURLE_OK) {
    HranaFailure failure;
    failure.curl_code = static_cast<int>(code);
    failure.message = error_text;
    return ClassifyFailure(failure);
  }
  response.status = status;
  return response;
}

}  // namespace tc::sink
