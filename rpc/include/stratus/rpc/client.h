// Client: a target plus a version cap, in the manner of oslo.messaging's RPCClient.
//
//   Client compute(ep, Target{.topic = "compute"}, "5.12");   // cap from config
//   if (compute.can_send_version("5.13")) { ... new signature ... }
//   auto r = compute.prepare("host1", "5.0").call(ctx, "terminate_instance", args);
//
// Cheap to copy; holds a reference to the endpoint, which must outlive it.
// Thread-safe like the Endpoint.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "stratus/rpc/endpoint.h"

namespace stratus::rpc {

class Client {
 public:
  // version_cap: the highest version this client may send ("" = no cap).
  Client(Endpoint& endpoint, Target target, std::string version_cap = "");

  // True if a message at `version` may be sent under the cap (false for an
  // unparsable version).
  bool can_send_version(std::string_view version) const;

  // A copy with the server and/or version replaced ("" keeps the current one).
  Client prepare(std::string server, std::string version = "", bool fanout = false) const;
  // The cap this client was made with ("" = none), for messages that name it.
  const std::string& version_cap() const noexcept { return cap_; }

  // As Endpoint::call/cast; Errc::unsupported_version at once, without sending,
  // if the target's version is above the cap.
  Result<Payload> call(const RequestContext& ctx, std::string_view method, const Payload& args,
                       std::chrono::milliseconds timeout = {}) const;
  Status cast(const RequestContext& ctx, std::string_view method, const Payload& args) const;

  const Target& target() const { return target_; }

 private:
  Status check_cap() const;

  Endpoint* endpoint_;
  Target target_;
  std::string cap_;
};

}  // namespace stratus::rpc
