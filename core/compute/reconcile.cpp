// Reconcile on start (Nova's init_host -> _init_instance): a restart ends
// every operation that was in progress on this host, so each instance left
// with a task is brought to a state no operation has to finish.
#include <string>

#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"
#include "core/compute/instance_states.h"

namespace stratus::core::compute {

namespace {
namespace ts = task_state;
namespace vs = vm_state;
}  // namespace

void ComputeManager::init_instances(const sdk::RequestContext& ctx) {
  // A conductor busy with a storm (or restarting itself) can miss the first
  // listing; without it nothing is reconciled, so it is tried a few times,
  // each bounded by the RPC call timeout.
  constexpr int kListingAttempts = 3;
  auto instances = conductor_.instance_get_all_by_host(ctx, host_);
  for (int attempt = 2; !instances.ok() && attempt <= kListingAttempts; ++attempt) {
    {
      std::lock_guard lock(mutex_);
      if (state_ != State::kStarting) break;  // stopped while starting
    }
    spdlog::warn("[{}] compute {}: listing its instances failed ({}); attempt {} of {}", ctx.request_id, host_,
                 instances.status().to_string(), attempt, kListingAttempts);
    instances = conductor_.instance_get_all_by_host(ctx, host_);
  }
  if (!instances.ok()) {
    spdlog::error("[{}] compute {}: cannot list its instances, none reconciled: {}", ctx.request_id, host_,
                  instances.status().to_string());
    return;
  }
  spdlog::info("[{}] compute {}: reconciling {} instance(s)", ctx.request_id, host_, instances->size());
  for (const rpcapi::InstanceMsg& msg : instances.value()) {
    auto guard = locks_.lock(msg.instance.uuid);
    init_instance(ctx, msg);
  }
}

void ComputeManager::init_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg) {
  const std::string& uuid = msg.instance.uuid;
  const std::string task = msg.task_state.value_or("");
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.set_task_state = true;  // to None
  u.expected_task_state = {task};

  // A delete the restart interrupted: finish it.
  if (task == ts::kDeleting) {
    spdlog::info("[{}] instance {}: was being deleted; finishing the delete", ctx.request_id, uuid);
    (void)delete_instance(ctx, msg, false);
    return;
  }

  // A build the restart interrupted (queued or running) cannot be resumed:
  // whatever the driver had made goes, and the build is handed back to the
  // conductor, which schedules it again elsewhere (attempt 0: this host lost
  // the request) or, with its attempts used up, sets ERROR. Only when that
  // cannot be done (the guest would not go, no conductor took the request)
  // is it ERROR here.
  const bool building = msg.vm_state == vs::kBuilding;
  if (building) {
    const std::string why = "instance was building when compute host " + host_ + " restarted";
    if (destroy_guest(ctx, msg).ok()) {
      rpcapi::RescheduleRequest r;
      r.instance_uuid = uuid;
      r.failed_host = host_;
      r.fault_message = why;
      r.attempt = 0;
      const sdk::Status sent = conductor_.reschedule_instance(ctx, r);
      if (sent.ok()) {
        spdlog::warn("[{}] instance {}: was building when {} restarted; handed back to the conductor",
                     ctx.request_id, uuid, host_);
        return;
      }
      spdlog::warn("[{}] instance {}: reschedule request failed: {}", ctx.request_id, uuid, sent.to_string());
    }
  }
  // A rebuild (or a build that could not be handed back): ERROR with a fault.
  if (building || task == ts::kRebuilding || task == ts::kRebuildSpawning) {
    const std::string what = building ? "building" : "rebuilding";
    spdlog::warn("[{}] instance {}: was {} when {} restarted; setting ERROR", ctx.request_id, uuid, what, host_);
    u.vm_state = std::string(vs::kError);
    u.expected_host = host_;
    u.power_state = power_state_of(msg.instance);
    // The fault first: whoever sees ERROR finds it.
    record_fault(ctx, uuid,
                 sdk::Status::Internal("instance was " + what + " when compute host " + host_ + " restarted"));
    (void)update(ctx, u);
    return;
  }

  // Any other task (rebooting, powering-off, pausing, ...): the driver's
  // answer is all that is left of it. Drop the task, then let the power
  // sync settle vm_state from the guest's real state.
  if (msg.task_state) {
    spdlog::info("[{}] instance {}: clearing task_state {} left by a restart", ctx.request_id, uuid, task);
    auto r = update(ctx, u);
    if (r.ok()) sync_instance_power_state(ctx, r.value());
  }
  // No task (soft-deleted included): nothing was in progress.
}

}  // namespace stratus::core::compute
