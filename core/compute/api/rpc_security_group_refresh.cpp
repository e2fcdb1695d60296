#include "core/compute/api/rpc_security_group_refresh.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "core/db/instance_repository.h"
#include "core/db/security_group_repository.h"
#include "core/network/port_security.h"

namespace stratus::core::compute {

namespace {

void add_all(std::vector<std::string>& to, const sdk::Result<std::vector<std::string>>& found,
             const std::string& request_id, const char* what) {
  if (!found.ok()) {
    spdlog::warn("[{}] security group refresh: cannot list the instances {}: {}", request_id, what,
                 found.status().message());
    return;
  }
  to.insert(to.end(), found->begin(), found->end());
}

}  // namespace

void RpcSecurityGroupRefresh::refresh(const std::string& request_id, const network::SecurityGroupChange& change) {
  std::vector<std::string> targets = change.instances;
  db::SecurityGroupRepository groups(db_);
  if (!change.rules_changed.empty()) {
    add_all(targets, groups.instances_depending_on(change.rules_changed), request_id, "depending on the rules");
  }
  if (!change.members_changed.empty()) {
    add_all(targets, groups.instances_with_peers_in(change.members_changed), request_id, "with peers in the groups");
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());

  sdk::RequestContext ctx;
  ctx.request_id = request_id;
  network::PortSecurityReader reader(db_);  // the groups' rules and members read once for all targets
  std::size_t sent = 0;
  std::set<std::string> hosts;
  for (const auto& uuid : targets) {
    auto instance = db::InstanceRepository(db_).get(uuid);
    if (!instance.ok() || instance->host.empty()) continue;  // gone, or not placed yet
    auto ports = reader.for_instance(uuid);
    if (!ports.ok()) {
      spdlog::warn("[{}] security group refresh of {}: {}", request_id, uuid, ports.status().message());
      continue;
    }
    if (auto st = compute_.refresh_security_groups(ctx, instance->host, uuid, *ports); !st.ok()) {
      spdlog::warn("[{}] security group refresh of {} on {}: {}", request_id, uuid, instance->host, st.message());
      continue;
    }
    spdlog::debug("[{}] security group rules of {} sent to {} ({} ports)", request_id, uuid, instance->host,
                  ports->size());
    ++sent;
    hosts.insert(instance->host);
  }
  if (!targets.empty()) {
    spdlog::info("[{}] security group rules sent for {} of {} instance(s) concerned, to {} host(s)", request_id, sent,
                 targets.size(), hosts.size());
  }
}

}  // namespace stratus::core::compute
