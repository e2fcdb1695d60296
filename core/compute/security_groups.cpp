// Security-group enforcement on the compute host (Nova's
// refresh_instance_security_rules and the firewall setup before spawn):
// the core hands the driver the full rule list of the instance's ports and
// the driver replaces what it enforced. Only plugins built for ABI 4 or later
// have apply_security_groups in their vtable.
#include <spdlog/spdlog.h>

#include "core/compute/compute_manager.h"

namespace stratus::core::compute {

sdk::Status ComputeManager::apply_security_groups(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                                  const std::vector<sdk::PortSecurity>& ports) {
  if (options_.driver_abi_version < 4) {
    if (!security_groups_unsupported_logged_.exchange(true)) {
      spdlog::warn("[{}] compute {}: the driver plugin is built for ABI {} (< 4); security groups are not enforced "
                   "on this host",
                   ctx.request_id, host_, options_.driver_abi_version);
    }
    return sdk::Status::OK();
  }
  std::size_t rules = 0;
  for (const auto& p : ports) rules += p.rules.size();
  const sdk::Status st = driver_->apply_security_groups(ctx, instance, ports);
  if (st.is(sdk::StatusCode::kNotSupported)) {
    if (!security_groups_unsupported_logged_.exchange(true)) {
      spdlog::warn("[{}] compute {}: the driver enforces no security groups ({})", ctx.request_id, host_,
                   st.message());
    }
    return sdk::Status::OK();
  }
  if (!st.ok()) {
    spdlog::error("[{}] instance {}: applying {} rule(s) on {} port(s) failed: {}", ctx.request_id, instance.uuid,
                  rules, ports.size(), st.to_string());
    return st;
  }
  spdlog::info("[{}] instance {}: {} security group rule(s) on {} port(s) applied", ctx.request_id, instance.uuid,
               rules, ports.size());
  return st;
}

sdk::Status ComputeManager::refresh_security_groups(const sdk::RequestContext& ctx, const std::string& instance_uuid,
                                                    const std::vector<sdk::PortSecurity>& ports) {
  if (instance_uuid.empty()) return sdk::Status::InvalidArgument("refresh_security_groups: no instance uuid");
  if (sdk::Status st = wait_until_running(ctx, "refresh_security_groups"); !st.ok()) return st;
  // Not while a build or another operation changes the guest: a build that
  // is spawning applies its own (older) list first, then this one wins.
  auto guard = locks_.lock(instance_uuid);
  sdk::Instance instance;
  instance.uuid = instance_uuid;
  instance.host = host_;
  return apply_security_groups(ctx, instance, ports);
}

}  // namespace stratus::core::compute
