// Neutron's checks of a new security group rule (neutron/db/
// securitygroups_db.py and extensions/securitygroup.py), shared by the
// Network API and the Compute API's os-security-group-rules proxy. The
// rule is normalised on the way: protocol names lower-cased ("any" and ""
// mean any), remote_ip_prefix given without a length gets /32 or /128.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/db/security_group_repository.h"

namespace stratus::core::network {

// Neutron's default quotas (quota_security_group, quota_security_group_rule),
// enforced by the Network API and Nova's proxy alike; not adjustable yet.
inline constexpr std::int64_t kSecurityGroupQuota = 10;
inline constexpr std::int64_t kSecurityGroupRuleQuota = 100;

// A refusal as Neutron words it: HTTP status, NeutronError type and message.
struct RuleRefusal {
  int status = 400;
  std::string type;
  std::string message;
};

// direction, ethertype, protocol, ports and remotes of `rule`; nullopt: acceptable.
std::optional<RuleRefusal> check_rule(db::SecurityGroupRuleRecord& rule);

// "a.b.c.d/n" or an IPv6 prefix; nullopt when `text` is not one. Without a
// length the host prefix is meant. `v6` tells which family it is.
std::optional<std::string> normalize_prefix(const std::string& text, bool* v6 = nullptr);

}  // namespace stratus::core::network
