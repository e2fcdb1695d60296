#include "core/compute/api/network_proxies_controller.h"

#include <string>

#include "core/db/network_repository.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

constexpr Microversion kLastProxyVersion{2, 35};  // Nova's MAX_PROXY_API_SUPPORT_VERSION

Status removed() { return Status::NotFound("The resource could not be found."); }
ApiResponse gone() { return error_response(410, "Gone"); }

// os-networks' view: nova-network fields Neutron has no value for are null;
// admins see more of them.
json network_view(const db::NetworkRecord& n, bool admin) {
  json out = {{"id", n.uuid}, {"label", n.name}};
  for (const char* f : {"cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6", "gateway_v6", "netmask_v6"}) {
    out[f] = nullptr;
  }
  if (admin) {
    for (const char* f : {"created_at", "updated_at", "deleted_at", "deleted", "injected", "bridge", "vlan",
                          "vpn_public_address", "vpn_public_port", "vpn_private_address", "dhcp_start", "project_id",
                          "host", "bridge_interface", "multi_host", "priority", "rxtx_base", "mtu", "dhcp_server",
                          "enable_dhcp", "share_address"}) {
      out[f] = nullptr;
    }
  }
  return out;
}

// os-tenant-networks' view.
json tenant_network_view(const db::NetworkRecord& n) { return {{"id", n.uuid}, {"cidr", "None"}, {"label", n.name}}; }

// The networks the caller may use, as Neutron lists them to it.
Result<std::vector<db::NetworkRecord>> visible_networks(db::Database& db, const ApiRequest& req) {
  return db::NetworkRepository(db).list(req.auth.is_admin ? std::nullopt
                                                          : std::optional<std::string>(req.auth.project_id));
}

Result<db::NetworkRecord> visible_network(db::Database& db, const ApiRequest& req) {
  auto nets = visible_networks(db, req);
  if (!nets.ok()) return nets.status();
  for (auto& n : *nets) {
    if (n.uuid == req.path_params[0]) return std::move(n);
  }
  return Status::NotFound("Network not found");
}

void add_proxy(ApiServer& server, db::Database& db, const std::string& collection, const std::string& rules,
               bool tenant_view) {
  const std::string base = R"(/v2\.1/)" + collection;
  server.route("GET", base, [&db, rules, tenant_view](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastProxyVersion) return removed();
    if (auto denied = policy_check(req, rules + ":list", req.auth.project_id)) return *denied;
    auto nets = visible_networks(db, req);
    if (!nets.ok()) return nets.status();
    json out = json::array();
    for (const auto& n : *nets) out.push_back(tenant_view ? tenant_network_view(n) : network_view(n, req.auth.is_admin));
    return ApiResponse{200, {{"networks", out}}, {}};
  });
  server.route("GET", base + "/([^/]+)", [&db, rules, tenant_view](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastProxyVersion) return removed();
    if (auto denied = policy_check(req, rules + (tenant_view ? ":show" : ":view"), req.auth.project_id)) return *denied;
    auto n = visible_network(db, req);
    if (!n.ok()) return n.status();
    return ApiResponse{200, {{"network", tenant_view ? tenant_network_view(*n) : network_view(*n, req.auth.is_admin)}}, {}};
  });
  // What only nova-network could do.
  auto gone_route = [](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastProxyVersion) return removed();
    return gone();
  };
  server.route("POST", base, gone_route);
  server.route("DELETE", base + "/([^/]+)", gone_route);
  if (!tenant_view) {
    server.route("POST", base + "/add", gone_route);
    server.route("POST", base + "/([^/]+)/action", gone_route);
  }
}

// A removed nova-network API: 410 up to `last`, 404 after.
void add_gone(ApiServer& server, const std::string& method, const std::string& pattern, Microversion last) {
  server.route(method, pattern, [last](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > last) return removed();
    return gone();
  });
}

}  // namespace

void add_network_proxy_routes(ApiServer& server, db::Database& db) {
  add_proxy(server, db, "os-networks", "os_compute_api:os-networks", false);
  add_proxy(server, db, "os-tenant-networks", "os_compute_api:os-tenant-networks", true);

  add_gone(server, "GET", R"(/v2\.1/servers/([^/]+)/os-virtual-interfaces)", Microversion{2, 43});
  add_gone(server, "GET", R"(/v2\.1/os-fixed-ips/([^/]+))", Microversion{2, 27});
  add_gone(server, "POST", R"(/v2\.1/os-fixed-ips/([^/]+)/action)", Microversion{2, 27});
  for (const char* method : {"GET", "POST"}) add_gone(server, method, R"(/v2\.1/os-floating-ips-bulk)", Microversion{2, 35});
  for (const char* method : {"GET", "PUT"}) {
    add_gone(server, method, R"(/v2\.1/os-floating-ips-bulk/([^/]+))", Microversion{2, 35});
  }
}

}  // namespace stratus::core::api
