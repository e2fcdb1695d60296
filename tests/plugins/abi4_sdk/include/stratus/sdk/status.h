// Status: the outcome of an operation that crosses a plugin or RPC boundary.
//
// No exception ever crosses a plugin boundary: every SDK entry point returns a
// Status (or a Result<T>, see result.h). The code set is deliberately small so
// that the core can map it to HTTP and RPC errors in one place each; the message
// is for humans and should name what was wrong (the instance, the key, the file).
//
// Status is a value type: cheap to copy when OK (no allocation), safe to share
// between threads once constructed.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace stratus::sdk {

// The codes are part of the ABI: values never change and are never reused.
enum class StatusCode : std::uint8_t {
  kOk = 0,
  kNotFound = 1,         // the named thing does not exist
  kAlreadyExists = 2,    // creating something that exists
  kInvalidState = 3,     // exists, but its state forbids the operation
  kNotSupported = 4,     // this plugin does not implement the operation
  kConflict = 5,         // a concurrent change won; retrying may succeed
  kUnavailable = 6,      // a dependency (hypervisor, peer) cannot be reached now
  kTimeout = 7,          // gave up waiting
  kInternal = 8,         // a bug or an unexpected failure; the message says what
  kInvalidArgument = 9,  // the caller's input (config, request) is malformed
};

// Why a refusal happened, beside its code, where the code alone does not say
// enough for the core to answer as Nova does (a quota refusal is a conflict
// by its code but a 403 to a client; a scheduler that found no host is a
// not-found that the conductor must not reschedule). The core maps code and
// reason to HTTP and to RPC error types in one table
// (core/common/error_table.h); nothing is recognised by a message's text.
// Plugins rarely need one: kNone is the default. Values are part of the ABI:
// never changed, never reused. Added in ABI 3.
enum class StatusReason : std::uint8_t {
  kNone = 0,
  kQuotaExceeded = 1,  // a project's quota (instances, cores, ram, key pairs, metadata items, ...)
  kPolicyDenied = 2,   // the policy does not allow the caller to do this
  kNoValidHost = 3,    // the scheduler found no host for a request
};

// Stable lower-case name of a reason ("quota_exceeded"), used in logs.
constexpr std::string_view status_reason_name(StatusReason reason) noexcept {
  switch (reason) {
    case StatusReason::kNone: return "none";
    case StatusReason::kQuotaExceeded: return "quota_exceeded";
    case StatusReason::kPolicyDenied: return "policy_denied";
    case StatusReason::kNoValidHost: return "no_valid_host";
  }
  return "unknown";
}

// Stable lower-case name of a code ("not_found"), used in logs and on the wire.
constexpr std::string_view status_code_name(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kInvalidState: return "invalid_state";
    case StatusCode::kNotSupported: return "not_supported";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kTimeout: return "timeout";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kInvalidArgument: return "invalid_argument";
  }
  return "unknown";
}

class Status {
 public:
  // A default-constructed Status is OK.
  Status() noexcept = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(StatusCode code, std::string message, StatusReason reason)
      : code_(code), reason_(reason), message_(std::move(message)) {}

  static Status OK() noexcept { return Status(); }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status InvalidState(std::string msg) { return {StatusCode::kInvalidState, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {StatusCode::kNotSupported, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Timeout(std::string msg) { return {StatusCode::kTimeout, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }

  bool ok() const noexcept { return code_ == StatusCode::kOk; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

  bool is(StatusCode code) const noexcept { return code_ == code; }

  // kNone unless the status was made with a reason (ABI 3).
  StatusReason reason() const noexcept { return reason_; }
  bool has_reason(StatusReason reason) const noexcept { return reason_ == reason; }

  // "not_found: instance 1234 does not exist", or "ok".
  std::string to_string() const {
    std::string out(status_code_name(code_));
    if (!message_.empty()) {
      out += ": ";
      out += message_;
    }
    return out;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  // Sits in what was padding before ABI 3; the minimum ABI went up with it,
  // so no plugin built without it is loaded (docs/sdk.md).
  StatusReason reason_ = StatusReason::kNone;
  std::string message_;
};

inline std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.to_string(); }

}  // namespace stratus::sdk
