// The build path (Nova's build_and_run_instance -> _do_build_and_run_instance
// -> _build_and_run_instance): the state walk, the spawn, and what a failure
// or a concurrent delete leads to.
#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"
#include "core/compute/instance_states.h"
#include "core/metrics/service_metrics.h"

namespace stratus::core::compute {

namespace {

std::vector<std::string> states(std::initializer_list<std::string_view> names) {
  std::vector<std::string> out;
  for (std::string_view n : names) out.emplace_back(n);
  return out;
}

// The instance_update that moves a build on `host` to `task` from
// `expected`. Every step is guarded by the host: a build the conductor moved
// elsewhere (this host was judged down) is refused here, never run twice.
rpcapi::InstanceUpdateMsg build_step(const std::string& uuid, const std::string& host, std::string_view task,
                                     std::initializer_list<std::string_view> expected) {
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.expected_host = host;
  u.vm_state = std::string(vm_state::kBuilding);
  u.set_task_state = true;
  if (!task.empty()) u.task_state = std::string(task);
  u.expected_task_state = states(expected);
  return u;
}

// A refused guard or a vanished instance: the API deleted it meanwhile (or
// the conductor moved it to another host).
bool deleted_meanwhile(const sdk::Status& st) {
  return st.is(sdk::StatusCode::kNotFound) || st.is(sdk::StatusCode::kInvalidState);
}

// Failures that another host would hit too (Nova's BuildAbortException:
// the image or the request is unusable), so no alternate is tried.
// The conductor never answered (the update may or may not have been applied).
bool no_answer(const sdk::Status& st) {
  return st.is(sdk::StatusCode::kUnavailable) || st.is(sdk::StatusCode::kTimeout);
}

bool aborts_build(const sdk::Status& st) {
  return st.is(sdk::StatusCode::kInvalidArgument) || st.is(sdk::StatusCode::kNotSupported);
}

}  // namespace

sdk::Status ComputeManager::build_and_run_instance(const sdk::RequestContext& ctx,
                                                   rpcapi::BuildAndRunRequest request) {
  const std::string uuid = request.instance.instance.uuid;
  if (stopping()) {
    send_reschedule(ctx, request, "compute host " + host_ + " is stopping", true);
    return sdk::Status::Unavailable("compute " + host_ + " is stopping");
  }
  // The same attempt delivered again (the sweep re-sent a cast it believed
  // lost with its conductor): the first delivery builds it.
  if (!accepted_builds_.accept(uuid, request.attempt)) {
    spdlog::info("[{}] instance {}: attempt {} already accepted on {}; this second delivery is dropped",
                 ctx.request_id, uuid, request.attempt, host_);
    return sdk::Status::OK();
  }
  auto shared = std::make_shared<const rpcapi::BuildAndRunRequest>(std::move(request));
  const bool queued = builds_.submit(BuildPool::Job{
      [this, ctx, shared] { do_build_and_run_instance(ctx, *shared); },
      [this, ctx, shared] {
        send_reschedule(ctx, *shared, "compute host " + host_ + " stopped before the build started", true);
      }});
  if (!queued) {
    send_reschedule(ctx, *shared, "compute host " + host_ + " is stopping", true);
    return sdk::Status::Unavailable("compute " + host_ + " is stopping");
  }
  const auto stats = builds_.stats();
  spdlog::info("[{}] instance {}: build queued on {} ({} running, {} waiting)", ctx.request_id, uuid, host_,
               stats.running, stats.queued);
  return sdk::Status::OK();
}

void ComputeManager::do_build_and_run_instance(const sdk::RequestContext& ctx,
                                               const rpcapi::BuildAndRunRequest& request) {
  const rpcapi::InstanceMsg& msg = request.instance;
  const sdk::Instance& instance = msg.instance;
  const std::string& uuid = instance.uuid;
  std::optional<InstanceLocks::Guard> guard(locks_.lock(uuid));
  // The finish event is the last word on the build: by then the instance is
  // free for the next operation (and for the power sync).
  const auto finish = [&](const sdk::Status& result) {
    guard.reset();
    record_event(ctx, uuid, kBuildEvent, true, result);
  };

  // The event's start and the walk up to spawning: building/None, from
  // scheduling (first attempt) or None (a reschedule); an instance the API
  // deleted, or that reconcile put in ERROR, stays so. Nothing happens
  // between these steps (the ports were made by the conductor, the block
  // devices are in the request), so they go to the conductor in one message
  // and one transaction: each is still checked and written in Nova's order,
  // and `spawning` is committed before the driver's spawn starts, so a user
  // who polls a slow spawn sees it for as long as it lasts.
  auto first = build_step(uuid, host_, task_state::kNone, {task_state::kScheduling, task_state::kNone});
  first.expected_vm_state = states({vm_state::kBuilding});
  rpcapi::InstanceStepsMsg walk;
  walk.instance_uuid = uuid;
  walk.steps = {
      rpcapi::InstanceStepMsg::of(event_msg(ctx, uuid, kBuildEvent, false)),
      rpcapi::InstanceStepMsg::of(std::move(first)),
      rpcapi::InstanceStepMsg::of(build_step(uuid, host_, task_state::kNetworking, {task_state::kNone})),
      rpcapi::InstanceStepMsg::of(
          build_step(uuid, host_, task_state::kBlockDeviceMapping, {task_state::kNetworking})),
      rpcapi::InstanceStepMsg::of(
          build_step(uuid, host_, task_state::kSpawning, {task_state::kBlockDeviceMapping})),
  };
  const sdk::Status step = send_steps(ctx, walk);
  if (!step.ok()) {
    if (deleted_meanwhile(step)) {
      spdlog::info("[{}] instance {}: deleted (or no longer building) before it was spawned; build stopped",
                   ctx.request_id, uuid);
      finish(sdk::Status::NotFound("instance disappeared during build"));
    } else {
      reschedule(ctx, request, step, true);
      finish(step);
    }
    return;
  }

  if (options_.image_fetcher) {
    const sdk::Status fetched = options_.image_fetcher->fetch(ctx, request.image);
    if (!fetched.ok()) {
      spdlog::error("[{}] instance {}: {}", ctx.request_id, uuid, fetched.message());
      reschedule(ctx, request, fetched, true);
      finish(fetched);
      return;
    }
  }

  // The guest is created with its filters in place (Nova's
  // setup_basic_filtering before spawn): a refused rule set fails the build.
  if (!request.port_security.empty()) {
    const sdk::Status filtered = apply_security_groups(ctx, instance, request.port_security);
    if (!filtered.ok()) {
      reschedule(ctx, request, filtered, !aborts_build(filtered));
      finish(filtered);
      return;
    }
  }

  spdlog::info("[{}] instance {}: spawning on {} ({} injected file(s){})", ctx.request_id, uuid, host_,
               request.injection.files.size(), request.injection.admin_password.empty() ? "" : ", admin password");
  const sdk::Status spawned = driver_->spawn(ctx, instance, request.image, request.injection.files,
                                             request.injection.admin_password, msg.network_info,
                                             request.block_device_info);
  if (!spawned.ok()) {
    spdlog::error("[{}] instance {}: spawn failed on {}: {}", ctx.request_id, uuid, host_, spawned.to_string());
    (void)destroy_guest(ctx, msg);  // a driver must leave nothing, but a crash may have
    reschedule(ctx, request, spawned, !aborts_build(spawned));
    finish(spawned);
    return;
  }

  rpcapi::InstanceUpdateMsg done;
  done.instance_uuid = uuid;
  done.vm_state = std::string(vm_state::kActive);
  done.set_task_state = true;
  done.power_state = power_state_of(instance);
  done.set_launched_at = true;
  done.expected_task_state = states({task_state::kSpawning});
  done.expected_host = host_;
  // Active and the event's finish (success) in one message; the lock goes
  // once both are stored. A refused or unanswered update leaves the finish
  // to the paths below, with the failure.
  rpcapi::InstanceStepsMsg end;
  end.instance_uuid = uuid;
  end.steps = {rpcapi::InstanceStepMsg::of(done),
               rpcapi::InstanceStepMsg::of(event_msg(ctx, uuid, kBuildEvent, true))};
  const sdk::Status finished = send_steps(ctx, end);
  if (!finished.ok() && no_answer(finished)) {
    // No conductor answered within the retry window (one restarting slowly
    // under load). The update may have been applied with its reply lost: the
    // record may say ACTIVE. Destroying the guest then left an ACTIVE server
    // with no guest, which the power sync turned SHUTOFF for good (the chaos
    // conductor round's "unsettled" servers). So the guest stays: either the
    // record says ACTIVE and is right, or it still says spawning and the
    // conductor's sweep ends it in ERROR after instance_build_timeout (a
    // delete then removes the guest). Nothing is left in BUILD either way.
    spdlog::warn("[{}] instance {}: no conductor confirmed it active ({}); the guest is kept", ctx.request_id,
                 uuid, finished.to_string());
    finish(finished);
    request_resource_report();
    return;
  }
  if (!finished.ok()) {
    // Deleted while spawning, or moved to another host by the conductor:
    // nothing may be left running that no instance owns.
    spdlog::warn("[{}] instance {}: could not be marked active ({}); destroying the guest", ctx.request_id, uuid,
                 finished.to_string());
    (void)destroy_guest(ctx, msg);
    if (deleted_meanwhile(finished)) {
      request_resource_report();
    } else {
      reschedule(ctx, request, finished, true);  // as Nova's _build_resources does
    }
    finish(finished);
    return;
  }
  guard.reset();
  spdlog::info("[{}] instance {}: active on {} (power {})", ctx.request_id, uuid, host_,
               sdk::power_state_name(*done.power_state));
  metrics::count_build(metrics::BuildOutcome::kActive);
  request_resource_report();
}

void ComputeManager::reschedule(const sdk::RequestContext& ctx, const rpcapi::BuildAndRunRequest& request,
                                const sdk::Status& failure, bool retry_elsewhere) {
  const std::string& uuid = request.instance.instance.uuid;
  // Back to scheduling, as Nova does before it asks the conductor; the
  // guard also tells us whether the API deleted the instance meanwhile.
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.set_task_state = true;
  u.task_state = std::string(task_state::kScheduling);
  u.expected_task_state = states({task_state::kNone, task_state::kNetworking, task_state::kBlockDeviceMapping,
                                  task_state::kSpawning, task_state::kScheduling});
  u.expected_vm_state = states({vm_state::kBuilding});
  u.expected_host = host_;
  if (auto r = update(ctx, u); !r.ok() && deleted_meanwhile(r.status())) {
    spdlog::info("[{}] instance {}: deleted during its failed build; not rescheduled", ctx.request_id, uuid);
    request_resource_report();
    return;
  }
  if (!retry_elsewhere) {
    spdlog::info("[{}] instance {}: the failure is not host-specific; no alternate offered", ctx.request_id, uuid);
  }
  send_reschedule(ctx, request, failure.message().empty() ? failure.to_string() : failure.message(),
                  retry_elsewhere);
  request_resource_report();
}

void ComputeManager::send_reschedule(const sdk::RequestContext& ctx, const rpcapi::BuildAndRunRequest& request,
                                     const std::string& why, bool offer_alternates) {
  rpcapi::RescheduleRequest r;
  r.instance_uuid = request.instance.instance.uuid;
  r.spec = request.spec;
  if (offer_alternates) r.alternates = request.alternates;
  r.failed_host = host_;
  r.fault_message = why;
  r.attempt = request.attempt;
  r.injection = request.injection;
  spdlog::warn("[{}] instance {}: build failed on {} ({}); asking the conductor to reschedule ({} alternate(s))",
               ctx.request_id, r.instance_uuid, host_, why, r.alternates.size());
  if (sdk::Status st = conductor_.reschedule_instance(ctx, r); !st.ok()) {
    spdlog::error("[{}] instance {}: reschedule request failed: {}", ctx.request_id, r.instance_uuid,
                  st.to_string());
  }
}

}  // namespace stratus::core::compute
