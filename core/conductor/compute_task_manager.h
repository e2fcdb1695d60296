// ComputeTaskManager: the conductor's build and reschedule flow (Nova's
// nova/conductor/manager.py ComputeTaskManager, schedule_and_build_instances
// and the reschedule branch of build_instances).
//
//   build_instances     scheduler.select_destinations -> per instance: set
//                       host/node (only while still building/scheduling),
//                       cast compute.<host>.build_and_run_instance with the
//                       alternates; NoValidHost -> ERROR + fault + an Error
//                       event on the create action
//   reschedule_instance a host's build failed: give back its claim, claim the
//                       next alternate through the scheduler and cast there;
//                       none left -> ERROR + fault with the driver's message
//   reschedule_from_host a build whose host went down (the stuck sweep) or
//                       restarted (attempt 0 from that host) before it ran:
//                       take it from the host, give back the claim, record
//                       the failed attempt, and schedule it again without
//                       that host, until max_attempts; then ERROR + fault
//
// Neither returns anything to the caller (both are casts): every outcome is
// written to the database, the only place the user can see it. Each method
// runs on an RPC worker thread and blocks on the scheduler's calls.
// Thread-safety: stateless apart from the references it holds; any number
// of threads may run it at once.
#pragma once

#include <string>
#include <vector>

#include "core/conductor/conductor_options.h"
#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/messages.h"
#include "core/rpcapi/scheduler_rpcapi.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::conductor {

// The event a failed scheduling leaves on the instance's create action.
inline constexpr const char* kScheduleAndBuildEvent = "conductor_schedule_and_build_instances";
// The event of the conductor's part of an unshelve.
inline constexpr const char* kUnshelveEvent = "conductor_unshelve_instance";
// The compute host's build event (ComputeManager's kBuildEvent): a build lost
// with its host gets it finished as Error, on that host, by the conductor.
inline constexpr const char* kComputeBuildEvent = "compute__do_build_and_run_instance";
// The system metadata key holding the attempt number of the last build cast.
inline constexpr const char* kBuildAttemptKey = "build_attempt";
// The system metadata key holding the hosts a build was forced to (a zone
// "az:host", 2.74's host): such a build is not moved to another host, as
// Nova does not retry a forced build.
inline constexpr const char* kForcedHostsKey = "build_forced_hosts";
// The system metadata keys naming the conductor process that cast the last
// build ("host:pid", db::lease_holder_name) and the host it cast it to,
// written before the cast: the stuck sweep re-sends a placed build whose
// cast was lost with its conductor (StuckInstanceSweeper, issue #14).
inline constexpr const char* kBuildConductorKey = "build_conductor";
inline constexpr const char* kBuildHostKey = "build_host";
// The conductor's event on the create action when the sweep casts a placed
// build to its host again.
inline constexpr const char* kResendBuildEvent = "conductor_resend_build_and_run_instance";

class ComputeTaskManager {
 public:
  // Not owned; all must outlive the manager.
  ComputeTaskManager(db::Database& db, const rpcapi::SchedulerRpcApi& scheduler,
                     const rpcapi::ComputeRpcApi& compute, ConductorOptions options);

  // Schedules and builds the instances the API has recorded (building /
  // scheduling). Returns the scheduler's status when nothing could be placed
  // (the instances are then in ERROR with the fault), else OK; an instance
  // deleted meanwhile is skipped and its claim released.
  sdk::Status build_instances(const sdk::RequestContext& ctx, const rpcapi::BuildInstancesRequest& request);

  // Moves a failed build to its next alternate, or to ERROR. OK when the
  // instance was handed to a host or no longer needs one (deleted); the
  // reason otherwise (the instance is then in ERROR).
  // A request from a host the instance is no longer on (the conductor took
  // the build from it) is ignored; attempt 0 goes to reschedule_from_host.
  sdk::Status reschedule_instance(const sdk::RequestContext& ctx, const rpcapi::RescheduleRequest& request);

