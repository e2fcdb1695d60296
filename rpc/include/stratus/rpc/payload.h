// Payload: a msgpack-encoded value (method arguments or a method's result).
//
// The RPC layer never looks inside a payload; it carries the bytes as one
// frame. Encode a value with Payload::of(v) and decode it with p.as<T>().
// Structs declared with MSGPACK_DEFINE(...) travel as positional arrays; a
// decoder that knows fewer fields ignores the extra trailing ones and a decoder
// that knows more leaves the missing trailing ones at their defaults, so add
// fields only at the end (docs/rpc-protocol.md, "Versioning payloads").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <msgpack.hpp>

#include "stratus/rpc/error.h"

namespace stratus::rpc {

namespace detail {
// Unpacks exactly one msgpack value with limits derived from the size (a
// 10-byte frame cannot declare a 4-billion-element array) into a per-thread
// scratch zone: the object references `data` and stays valid until the next
// call on the same thread (no allocation in the steady state). Throws msgpack
// exceptions or std::bad_alloc; callers catch.
msgpack::object unpack_in_scratch(const char* data, std::size_t size);
}  // namespace detail

class Payload {
 public:
  // The msgpack nil value.
  Payload();

  // Takes bytes that already hold one msgpack value (not checked here; as<T>()
  // checks).
  static Payload from_bytes(std::string bytes) { Payload p; p.bytes_ = std::move(bytes); return p; }

  // Refers to bytes it does not own, which must outlive this Payload: for a
  // receiver that hands a received frame to a handler by const reference
  // without copying it. A copy owns its bytes, so a handler may keep one.
  static Payload borrowing(std::string_view bytes) noexcept {
    Payload p;
    p.bytes_.clear();
    p.borrowed_ = bytes.data();
    p.borrowed_size_ = bytes.size();
    return p;
  }

  Payload(const Payload& other) : bytes_(other.bytes()) {}
  Payload& operator=(const Payload& other) {
    if (this != &other) {
      bytes_.assign(other.bytes());
      borrowed_ = nullptr;
      borrowed_size_ = 0;
    }
    return *this;
  }
  Payload(Payload&&) noexcept = default;
  Payload& operator=(Payload&&) noexcept = default;
  ~Payload() = default;

  // Encodes v with msgpack. Thread-safe; allocation failure is the only error
  // and is reported as Errc::internal.
  template <class T>
  static Result<Payload> of(const T& v) noexcept {
    try {
      msgpack::sbuffer buf;
      msgpack::pack(buf, v);
      return from_bytes(std::string(buf.data(), buf.size()));
    } catch (const std::exception& e) {
      return make_error(Errc::internal, std::string("encoding payload: ") + e.what());
    }
  }

  // Decodes into T. Errc::bad_message if the bytes are not one msgpack value or
  // do not convert to T (wrong type, missing field without default...).
  template <class T>
  Result<T> as() const noexcept {
    try {
      const std::string_view b = bytes();
      const msgpack::object o = detail::unpack_in_scratch(b.data(), b.size());
      T out{};
      o.convert(out);
      return out;
    } catch (const std::exception& e) {
      return make_error(Errc::bad_message, std::string("decoding payload: ") + e.what());
    }
  }

  std::string_view bytes() const noexcept {
    return borrowed_ != nullptr ? std::string_view(borrowed_, borrowed_size_) : std::string_view(bytes_);
  }
  std::size_t size() const noexcept { return bytes().size(); }

 private:
  std::string bytes_;              // owned bytes, unless borrowed_ is set
  const char* borrowed_ = nullptr;  // borrowing(): the caller's bytes
  std::size_t borrowed_size_ = 0;
};

}  // namespace stratus::rpc
