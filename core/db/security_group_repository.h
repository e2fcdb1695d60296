// SecurityGroupRepository: Neutron's security groups, their rules and which
// groups each port is in.
//
// A group belongs to a project; every project has one group named "default"
// (is_default), made the first time anything asks for it (ensure_default),
// as Neutron makes it, with four rules: egress to anywhere over IPv4 and
// IPv6, and ingress from members of the group itself over IPv4 and IPv6.
// Every other new group starts with the two egress rules.
//
// A rule's remote_group_id names a group whose members' addresses are the
// peers (core/network/port_security.h expands it); deleting a group deletes
// the rules of other groups that name it, as Neutron's foreign key does.
//
// Thread-safe (each call is one transaction, or a step of the caller's).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct SecurityGroupRuleRecord {
  std::string uuid;               // empty on create: generated
  std::string security_group_id;  // the group's uuid
  std::string project_id;
  std::string direction;          // "ingress" | "egress"
  std::string ethertype;          // "IPv4" | "IPv6"
  std::optional<std::string> protocol;  // as given (name or number); nullopt: any
  std::optional<std::int64_t> port_range_min;
  std::optional<std::int64_t> port_range_max;
  std::optional<std::string> remote_ip_prefix;
  std::optional<std::string> remote_group_id;  // a group's uuid
  std::string description;
  std::string created_at;
  std::string updated_at;
};

struct SecurityGroupRecord {
  std::string uuid;  // empty on create: generated
  std::string project_id;
  std::string name;
  std::string description;
  bool is_default = false;
  std::int64_t revision_number = 1;
  std::string created_at;
  std::string updated_at;
  std::vector<SecurityGroupRuleRecord> rules;  // on read, oldest first
};

class SecurityGroupRepository {
 public:
  explicit SecurityGroupRepository(Scope db) : db_(db) {}

  // The project's "default" group, made with its rules if it has none yet.
  sdk::Result<SecurityGroupRecord> ensure_default(const std::string& project_id);
  // A new (non-default) group with the two egress rules. kAlreadyExists for a uuid in use.
  sdk::Result<SecurityGroupRecord> create(SecurityGroupRecord record);
  sdk::Result<SecurityGroupRecord> get(const std::string& uuid);
  // Oldest first; a project's own, or all with nullopt.
  sdk::Result<std::vector<SecurityGroupRecord>> list(const std::optional<std::string>& project_id = std::nullopt);
  // Changes what is given. kNotFound.
  sdk::Result<SecurityGroupRecord> update(const std::string& uuid, const std::optional<std::string>& name,
                                          const std::optional<std::string>& description);
  // kNotFound; kInvalidState "in use" while a port is in the group.
  sdk::Status remove(const std::string& uuid);
  // How many groups / rules the project has (for its quota).
  sdk::Result<std::int64_t> count(const std::string& project_id);
  sdk::Result<std::int64_t> count_rules(const std::string& project_id);

  // Adds a rule to its group (record.security_group_id). kNotFound for an
  // unknown group or remote group; kAlreadyExists "<uuid of the existing
  // rule>" when the group has a rule with the same direction, ethertype,
  // protocol, ports and remote.
  sdk::Result<SecurityGroupRuleRecord> add_rule(SecurityGroupRuleRecord rule);
  sdk::Result<SecurityGroupRuleRecord> get_rule(const std::string& uuid);
  // Oldest first; a project's own, or all with nullopt.
  sdk::Result<std::vector<SecurityGroupRuleRecord>> list_rules(const std::optional<std::string>& project_id = std::nullopt);
  // kNotFound.
  sdk::Status remove_rule(const std::string& uuid);

  // The groups each of these ports is in (port uuid -> group uuids, in the
  // order they were added); ports in none are absent.
  sdk::Result<std::map<std::string, std::vector<std::string>>> groups_of_ports(const std::vector<std::string>& port_ids);
  // Puts the port in exactly these groups. kNotFound for an unknown port or group.
  sdk::Status set_port_groups(const std::string& port_id, const std::vector<std::string>& group_ids);
  // The instances whose guests' filters depend on these groups: those with a
  // port in one of them, and those with a port in a group that has a rule
  // naming one of them as remote group (their members' addresses are its
  // peers). Sorted, without repeats.
  sdk::Result<std::vector<std::string>> instances_depending_on(const std::vector<std::string>& group_ids);
  // The instances whose filters change when these groups gain or lose a
  // member: those with a port in a group that has a rule naming one of them
  // as remote group (a member of a group only if its own group names it, as
  // the default group does). Sorted, without repeats.
  sdk::Result<std::vector<std::string>> instances_with_peers_in(const std::vector<std::string>& group_ids);
  // The fixed IPs of the ports in a group, oldest port first: what a rule whose
  // remote is this group expands to (one join, not a read of every port).
  sdk::Result<std::vector<std::string>> member_fixed_ips(const std::string& group_id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
