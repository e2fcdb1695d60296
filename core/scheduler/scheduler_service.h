// SchedulerService: the scheduler as an RPC service (Nova's
// nova/scheduler/manager.py SchedulerManager) - the FilterScheduler, the
// database-backed claimer every scheduler shares, and this scheduler's own
// HostStateCache, served on topic "scheduler".
//
// Methods (rpcapi/topics.h scheduler_method, at kSchedulerVersion):
//   select_destinations (call)  place a request; NoValidHost as remote type
//                               "NoValidHost" with the filter that emptied the list
//   claim (call)                claim one alternate for a reschedule; "Conflict"
//                               when it has no room left
//   release (fanout)            forget an instance's consumption in the cache; the
//                               sender has released its claim in the database
//                               first (a release that deleted it here would
//                               race the sender's next claim of that instance)
//   update_node (fanout)        a compute node's report, relayed by the conductor
//   service_heartbeat (fanout)  a compute service is alive
//   service_set_disabled (fanout) the operator (en|dis)abled a compute service
// The fanout methods reach every scheduler, so each cache stays current;
// claims go to the database, so schedulers never overfill a node together.
//
// Lifetime: the service must outlive the endpoint it is registered on (stop
// the endpoint first). Thread-safety: handlers run on the endpoint's worker
// threads concurrently; the cache, scheduler and claimer lock themselves.
#pragma once

#include <memory>

#include "core/config/config.h"
#include "core/db/database.h"
#include "core/plugin/plugin_registry.h"
#include "core/scheduler/db_claimer.h"
#include "core/scheduler/filter_scheduler.h"
#include "core/scheduler/host_state_cache.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::scheduler {

class SchedulerService {
 public:
  // Builds the filter and weigher chains from config.scheduler and the
  // [filter.<name>] / [weigher.<name>] tables (failing with the registry's
  // message naming the plugin), with host_subset_size, max_attempts and
  // service_down_time from the config. `db` must outlive the service.
  // `clock` is the cache's liveness clock (tests pass a manual one).
  static sdk::Result<std::unique_ptr<SchedulerService>> create(const PluginRegistry& registry, const Config& config,
                                                               db::Database& db,
                                                               HostStateCache::Clock clock = {});

  SchedulerService(const SchedulerService&) = delete;
  SchedulerService& operator=(const SchedulerService&) = delete;

  // Serves topic "scheduler" as server `config.host` on `endpoint`.
  // Before endpoint.start(); the endpoint's error otherwise.
  sdk::Status register_on(rpc::Endpoint& endpoint);

  // Fills the cache from the compute_nodes and services tables (inventory,
  // usage as claimed, allocation ratios, disabled flags) and the instances
  // table (instances per host), so a restarted scheduler can place requests
  // before the next reports arrive. A node whose compute service is missing,
  // forced down, or silent for longer than service_down_time is left out:
  // it is down, and its next report brings it back. The zone, capabilities
  // and supported instances are not in the database and come with that
  // report. Call before register_on's endpoint starts; safe to call again.
  sdk::Status load_from_database();

  // Reads every host aggregate and hands them to the host state cache
  // (zones and aggregate metadata for the filters). Done per request.
  sdk::Status refresh_aggregates();

  FilterScheduler& filter_scheduler() { return *scheduler_; }
  HostStateCache& host_state_cache() { return *cache_; }

 private:
  SchedulerService(db::Database& db, std::string host, std::chrono::seconds service_down_time,
                   HostStateCache::Clock clock);

  db::Database& db_;
  const std::string host_;
  const std::chrono::seconds service_down_time_;
  std::unique_ptr<HostStateCache> cache_;
  DbClaimer claimer_;
  std::unique_ptr<FilterScheduler> scheduler_;
};

}  // namespace stratus::core::scheduler
