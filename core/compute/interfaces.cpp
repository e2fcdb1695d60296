// Port hot-plug and crash dumps on the compute host (Nova's
// ComputeManager.attach_interface, detach_interface and trigger_crash_dump).
// All three are calls: the API waits for the driver's answer, so a driver
// that cannot do it is refused to the user (400, as Nova's
// AttachInterfaceNotSupported and TriggerCrashDumpNotSupported) instead of
// failing silently after a 202. Each records its action event
// ("compute_attach_interface", ...) and, for a driver failure other than
// "not supported", an instance fault, as Nova's wrap_instance_fault does.
// The port's database records are the API's business; the host only plugs.
#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"

namespace stratus::core::compute {

namespace {

// The ABI that appended attach_interface, detach_interface and
// trigger_crash_dump to VirtDriver (sdk/virt_driver.h).
constexpr std::uint32_t kInterfacesAbi = 6;

std::string event_name(std::string_view method) { return "compute_" + std::string(method); }

}  // namespace

sdk::Status ComputeManager::driver_call(const sdk::RequestContext& ctx, std::string_view method,
                                        const std::string& uuid, const std::function<sdk::Status()>& op) {
  if (sdk::Status st = wait_until_running(ctx, method); !st.ok()) return st;
  const std::string event = event_name(method);
  sdk::Status result;
  {
    auto guard = locks_.lock(uuid);
    record_event(ctx, uuid, event, false);
    // A plugin built before ABI 6 has no such entry in its vtable: never call it.
    if (options_.driver_abi_version < kInterfacesAbi) {
      result = sdk::Status::NotSupported(std::string(method) + ": the driver of compute " + host_ + " (plugin ABI " +
                                         std::to_string(options_.driver_abi_version) + ") cannot do it");
    } else {
      result = op();
    }
  }
  if (result.ok()) {
    spdlog::info("[{}] instance {}: {} done", ctx.request_id, uuid, method);
  } else {
    spdlog::warn("[{}] instance {}: {} failed: {}", ctx.request_id, uuid, method, result.to_string());
    if (!result.is(sdk::StatusCode::kNotSupported) && !result.is(sdk::StatusCode::kNotFound)) {
      record_fault(ctx, uuid, result);
    }
  }
  record_event(ctx, uuid, event, true, result);
  return result;
}

sdk::Status ComputeManager::attach_interface(const sdk::RequestContext& ctx, const rpcapi::InterfaceRequest& request) {
  const sdk::Instance& instance = request.instance.instance;
  return driver_call(ctx, "attach_interface", instance.uuid, [&]() -> sdk::Status {
    // The port's rules first, so the device is plugged behind its filter.
    if (sdk::Status st = apply_security_groups(ctx, instance, request.port_security); !st.ok()) return st;
    return driver_->attach_interface(ctx, instance, request.vif);
  });
}

sdk::Status ComputeManager::detach_interface(const sdk::RequestContext& ctx, const rpcapi::InterfaceRequest& request) {
  const sdk::Instance& instance = request.instance.instance;
  return driver_call(ctx, "detach_interface", instance.uuid, [&]() -> sdk::Status {
    if (sdk::Status st = driver_->detach_interface(ctx, instance, request.vif); !st.ok()) return st;
    // The remaining ports' rules; the detached port's filter goes with them.
    // A failure here leaves the port unplugged (the next refresh repairs
    // the rules), so it is logged, not returned.
    if (sdk::Status st = apply_security_groups(ctx, instance, request.port_security); !st.ok()) {
      spdlog::warn("[{}] instance {}: rules after detaching port {}: {}", ctx.request_id, instance.uuid,
                   request.vif.id, st.to_string());
    }
    return sdk::Status::OK();
  });
}

sdk::Status ComputeManager::trigger_crash_dump(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& msg) {
  // Nova changes neither task_state nor power_state here: what the guest
  // does with the NMI is its own configuration's business.
  return driver_call(ctx, "trigger_crash_dump", msg.instance.uuid,
                     [&]() { return driver_->trigger_crash_dump(ctx, msg.instance); });
}

}  // namespace stratus::core::compute
