// network_data.json (format in network_data.h).
#include "network_data.h"

#include <arpa/inet.h>

#include <cstdint>
#include <nlohmann/json.hpp>

namespace stratus::drivers::libvirt {

namespace {

std::string dotted(std::uint32_t host_order) {
  in_addr a{};
  a.s_addr = htonl(host_order);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof(buf));
  return buf;
}

// The operator's setting of a network, by name first, then by id (as bridges.<network>).
const std::string* lookup(const std::map<std::string, std::string>& table, const sdk::Vif& vif) {
  for (const std::string* key : {&vif.network_name, &vif.network_id}) {
    if (key->empty()) continue;
    if (auto it = table.find(*key); it != table.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace

bool is_ipv4_address(const std::string& address) {
  in_addr a{};
  return inet_pton(AF_INET, address.c_str(), &a) == 1;
}

sdk::Result<Ipv4Subnet> parse_ipv4_cidr(const std::string& cidr) {
  const auto slash = cidr.find('/');
  const auto bad = [&] { return sdk::Status::InvalidArgument("\"" + cidr + "\" is not an IPv4 CIDR (a.b.c.d/n)"); };
  if (slash == std::string::npos || slash + 1 >= cidr.size() || cidr.size() - slash > 3) return bad();
  in_addr a{};
  if (inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &a) != 1) return bad();
  int prefix = 0;
  for (char c : cidr.substr(slash + 1)) {
    if (c < '0' || c > '9') return bad();
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > 32) return bad();
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  Ipv4Subnet s;
  s.network = dotted(ntohl(a.s_addr) & mask);
  s.netmask = dotted(mask);
  s.prefix = prefix;
  return s;
}

std::string network_data_json(const sdk::NetworkInfo& network_info, const LibvirtConfig& config) {
  nlohmann::json links = nlohmann::json::array();
  nlohmann::json networks = nlohmann::json::array();
  for (const sdk::Vif& vif : network_info) {
    // Nova's devname: the tap device's name, "tap" and the port id's first 11 characters.
    const std::string link = "tap" + vif.id.substr(0, 11);
    const bool user = config.network_mode == NetworkMode::kUser || vif.type == "user";
    links.push_back({{"id", link},
                     {"vif_id", vif.id},
                     {"type", user ? "phy" : "bridge"},  // Nova says "phy" for types it does not expose
                     {"mtu", vif.mtu},
                     {"ethernet_mac_address", vif.address}});
    const std::string id = "network" + std::to_string(networks.size());
    if (user) {
      networks.push_back({{"id", id}, {"type", "ipv4_dhcp"}, {"link", link}, {"network_id", vif.network_id}});
      continue;
    }
    const std::string* cidr = lookup(config.subnets, vif);
    if (cidr == nullptr) continue;
    auto subnet = parse_ipv4_cidr(*cidr);  // checked when the config was read
    if (!subnet.ok()) continue;
    for (const std::string& ip : vif.fixed_ips) {
      if (!is_ipv4_address(ip)) continue;
      nlohmann::json routes = nlohmann::json::array();
      if (const std::string* gw = lookup(config.gateways, vif)) {
        routes.push_back({{"network", "0.0.0.0"}, {"netmask", "0.0.0.0"}, {"gateway", *gw}});
      }
      networks.push_back({{"id", "network" + std::to_string(networks.size())},
                          {"type", "ipv4"},
                          {"link", link},
                          {"ip_address", ip},
                          {"netmask", subnet->netmask},
                          {"routes", std::move(routes)},
                          {"network_id", vif.network_id},
                          {"services", nlohmann::json::array()}});
    }
  }
  return nlohmann::json{{"links", std::move(links)}, {"networks", std::move(networks)},
                        {"services", nlohmann::json::array()}}
      .dump();
}

}  // namespace stratus::drivers::libvirt
