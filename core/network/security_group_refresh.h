// SecurityGroupRefresh: how a change to security groups reaches the guests.
//
// When a rule, a group or a port's groups change, the rules some guests must
// enforce change with them (port_security.h lists the places). The API calls
// refresh() after the change is committed; the implementation
// (core/compute/api/rpc_security_group_refresh.h) recomputes each instance's
// rules from the database and casts them to its compute host. The Compute
// API puts CoalescingSecurityGroupRefresh (coalescing_security_group_refresh.h)
// in front of it, so that the request returns at once and a storm of changes
// costs one pass, not one each.
//
// Best effort, as Nova's security group refresh: a failure to reach a host is
// logged, never an error to the caller, whose change is already stored; the
// host gets the full list again with the next refresh or rebuild.
#pragma once

#include <string>
#include <vector>

namespace stratus::core::network {

// What changed, as the guests' filters see it.
struct SecurityGroupChange {
  // Groups whose rules changed: their members, and the members of groups
  // with a rule naming one of them as remote, are refreshed.
  std::vector<std::string> rules_changed;
  // Groups a port joined or left (a server created, a port's groups set):
  // only the members of groups with a rule naming one of them as remote are
  // refreshed (SecurityGroupRepository::instances_with_peers_in), since only
  // those rules expand to the members' addresses.
  std::vector<std::string> members_changed;
  // Instances refreshed whatever the groups (their own ports' groups changed).
  std::vector<std::string> instances;

  bool empty() const { return rules_changed.empty() && members_changed.empty() && instances.empty(); }
};

class SecurityGroupRefresh {
 public:
  virtual ~SecurityGroupRefresh() = default;

  // Refreshes the instances the change concerns (see SecurityGroupChange).
  // Instances without a host yet (still scheduling) are skipped: their build
  // request carries the rules current when it is sent.
  virtual void refresh(const std::string& request_id, const SecurityGroupChange& change) = 0;

  // The rules of `group_ids` changed, and the groups of `instance_uuids`' ports.
  void refresh(const std::string& request_id, const std::vector<std::string>& group_ids,
               const std::vector<std::string>& instance_uuids) {
    refresh(request_id, SecurityGroupChange{group_ids, {}, instance_uuids});
  }
};

}  // namespace stratus::core::network
