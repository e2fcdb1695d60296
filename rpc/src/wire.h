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

// Protocol 1: a CALL/CAST/FANOUT is three frames (header, request, args), a
// REPLY two or three (header, status, result). Protocol 2: each is one frame
// holding the same msgpack values back to back ("body"), with the caller's
// routing id as a second frame where the router needs it (docs/rpc-protocol.md,
// section 3.5). Control messages (HELLO, HELLO_ACK, HEARTBEAT, ERROR, RESET,
// BYE) are one frame and keep protocol 1 in both; HELLO/HELLO_ACK negotiate.
inline constexpr std::uint32_t kProtocolVersion = 1;  // of control messages
inline constexpr std::uint32_t kProtocolV2 = 2;
inline constexpr std::uint32_t kMaxProtocol = 2;  // the newest this code speaks

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
  std::uint32_t protocol = kProtocolVersion;  // 1 or 2 (call, cast, fanout, reply); control kinds: 1
  std::uint64_t msg_id = 0;             // call, cast, fanout, reply, error (0 = none)
  std::string topic;                    // call, cast, fanout
  std::string server;                   // call, cast ("" = any server of the topic)
  std::uint32_t timeout_ms = 0;         // call
  std::string reply_to;                 // call (router->server), reply (server->router)
  std::string name;                     // hello
  std::vector<Service> services;        // hello
  std::vector<std::uint32_t> protocols; // hello: the protocols the sender speaks (empty: 1 only)
  std::uint32_t chosen_protocol = 0;    // hello_ack: the protocol the router chose (0: absent, means 1)
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
// decode_request into `out`, reusing its storage (a worker keeps one per
// thread). With `consumed`, bytes may go on after the request (a protocol 2
// body) and *consumed is set to its length; without, bytes must be exactly it.
Status decode_request_into(std::string_view bytes, Request& out, std::size_t* consumed) noexcept;
// Decodes the header at the start of `bytes` (a protocol 2 body) and sets
// `consumed` to its length. Accepts protocol 1 and 2 headers.
Result<Header> decode_header_prefix(std::string_view bytes, std::size_t& consumed) noexcept;
// The same into `out`, reusing its storage (a receiving loop keeps one
// Header). Only the fields of the decoded kind are set; the others keep
// whatever they held.
Status decode_header_prefix_into(std::string_view bytes, Header& out, std::size_t& consumed) noexcept;

// The header decoders without their fast path (msgpack-c only; `consumed`
// nullptr: the whole of bytes must be the header). For the fuzz target, which
// checks that both paths agree.
Result<Header> decode_header_msgpack(std::string_view bytes, std::size_t* consumed) noexcept;

// A protocol 2 body split into its values: the header, then `second` (the
// request of a CALL/CAST/FANOUT, the status of a REPLY; one msgpack value) and
// `rest` (the args or the result: the remaining bytes, empty when absent).
struct Body {
  Header header;
  std::string_view second;
  std::string_view rest;
};
Result<Body> split_body(std::string_view bytes) noexcept;
// Length of the msgpack value at the start of bytes (bad_message if none).
Result<std::size_t> value_length(std::string_view bytes) noexcept;

// A protocol 2 body: header (its protocol set to 2) ++ second ++ rest, each
// already encoded (rest may be empty: a failed REPLY has no result).
std::string encode_body(const Header& h, std::string_view second, std::string_view rest);

// The body of a CALL/CAST/FANOUT in protocol 2, encoded in this thread's
// scratch buffer: valid until the next encode_* call on the same thread.
// The request is given by its fields (no Request to build and copy into).
std::string_view encode_request_body(const Header& h, std::string_view method, std::string_view ns,
                                     std::string_view version, const RequestContext& context, std::string_view args);

// Checks that bytes hold exactly one well-formed msgpack value.
Status check_msgpack(std::string_view bytes) noexcept;

// Converts a received status into an Error (precondition: code != 0). Codes
// from a newer peer that this side does not know become Errc::remote.
Error status_to_error(ReplyStatus s);

}  // namespace stratus::rpc::wire
