#pragma once

#include <optional>
#include <utility>

#include "common/check.h"
#include "common/status.h"

namespace tc {

// std::expected<T, Status>'s surface for g++ 12 (no <expected>): holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like expected
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    TC_CHECK(!status_.ok());
  }

  bool has_value() const { return value_.has_value(); }
  explicit operator bool() const { return has_value(); }
  T& value() & { TC_CHECK(has_value()); return *value_; }
  const T& value() const& { TC_CHECK(has_value()); return *value_; }
  T&& value() && { TC_CHECK(has_value()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // The error; OK when a value is held.
  const Status& error() const { return status_; }
  Status status() const { return status_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace tc

#define TC_CONCAT_INNER_(a, b) a##b
#define TC_CONCAT_(a, b) TC_CONCAT_INNER_(a, b)
#define TC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.has_value()) return tmp.error();       \
  lhs = std::move(tmp).value()
// TC_ASSIGN_OR_RETURN(auto x, MakeX()); returns the error Status from the enclosing function.
#define TC_ASSIGN_OR_RETURN(lhs, expr) \
  TC_ASSIGN_OR_RETURN_IMPL_(TC_CONCAT_(tc_result_, __LINE__), lhs, expr)
