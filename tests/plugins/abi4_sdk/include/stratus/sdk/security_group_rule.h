// SecurityGroupRule: one rule of a port's security groups, as the core hands
// it to a driver to enforce on the guest's interface (libvirt: nwfilter).
//
// The rules of a port are an allow list, as Neutron's: traffic a rule does
// not allow is dropped, in each direction; a port with no rule at all drops
// every packet to and from the guest except what answers an allowed flow.
// Rules that name a remote group have been expanded by the core into one rule
// per address of that group's members, so a driver only sees prefixes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stratus::sdk {

struct SecurityGroupRule {
  std::string id;                // the Neutron rule's uuid (several may share one after expansion)
  std::string direction;         // "ingress" (to the guest) or "egress" (from it)
  std::string ethertype;         // "IPv4" or "IPv6"
  std::string protocol;          // "" (any), "tcp", "udp", "icmp", or an IP protocol number
  std::int32_t port_range_min = -1;  // tcp/udp: first port; icmp: type; -1: any
  std::int32_t port_range_max = -1;  // tcp/udp: last port; icmp: code; -1: any
  std::string remote_ip_prefix;  // CIDR the peer must be in; "" : anywhere
};

// The rules that apply to one of the guest's interfaces.
struct PortSecurity {
  std::string port_id;  // matches Vif::id
  std::string mac_address;
  std::vector<std::string> fixed_ips;
  bool port_security_enabled = true;  // false: no filtering at all on this port
  std::vector<SecurityGroupRule> rules;
};

}  // namespace stratus::sdk
