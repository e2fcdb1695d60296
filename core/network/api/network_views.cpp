#include "core/network/api/network_views.h"

#include "core/http/policy.h"
#include "core/common/time_util.h"

namespace stratus::core::api::network {

using nlohmann::json;

namespace {
std::string timestamp(const std::string& stored) { return stored.empty() ? "" : common::to_api_seconds(stored); }
}  // namespace

json network_view(const db::NetworkRecord& net) {
  return {{"id", net.uuid},
          {"name", net.name},
          {"description", net.description},
          {"status", "ACTIVE"},
          {"admin_state_up", net.admin_state_up},
          {"shared", net.shared},
          {"router:external", net.router_external},
          {"subnets", net.subnet_ids},
          {"mtu", net.mtu},
          {"project_id", net.project_id},
          {"tenant_id", net.project_id},
          {"availability_zones", json::array()},
          {"availability_zone_hints", json::array()},
          {"ipv4_address_scope", nullptr},
          {"ipv6_address_scope", nullptr},
          {"l2_adjacency", true},
          {"tags", json::array()},
          {"created_at", timestamp(net.created_at)},
          {"updated_at", timestamp(net.updated_at)},
          {"revision_number", net.revision_number}};
}

json subnet_view(const db::SubnetRecord& subnet) {
  json pools = json::array();
  for (const auto& [start, end] : db::allocation_pools(subnet)) pools.push_back({{"start", start}, {"end", end}});
  return {{"id", subnet.uuid},
          {"name", subnet.name},
          {"description", subnet.description},
          {"network_id", subnet.network_uuid},
          {"project_id", subnet.project_id},
          {"tenant_id", subnet.project_id},
          {"ip_version", 4},
          {"cidr", subnet.cidr},
          {"gateway_ip", subnet.gateway.empty() ? json(nullptr) : json(subnet.gateway)},
          {"enable_dhcp", subnet.enable_dhcp},
          {"allocation_pools", std::move(pools)},
          {"dns_nameservers", subnet.dns_nameservers},
          {"host_routes", json::array()},
          {"ipv6_ra_mode", nullptr},
          {"ipv6_address_mode", nullptr},
          {"subnetpool_id", nullptr},
          {"segment_id", nullptr},
          {"service_types", json::array()},
          {"tags", json::array()},
          {"created_at", timestamp(subnet.created_at)},
          {"updated_at", timestamp(subnet.updated_at)},
          {"revision_number", subnet.revision_number}};
}

json port_view(const db::PortRecord& port, const AuthContext& auth) {
  json fixed_ips = json::array();
  if (!port.ip_address.empty()) fixed_ips.push_back({{"subnet_id", port.subnet_uuid}, {"ip_address", port.ip_address}});
  json view = {{"id", port.uuid},
               {"name", port.name},
               {"description", port.description},
               {"network_id", port.network_uuid},
               {"project_id", port.project_id},
               {"tenant_id", port.project_id},
               {"mac_address", port.mac_address},
               {"admin_state_up", port.admin_state_up},
               {"port_security_enabled", port.port_security_enabled},
               {"status", port.status},
               {"device_id", port.device_id},
               {"device_owner", port.device_owner},
               {"fixed_ips", std::move(fixed_ips)},
               {"allowed_address_pairs", json::array()},
               {"extra_dhcp_opts", json::array()},
               {"security_groups", json::array()},
               {"binding:vnic_type", "normal"},
               {"tags", json::array()},
               {"created_at", timestamp(port.created_at)},
               {"updated_at", timestamp(port.updated_at)},
               {"revision_number", 1}};
  if (policy_allows(auth, "get_port:binding:host_id")) {
    view["binding:host_id"] = port.binding_host;
    view["binding:profile"] = json::object();
    view["binding:vif_details"] = json::object();
    view["binding:vif_type"] = port.binding_host.empty() ? "unbound" : "other";
  }
  return view;
}

}  // namespace stratus::core::api::network

namespace stratus::core::api::network {

json router_view(const db::RouterRecord& router, const std::vector<db::PortRecord>& gateway_ports) {
  json gateway = nullptr;
  if (!router.gateway_network_uuid.empty()) {
    json ips = json::array();
    for (const auto& p : gateway_ports) ips.push_back({{"subnet_id", p.subnet_uuid}, {"ip_address", p.ip_address}});
    gateway = {{"network_id", router.gateway_network_uuid}, {"enable_snat", true}, {"external_fixed_ips", ips}};
  }
  return {{"id", router.uuid},
          {"name", router.name},
          {"description", router.description},
          {"project_id", router.project_id},
          {"tenant_id", router.project_id},
          {"admin_state_up", router.admin_state_up},
          {"status", "ACTIVE"},
          {"external_gateway_info", gateway},
          {"routes", json::array()},
          {"distributed", false},
          {"ha", false},
          {"availability_zone_hints", json::array()},
          {"availability_zones", json::array()},
          {"flavor_id", nullptr},
          {"tags", json::array()},
          {"created_at", timestamp(router.created_at)},
          {"updated_at", timestamp(router.updated_at)},
          {"revision_number", router.revision_number}};
}

}  // namespace stratus::core::api::network
