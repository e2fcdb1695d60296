// SecurityGroupRefresh: how a change to security groups reaches the guests.
//
// When a rule, a group or a port's groups change, the rules some guests must
// enforce change with them (port_security.h lists the places). The API calls
// refresh() after the change is committed; the implementation
// (core/compute/api/rpc_security_group_refresh.h) recomputes each instance's
// rules from the database and casts them to its compute host.
//
// Best effort, as Nova's security group refresh: a failure to reach a host is
// logged, never an error to the caller, whose change is already stored; the
// host gets the full list again with the next refresh or rebuild.
#pragma once

#include <string>
#include <vector>

namespace stratus::core::network {

class SecurityGroupRefresh {
 public:
  virtual ~SecurityGroupRefresh() = default;

  // Refreshes the instances that depend on `group_ids` (members, and members
  // of groups whose rules name one of them as remote) and `instance_uuids`.
  // Instances without a host yet (still scheduling) are skipped: their build
  // request carries the rules current when it is sent.
  virtual void refresh(const std::string& request_id, const std::vector<std::string>& group_ids,
                       const std::vector<std::string>& instance_uuids) = 0;
};

}  // namespace stratus::core::network
