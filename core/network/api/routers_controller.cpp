// /network/v2.0/routers: Neutron's routers recorded without a data plane
// (router_repository.h). Policy as Neutron's defaults: every router call is
// admin_or_owner, and a router the caller may not see answers 404;
// external_gateway_info:enable_snat and :external_fixed_ips are admin only.
//   GET    /routers[/{id}]   POST   PUT /{id}   DELETE /{id} (409 RouterInUse)
//   PUT    /routers/{id}/add_router_interface     {"subnet_id"} | {"port_id"}
//   PUT    /routers/{id}/remove_router_interface  {"subnet_id"} | {"port_id"}
// An interface added by subnet is a new port holding the subnet's gateway
// address (device_owner network:router_interface); one added by port takes
// that port. Removing either deletes the port, as Neutron does.
#include <spdlog/spdlog.h>

#include "core/network/api/quota_check.h"
#include "core/db/router_repository.h"
#include "core/network/api/network_policy.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/network_views.h"
#include "core/network/api/neutron_error.h"
#include "core/network/api/neutron_query.h"
#include "core/network/api/request_body.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

ApiResponse router_not_found(const std::string& id) {
  return neutron_error(404, "RouterNotFound", "Router " + id + " could not be found");
}

ApiResponse bad_router_request(const std::string& message) {
  return neutron_error(400, "BadRequest", "Bad router request: " + message + ".");
}

bool may_use_router(const AuthContext& auth, const db::RouterRecord& router) {
  return auth.is_admin || owns(auth, router.project_id);
}

Result<json> view_of(db::Database& db, const db::RouterRecord& router) {
  std::vector<db::PortRecord> gateway;
  if (!router.gateway_network_uuid.empty()) {
    auto ports = db::PortRepository(db).list_by_device(router.uuid);
    if (!ports.ok()) return ports.status();
    for (auto& p : *ports) {
      if (p.device_owner == db::kRouterGatewayOwner) gateway.push_back(std::move(p));
    }
  }
  return router_view(router, gateway);
}

// Runs `f` with the router the path names, if the caller may use it;
// RouterNotFound otherwise.
template <typename F>
Result<ApiResponse> with_router(db::Database& db, const ApiRequest& req, F&& f) {
  const std::string& id = req.path_params[0];
  auto router = db::RouterRepository(db).get(id);
  if (!router.ok()) {
    if (router.status().is(sdk::StatusCode::kNotFound)) return router_not_found(id);
    return router.status();
  }
  if (!may_use_router(req.auth, *router)) return router_not_found(id);
  return f(*router);
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  auto routers = db::RouterRepository(db).list(req.auth.is_admin ? std::nullopt
                                                                  : std::optional<std::string>(req.auth.project_id));
  if (!routers.ok()) return routers.status();
  std::vector<json> views;
  for (const auto& r : *routers) {
    auto v = view_of(db, r);
    if (!v.ok()) return v.status();
    views.push_back(std::move(*v));
  }
  return list_reply(req, "routers", "Router", attribute_names(router_view({}, {})), views);
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req, int status = 200) {
  return with_router(db, req, [&](const db::RouterRecord& router) -> Result<ApiResponse> {
  auto v = view_of(db, router);
  if (!v.ok()) return v.status();
  return show_reply(req, "router", *v, status);
  });
}

// external_gateway_info of a body: {} or null clears it, {"network_id": N}
// sets it (N external, 404 when the caller cannot see it). nullopt: absent.
std::variant<std::optional<std::string>, ApiResponse> read_gateway(db::Database& db, const ApiRequest& req,
                                                                   RequestBody& body) {
  if (!body.has("external_gateway_info")) return std::optional<std::string>();
  const json& info = body.raw("external_gateway_info");
  if (info.is_null() || (info.is_object() && info.empty())) return std::optional<std::string>("");
  if (!info.is_object()) return bad_request("Invalid input for external_gateway_info. Reason: '" + info.dump() + "' is not a dictionary.");
  for (const auto& [key, value] : info.items()) {
    if (key == "enable_snat" || key == "external_fixed_ips") {
      if (!req.auth.is_admin) return policy_denied("create_router:external_gateway_info:" + key);
      if (key == "external_fixed_ips" && !(value.is_array() && value.empty())) {
        return bad_request("Invalid input for external_gateway_info. Reason: Stratus picks the gateway's address.");
      }
    } else if (key != "network_id") {
      return bad_request("Invalid input for external_gateway_info. Reason: Unexpected keys supplied: " + key + ".");
    }
  }
  if (!info.contains("network_id") || !info["network_id"].is_string()) {
    return bad_request("Invalid input for external_gateway_info. Reason: Validation of dictionary's keys failed. "
                       "Expected keys: {'network_id'} Provided keys: set().");
  }
  const std::string network_id = info["network_id"].get<std::string>();
  auto net = db::NetworkRepository(db).get(network_id);
  if (!net.ok() || !may_get_network(req.auth, *net)) return not_found("Network", network_id);
  if (!net->router_external) return bad_router_request("Network " + network_id + " is not an external network");
  return std::optional<std::string>(network_id);
}

