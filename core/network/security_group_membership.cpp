#include "core/network/security_group_membership.h"

#include <algorithm>

#include "core/db/port_repository.h"
#include "core/db/security_group_repository.h"

namespace stratus::core::network {

using sdk::Result;
using sdk::Status;

Result<std::vector<std::string>> resolve_server_security_groups(db::Transaction& tx, const std::string& project_id,
                                                                const std::vector<std::string>& names) {
  db::SecurityGroupRepository repo(tx);
  if (names.empty()) {
    auto d = repo.ensure_default(project_id);
    if (!d.ok()) return d.status();
    return std::vector<std::string>{d->uuid};
  }
  if (auto d = repo.ensure_default(project_id); !d.ok()) return d.status();
  auto groups = repo.list(project_id);
  if (!groups.ok()) return groups.status();
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::vector<std::string> matches;
    for (const auto& g : *groups) {
      if (g.uuid == name) {
        matches = {g.uuid};
        break;
      }
      if (g.name == name) matches.push_back(g.uuid);
    }
    if (matches.empty()) return Status::InvalidArgument("Security group " + name + " not found.");
    if (matches.size() > 1) {
      return Status::Conflict("Multiple security groups found matching '" + name + "'. Use an ID to be more specific.");
    }
    if (std::find(out.begin(), out.end(), matches.front()) == out.end()) out.push_back(matches.front());
  }
  return out;
}

Result<std::map<std::string, std::vector<std::string>>> security_group_names_of(
    db::Transaction& tx, const std::vector<std::string>& instance_uuids) {
  std::map<std::string, std::vector<std::string>> out;
  auto ports = db::PortRepository(tx).list_by_devices(instance_uuids);
  if (!ports.ok()) return ports.status();
  if (ports->empty()) return out;
  std::vector<std::string> port_ids;
  for (const auto& p : *ports) port_ids.push_back(p.uuid);
  db::SecurityGroupRepository repo(tx);
  auto membership = repo.groups_of_ports(port_ids);
  if (!membership.ok()) return membership.status();
  std::map<std::string, std::string> names;
  for (const auto& port : *ports) {
    auto in = membership->find(port.uuid);
    if (in == membership->end()) continue;
    auto& list = out[port.device_id];
    for (const auto& g : in->second) {
      if (!names.contains(g)) {
        auto group = repo.get(g);
        if (!group.ok()) return group.status();
        names[g] = group->name;
      }
      if (std::find(list.begin(), list.end(), names[g]) == list.end()) list.push_back(names[g]);
    }
  }
  return out;
}

}  // namespace stratus::core::network
