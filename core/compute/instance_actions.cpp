// The instance actions (Nova's reboot_instance, stop_instance, ...,
// terminate_instance, get_console_output): each one walks its task states,
// calls the driver, and records the outcome as an action event.
#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"
#include "core/compute/console_tail.h"
#include "core/compute/instance_states.h"

namespace stratus::core::compute {

namespace {

namespace ts = task_state;
namespace vs = vm_state;

// Nova's clean shutdown of stop / soft delete (CONF.shutdown_timeout and
// its retry interval).
constexpr std::int32_t kShutdownTimeoutS = 60;
constexpr std::int32_t kShutdownRetryIntervalS = 10;

std::string event_name(std::string_view method) { return "compute_" + std::string(method); }

std::vector<std::string> to_strings(const std::vector<std::string_view>& names) {
  return {names.begin(), names.end()};
}

}  // namespace

sdk::Status ComputeManager::run_action(const sdk::RequestContext& ctx, const ActionSpec& spec,
                                       const rpcapi::InstanceMsg& msg, const DriverOp& op) {
  const std::string& uuid = msg.instance.uuid;
  const std::string event = event_name(spec.method);
  if (sdk::Status st = wait_until_running(ctx, spec.method); !st.ok()) return st;
  std::optional<InstanceLocks::Guard> guard(locks_.lock(uuid));
  spdlog::info("[{}] instance {}: {}", ctx.request_id, uuid, spec.method);
  record_event(ctx, uuid, event, false);
  // The finish event is the last word: the instance is free by then.
  const auto finish = [&](const sdk::Status& result) {
    guard.reset();
    record_event(ctx, uuid, event, true, result);
  };

  // Take the task: from what the API set, or from none.
  rpcapi::InstanceMsg current = msg;
  std::string_view task;  // the task state held now
  for (std::size_t i = 0; i < spec.tasks.size(); ++i) {
    rpcapi::InstanceUpdateMsg u;
    u.instance_uuid = uuid;
    u.set_task_state = true;
    u.task_state = std::string(spec.tasks[i]);
    if (i == 0) {
      u.expected_task_state = to_strings(spec.accepted);
      u.expected_task_state.emplace_back(ts::kNone);
      u.expected_task_state.emplace_back(spec.tasks[0]);
    } else {
      u.expected_task_state = {std::string(task)};
    }
    auto r = update(ctx, u);
    if (!r.ok()) {
      // Another operation owns the instance, or it is gone: leave its state
      // to that operation.
      const sdk::Status refused(r.status().code(), std::string(spec.method) + " refused: " + r.status().message());
      spdlog::warn("[{}] instance {}: {}", ctx.request_id, uuid, refused.to_string());
      if (!r.status().is(sdk::StatusCode::kNotFound)) record_fault(ctx, uuid, refused);
      finish(refused);
      return refused;
    }
    if (i == 0) current = std::move(r).value();
    task = spec.tasks[i];
  }

  const sdk::Status done = op(msg.instance);
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.set_task_state = true;
  u.power_state = power_state_of(msg.instance);
  u.expected_task_state = {std::string(task)};
  if (!done.ok()) {
    // Back where it was (Nova's reverts_task_state), with the guest's real
    // power state and a fault saying why.
    spdlog::error("[{}] instance {}: {} failed: {}", ctx.request_id, uuid, spec.method, done.to_string());
    u.vm_state = current.vm_state;
    record_fault(ctx, uuid, done);  // first, so the fault is there when the task state clears
    if (auto r = update(ctx, u); !r.ok()) {
      spdlog::warn("[{}] instance {}: could not revert the task state: {}", ctx.request_id, uuid,
                   r.status().to_string());
    }
    finish(done);
    return done;
  }
  u.vm_state = std::string(spec.done_vm_state);
  u.set_launched_at = spec.set_launched_at;
  if (auto r = update(ctx, u); !r.ok()) {
    // Deleted meanwhile: the delete owns it now.
    finish(r.status());
    return r.status();
  }
  spdlog::info("[{}] instance {}: {} done: vm_state={} power={}", ctx.request_id, uuid, spec.method,
               spec.done_vm_state, sdk::power_state_name(*u.power_state));
  finish(sdk::Status::OK());
  return sdk::Status::OK();
}

sdk::Status ComputeManager::reboot_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                                            const std::string& reboot_type) {
  ActionSpec spec{"reboot_instance", {ts::kRebooting, ts::kRebootPending, ts::kRebootStarted},
                  {ts::kRebootStarted}, vs::kActive};
  sdk::RebootType type = sdk::RebootType::kSoft;
  if (reboot_type == "HARD") {
    type = sdk::RebootType::kHard;
    // A hard reboot may take over from a soft one that hangs (Nova).
    spec.accepted.insert(spec.accepted.end(), {ts::kRebootingHard, ts::kRebootPendingHard, ts::kRebootStartedHard});
    spec.tasks = {ts::kRebootStartedHard};
  } else if (reboot_type != "SOFT") {
    const sdk::Status bad = sdk::Status::InvalidArgument("reboot type '" + reboot_type + "' is not SOFT or HARD");
    spdlog::warn("[{}] instance {}: {}", ctx.request_id, instance.instance.uuid, bad.to_string());
    return bad;
  }
  return run_action(ctx, spec, instance, [&](const sdk::Instance& i) {
    return driver_->reboot(ctx, i, instance.network_info, type, {});
  });
}

