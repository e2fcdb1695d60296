// GET /servers/{id}/diagnostics on the compute host: the driver's view of the
// guest (Nova's ComputeManager.get_instance_diagnostics). A read: it takes no
// instance lock and changes nothing.
#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"

namespace stratus::core::compute {

sdk::Result<sdk::Diagnostics> ComputeManager::get_diagnostics(const sdk::RequestContext& ctx,
                                                              const rpcapi::InstanceMsg& instance) {
  if (sdk::Status st = wait_until_running(ctx, "get_diagnostics"); !st.ok()) return st;
  // A plugin built before ABI 4 has no get_diagnostics in its vtable.
  if (options_.driver_abi_version < 4) {
    return sdk::Status::NotSupported("the driver of compute " + host_ + " (plugin ABI " +
                                     std::to_string(options_.driver_abi_version) + ") reports no diagnostics");
  }
  // Nova's get_instance_diagnostics: only of a running guest.
  const sdk::PowerState state = power_state_of(instance.instance);
  if (state != sdk::PowerState::kRunning) {
    return sdk::Status::InvalidState("Cannot 'get_diagnostics' instance " + instance.instance.uuid +
                                     " while it is in power state " + std::string(sdk::power_state_name(state)));
  }
  auto out = driver_->get_diagnostics(ctx, instance.instance);
  if (!out.ok()) {
    spdlog::info("[{}] instance {}: diagnostics: {}", ctx.request_id, instance.instance.uuid,
                 out.status().to_string());
  }
  return out;
}

}  // namespace stratus::core::compute
