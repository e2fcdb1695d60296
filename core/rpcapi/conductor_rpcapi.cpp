#include "core/rpcapi/conductor_rpcapi.h"

#include "core/rpcapi/rpc_call.h"
#include "core/rpcapi/rpc_status.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::rpcapi {

ConductorRpcApi::ConductorRpcApi(rpc::Endpoint& endpoint, std::chrono::milliseconds call_timeout, const VersionCap& cap)
    : client_(endpoint, rpc::Target{.topic = std::string(kConductorTopic), .version = std::string(kBaseVersion)},
              current_cap(cap)),
      call_timeout_(call_timeout) {}

sdk::Status ConductorRpcApi::unshelve_instance(const sdk::RequestContext& ctx,
                                               const UnshelveRequest& request) const {
  // Conductor RPC 1.1; an older conductor has no such method.
  const std::string_view needed = conductor_version::kUnshelve;
  if (!client_.can_send_version(needed)) {
    return sdk::Status::NotSupported("unshelve_instance needs conductor RPC " + std::string(needed) +
                                     ", but conductor RPC is capped at " + client_.version_cap() +
                                     " ([upgrade_levels] conductor) while an older conductor is live");
  }
  return typed_cast(client_.prepare("", std::string(needed)), ctx, conductor_method::kUnshelveInstance, request);
}

sdk::Status ConductorRpcApi::build_instances(const sdk::RequestContext& ctx,
                                             const BuildInstancesRequest& request) const {
  return typed_cast(client_, ctx, conductor_method::kBuildInstances, request);
}

sdk::Status ConductorRpcApi::reschedule_instance(const sdk::RequestContext& ctx,
                                                 const RescheduleRequest& request) const {
  return typed_cast(client_, ctx, conductor_method::kRescheduleInstance, request);
}

sdk::Result<InstanceMsg> ConductorRpcApi::instance_update(const sdk::RequestContext& ctx,
                                                          const InstanceUpdateMsg& update) const {
  return typed_call<InstanceMsg>(client_, ctx, conductor_method::kInstanceUpdate, update, call_timeout_);
}

sdk::Status ConductorRpcApi::instance_fault_create(const sdk::RequestContext& ctx,
                                                   const InstanceFaultMsg& fault) const {
  return typed_call_no_reply(client_, ctx, conductor_method::kInstanceFaultCreate, fault, call_timeout_);
}

sdk::Status ConductorRpcApi::action_event(const sdk::RequestContext& ctx, const ActionEventMsg& event) const {
  return typed_call_no_reply(client_, ctx, conductor_method::kActionEvent, event, call_timeout_);
}

sdk::Result<std::vector<InstanceMsg>> ConductorRpcApi::instance_get_all_by_host(const sdk::RequestContext& ctx,
                                                                                const std::string& host) const {
  return typed_call<std::vector<InstanceMsg>>(client_, ctx, conductor_method::kInstanceGetAllByHost,
                                              HostInstancesQuery{host}, call_timeout_);
}

sdk::Status ConductorRpcApi::instance_destroy(const sdk::RequestContext& ctx, const std::string& instance_uuid) const {
  return typed_call_no_reply(client_, ctx, conductor_method::kInstanceDestroy, InstanceUuidMsg{instance_uuid},
                             call_timeout_);
}

sdk::Status ConductorRpcApi::compute_node_update(const sdk::RequestContext& ctx, const NodeReportMsg& report) const {
  return typed_cast(client_, ctx, conductor_method::kComputeNodeUpdate, report);
}

sdk::Status ConductorRpcApi::compute_node_update_acked(const sdk::RequestContext& ctx, const NodeReportMsg& report,
                                                       std::chrono::milliseconds timeout) const {
  return typed_call_no_reply(client_, ctx, conductor_method::kComputeNodeUpdate, report, timeout);
}

sdk::Status ConductorRpcApi::service_heartbeat(const sdk::RequestContext& ctx, const ServiceMsg& service) const {
  return typed_cast(client_, ctx, conductor_method::kServiceHeartbeat, service);
}

bool ConductorRpcApi::can_send_batches() const { return client_.can_send_version(conductor_version::kBatches); }

sdk::Result<rpc::Payload> ConductorRpcApi::call_newer(const sdk::RequestContext& ctx, std::string_view needed,
                                                      std::string_view method, const rpc::Payload& args,
                                                      std::chrono::milliseconds timeout) const {
  const std::string what = "conductor." + std::string(method);
  if (!client_.can_send_version(needed)) {
    return sdk::Status::NotSupported(what + " needs conductor RPC " + std::string(needed) +
                                     ", but conductor RPC is capped at " + client_.version_cap());
  }
  const rpc::Client versioned = client_.prepare("", std::string(needed));
  auto reply = versioned.call(to_rpc_context(ctx), method, args, timeout);
  if (!reply.ok()) {
    // A conductor older than `needed` (under a cap that let this through).
    if (reply.error().code == rpc::Errc::no_such_method || reply.error().code == rpc::Errc::unsupported_version) {
      return sdk::Status::NotSupported(what + ": " + reply.error().message);
    }
    return from_rpc_error(reply.error(), what);
  }
  return std::move(reply).value();
}

sdk::Result<std::vector<std::string>> ConductorRpcApi::compute_node_update_batch(const sdk::RequestContext& ctx,
                                                                                 const NodeReportBatch& batch,
                                                                                 std::chrono::milliseconds timeout) const {
  const std::string_view method = conductor_method::kComputeNodeUpdateBatch;
  auto payload = rpc::Payload::of(batch);
  if (!payload.ok()) return from_rpc_error(payload.error(), method);
  auto reply = call_newer(ctx, conductor_version::kBatches, method, payload.value(), timeout);
  if (!reply.ok()) return reply.status();
  auto decoded = reply->as<NodeReportBatchResult>();
  if (!decoded.ok()) return from_rpc_error(decoded.error(), "conductor." + std::string(method) + " reply");
  return std::move(decoded->failed_hosts);
}

bool ConductorRpcApi::can_send_steps() const { return client_.can_send_version(conductor_version::kInstanceSteps); }

sdk::Status ConductorRpcApi::instance_steps(const sdk::RequestContext& ctx, const InstanceStepsMsg& steps) const {
  auto payload = rpc::Payload::of(steps);
  if (!payload.ok()) return from_rpc_error(payload.error(), conductor_method::kInstanceSteps);
  return call_newer(ctx, conductor_version::kInstanceSteps, conductor_method::kInstanceSteps, payload.value(),
                    call_timeout_)
      .status();
}

sdk::Status ConductorRpcApi::service_heartbeat_batch(const sdk::RequestContext& ctx,
                                                     const ServiceHeartbeatBatch& batch) const {
  const std::string_view needed = conductor_version::kBatches;
  if (!can_send_batches()) {
    return sdk::Status::NotSupported("service_heartbeat_batch needs conductor RPC " + std::string(needed));
  }
  return typed_cast(client_.prepare("", std::string(needed)), ctx, conductor_method::kServiceHeartbeatBatch, batch);
}

}  // namespace stratus::core::rpcapi