sdk::Status ComputeManager::stop_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"stop_instance", {}, {ts::kPoweringOff}, vs::kStopped}, instance,
                    [&](const sdk::Instance& i) {
                      return driver_->power_off(ctx, i, kShutdownTimeoutS, kShutdownRetryIntervalS);
                    });
}

sdk::Status ComputeManager::start_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"start_instance", {}, {ts::kPoweringOn}, vs::kActive}, instance,
                    [&](const sdk::Instance& i) { return driver_->power_on(ctx, i, instance.network_info, {}); });
}

sdk::Status ComputeManager::pause_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"pause_instance", {}, {ts::kPausing}, vs::kPaused}, instance,
                    [&](const sdk::Instance& i) { return driver_->pause(ctx, i); });
}

sdk::Status ComputeManager::unpause_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"unpause_instance", {}, {ts::kUnpausing}, vs::kActive}, instance,
                    [&](const sdk::Instance& i) { return driver_->unpause(ctx, i); });
}

sdk::Status ComputeManager::suspend_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"suspend_instance", {}, {ts::kSuspending}, vs::kSuspended}, instance,
                    [&](const sdk::Instance& i) { return driver_->suspend(ctx, i); });
}

sdk::Status ComputeManager::resume_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"resume_instance", {}, {ts::kResuming}, vs::kActive}, instance,
                    [&](const sdk::Instance& i) { return driver_->resume(ctx, i, instance.network_info, {}); });
}

sdk::Status ComputeManager::soft_delete_instance(const sdk::RequestContext& ctx,
                                                 const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"soft_delete_instance", {}, {ts::kSoftDeleting}, vs::kSoftDeleted}, instance,
                    [&](const sdk::Instance& i) {
                      return driver_->power_off(ctx, i, kShutdownTimeoutS, kShutdownRetryIntervalS);
                    });
}

sdk::Status ComputeManager::restore_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  return run_action(ctx, {"restore_instance", {}, {ts::kRestoring}, vs::kActive}, instance,
                    [&](const sdk::Instance& i) { return driver_->power_on(ctx, i, instance.network_info, {}); });
}

sdk::Status ComputeManager::rebuild_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance,
                                             const sdk::ImageMeta& image) {
  // Nova: a server rebuilt from STOPPED is powered off again and stays STOPPED.
  const bool was_stopped = instance.vm_state == vs::kStopped;
  return run_action(ctx,
                    {"rebuild_instance", {}, {ts::kRebuilding, ts::kRebuildSpawning},
                     was_stopped ? vs::kStopped : vs::kActive, true},
                    instance, [&](const sdk::Instance& i) {
                      sdk::Status rebuilt = driver_->rebuild(ctx, i, image, {}, "", instance.network_info, {}, false);
                      if (!rebuilt.ok() || !was_stopped) return rebuilt;
                      return driver_->power_off(ctx, i, kShutdownTimeoutS, kShutdownRetryIntervalS);
                    });
}

sdk::Status ComputeManager::terminate_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  if (sdk::Status st = wait_until_running(ctx, "terminate_instance"); !st.ok()) return st;
  auto guard = locks_.lock(instance.instance.uuid);
  return delete_instance(ctx, instance, true);
}

sdk::Status ComputeManager::delete_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg,
                                            bool record_events) {
  const std::string& uuid = msg.instance.uuid;
  const std::string event = event_name("terminate_instance");
  spdlog::info("[{}] instance {}: deleting on {}", ctx.request_id, uuid, host_);
  if (record_events) record_event(ctx, uuid, event, false);
  if (sdk::Status st = destroy_guest(ctx, msg); !st.ok()) {
    // Nova: a delete whose guest cannot be destroyed leaves the instance in
    // ERROR, so that the user sees it and can delete again.
    rpcapi::InstanceUpdateMsg u;
    u.instance_uuid = uuid;
    u.vm_state = std::string(vs::kError);
    u.set_task_state = true;
    u.power_state = power_state_of(msg.instance);
    record_fault(ctx, uuid, st);  // first: whoever sees ERROR finds the fault
    (void)update(ctx, u);
    if (record_events) record_event(ctx, uuid, event, true, st);
    return st;
  }
  sdk::Status destroyed = conductor_.instance_destroy(ctx, uuid);
  if (!destroyed.ok()) {
    spdlog::error("[{}] instance {}: guest destroyed but the instance could not be: {}", ctx.request_id, uuid,
                  destroyed.to_string());
  } else {
    spdlog::info("[{}] instance {}: deleted", ctx.request_id, uuid);
  }
  if (record_events) record_event(ctx, uuid, event, true, destroyed);
  request_resource_report();
  return destroyed;
}

sdk::Result<std::string> ComputeManager::get_console_output(const sdk::RequestContext& ctx,
                                                            const rpcapi::InstanceMsg& instance,
                                                            std::int32_t tail_length) {
  auto out = driver_->get_console_output(ctx, instance.instance);
  if (!out.ok()) {
    spdlog::info("[{}] instance {}: console output: {}", ctx.request_id, instance.instance.uuid,
                 out.status().to_string());
    return out.status();
  }
  return tail_lines(out.value(), tail_length);
}

}  // namespace stratus::core::compute
