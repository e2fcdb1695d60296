// Router: the broker endpoints connect to (RabbitMQ's role in Nova).
//
// A ROUTER socket bound to one or more addresses. Endpoints say HELLO with the
// targets they serve; the router routes each call and cast by target:
//   topic          -> one live server of the topic, round robin
//   topic.server   -> that server
//   fanout topic   -> every live server of the topic
// and sends replies back to the caller. A call to a target nothing serves is
// answered at once with Errc::no_such_target. The router exchanges heartbeats
// with registered endpoints and evicts one that is silent for
// heartbeat_interval * heartbeat_liveness; calls in flight to it are answered
// Errc::unavailable at once. Its only state is the live registrations, so a
// restart loses only messages in flight; endpoints re-register by themselves.
//
// Thread safety: all methods may be called from any thread. The router runs on
// its own thread between start() and stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stratus/rpc/error.h"
#include "stratus/rpc/io_context.h"

namespace stratus::rpc {

// CURVE server settings; enabled when secret_key is set.
struct CurveServerOptions {
  std::string public_key;  // the router's key pair (Z85)
  std::string secret_key;
  // Directory of allowed endpoint keys (*.pub) with their serve/call policy
  // (see security.h). A key not in it is refused at the handshake.
  std::string allowed_keys_dir;
  bool enabled() const { return !secret_key.empty(); }
};

struct RouterOptions {
  // Addresses to bind: "inproc://name", "ipc:///path", "tcp://127.0.0.1:0"
  // (port 0 picks a free port; see endpoints()).
  std::vector<std::string> bind;
  std::chrono::milliseconds heartbeat_interval{1000};
  int heartbeat_liveness = 3;
  // Largest message (all frames) routed; a larger call is answered
  // Errc::too_large, anything else larger is dropped and counted.
  std::size_t max_message_bytes = 16u << 20;
  // Newest wire protocol spoken (docs/rpc-protocol.md, section 3.5). The
  // router speaks every version up to it and translates between endpoints of
  // different versions; 1 makes it a router of a release before protocol 2
  // (it refuses protocol 2 messages; tests use it for old nodes).
  std::uint32_t max_protocol = 2;
  std::shared_ptr<IoContext> io;  // nullptr: IoContext::global()
  // With CURVE on, the ZAP handler takes the context's ZAP endpoint: at most
  // one CURVE router per IoContext.
  CurveServerOptions curve;
};

struct RouterStats {
  std::uint64_t routed = 0;             // calls, casts and fanout copies forwarded
  std::uint64_t replies = 0;            // replies forwarded
  std::uint64_t no_such_target = 0;     // calls/casts with nothing serving the target
  std::uint64_t dropped_malformed = 0;  // messages whose header did not decode
  std::uint64_t dropped_oversize = 0;   // messages above max_message_bytes
  std::uint64_t unreachable = 0;        // sends to a peer that was gone
  std::uint64_t evicted = 0;            // endpoints evicted for silence
  std::uint64_t forbidden = 0;          // policy refusals
  std::uint64_t registered = 0;         // HELLOs accepted
  std::uint64_t stray_replies = 0;      // replies matching no call in flight (late or forged), dropped
  std::size_t peers = 0;                // registered endpoints now
  std::uint64_t messages_in = 0;        // messages received (each a set of frames), any kind
  std::uint64_t messages_out = 0;       // messages sent to peers (routed, replies, acks, heartbeats, errors)
};

class Router {
 public:
  explicit Router(RouterOptions options);
  ~Router();  // stops
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Binds and starts the routing thread. Errc::invalid_argument for an address
  // that cannot be bound (the message names it), Errc::unavailable if started.
  Status start();
  // Stops routing and closes the socket; messages in flight are lost. Idempotent.
  void stop();

  // The bound addresses, with the actual port for "tcp://...:0".
  std::vector<std::string> endpoints() const;
  RouterStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stratus::rpc
