// ConductorManager: the conductor's database proxy for compute services
// (Nova's nova/conductor/manager.py ConductorManager and the object
// indirection API). Compute hosts never open the database; every change
// they make to an instance, every fault, action event, resource report and
// heartbeat comes through here.
//
//   instance_update          guarded update, returns the instance after it
//   instance_fault_create    records why an instance failed
//   action_event             starts or finishes an event of an instance action
//   instance_steps           (1.3) one instance's updates and events, in order, one transaction
//   instance_get_all_by_host the live instances of a host (init_host, power sync)
//   instance_destroy         deleted; ports and claim freed (idempotent)
//   compute_node_update      records a node's report, relays it to the schedulers
//   service_heartbeat        records a heartbeat, relays a compute one to the schedulers
//
// Every method is one or a few database transactions plus, for the last
// three, a fanout cast; none waits on another service. Thread-safety: holds
// no state of its own; any number of threads may call it at once.
#pragma once

#include <string>
#include <vector>

#include "core/db/compute_node_repository.h"
#include "core/db/database.h"
#include "core/db/scope.h"
#include "core/rpcapi/messages.h"
#include "core/rpcapi/scheduler_rpcapi.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"

namespace stratus::core::conductor {

class ConductorManager {
 public:
  // Not owned; both must outlive the manager.
  ConductorManager(db::Database& db, const rpcapi::SchedulerRpcApi& scheduler);

  // Applies the update (the set_* flags say which nullable fields change;
  // "" in expected_task_state stands for None) and returns the instance as
  // stored after it. kNotFound for an unknown or deleted instance,
  // kInvalidState naming the state when a guard does not hold (nothing changes).
  sdk::Result<rpcapi::InstanceMsg> instance_update(const sdk::RequestContext& ctx,
                                                   const rpcapi::InstanceUpdateMsg& update);

  // kNotFound for an unknown instance.
  sdk::Status instance_fault_create(const sdk::RequestContext& ctx, const rpcapi::InstanceFaultMsg& fault);

  // Starts (finish = false) or finishes the named event of the action the
  // request id started on the instance. A finish with no matching start
  // records the event as started and finished at once, so a host that only
  // reports outcomes loses nothing. kNotFound when the instance has no
  // action for that request id: actions are the API's to start (Nova's
  // InstanceActionNotFound).
  sdk::Status action_event(const sdk::RequestContext& ctx, const rpcapi::ActionEventMsg& event);

  // Conductor RPC 1.3: the steps, each as instance_update / action_event
  // would apply it alone, in order, in one write transaction (one commit
  // instead of one per step). The first refused update ends the walk: the
  // steps before it are committed and its status is returned. An event that
  // cannot be recorded is logged and skipped. kInvalidArgument for a step of
  // another instance than the message's.
  sdk::Status instance_steps(const sdk::RequestContext& ctx, const rpcapi::InstanceStepsMsg& steps);

  // The instances (not deleted; soft-deleted ones included) whose host is
  // `host`, with their ports.
  sdk::Result<std::vector<rpcapi::InstanceMsg>> instance_get_all_by_host(const sdk::RequestContext& ctx,
                                                                         const std::string& host);

  // Marks the instance deleted, frees its ports and its claim, and tells
  // every scheduler to forget it. Idempotent: OK when already deleted.
  // kNotFound for an instance the database never had.
  sdk::Status instance_destroy(const sdk::RequestContext& ctx, const std::string& instance_uuid);

  // Records the node's inventory (creating the compute node and the
  // stratus-compute service on first sight), counts as the service's
  // heartbeat, and relays the report to every scheduler with the node's
  // allocation ratios and claimed usage from the database, which is what
  // the claims are checked against.
  sdk::Status compute_node_update(const sdk::RequestContext& ctx, const rpcapi::NodeReportMsg& report);

  // Registers the service on first sight and records the heartbeat; a
  // compute service's heartbeat is relayed to every scheduler.
  sdk::Status service_heartbeat(const sdk::RequestContext& ctx, const rpcapi::ServiceMsg& service);

  // Conductor RPC 1.2: many hosts' reports or heartbeats in one message (the
  // fake hosts of one process), each handled as the single methods above.
  // The reports: the hosts whose report failed (logged); the heartbeats: how
  // many failed (logged).
  std::vector<std::string> compute_node_update_batch(const sdk::RequestContext& ctx,
                                                     const rpcapi::NodeReportBatch& batch);
  std::size_t service_heartbeat_batch(const sdk::RequestContext& ctx, const rpcapi::ServiceHeartbeatBatch& batch);

 private:
  // action_event's database half, in `scope`.
  sdk::Status record_event(db::Scope scope, const sdk::RequestContext& ctx, const rpcapi::ActionEventMsg& event);
  // What an applied update implies beyond the row (an offloaded instance's
  // claim released); after its commit.
  void after_update(const sdk::RequestContext& ctx, const rpcapi::InstanceUpdateMsg& update);

  sdk::Status heartbeat_or_register(db::Scope scope, const std::string& rid, const std::string& host,
                                    const std::string& binary, const std::string& topic);
  // The database half of compute_node_update / service_heartbeat, in
  // `scope` (the batches run many in one transaction); the relay to the
  // schedulers is the caller's, after the commit.
  sdk::Result<db::ComputeNodeRecord> record_report(db::Scope scope, const std::string& rid,
                                                   const rpcapi::NodeReportMsg& report);
  sdk::Status record_heartbeat(db::Scope scope, const std::string& rid, const rpcapi::ServiceMsg& service);
  sdk::Status relay_report(const sdk::RequestContext& ctx, const rpcapi::NodeReportMsg& report,
                           const db::ComputeNodeRecord& node);

  db::Database& db_;
  const rpcapi::SchedulerRpcApi& scheduler_;
};

}  // namespace stratus::core::conductor
