#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tc {

// Canonical error codes (abseil's subset). The HTTP mapping and the retry loop both go through
// IsRetryable() so they never disagree.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input: 400, never retried
  kNotFound,           // a referenced row/object is missing: per-record refusal
  kAlreadyExists,      // idempotency hit: not an error for the client
  kResourceExhausted,  // queue/spool full: 429 + Retry-After, retry later
  kUnavailable,        // sink or server down, shutting down: 503, retryable
  kDeadlineExceeded,   // timed out: retryable
  kFailedPrecondition, // the database refused the record (constraint, type): permanent
  kCancelled,          // shutdown
  kUnauthenticated,    // 401
  kInternal,           // bug or unexpected library failure: 500
};

std::string_view StatusCodeName(StatusCode code);

// Value type: OK is an empty message with kOk. Cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "UNAVAILABLE: connection refused"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Transient failures worth retrying with backoff (server down, overload, timeout).
bool IsRetryable(const Status& status);

}  // namespace tc

#define TC_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::tc::Status tc_status_ = (expr);         \
    if (!tc_status_.ok()) return tc_status_;  \
  } while (0)
