// stratus::rpc error values: a small code set, a type name and a message.
//
// No exception crosses the public API of stratus_rpc. Every operation that can
// fail returns a Status (no value) or a Result<T> (a value or an Error). These
// are cheap to copy and safe to pass between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace stratus::rpc {

// The wire value of each code is its integer value (docs/rpc-protocol.md,
// "Status codes"); never renumber, only append.
enum class Errc : std::uint32_t {
  ok = 0,
  timeout = 1,              // no reply within the call's timeout
  no_such_target = 2,       // nothing serves the target (answered at once by the router)
  remote = 3,               // the remote method returned an error; see Error::type
  unsupported_version = 4,  // the server (or the local version cap) cannot serve the version
  no_such_method = 5,       // the server has no such method in that namespace
  bad_message = 6,          // a frame was not valid msgpack or had wrongly typed fields
  too_large = 7,            // the message exceeds the configured size limit
  unavailable = 8,          // not connected, peer evicted or lost, server busy, stopped
  forbidden = 9,            // the security policy refuses the operation
  internal = 10,            // a bug or an unexpected exception inside the RPC layer
  invalid_argument = 11,    // the caller passed an invalid value (bad target, bad version)
};

// The code's stable name ("timeout", "no_such_target", ...).
std::string_view errc_name(Errc code) noexcept;

struct Error {
  Errc code = Errc::internal;
  // The remote error's type name (e.g. "InstanceNotFound") for Errc::remote;
  // for errors raised by the RPC layer itself a fixed name such as
  // "Timeout", "NoSuchTarget", "UnsupportedVersion".
  std::string type;
  std::string message;

  // "<type>: <message>" for logs.
  std::string to_string() const;
};

// Builds an Error whose type is the default type name of the code.
Error make_error(Errc code, std::string message);
// A remote (application) error with its own type name; what a method returns.
Error remote_error(std::string type, std::string message);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Precondition: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }

  // Precondition: !ok().
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  // Precondition: !ok().
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace stratus::rpc
