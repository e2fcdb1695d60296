// /network/v2.0/ports: list and show (policy: network_policy.h). Ports are
// made and freed by the Compute API with the servers they belong to.
#include <map>

#include "core/network/api/network_policy.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/network_views.h"
#include "core/network/api/neutron_error.h"
#include "core/network/api/neutron_query.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

// Network uuid -> its owner, for get_port's "network owner" clause.
Result<std::map<std::string, std::string>> network_owners(db::Database& db) {
  auto nets = db::NetworkRepository(db).list();
  if (!nets.ok()) return nets.status();
  std::map<std::string, std::string> out;
  for (const auto& n : *nets) out.emplace(n.uuid, n.project_id);
  return out;
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  auto ports = db::PortRepository(db).list();
  if (!ports.ok()) return ports.status();
  auto owners = network_owners(db);
  if (!owners.ok()) return owners.status();
  std::vector<json> views;
  for (const auto& p : *ports) {
    if (may_get_port(req.auth, p, (*owners)[p.network_uuid])) views.push_back(port_view(p, req.auth));
  }
  return list_reply(req, "ports", "Port", attribute_names(port_view({}, req.auth)), views);
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto port = db::PortRepository(db).get(id);
  if (!port.ok()) return neutron_failure(port.status(), "Port", id);
  auto net = db::NetworkRepository(db).get(port->network_uuid);
  if (!may_get_port(req.auth, *port, net.ok() ? net->project_id : std::string())) return not_found("Port", id);
  return show_reply(req, "port", port_view(*port, req.auth));
}

}  // namespace

void add_ports_routes(ApiServer& server, db::Database& db) {
  const std::string collection = R"(/network/v2\.0/ports)";
  server.route("GET", collection + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("GET", collection + R"(/([^/]+))", [&db](const ApiRequest& r) { return show(db, r); });
}

}  // namespace stratus::core::api::network
