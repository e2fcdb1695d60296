// Typed call and cast over an rpc::Client: encode the argument struct, send,
// decode the reply, and turn every failure into an sdk::Status
// (rpc_status.h). The *_rpcapi.h clients are built from these two.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/rpcapi/rpc_status.h"
#include "stratus/rpc/client.h"
#include "stratus/rpc/payload.h"
#include "stratus/sdk/result.h"

namespace stratus::core::rpcapi {

// What a call's failure message starts with: "conductor.instance_update".
inline std::string describe(const rpc::Client& client, std::string_view method) {
  std::string out = client.target().topic;
  if (!client.target().server.empty()) out += "." + client.target().server;
  out += ".";
  out += method;
  return out;
}

template <class Reply, class Args>
sdk::Result<Reply> typed_call(const rpc::Client& client, const sdk::RequestContext& ctx, std::string_view method,
                              const Args& args, std::chrono::milliseconds timeout) {
  auto payload = rpc::Payload::of(args);
  if (!payload.ok()) return from_rpc_error(payload.error(), describe(client, method));
  auto reply = client.call(to_rpc_context(ctx), method, payload.value(), timeout);
  if (!reply.ok()) return from_rpc_error(reply.error(), describe(client, method));
  auto decoded = reply->template as<Reply>();
  if (!decoded.ok()) return from_rpc_error(decoded.error(), describe(client, method) + " reply");
  return std::move(decoded).value();
}

// A call whose reply carries nothing (nil).
template <class Args>
sdk::Status typed_call_no_reply(const rpc::Client& client, const sdk::RequestContext& ctx, std::string_view method,
                                const Args& args, std::chrono::milliseconds timeout) {
  auto payload = rpc::Payload::of(args);
  if (!payload.ok()) return from_rpc_error(payload.error(), describe(client, method));
  auto reply = client.call(to_rpc_context(ctx), method, payload.value(), timeout);
  if (!reply.ok()) return from_rpc_error(reply.error(), describe(client, method));
  return sdk::Status::OK();
}

template <class Args>
sdk::Status typed_cast(const rpc::Client& client, const sdk::RequestContext& ctx, std::string_view method,
                       const Args& args) {
  auto payload = rpc::Payload::of(args);
  if (!payload.ok()) return from_rpc_error(payload.error(), describe(client, method));
  if (rpc::Status s = client.cast(to_rpc_context(ctx), method, payload.value()); !s.ok()) {
    return from_rpc_error(s.error(), describe(client, method));
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::rpcapi
