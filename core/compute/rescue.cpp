// Rescue on the compute host (Nova's ComputeManager.rescue_instance and
// unrescue_instance): the guest boots a rescue system with its own disk
// attached, and comes back to its own disk. Both are casts (compute RPC
// 1.4) that walk their task state through run_action, so a failure clears
// the task, keeps the vm_state and leaves a fault, as Nova's
// reverts_task_state and wrap_instance_fault do.
#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"
#include "core/compute/instance_states.h"

namespace stratus::core::compute {

namespace {

namespace ts = task_state;
namespace vs = vm_state;

// The ABI that appended rescue and unrescue to VirtDriver (sdk/virt_driver.h).
constexpr std::uint32_t kRescueAbi = 7;

}  // namespace

sdk::Status ComputeManager::rescue_instance(const sdk::RequestContext& ctx, const rpcapi::RescueRequest& request) {
  const std::uint32_t abi = options_.driver_abi_version;
  // Nova records launched_at again when the rescue system is up.
  return run_action(ctx, {"rescue_instance", {}, {ts::kRescuing}, vs::kRescued, true}, request.instance,
                    [&](const sdk::Instance& i) -> sdk::Status {
                      // A plugin built before ABI 7 has no rescue in its vtable: never call it.
                      if (abi < kRescueAbi) {
                        return sdk::Status::NotSupported("rescue: the driver of compute " + host_ + " (plugin ABI " +
                                                         std::to_string(abi) + ") cannot rescue");
                      }
                      // The rescue image's data (and its kernel and ramdisk) on this host first.
                      if (options_.image_fetcher) {
                        if (sdk::Status st = options_.image_fetcher->fetch(ctx, request.image); !st.ok()) return st;
                      }
                      return driver_->rescue(ctx, i, request.instance.network_info, request.image,
                                             request.admin_password);
                    });
}

sdk::Status ComputeManager::unrescue_instance(const sdk::RequestContext& ctx, const rpcapi::InstanceMsg& instance) {
  const std::uint32_t abi = options_.driver_abi_version;
  return run_action(ctx, {"unrescue_instance", {}, {ts::kUnrescuing}, vs::kActive}, instance,
                    [&](const sdk::Instance& i) -> sdk::Status {
                      if (abi < kRescueAbi) {
                        return sdk::Status::NotSupported("unrescue: the driver of compute " + host_ +
                                                         " (plugin ABI " + std::to_string(abi) + ") cannot unrescue");
                      }
                      return driver_->unrescue(ctx, i, instance.network_info);
                    });
}

}  // namespace stratus::core::compute
