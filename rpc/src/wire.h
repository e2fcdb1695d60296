// The wire format of stratus RPC (docs/rpc-protocol.md): envelope headers,
// request descriptors and reply status, each a msgpack positional array.
// Internal to stratus_rpc; tests and the fuzz target include it directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stratus/rpc/context.h"
#include "stratus/rpc/error.h"
#include "stratus/rpc/target.h"

namespace stratus::rpc::wire {

inline constexpr std::uint32_t kProtocolVersion = 1;

enum class Kind : std::uint32_t {
  hello = 1,
  hello_ack = 2,
  heartbeat = 3,
  call = 4,
  cast = 5,
  fanout = 6,
  reply = 7,
  error = 8,
  reset = 9,
  bye = 10,
};

struct Service {
  std::string topic;
  std::string server;
  bool operator==(const Service&) const = default;
};

// Frame 0 of every message. Which fields are meaningful depends on kind; the
// positional layouts are in docs/rpc-protocol.md, "Headers".
struct Header {
  Kind kind = Kind::heartbeat;
  std::uint64_t msg_id = 0;             // call, cast, fanout, reply, error (0 = none)
  std::string topic;                    // call, cast, fanout
  std::string server;                   // call, cast ("" = any server of the topic)
  std::uint32_t timeout_ms = 0;         // call
  std::string reply_to;                 // call (router->server), reply (server->router)
  std::string name;                     // hello
  std::vector<Service> services;        // hello
  std::uint32_t heartbeat_ms = 0;       // hello_ack
  std::uint64_t max_message_bytes = 0;  // hello_ack
  std::uint32_t code = 0;               // error
  std::string message;                  // error
};

// Request descriptor, frame 1 of call/cast/fanout.
struct Request {
  std::string method;
  std::string ns;
  std::string version;  // "major.minor"
  RequestContext context;
};

// Reply status, frame 1 of reply; code 0 means success and frame 2 holds the result.
struct ReplyStatus {
  std::uint32_t code = 0;
  std::string type;
  std::string message;
};

std::string encode_header(const Header& h);
std::string encode_request(const Request& r);
std::string encode_status(const ReplyStatus& s);
inline std::string encode_status(const Error& e) {
  return encode_status(ReplyStatus{static_cast<std::uint32_t>(e.code), e.type, e.message});
}

// Decoders never throw and never crash on any input; they return
// Errc::bad_message naming the offending field.
Result<Header> decode_header(std::string_view bytes) noexcept;
Result<Request> decode_request(std::string_view bytes) noexcept;
Result<ReplyStatus> decode_status(std::string_view bytes) noexcept;
// Checks that bytes hold exactly one well-formed msgpack value.
Status check_msgpack(std::string_view bytes) noexcept;

// Converts a received status into an Error (precondition: code != 0). Codes
// from a newer peer that this side does not know become Errc::remote.
Error status_to_error(ReplyStatus s);

}  // namespace stratus::rpc::wire
