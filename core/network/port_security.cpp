#include "core/network/port_security.h"

#include <map>
#include <utility>

#include "core/db/port_repository.h"
#include "core/db/security_group_repository.h"

namespace stratus::core::network {

using sdk::Result;

namespace {

bool is_ipv6(const std::string& address) { return address.find(':') != std::string::npos; }

}  // namespace

std::string sdk_protocol(const std::string& p, const std::string& ethertype) {
  if (p.empty() || p == "any") return "";
  if (p == "tcp" || p == "6") return "tcp";
  if (p == "udp" || p == "17") return "udp";
  if (p == "icmp" || p == "1") return "icmp";
  if (ethertype == "IPv6" && (p == "ipv6-icmp" || p == "icmpv6" || p == "58")) return "icmp";
  // Neutron's other protocol names (neutron_lib constants), as numbers.
  static const std::map<std::string, std::string> kNumbers = {
      {"ah", "51"},   {"dccp", "33"},     {"egp", "8"},       {"esp", "50"},  {"gre", "47"},
      {"igmp", "2"},  {"ipip", "4"},      {"ipv6-encap", "41"}, {"ipv6-frag", "44"}, {"ipv6-icmp", "58"},
      {"icmpv6", "58"}, {"ipv6-nonxt", "59"}, {"ipv6-opts", "60"}, {"ipv6-route", "43"}, {"ospf", "89"},
      {"pgm", "113"}, {"rsvp", "46"},     {"sctp", "132"},    {"udplite", "136"}, {"vrrp", "112"}};
  auto it = kNumbers.find(p);
  return it == kNumbers.end() ? p : it->second;
}

Result<std::vector<sdk::PortSecurity>> port_security_for_instance(db::Database& db, const std::string& instance_uuid) {
  return PortSecurityReader(db).for_instance(instance_uuid);
}

namespace {

// The cached value of `id`, read with `load` the first time.
template <typename T, typename Load>
Result<const T*> cached(std::map<std::string, T>& cache, const std::string& id, Load&& load) {
  auto it = cache.find(id);
  if (it == cache.end()) {
    auto value = load();
    if (!value.ok()) return value.status();
    it = cache.emplace(id, std::move(*value)).first;
  }
  return &it->second;
}

}  // namespace

Result<const db::SecurityGroupRecord*> PortSecurityReader::group(const std::string& id) {
  return cached(groups_, id, [&] { return db::SecurityGroupRepository(db_).get(id); });
}

Result<const std::vector<std::string>*> PortSecurityReader::members(const std::string& id) {
  return cached(member_ips_, id, [&] { return db::SecurityGroupRepository(db_).member_fixed_ips(id); });
}

Result<std::vector<sdk::PortSecurity>> PortSecurityReader::for_instance(const std::string& instance_uuid) {
  auto ports = db::PortRepository(db_).list_by_device(instance_uuid);
  if (!ports.ok()) return ports.status();
  std::vector<std::string> port_ids;
  for (const auto& p : *ports) port_ids.push_back(p.uuid);
  auto membership = db::SecurityGroupRepository(db_).groups_of_ports(port_ids);
  if (!membership.ok()) return membership.status();

  std::vector<sdk::PortSecurity> out;
  for (const auto& port : *ports) {
    sdk::PortSecurity ps;
    ps.port_id = port.uuid;
    ps.mac_address = port.mac_address;
    if (!port.ip_address.empty()) ps.fixed_ips.push_back(port.ip_address);
    auto in = membership->find(port.uuid);
    if (in != membership->end()) {
      for (const auto& group_id : in->second) {
        auto g = group(group_id);
        if (!g.ok()) return g.status();
        for (const auto& rule : (*g)->rules) {
          sdk::SecurityGroupRule r;
          r.id = rule.uuid;
          r.direction = rule.direction;
          r.ethertype = rule.ethertype;
          r.protocol = sdk_protocol(rule.protocol.value_or(""), rule.ethertype);
          r.port_range_min = static_cast<std::int32_t>(rule.port_range_min.value_or(-1));
          r.port_range_max = static_cast<std::int32_t>(rule.port_range_max.value_or(-1));
          r.remote_ip_prefix = rule.remote_ip_prefix.value_or("");
          if (!rule.remote_group_id) {
            ps.rules.push_back(std::move(r));
            continue;
          }
          auto ips = members(*rule.remote_group_id);
          if (!ips.ok()) return ips.status();
          for (const auto& ip : **ips) {
            const bool v6 = is_ipv6(ip);
            if (v6 != (rule.ethertype == "IPv6")) continue;
            sdk::SecurityGroupRule expanded = r;
            expanded.remote_ip_prefix = ip + (v6 ? "/128" : "/32");
            ps.rules.push_back(std::move(expanded));
          }
        }
      }
    }
    out.push_back(std::move(ps));
  }
  return out;
}

}  // namespace stratus::core::network
