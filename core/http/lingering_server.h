// LingeringServer: cpp-httplib's Server whose connections end with a
// lingering close, as nginx's do.
//
// Why: a reply sent before the request's body was read to its end (a 413 on
// a declared Content-Length, an upload refused before it is read) used to be
// followed at once by close(). The kernel answers a close() with unread bytes
// in the receive buffer, and every byte the client still sends, with a reset;
// a client still writing its body then gets a broken pipe (or a reset that
// drops the reply it had not read yet) instead of the 413. So after such a
// reply the server half-closes (the client reads the reply, then end of
// stream) and reads and discards what the client still sends, until the
// client closes or a bound is reached: linger_max_bytes read, linger_max_time
// passed since the reply, or linger_idle_time with nothing arriving. Past a
// bound the socket is closed: a client that never stops sending is cut off
// (reset) rather than holding a thread.
//
// A connection lingers when a handler marks its request with
// close_after_reply(true), or when bytes the server never read are already
// waiting at close. Marked requests end the connection after their reply
// (no keep-alive: what follows is the rest of a body, not a request).
//
// Everything else is httplib's: the same request parsing (process_request),
// keep-alive count and timeout, read and write timeouts. The keep-alive wait
// also ends as soon as the server stops (httplib's waits its full timeout).
// Thread safety: as httplib::Server; each connection runs on one pool thread,
// and close_after_reply() applies to the request being handled on the
// calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <httplib.h>

namespace stratus::core::api {

struct LingerLimits {
  std::uint64_t max_bytes = 0;          // discarded at most after the reply
  std::chrono::milliseconds max_time{0};  // from the reply to the close, at most
  std::chrono::milliseconds idle_time{0};  // close when nothing arrives for this long
};

// How slowly a request may arrive (SocketStream in lingering_server.cpp):
// its head within head_time of its first byte being awaited, its body at
// body_min_rate bytes/s on average after a further head_time of grace.
struct RequestLimits {
  std::chrono::milliseconds head_time{10000};
  std::uint64_t body_min_rate = 1024;
};

class LingeringServer : public httplib::Server {
 public:
  explicit LingeringServer(LingerLimits limits, RequestLimits request_limits = {})
      : limits_(limits), request_limits_(request_limits) {}

  // Called from a handler (on the connection's thread): the connection closes
  // after this request's reply; `body_left_unread` makes it linger first.
  static void close_after_reply(bool body_left_unread);

  // Serves the requests in `raw` (the bytes a client would send, pipelined
  // requests one after another) from memory, without a socket, through the
  // same parsing, routing and handlers as a connection; returns the bytes the
  // server writes back. Stops at the first request that closes the connection
  // or cannot be parsed. For the REST fuzz target (tests/fuzz) and tests.
  std::string serve_bytes(std::string_view raw);

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Half-closes `sock`, discards what arrives within the limits, closes it.
  // Returns the bytes discarded.
  std::uint64_t linger_and_close(socket_t sock) const;

  LingerLimits limits_;
  RequestLimits request_limits_;
};

}  // namespace stratus::core::api