  // Nova's reschedule of a build to another host, for a build whose request
  // the host lost (it is down, or restarted): only while the instance is
  // building on `failed_host` (not deleting), it is taken from that host in
  // one guarded update (host cleared, task scheduling; the host's own later
  // updates, guarded by their host, are refused, so it never spawns it too),
  // its claim given back, a fault "Build of instance X was re-scheduled:
  // `why`" and an Error build event for that host recorded, and it is
  // scheduled again from its record, that host excluded, as attempt n + 1 of
  // options.max_attempts (n: the attempt recorded at the last cast). No
  // attempt left: ERROR with a fault saying so. Idempotent: a second call
  // (the sweep and the restarted host both) finds it no longer on the host
  // and does nothing. OK unless it ended in ERROR.
  sdk::Status reschedule_from_host(const sdk::RequestContext& ctx, const std::string& instance_uuid,
                                   const std::string& failed_host, const std::string& why);

  // Nova's unshelve_instance: a SHELVED instance (still on its host) is
  // handed back to that host; a SHELVED_OFFLOADED one is scheduled (to
  // `host` when given, in `availability_zone` or its own zone), its host,
  // node and zone set, and compute.<host>.unshelve_instance spawns it from
  // the snapshot named by its system metadata shelved_image_id. No host,
  // or no image: task None again, a fault, an Error event; the status.
  sdk::Status unshelve_instance(const sdk::RequestContext& ctx, const rpcapi::UnshelveRequest& request);

  // The stuck sweep's re-send of a placed build whose cast was lost with the
  // conductor that placed it: build_and_run_instance to the host it is on,
  // with its claim there and the attempt number recorded at the last cast
  // (so that a host which did get the first cast tells the two apart from a
  // new attempt and builds once), no alternates (the scheduler's list went
  // with that conductor) and the spec rebuilt from the record (hints and
  // injected files are not kept). Sent and recorded under the create
  // action's request id, with a kResendBuildEvent event on it. The cast's
  // status.
  sdk::Status resend_build(const sdk::RequestContext& ctx, const db::InstanceRecord& record);

 private:
  // Sets the instance to ERROR (task None), records the fault, and, with an
  // event name, an Error event on the request's action. Best effort: a
  // failure is logged, and an instance deleted meanwhile is left alone.
  void set_error(const sdk::RequestContext& ctx, const std::string& instance_uuid, const std::string& message,
                 const std::string& details, const std::string& fault_host, const char* event);

  // build_instances whose casts are attempt `attempt` (a reschedule from a
  // lost host continues the count).
  sdk::Status schedule_and_build(const sdk::RequestContext& ctx, const rpcapi::BuildInstancesRequest& request,
                                 std::int32_t attempt);

  // The fault and the failed build event of an attempt lost with its host.
  void record_lost_attempt(const sdk::RequestContext& ctx, const std::string& instance_uuid,
                           const std::string& failed_host, const std::string& why);

  // The attempt number the last cast of the instance recorded (1 if none).
  int recorded_attempt(const std::string& instance_uuid);
  // The hosts the build was forced to (kForcedHostsKey), "" when it was not.
  std::string forced_hosts(const std::string& instance_uuid);

  // Applies `update` (the instance's host and node) and records the attempt
  // number (and the spec's forced hosts) in its system metadata, in one
  // write. Returns the instance as placed; the update's error when a guard
  // does not hold (nothing written).
  sdk::Result<db::InstanceRecord> place(const std::string& rid, const std::string& instance_uuid,
                                        const db::InstanceUpdate& update, const sdk::RequestSpec& spec,
                                        std::int32_t attempt);
  // Casts build_and_run_instance of the instance `place` returned to `host`.
  sdk::Status cast_build(const sdk::RequestContext& ctx, const db::InstanceRecord& placed, const std::string& host,
                         const sdk::RequestSpec& spec, std::vector<rpcapi::DestinationMsg> alternates,
                         std::int32_t attempt, const rpcapi::GuestInjection& injection);

  // When another build_instances of this instance placed it first (a
  // duplicate delivery): keeps the claim where it was placed (claims it there
  // again, idempotent) and returns true; the caller must not release it.
  // False when the instance is gone or has no host.
  bool restore_winner_claim(const sdk::RequestContext& ctx, const std::string& instance_uuid);

  // Gives back the instance's claim in the database at once (the scheduler's
  // fanout release is asynchronous, and a claim of the next alternate must
  // not race with it).
  void release_claim_now(const std::string& rid, const std::string& instance_uuid);

  db::Database& db_;
  const rpcapi::SchedulerRpcApi& scheduler_;
  const rpcapi::ComputeRpcApi& compute_;
  const ConductorOptions options_;
};

}  // namespace stratus::core::conductor
