#include "core/network/security_group_rule_check.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace stratus::core::network {

namespace {

// Neutron's protocol names (neutron_lib.constants.IP_PROTOCOL_MAP keys).
const std::set<std::string>& protocol_names() {
  static const std::set<std::string> kNames = {
      "ah",         "dccp",      "egp",        "esp",       "gre",        "hopopt", "icmp",      "igmp",
      "ip",         "ipip",      "ipv6-encap", "ipv6-frag", "ipv6-icmp",  "icmpv6", "ipv6-nonxt", "ipv6-opts",
      "ipv6-route", "ospf",      "pgm",        "rsvp",      "sctp",       "tcp",    "udp",       "udplite",
      "vrrp"};
  return kNames;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 3 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Protocols whose rules take a port range.
bool has_ports(const std::string& p) {
  return p == "tcp" || p == "udp" || p == "dccp" || p == "sctp" || p == "udplite" || p == "6" || p == "17" ||
         p == "33" || p == "132" || p == "136";
}

bool is_icmp(const std::string& p) {
  return p == "icmp" || p == "ipv6-icmp" || p == "icmpv6" || p == "1" || p == "58";
}

RuleRefusal bad(const std::string& type, const std::string& message) { return {400, type, message}; }

}  // namespace

std::optional<std::string> normalize_prefix(const std::string& text, bool* v6) {
  std::string addr = text;
  std::optional<int> length;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    addr = text.substr(0, slash);
    const std::string len = text.substr(slash + 1);
    if (!all_digits(len)) return std::nullopt;
    length = std::stoi(len);
  }
  unsigned char buf[16];
  const bool is_v6 = addr.find(':') != std::string::npos;
  if (inet_pton(is_v6 ? AF_INET6 : AF_INET, addr.c_str(), buf) != 1) return std::nullopt;
  const int max = is_v6 ? 128 : 32;
  if (length && *length > max) return std::nullopt;
  if (v6) *v6 = is_v6;
  return addr + "/" + std::to_string(length.value_or(max));
}

std::optional<RuleRefusal> check_rule(db::SecurityGroupRuleRecord& rule) {
  if (rule.direction != "ingress" && rule.direction != "egress") {
    return bad("HTTPBadRequest", "Invalid input for direction. Reason: '" + rule.direction +
                                     "' is not in ['ingress', 'egress'].");
  }
  if (rule.ethertype.empty()) rule.ethertype = "IPv4";
  if (rule.ethertype != "IPv4" && rule.ethertype != "IPv6") {
    return bad("HTTPBadRequest", "Invalid input for ethertype. Reason: '" + rule.ethertype +
                                     "' is not in ['IPv4', 'IPv6'].");
  }
  if (rule.protocol) {
    std::string p = *rule.protocol;
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
    if (p.empty() || p == "any") {
      rule.protocol.reset();
    } else if (all_digits(p) && std::stoi(p) <= 255) {
      rule.protocol = std::to_string(std::stoi(p));
    } else if (protocol_names().contains(p)) {
      rule.protocol = p;
    } else {
      return bad("SecurityGroupRuleInvalidProtocol",
                 "Security group rule protocol " + *rule.protocol +
                     " not supported. Only protocol values [None, 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', "
                     "'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', "
                     "'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp'] and "
                     "integer representations [0 to 255] are supported.");
    }
  }
  for (const auto* port : {&rule.port_range_min, &rule.port_range_max}) {
    if (*port && (**port < 0 || **port > 65535)) {
      return bad("HTTPBadRequest", std::string("Invalid input for ") +
                                       (port == &rule.port_range_min ? "port_range_min" : "port_range_max") +
                                       ". Reason: '" + std::to_string(**port) + "' is not a valid port number.");
    }
  }
  if (rule.port_range_min || rule.port_range_max) {
    if (!rule.protocol) {
      return bad("SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given.");
    }
    const std::string& p = *rule.protocol;
    if (is_icmp(p)) {
      for (const auto& [value, field, attr] :
           {std::tuple{rule.port_range_min, "type", "port_range_min"}, std::tuple{rule.port_range_max, "code", "port_range_max"}}) {
        if (value && *value > 255) {
          return bad("SecurityGroupInvalidIcmpValue", std::string("Invalid value for ICMP ") + field + " (" + attr +
                                                          ") " + std::to_string(*value) + ". It must be 0 to 255.");
        }
      }
      if (rule.port_range_max && !rule.port_range_min) {
        return bad("SecurityGroupMissingIcmpType", "ICMP code (port-range-max) " +
                                                       std::to_string(*rule.port_range_max) +
                                                       " is provided but ICMP type (port-range-min) is missing.");
      }
    } else if (has_ports(p)) {
      if (rule.port_range_min && rule.port_range_max && *rule.port_range_min > *rule.port_range_max) {
        return bad("SecurityGroupInvalidPortRange", "For TCP/UDP protocols, port_range_min must be <= port_range_max");
      }
      for (const auto& port : {rule.port_range_min, rule.port_range_max}) {
        if (port && *port == 0) return bad("SecurityGroupInvalidPortValue", "Invalid value for port 0");
      }
    } else {
      return bad("SecurityGroupInvalidProtocolForPort",
                 "Invalid protocol " + p + " for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.");
    }
  }
  if (rule.remote_ip_prefix && rule.remote_group_id) {
    return bad("SecurityGroupRemoteGroupAndRemoteIpPrefix", "Only remote_ip_prefix or remote_group_id may be provided.");
  }
  if (rule.remote_ip_prefix) {
    bool v6 = false;
    auto prefix = normalize_prefix(*rule.remote_ip_prefix, &v6);
    if (!prefix) {
      return bad("HTTPBadRequest", "Invalid input for remote_ip_prefix. Reason: '" + *rule.remote_ip_prefix +
                                       "' is not a valid IP subnet.");
    }
    if (v6 != (rule.ethertype == "IPv6")) {
      return bad("SecurityGroupRuleParameterConflict",
                 "Conflicting value ethertype " + rule.ethertype + " for CIDR " + *rule.remote_ip_prefix);
    }
    rule.remote_ip_prefix = *prefix;
  }
  return std::nullopt;
}

}  // namespace stratus::core::network
