#include "core/compute/api/rpc_security_group_refresh.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/db/instance_repository.h"
#include "core/db/security_group_repository.h"
#include "core/network/port_security.h"

namespace stratus::core::compute {

void RpcSecurityGroupRefresh::refresh(const std::string& request_id, const std::vector<std::string>& group_ids,
                                      const std::vector<std::string>& instance_uuids) {
  std::vector<std::string> targets = instance_uuids;
  if (!group_ids.empty()) {
    auto dependents = db::SecurityGroupRepository(db_).instances_depending_on(group_ids);
    if (!dependents.ok()) {
      spdlog::warn("{} security group refresh: cannot list the instances concerned: {}", request_id,
                   dependents.status().message());
    } else {
      targets.insert(targets.end(), dependents->begin(), dependents->end());
    }
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());

  sdk::RequestContext ctx;
  ctx.request_id = request_id;
  for (const auto& uuid : targets) {
    auto instance = db::InstanceRepository(db_).get(uuid);
    if (!instance.ok() || instance->host.empty()) continue;  // gone, or not placed yet
    auto ports = network::port_security_for_instance(db_, uuid);
    if (!ports.ok()) {
      spdlog::warn("{} security group refresh of {}: {}", request_id, uuid, ports.status().message());
      continue;
    }
    if (auto st = compute_.refresh_security_groups(ctx, instance->host, uuid, *ports); !st.ok()) {
      spdlog::warn("{} security group refresh of {} on {}: {}", request_id, uuid, instance->host, st.message());
    } else {
      spdlog::info("{} security group rules of {} sent to {} ({} ports)", request_id, uuid, instance->host,
                   ports->size());
    }
  }
}

}  // namespace stratus::core::compute
