// A hand-written encoder for the body of a protocol 2 CALL, CAST or FANOUT
// (docs/rpc-protocol.md, section 3.5): header ++ request ++ args, byte for
// byte what wire::encode_request_body (msgpack-c's packer) produces, written
// straight into the outgoing message's buffer. The caller sizes the buffer
// with request_body_size() first, so a cast costs one allocation (the
// message's) and one pass over the fields, with no packer, no scratch buffer
// and no copy of the encoded bytes (docs/performance.md, "The cast path").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stratus/rpc/context.h"
#include "wire.h"

namespace stratus::rpc::wire {

// The fields of the body, by reference (nothing is copied to build it).
struct RequestBodyView {
  Kind kind = Kind::cast;  // call, cast or fanout
  std::uint64_t msg_id = 0;
  std::string_view topic;
  std::string_view server;
  std::uint32_t timeout_ms = 0;
  std::string_view method;
  std::string_view ns;
  std::string_view version;
  const RequestContext* context = nullptr;  // required
  std::string_view args;                    // one msgpack value, already encoded
};

// The body's exact length in bytes.
std::size_t request_body_size(const RequestBodyView& b) noexcept;
// Writes the body to out, which has room for request_body_size(b) bytes.
void write_request_body(const RequestBodyView& b, char* out) noexcept;

}  // namespace stratus::rpc::wire