// Replaces the router's gateway port (if any) with one on `network` ("" :
// none), in the caller's transaction.
sdk::Status set_gateway_port(db::Transaction& tx, const std::string& router_id, const std::string& network) {
  db::PortRepository ports(tx);
  auto current = ports.list_by_device(router_id);
  if (!current.ok()) return current.status();
  for (const auto& p : *current) {
    if (p.device_owner != db::kRouterGatewayOwner) continue;
    if (p.network_uuid == network) return sdk::Status::OK();
    if (auto st = ports.remove(p.uuid); !st.ok()) return st;
  }
  if (network.empty()) return sdk::Status::OK();
  db::PortSpec spec;
  spec.network_uuid = network;
  spec.device_id = router_id;
  spec.device_owner = db::kRouterGatewayOwner;
  auto created = ports.create(spec);
  return created.ok() ? sdk::Status::OK() : created.status();
}

Result<ApiResponse> gateway_failure(const sdk::Status& st, const std::string& network) {
  if (st.is(sdk::StatusCode::kConflict)) {
    return neutron_error(409, "IpAddressGenerationFailure", "No more IP addresses available on network " + network + ".");
  }
  return neutron_failure(st, "Network", network);
}

Result<ApiResponse> create(db::Database& db, const ApiRequest& req) {
  auto parsed = RequestBody::parse(req.body, "router",
                                   {"name", "description", "admin_state_up", "external_gateway_info", "project_id",
                                    "tenant_id", "distributed", "ha", "availability_zone_hints"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  db::RouterRecord rec;
  rec.name = body.string("name").value_or("");
  rec.description = body.string("description").value_or("");
  rec.admin_state_up = body.boolean("admin_state_up").value_or(true);
  for (const char* admin_only : {"distributed", "ha"}) {
    if (body.boolean(admin_only).value_or(false)) return policy_denied(std::string("create_router:") + admin_only);
  }
  if (body.error()) return *body.error();
  auto project = owning_project(body, req.auth);
  if (auto* refused = std::get_if<ApiResponse>(&project)) return *refused;
  rec.project_id = std::get<std::string>(project);
  auto gateway = read_gateway(db, req, body);
  if (auto* refused = std::get_if<ApiResponse>(&gateway)) return *refused;
  rec.gateway_network_uuid = std::get<std::optional<std::string>>(gateway).value_or("");
  if (auto refused = refuse_over_quota(db, rec.project_id, "router")) return *refused;
  auto tx = db.begin_write("create router");
  if (!tx.ok()) return tx.status();
  auto created = db::RouterRepository(*tx).create(rec);
  if (!created.ok()) return neutron_failure(created.status(), "Network", rec.gateway_network_uuid);
  if (auto st = set_gateway_port(*tx, created->uuid, rec.gateway_network_uuid); !st.ok()) {
    return gateway_failure(st, rec.gateway_network_uuid);
  }
  if (auto st = tx->commit(); !st.ok()) return st;
  spdlog::info("{} router {} '{}' created for project {}", req.request_id, created->uuid, created->name, rec.project_id);
  ApiRequest shown = req;
  shown.path_params = {created->uuid};
  return show(db, shown, 201);
}

Result<ApiResponse> update(db::Database& db, const ApiRequest& req) {
  return with_router(db, req, [&](const db::RouterRecord& router) -> Result<ApiResponse> {
  auto parsed = RequestBody::parse(req.body, "router", {"name", "description", "admin_state_up", "external_gateway_info"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  db::RouterUpdate u;
  u.name = body.string("name");
  u.description = body.string("description");
  u.admin_state_up = body.boolean("admin_state_up");
  if (body.error()) return *body.error();
  auto gateway = read_gateway(db, req, body);
  if (auto* refused = std::get_if<ApiResponse>(&gateway)) return *refused;
  u.gateway_network_uuid = std::get<std::optional<std::string>>(gateway);
  auto tx = db.begin_write("update router");
  if (!tx.ok()) return tx.status();
  auto updated = db::RouterRepository(*tx).update(router.uuid, u);
  if (!updated.ok()) return neutron_failure(updated.status(), "Router", router.uuid);
  if (u.gateway_network_uuid) {
    if (auto st = set_gateway_port(*tx, router.uuid, *u.gateway_network_uuid); !st.ok()) {
      return gateway_failure(st, *u.gateway_network_uuid);
    }
  }
  if (auto st = tx->commit(); !st.ok()) return st;
  spdlog::info("{} router {} updated", req.request_id, router.uuid);
  return show(db, req);
  });
}

Result<ApiResponse> remove(db::Database& db, const ApiRequest& req) {
  return with_router(db, req, [&](const db::RouterRecord& router) -> Result<ApiResponse> {
  auto st = db::RouterRepository(db).remove(router.uuid);
  if (st.is(sdk::StatusCode::kInvalidState)) {
    return neutron_error(409, "RouterInUse", "Router " + router.uuid + " still has ports");
  }
  if (!st.ok()) return neutron_failure(st, "Router", router.uuid);
  spdlog::info("{} router {} deleted", req.request_id, router.uuid);
  return ApiResponse{204, nullptr, {}};
  });
}

// What add/remove_router_interface answer.
json interface_info(const db::RouterRecord& router, const db::PortRecord& port) {
  return {{"id", router.uuid},
          {"tenant_id", router.project_id},
          {"project_id", router.project_id},
          {"port_id", port.uuid},
          {"network_id", port.network_uuid},
          {"subnet_id", port.subnet_uuid},
          {"subnet_ids", json::array({port.subnet_uuid})}};
}

// The router's interface ports.
Result<std::vector<db::PortRecord>> interfaces_of(db::Database& db, const std::string& router_id) {
  auto ports = db::PortRepository(db).list_by_device(router_id);
  if (!ports.ok()) return ports.status();
  std::vector<db::PortRecord> out;
  for (auto& p : *ports) {
    if (p.device_owner == db::kRouterInterfaceOwner) out.push_back(std::move(p));
  }
  return out;
}

// {"subnet_id": S} or {"port_id": P}, one of them.
std::variant<std::pair<std::string, std::string>, ApiResponse> interface_body(const ApiRequest& req) {
  if (!req.body.is_object()) return bad_request("Resource body required");
  std::string subnet = req.body.value("subnet_id", "");
  std::string port = req.body.value("port_id", "");
  if (subnet.empty() && port.empty()) return bad_router_request("Either subnet_id or port_id must be specified");
  return std::pair{subnet, port};
}

Result<ApiResponse> add_interface(db::Database& db, const ApiRequest& req) {
  return with_router(db, req, [&](const db::RouterRecord& router) -> Result<ApiResponse> {
  auto asked = interface_body(req);
  if (auto* refused = std::get_if<ApiResponse>(&asked)) return *refused;
  const auto [subnet_id, port_id] = std::get<std::pair<std::string, std::string>>(asked);
  if (!subnet_id.empty() && !port_id.empty()) return bad_router_request("Cannot specify both subnet-id and port-id");
  auto existing = interfaces_of(db, router.uuid);
  if (!existing.ok()) return existing.status();
  db::PortRepository ports(db);

  if (!port_id.empty()) {
    auto port = ports.get(port_id);
    if (!port.ok()) return neutron_failure(port.status(), "Port", port_id);
    auto net = db::NetworkRepository(db).get(port->network_uuid);
    if (!may_get_port(req.auth, *port, net.ok() ? net->project_id : std::string())) return not_found("Port", port_id);
    if (!port->device_id.empty()) {
      return neutron_error(409, "PortInUse", "Unable to complete operation on port " + port_id + " for network " +
                                                 port->network_uuid + ". Port already has an attached device " +
                                                 port->device_id + ".");
    }
    for (const auto& p : *existing) {
      if (p.subnet_uuid == port->subnet_uuid) return bad_router_request("Router already has a port on subnet " + p.subnet_uuid);
    }
    db::PortUpdate u;
    u.device_id = router.uuid;
    u.device_owner = std::string(db::kRouterInterfaceOwner);
    auto bound = ports.update(port_id, u);
    if (!bound.ok()) return neutron_failure(bound.status(), "Port", port_id);
    spdlog::info("{} router {} interface added: port {}", req.request_id, router.uuid, port_id);
    return ApiResponse{200, interface_info(router, *bound), {}};
  }

  auto subnet = db::SubnetRepository(db).get(subnet_id);
  if (!subnet.ok()) return neutron_failure(subnet.status(), "Subnet", subnet_id);
  auto net = db::NetworkRepository(db).get(subnet->network_uuid);
  if (!net.ok() || !may_get_subnet(req.auth, *subnet, *net)) return not_found("Subnet", subnet_id);
  if (subnet->gateway.empty()) return bad_router_request("Subnet for router interface must have a gateway IP");
  for (const auto& p : *existing) {
    if (p.subnet_uuid == subnet_id) return bad_router_request("Router already has a port on subnet " + subnet_id);
  }
  if (auto holder = ports.find_by_address(subnet->network_uuid, subnet->gateway); holder.ok() && *holder) {
    return neutron_error(409, "IpAddressAlreadyAllocated",
                         "IP address " + subnet->gateway + " already allocated in subnet " + subnet_id);
  }
  if (auto refused = refuse_over_quota(db, router.project_id, "port")) return *refused;
  db::PortSpec spec;
  spec.network_uuid = subnet->network_uuid;
  spec.subnet_uuid = subnet_id;
  spec.fixed_ip = subnet->gateway;
  spec.gateway_allowed = true;
  spec.device_id = router.uuid;
  spec.device_owner = db::kRouterInterfaceOwner;
  spec.project_id = router.project_id;
  spec.port_security_enabled = false;
  auto created = ports.create(spec);
  if (!created.ok()) return neutron_failure(created.status(), "Subnet", subnet_id);
  spdlog::info("{} router {} interface added on subnet {}: port {} ({})", req.request_id, router.uuid, subnet_id,
               created->uuid, created->ip_address);
  return ApiResponse{200, interface_info(router, *created), {}};
  });
}

Result<ApiResponse> remove_interface(db::Database& db, const ApiRequest& req) {
  return with_router(db, req, [&](const db::RouterRecord& router) -> Result<ApiResponse> {
  auto asked = interface_body(req);
  if (auto* refused = std::get_if<ApiResponse>(&asked)) return *refused;
  const auto [subnet_id, port_id] = std::get<std::pair<std::string, std::string>>(asked);
  auto existing = interfaces_of(db, router.uuid);
  if (!existing.ok()) return existing.status();
  const db::PortRecord* found = nullptr;
  for (const auto& p : *existing) {
    if ((port_id.empty() || p.uuid == port_id) && (subnet_id.empty() || p.subnet_uuid == subnet_id)) found = &p;
  }
  if (found == nullptr) {
    if (!port_id.empty()) {
      return neutron_error(404, "RouterInterfaceNotFound",
                           "Router " + router.uuid + " does not have an interface with id " + port_id);
    }
    return neutron_error(404, "RouterInterfaceNotFoundForSubnet",
                         "Router " + router.uuid + " has no interface on subnet " + subnet_id);
  }
  if (auto st = db::PortRepository(db).remove(found->uuid); !st.ok()) return neutron_failure(st, "Port", found->uuid);
  spdlog::info("{} router {} interface removed: port {} (subnet {})", req.request_id, router.uuid, found->uuid,
               found->subnet_uuid);
  return ApiResponse{200, interface_info(router, *found), {}};
  });
}

}  // namespace

void add_routers_routes(ApiServer& server, db::Database& db) {
  const std::string collection = R"(/network/v2\.0/routers)";
  const std::string member = collection + R"(/([^/]+))";
  server.route("GET", collection + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("POST", collection + "/?", [&db](const ApiRequest& r) { return create(db, r); });
  server.route("PUT", member + "/add_router_interface", [&db](const ApiRequest& r) { return add_interface(db, r); });
  server.route("PUT", member + "/remove_router_interface",
               [&db](const ApiRequest& r) { return remove_interface(db, r); });
  server.route("GET", member, [&db](const ApiRequest& r) { return show(db, r); });
  server.route("PUT", member, [&db](const ApiRequest& r) { return update(db, r); });
  server.route("DELETE", member, [&db](const ApiRequest& r) { return remove(db, r); });
}

// Neutron with no agents: an empty list, and 404 for any one (for every
// caller: what get_agent would hide from a member is not there anyway).
void add_agents_routes(ApiServer& server) {
  server.route("GET", R"(/network/v2\.0/agents/?)", [](const ApiRequest&) -> Result<ApiResponse> {
    return ApiResponse{200, {{"agents", json::array()}}, {}};
  });
  server.route("GET", R"(/network/v2\.0/agents/([^/]+))", [](const ApiRequest& req) -> Result<ApiResponse> {
    return neutron_error(404, "AgentNotFound", "Agent " + req.path_params[0] + " could not be found");
  });
}

}  // namespace stratus::core::api::network
