// ConductorService: the conductor as an RPC service, on topic "conductor"
// (a work queue: each message goes to one live conductor, round robin).
//
// It serves every conductor_method of rpcapi/topics.h at kConductorVersion:
// the build and reschedule flow (ComputeTaskManager) and the database proxy
// for compute services (ConductorManager). It talks to the scheduler and to
// compute hosts through the typed clients on the endpoint it is given.
// docs/conductor.md describes the flow.
//
// Lifetime: the database and the client endpoint must outlive the service;
// stop the endpoint the service is registered on before destroying it.
// Thread-safety: handlers run concurrently on the endpoint's workers; the
// service has no mutable state of its own.
#pragma once

#include "core/conductor/compute_task_manager.h"
#include "core/conductor/conductor_manager.h"
#include "core/conductor/conductor_options.h"
#include "core/conductor/stuck_instances.h"
#include "core/db/database.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/scheduler_rpcapi.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/sdk/status.h"

namespace stratus::core::conductor {

class ConductorService {
 public:
  // `endpoint` carries the conductor's calls and casts to the scheduler and
  // compute hosts; it may be the one the service is registered on.
  ConductorService(db::Database& db, rpc::Endpoint& endpoint, ConductorOptions options);
  ConductorService(const ConductorService&) = delete;
  ConductorService& operator=(const ConductorService&) = delete;

  // Serves topic "conductor" as server options.host on `endpoint`. Before
  // endpoint.start(); the endpoint's refusal otherwise.
  sdk::Status register_on(rpc::Endpoint& endpoint);

  ComputeTaskManager& compute_task_manager() { return tasks_; }
  ConductorManager& conductor_manager() { return manager_; }
  // The stuck-instance sweep; the node starts it once the endpoint serves,
  // and stops it before stopping the endpoint.
  StuckInstanceSweeper& stuck_instance_sweeper() { return sweeper_; }

 private:
  const ConductorOptions options_;
  rpcapi::SchedulerRpcApi scheduler_;
  rpcapi::ComputeRpcApi compute_;
  ComputeTaskManager tasks_;
  ConductorManager manager_;
  StuckInstanceSweeper sweeper_;
};

}  // namespace stratus::core::conductor
