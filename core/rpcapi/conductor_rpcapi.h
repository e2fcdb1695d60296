// ConductorRpcApi: how the API and the compute services talk to the
// conductor (Nova's nova/conductor/rpcapi.py). The conductor is a work queue:
// each message goes to one live conductor, round robin.
//
// Compute services never open the database; every instance change, fault,
// action event and resource report they make goes through these methods.
// Thread-safe; the endpoint must outlive it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/rpcapi/messages.h"
#include "core/rpcapi/version_cap.h"
#include "stratus/rpc/client.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"

namespace stratus::core::rpcapi {

class ConductorRpcApi {
 public:
  // `cap`: the highest version sent ([upgrade_levels] conductor; none: the newest),
  // read when the client is made: every conductor method is at 1.0.
  ConductorRpcApi(rpc::Endpoint& endpoint, std::chrono::milliseconds call_timeout, const VersionCap& cap = {});

  // Casts: the API's build request; a compute host's failed build.
  sdk::Status build_instances(const sdk::RequestContext& ctx, const BuildInstancesRequest& request) const;
  sdk::Status reschedule_instance(const sdk::RequestContext& ctx, const RescheduleRequest& request) const;
  // Cast: the API's unshelve of a shelved-offloaded instance (task unshelving).
  sdk::Status unshelve_instance(const sdk::RequestContext& ctx, const UnshelveRequest& request) const;

  // Calls. instance_update returns the instance as stored after the change;
  // kNotFound for an unknown (or deleted) instance; kInvalidState when a
  // guard (expected_task_state / expected_vm_state) does not hold.
  sdk::Result<InstanceMsg> instance_update(const sdk::RequestContext& ctx, const InstanceUpdateMsg& update) const;
  sdk::Status instance_fault_create(const sdk::RequestContext& ctx, const InstanceFaultMsg& fault) const;
  sdk::Status action_event(const sdk::RequestContext& ctx, const ActionEventMsg& event) const;
  // The live (not deleted) instances whose host is `host`, soft-deleted included.
  sdk::Result<std::vector<InstanceMsg>> instance_get_all_by_host(const sdk::RequestContext& ctx,
                                                                 const std::string& host) const;
  // The guest is gone: mark the instance deleted, free its ports and its
  // resource claim. Idempotent (OK if already deleted).
  sdk::Status instance_destroy(const sdk::RequestContext& ctx, const std::string& instance_uuid) const;

  // Casts from each compute service: its resource report, its heartbeat.
  sdk::Status compute_node_update(const sdk::RequestContext& ctx, const NodeReportMsg& report) const;
  sdk::Status service_heartbeat(const sdk::RequestContext& ctx, const ServiceMsg& service) const;
  // The same report as a call (the same method; the conductor answers it):
  // OK once a conductor has recorded it. A compute's first report, repeated
  // until heard, so that a conductor started after it still learns of it.
  sdk::Status compute_node_update_acked(const sdk::RequestContext& ctx, const NodeReportMsg& report,
                                        std::chrono::milliseconds timeout) const;

  // Conductor RPC 1.2: many hosts at once (the fake hosts of one process).
  // The reports as a call: the hosts whose report was not recorded.
  // kNotSupported when the cap is below 1.2; an older conductor answers
  // kNotSupported too (no such method): the caller then sends per host.
  sdk::Result<std::vector<std::string>> compute_node_update_batch(const sdk::RequestContext& ctx,
                                                                  const NodeReportBatch& batch,
                                                                  std::chrono::milliseconds timeout) const;
  // The heartbeats as one cast; kNotSupported when the cap is below 1.2.
  sdk::Status service_heartbeat_batch(const sdk::RequestContext& ctx, const ServiceHeartbeatBatch& batch) const;
  // Whether the cap lets this client send the 1.2 batch methods.
  bool can_send_batches() const;

  // Conductor RPC 1.3: one instance's steps (state updates and action
  // events) applied in order in one transaction (InstanceStepsMsg). OK when
  // all were applied; a refused update's status (NotFound, InvalidState),
  // the steps before it applied; kNotSupported when the cap is below 1.3 or
  // the conductor is older (nothing applied: the caller sends step by step);
  // kUnavailable / kTimeout as instance_update.
  sdk::Status instance_steps(const sdk::RequestContext& ctx, const InstanceStepsMsg& steps) const;
  bool can_send_steps() const;

 private:
  // A call of a method added after 1.0, at version `needed`: kNotSupported
  // when the cap or the conductor's version does not have it.
  sdk::Result<rpc::Payload> call_newer(const sdk::RequestContext& ctx, std::string_view needed, std::string_view method,
                                       const rpc::Payload& args, std::chrono::milliseconds timeout) const;

  rpc::Client client_;
  std::chrono::milliseconds call_timeout_;
};

}  // namespace stratus::core::rpcapi
