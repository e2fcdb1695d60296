// Observer: what an endpoint reports about each message it sends and serves,
// for metrics (Stratus counts them into Prometheus histograms; a third-party
// user of this library may log them or ignore them).
//
// Set EndpointOptions::observer to receive the events. They are called on the
// thread that did the work (the caller's for a send, a worker's for a served
// message), after it, and must be cheap and must not block or throw: they
// run on every message's path. Views in the events are valid during the call
// only.
#pragma once

#include <chrono>
#include <string_view>

#include "stratus/rpc/error.h"

namespace stratus::rpc {

enum class MessageKind { call, cast, fanout };

// "call", "cast", "fanout".
std::string_view message_kind_name(MessageKind kind) noexcept;

struct SentEvent {
  MessageKind kind;
  std::string_view topic;   // the target's topic (the service: "compute", "conductor", ...)
  std::string_view method;
  Errc outcome;             // Errc::ok, or why the call or send failed
  // A call: from the call until its reply or failure; a cast: until it was
  // handed to the transport.
  std::chrono::nanoseconds duration;
};

struct HandledEvent {
  MessageKind kind;
  std::string_view topic;
  // The method the message named; empty when the request did not decode.
  std::string_view method;
  // False when the dispatcher has no such method (the name then came from a
  // peer and should not become a metric label as is).
  bool known_method;
  Errc outcome;                       // the method's result (Errc::remote for an application error)
  std::chrono::nanoseconds queued;    // waiting for a worker
  std::chrono::nanoseconds duration;  // running the method
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_sent(const SentEvent& event) noexcept = 0;
  virtual void on_handled(const HandledEvent& event) noexcept = 0;
};

}  // namespace stratus::rpc
