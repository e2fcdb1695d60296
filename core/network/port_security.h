// What the drivers enforce on a guest's interfaces: for each port of an
// instance, the rules of the security groups it is in, in the SDK's shape
// (stratus/sdk/security_group_rule.h).
//
//   - A rule naming a remote group becomes one rule per fixed IP of every
//     port in that group (the instance's own ports included), with that
//     address as its prefix (/32 or /128); only addresses of the rule's
//     ethertype count, so a group with no such member adds nothing.
//   - Protocols come out as the SDK names them: "" for any; "tcp", "udp",
//     "icmp" for those by name or number (and "icmp" for ICMPv6 on an IPv6
//     rule: ipv6-icmp, icmpv6, 58); any other name as its IANA number; a
//     number as given.
//   - Unset ports are -1.
//   - A port in no group has no rule (port_security_enabled stays true: the
//     guest gets no traffic but answers to its own, as Neutron's).
//
// Where a change makes this answer change (so the compute host must refresh
// the guest's filters), the code says `// refresh: ...`; the instances to
// refresh are SecurityGroupRepository::instances_depending_on(the groups
// concerned). The places:
//   - a rule added or deleted (Network API security_groups_controller.cpp,
//     Nova proxy security_groups_proxy.cpp): its group;
//   - a group deleted: the rules naming it as remote went with it;
//   - a port's groups changed (PUT /ports/{id}, addSecurityGroup,
//     removeSecurityGroup): the instance itself, and the old and new groups
//     (their member addresses changed);
//   - a server created or deleted (compute_api_create.cpp provision_instances,
//     the ports freed with it): the groups of its ports, for the other members
//     whose "from members of this group" rules gain or lose its address.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/db/database.h"
#include "core/db/security_group_repository.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/security_group_rule.h"

namespace stratus::core::network {

sdk::Result<std::vector<sdk::PortSecurity>> port_security_for_instance(db::Database& db,
                                                                       const std::string& instance_uuid);

// The same for several instances in a row (a refresh of every member of a
// group): each group's rules and each remote group's member addresses are
// read once for all of them, not once per instance, so refreshing the N
// members of a group reads N instances' ports, not N times N addresses. What
// it read stays as read: one reader per pass over a change.
class PortSecurityReader {
 public:
  explicit PortSecurityReader(db::Database& db) : db_(db) {}

  sdk::Result<std::vector<sdk::PortSecurity>> for_instance(const std::string& instance_uuid);

 private:
  sdk::Result<const db::SecurityGroupRecord*> group(const std::string& id);
  sdk::Result<const std::vector<std::string>*> members(const std::string& id);

  db::Database& db_;
  std::map<std::string, db::SecurityGroupRecord> groups_;
  std::map<std::string, std::vector<std::string>> member_ips_;
};

// The SDK's protocol for a Neutron rule's protocol (see above).
std::string sdk_protocol(const std::string& neutron_protocol, const std::string& ethertype);

}  // namespace stratus::core::network
