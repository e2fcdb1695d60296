#include "core/conductor/conductor_service.h"

#include <string>
#include <utility>
#include <vector>

#include "core/rpcapi/messages.h"
#include "core/rpcapi/rpc_status.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::conductor {
namespace {

namespace method = rpcapi::conductor_method;
using rpc::CallInfo;
using rpc::Payload;
using RpcResult = rpc::Result<Payload>;

RpcResult reply(const sdk::Status& s) { return s.ok() ? RpcResult(Payload()) : RpcResult(rpcapi::to_rpc_error(s)); }

template <class T>
RpcResult reply(const sdk::Result<T>& r) {
  return r.ok() ? Payload::of(r.value()) : RpcResult(rpcapi::to_rpc_error(r.status()));
}

}  // namespace

ConductorService::ConductorService(db::Database& db, rpc::Endpoint& endpoint, ConductorOptions options)
    : options_(std::move(options)),
      scheduler_(endpoint, options_.call_timeout, options_.scheduler_version_cap),
      compute_(endpoint, options_.call_timeout, options_.compute_version_cap),
      tasks_(db, scheduler_, compute_, options_),
      manager_(db, scheduler_),
      sweeper_(db, tasks_, manager_, compute_, options_) {}

sdk::Status ConductorService::register_on(rpc::Endpoint& endpoint) {
  rpc::Dispatcher d;
  const std::string_view v = rpcapi::kConductorVersion;
  std::vector<rpc::Status> added;
  auto ctx_of = [](const CallInfo& info) { return rpcapi::to_sdk_context(info.context); };

  added.push_back(d.add_typed<rpcapi::BuildInstancesRequest>(
      std::string(method::kBuildInstances), v, [this, ctx_of](const CallInfo& info, rpcapi::BuildInstancesRequest r) {
        // A cast: the outcome is in the database and the log, nobody waits for it.
        (void)tasks_.build_instances(ctx_of(info), r);
        return Payload();
      }));
  added.push_back(d.add_typed<rpcapi::RescheduleRequest>(
      std::string(method::kRescheduleInstance), v, [this, ctx_of](const CallInfo& info, rpcapi::RescheduleRequest r) {
        (void)tasks_.reschedule_instance(ctx_of(info), r);
        return Payload();
      }));
  added.push_back(d.add_typed<rpcapi::UnshelveRequest>(
      std::string(method::kUnshelveInstance), v, [this, ctx_of](const CallInfo& info, rpcapi::UnshelveRequest r) {
        (void)tasks_.unshelve_instance(ctx_of(info), r);
        return Payload();
      }));
  added.push_back(d.add_typed<rpcapi::InstanceUpdateMsg>(
      std::string(method::kInstanceUpdate), v, [this, ctx_of](const CallInfo& info, rpcapi::InstanceUpdateMsg r) {
        return reply(manager_.instance_update(ctx_of(info), r));
      }));
  added.push_back(d.add_typed<rpcapi::InstanceFaultMsg>(
      std::string(method::kInstanceFaultCreate), v, [this, ctx_of](const CallInfo& info, rpcapi::InstanceFaultMsg r) {
        return reply(manager_.instance_fault_create(ctx_of(info), r));
      }));
  added.push_back(d.add_typed<rpcapi::ActionEventMsg>(
      std::string(method::kActionEvent), v, [this, ctx_of](const CallInfo& info, rpcapi::ActionEventMsg r) {
        return reply(manager_.action_event(ctx_of(info), r));
      }));
  added.push_back(d.add_typed<rpcapi::HostInstancesQuery>(
      std::string(method::kInstanceGetAllByHost), v, [this, ctx_of](const CallInfo& info, rpcapi::HostInstancesQuery r) {
        return reply(manager_.instance_get_all_by_host(ctx_of(info), r.host));
      }));
  added.push_back(d.add_typed<rpcapi::InstanceUuidMsg>(
      std::string(method::kInstanceDestroy), v, [this, ctx_of](const CallInfo& info, rpcapi::InstanceUuidMsg r) {
        return reply(manager_.instance_destroy(ctx_of(info), r.instance_uuid));
      }));
  added.push_back(d.add_typed<rpcapi::NodeReportMsg>(
      std::string(method::kComputeNodeUpdate), v, [this, ctx_of](const CallInfo& info, rpcapi::NodeReportMsg r) {
        return reply(manager_.compute_node_update(ctx_of(info), r));
      }));
  added.push_back(d.add_typed<rpcapi::ServiceMsg>(
      std::string(method::kServiceHeartbeat), v, [this, ctx_of](const CallInfo& info, rpcapi::ServiceMsg r) {
        return reply(manager_.service_heartbeat(ctx_of(info), r));
      }));

  // 1.2: the batches of a process running many (fake) hosts.
  added.push_back(d.add_typed<rpcapi::NodeReportBatch>(
      std::string(method::kComputeNodeUpdateBatch), v,
      [this, ctx_of](const CallInfo& info, rpcapi::NodeReportBatch r) -> RpcResult {
        return Payload::of(rpcapi::NodeReportBatchResult{manager_.compute_node_update_batch(ctx_of(info), r)});
      }));
  added.push_back(d.add_typed<rpcapi::ServiceHeartbeatBatch>(
      std::string(method::kServiceHeartbeatBatch), v,
      [this, ctx_of](const CallInfo& info, rpcapi::ServiceHeartbeatBatch r) {
        (void)manager_.service_heartbeat_batch(ctx_of(info), r);
        return Payload();
      }));

  // 1.3: a build's walk (steps with no work between them) in one message.
  added.push_back(d.add_typed<rpcapi::InstanceStepsMsg>(
      std::string(method::kInstanceSteps), v, [this, ctx_of](const CallInfo& info, rpcapi::InstanceStepsMsg r) {
        return reply(manager_.instance_steps(ctx_of(info), r));
      }));

  for (const auto& s : added) {
    if (!s.ok()) return sdk::Status::Internal("conductor dispatcher: " + s.error().to_string());
  }
  if (rpc::Status s = endpoint.serve(std::string(rpcapi::kConductorTopic), options_.host, std::move(d)); !s.ok()) {
    return sdk::Status::InvalidState("serving topic conductor on " + options_.host + ": " + s.error().to_string());
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::conductor
