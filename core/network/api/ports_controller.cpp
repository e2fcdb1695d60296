// /network/v2.0/ports: list and show (policy: network_policy.h), and update
// of security_groups. Ports are made and freed by the Compute API with the
// servers they belong to.
#include <map>

#include <spdlog/spdlog.h>

#include "core/db/security_group_repository.h"
#include "core/network/api/request_body.h"

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

// Fills each view's security_groups from the port's memberships.
sdk::Status add_security_groups(db::Database& db, std::vector<json>& views) {
  std::vector<std::string> ids;
  for (const auto& v : views) ids.push_back(v.value("id", ""));
  if (ids.empty()) return sdk::Status::OK();
  auto groups = db::SecurityGroupRepository(db).groups_of_ports(ids);
  if (!groups.ok()) return groups.status();
  for (auto& v : views) {
    auto it = groups->find(v.value("id", ""));
    if (it != groups->end()) v["security_groups"] = it->second;
  }
  return sdk::Status::OK();
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
  if (auto st = add_security_groups(db, views); !st.ok()) return st;
  return list_reply(req, "ports", "Port", attribute_names(port_view({}, req.auth)), views);
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto port = db::PortRepository(db).get(id);
  if (!port.ok()) return neutron_failure(port.status(), "Port", id);
  auto net = db::NetworkRepository(db).get(port->network_uuid);
  if (!may_get_port(req.auth, *port, net.ok() ? net->project_id : std::string())) return not_found("Port", id);
  std::vector<json> views = {port_view(*port, req.auth)};
  if (auto st = add_security_groups(db, views); !st.ok()) return st;
  return show_reply(req, "port", views.front());
}

// PUT {"port": {"security_groups": [ids]}}: the groups must be the port's
// project's (any for admins). Nothing else of a port can change yet.
Result<ApiResponse> update(db::Database& db, core::network::SecurityGroupRefresh* refresh, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto port = db::PortRepository(db).get(id);
  if (!port.ok()) return neutron_failure(port.status(), "Port", id);
  auto net = db::NetworkRepository(db).get(port->network_uuid);
  if (!may_get_port(req.auth, *port, net.ok() ? net->project_id : std::string())) return not_found("Port", id);
  auto parsed = RequestBody::parse(req.body, "port", {"security_groups"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  std::vector<std::string> groups;
  if (!body.is_null("security_groups")) groups = body.strings("security_groups").value_or(std::vector<std::string>{});
  if (body.error()) return *body.error();
  db::SecurityGroupRepository repo(db);
  for (const auto& g : groups) {
    auto group = repo.get(g);
    if (!group.ok() || (!req.auth.is_admin && group->project_id != port->project_id)) {
      if (group.ok() || group.status().is(sdk::StatusCode::kNotFound)) {
        return neutron_error(404, "SecurityGroupNotFound", "Security group " + g + " does not exist");
      }
      return group.status();
    }
  }
  auto before = repo.groups_of_ports({id});
  if (!before.ok()) return before.status();
  if (auto st = repo.set_port_groups(id, groups); !st.ok()) return neutron_failure(st, "Port", id);
  if (refresh) {
    // The port's instance, and those whose rules name an old or new group
    // as remote (that group's members changed).
    std::vector<std::string> changed = groups;
    for (const auto& [port_id, old] : *before) changed.insert(changed.end(), old.begin(), old.end());
    std::vector<std::string> instances;
    if (!port->device_id.empty()) instances.push_back(port->device_id);
    refresh->refresh(req.request_id, changed, instances);
  }
  spdlog::info("{} port {} security groups set to {}", req.request_id, id, json(groups).dump());
  return show(db, req);
}

}  // namespace

void add_ports_routes(ApiServer& server, db::Database& db, core::network::SecurityGroupRefresh* refresh) {
  const std::string collection = R"(/network/v2\.0/ports)";
  server.route("GET", collection + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("GET", collection + R"(/([^/]+))", [&db](const ApiRequest& r) { return show(db, r); });
  server.route("PUT", collection + R"(/([^/]+))", [&db, refresh](const ApiRequest& r) { return update(db, refresh, r); });
}

}  // namespace stratus::core::api::network
