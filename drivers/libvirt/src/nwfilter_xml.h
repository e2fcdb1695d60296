// A port's security groups as a libvirt network filter (nwfilter XML), one
// filter per guest interface, named "stratus-<port id>" and referenced from
// the interface's <filterref> in the domain XML.
//
// The filter (chain "root"):
//   - references libvirt's base filters no-mac-spoofing, no-ip-spoofing and
//     no-arp-spoofing (clean-traffic without its allow-incoming-ipv4, which
//     would let every inbound packet through); the interface passes the
//     port's IPv4 addresses as the IP parameter;
//   - accepts DHCP (client 68 <-> server 67) and IPv6 neighbour discovery,
//     which a guest needs whatever its groups say (Neutron does the same);
//   - one accept rule per security-group rule, as Nova's nwfilter firewall
//     wrote them: ingress -> direction 'in' with the remote prefix as
//     srcipaddr, egress -> direction 'out' with it as dstipaddr; tcp/udp port
//     ranges as dstportstart/dstportend; icmp type/code; an empty protocol
//     as all (all-ipv6 for IPv6). libvirt's connection tracking lets the
//     answers of an accepted flow back in;
//   - drops every other IPv4 and IPv6 packet, both ways (priority 1000).
// A port with port_security_enabled false gets an empty filter: everything
// passes, as Neutron does without port security.
#pragma once

#include <string>
#include <vector>

#include "stratus/sdk/result.h"
#include "stratus/sdk/security_group_rule.h"

namespace stratus::drivers::libvirt {

inline constexpr const char* kNwfilterPrefix = "stratus-";

// "stratus-<port id>".
std::string nwfilter_name(const std::string& port_id);

// The filter's XML. Errors: kInvalidArgument naming the port and rule for a
// rule libvirt cannot express (direction, ethertype, protocol other than
// tcp, udp, icmp, any or their numbers; a bad prefix; a port range out of
// 0..65535) or a port without id.
sdk::Result<std::string> build_nwfilter_xml(const sdk::PortSecurity& port);

}  // namespace stratus::drivers::libvirt
