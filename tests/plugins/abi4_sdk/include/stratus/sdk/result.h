// Result<T>: either a value of type T or a non-OK Status.
//
// Returned by SDK entry points that produce something (get_info, a factory).
// Constructing a Result from an OK Status is a programming error; it is turned
// into an kInternal error rather than a Result without a value, so a caller that
// checks ok() is never handed nothing.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>

#include "stratus/sdk/status.h"

namespace stratus::sdk {

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status::Internal("Result built from an OK status without a value");
  }

  bool ok() const noexcept { return value_.has_value(); }
  const Status& status() const noexcept { return status_; }

  // Accessing the value of a failed Result is a bug in the caller: it aborts
  // with the status rather than returning garbage.
  T& value() & { check(); return *value_; }
  const T& value() const& { check(); return *value_; }
  T&& value() && { check(); return std::move(*value_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void check() const {
    if (!value_.has_value()) {
      std::fprintf(stderr, "stratus: value() of a failed Result: %s\n", status_.to_string().c_str());
      std::abort();
    }
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace stratus::sdk
