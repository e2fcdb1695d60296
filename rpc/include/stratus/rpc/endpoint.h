// Endpoint: one node's connection to the router, both client and server.
//
// An endpoint connects out to a router (inproc://, ipc:// or tcp://, same API),
// says HELLO with the targets it serves, and then:
//  - as a server, receives calls, casts and fanout casts for those targets and
//    runs them on a bounded pool of worker threads (Dispatcher);
//  - as a client, sends calls (wait for a reply or a timeout), casts (one way,
//    at most once) and fanout casts (to every server of a topic).
// It exchanges heartbeats with the router; when the router falls silent it
// fails the calls in flight (Errc::unavailable) and keeps saying HELLO until
// a router answers, so a restarted router gets every registration back
// without help.
//
// Thread safety: call/cast/fanout may be used from any number of threads at
// once. serve() must be called before start(). start() and stop() are not
// to be called concurrently with each other.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "stratus/rpc/context.h"
#include "stratus/rpc/dispatcher.h"
#include "stratus/rpc/error.h"
#include "stratus/rpc/io_context.h"
#include "stratus/rpc/observer.h"
#include "stratus/rpc/payload.h"
#include "stratus/rpc/target.h"

namespace stratus::rpc {

// CURVE client settings; enabled when server_public_key is set.
struct CurveClientOptions {
  std::string server_public_key;  // the router's public key (Z85)
  std::string public_key;         // this endpoint's key pair (Z85)
  std::string secret_key;
  bool enabled() const { return !server_public_key.empty(); }
};

struct EndpointOptions {
  // The router's address: "inproc://name", "ipc:///path", "tcp://127.0.0.1:5672".
  std::string router;
  // This endpoint's name in logs and in the router's table.
  std::string name = "endpoint";
  // Worker threads running served methods, and how many received messages may
  // wait for a worker; beyond that a call is answered Errc::unavailable
  // ("server busy") and a cast is dropped and counted.
  std::size_t workers = 4;
  std::size_t queue_limit = 4096;
  // Heartbeat period until the router's HELLO_ACK says otherwise, and how many
  // silent periods mean the router is gone.
  std::chrono::milliseconds heartbeat_interval{1000};
  int heartbeat_liveness = 3;
  // Largest message (all frames) sent or accepted.
  std::size_t max_message_bytes = 16u << 20;
  // Newest wire protocol offered in HELLO (docs/rpc-protocol.md, section 3.5):
  // 2 sends calls and casts as one frame when the router agrees; 1 speaks only
  // protocol 1, as a release before it did (tests use it for old nodes).
  std::uint32_t max_protocol = 2;
  // Timeout of a call that passes 0.
  std::chrono::milliseconds default_timeout{30000};
  // Reconnect delay of the underlying socket after the connection drops.
  std::chrono::milliseconds reconnect_interval{100};
  std::shared_ptr<IoContext> io;  // nullptr: IoContext::global()
  CurveClientOptions curve;
  // Told about every message sent and served (observer.h); nullptr: none.
  std::shared_ptr<Observer> observer;
};

struct EndpointStats {
  std::uint64_t calls_sent = 0;
  std::uint64_t casts_sent = 0;
  std::uint64_t served = 0;            // calls + casts run by a method
  std::uint64_t dropped_malformed = 0; // received frames that did not decode
  std::uint64_t dropped_busy = 0;      // casts dropped because the queue was full
  std::uint64_t dropped_oversize = 0;  // received messages above max_message_bytes
  std::uint64_t cast_errors = 0;       // router reports of undeliverable casts
  std::uint64_t router_lost = 0;       // times the router fell silent
  std::uint64_t registrations = 0;     // HELLO_ACKs received
  std::size_t queued = 0;              // received messages waiting for a worker now
  std::size_t running = 0;             // messages a worker is serving now
  std::uint32_t protocol = 1;          // wire protocol agreed with the router (HELLO_ACK)
};

class Endpoint {
 public:
  explicit Endpoint(EndpointOptions options);
  // Stops (as stop()).
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Serves `topic` (round robin among its servers, and fanout) and
  // `topic.server` (this endpoint alone) with the dispatcher's methods.
  // May be called for several servers of one topic (each with its own
  // dispatcher: the fake hosts of one process share one endpoint); a message
  // to the bare topic then goes to the first of them.
  // Before start() only; Errc::invalid_argument otherwise, for an empty
  // topic, or for a topic already served under the same or no server name.
  Status serve(std::string topic, std::string server, Dispatcher dispatcher);

  // Creates the sockets and the I/O and worker threads and starts saying HELLO.
  // Does not wait for the router (see wait_registered). Errc::invalid_argument
  // for a bad address, Errc::unavailable if already started.
  Status start();
  // Fails calls in flight with Errc::unavailable, says BYE, waits for running
  // methods to return and joins the threads. Idempotent.
  void stop();

  // Waits until the router has acknowledged this endpoint's HELLO (true) or the
  // timeout passes (false).
  bool wait_registered(std::chrono::milliseconds timeout) const;
  bool registered() const;

  // Sends a call and waits for its reply, at most `timeout` (0: the default).
  // Errors: Errc::timeout; Errc::no_such_target (at once, from the router);
  // Errc::remote with the remote type and message; Errc::no_such_method;
  // Errc::unsupported_version; Errc::too_large; Errc::unavailable (not
  // connected, server evicted or busy, stopped); Errc::forbidden;
  // Errc::invalid_argument (empty topic, fanout target, bad version).
  // A context without request id gets a fresh one.
  Result<Payload> call(const Target& target, std::string_view method, const Payload& args,
                       const RequestContext& context = {}, std::chrono::milliseconds timeout = {});

  // Sends a cast (or, if target.fanout, a fanout cast) and returns once it is
  // handed to the transport: at most once, no reply. Delivery failures the
  // router reports later are logged and counted (cast_errors).
  Status cast(const Target& target, std::string_view method, const Payload& args,
              const RequestContext& context = {});

  EndpointStats stats() const;
  const EndpointOptions& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stratus::rpc
