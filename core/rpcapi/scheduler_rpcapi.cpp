#include "core/rpcapi/scheduler_rpcapi.h"

#include "core/rpcapi/rpc_call.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::rpcapi {

SchedulerRpcApi::SchedulerRpcApi(rpc::Endpoint& endpoint, std::chrono::milliseconds call_timeout, const VersionCap& cap)
    : client_(endpoint, rpc::Target{.topic = std::string(kSchedulerTopic), .version = std::string(kBaseVersion)},
              current_cap(cap)),
      fanout_(client_.prepare("", "", /*fanout=*/true)),
      call_timeout_(call_timeout) {}

sdk::Result<std::vector<SelectionMsg>> SchedulerRpcApi::select_destinations(
    const sdk::RequestContext& ctx, const SelectDestinationsRequest& request) const {
  return typed_call<std::vector<SelectionMsg>>(client_, ctx, scheduler_method::kSelectDestinations, request,
                                               call_timeout_);
}

sdk::Status SchedulerRpcApi::claim(const sdk::RequestContext& ctx, const ClaimMsg& claim) const {
  return typed_call_no_reply(client_, ctx, scheduler_method::kClaim, claim, call_timeout_);
}

sdk::Status SchedulerRpcApi::release(const sdk::RequestContext& ctx, const std::string& instance_uuid) const {
  return typed_cast(fanout_, ctx, scheduler_method::kRelease, InstanceUuidMsg{instance_uuid});
}

sdk::Status SchedulerRpcApi::update_node(const sdk::RequestContext& ctx, const NodeReportMsg& report) const {
  return typed_cast(fanout_, ctx, scheduler_method::kUpdateNode, report);
}

sdk::Status SchedulerRpcApi::service_heartbeat(const sdk::RequestContext& ctx, const ServiceMsg& service) const {
  return typed_cast(fanout_, ctx, scheduler_method::kServiceHeartbeat, service);
}

sdk::Status SchedulerRpcApi::service_set_disabled(const sdk::RequestContext& ctx, const ServiceMsg& service) const {
  return typed_cast(fanout_, ctx, scheduler_method::kServiceSetDisabled, service);
}

}  // namespace stratus::core::rpcapi
