// /network/v2.0/networks: list, show, create, delete (policy: network_policy.h).
#include <spdlog/spdlog.h>

#include "core/network/api/network_policy.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/network_views.h"
#include "core/network/api/neutron_error.h"
#include "core/network/api/neutron_query.h"
#include "core/network/api/request_body.h"
#include "core/network/api/quota_check.h"
#include "core/http/policy.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

const std::set<std::string>& creatable() {
  static const std::set<std::string> kAttrs = {"name",           "description", "admin_state_up", "shared",
                                               "router:external", "mtu",        "project_id",     "tenant_id"};
  return kAttrs;
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  auto nets = db::NetworkRepository(db).list(req.auth.is_admin ? std::nullopt
                                                                : std::optional<std::string>(req.auth.project_id));
  if (!nets.ok()) return nets.status();
  std::vector<json> views;
  for (const auto& n : *nets) {
    if (may_get_network(req.auth, n)) views.push_back(network_view(n));
  }
  return list_reply(req, "networks", "Network", attribute_names(network_view({})), views);
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto net = db::NetworkRepository(db).get(id);
  if (!net.ok()) return neutron_failure(net.status(), "Network", id);
  if (!may_get_network(req.auth, *net)) return not_found("Network", id);
  return show_reply(req, "network", network_view(*net));
}

Result<ApiResponse> create(db::Database& db, const ApiRequest& req) {
  auto parsed = RequestBody::parse(req.body, "network", creatable());
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);

  db::NetworkRecord rec;
  rec.name = body.string("name").value_or("");
  rec.description = body.string("description").value_or("");
  rec.admin_state_up = body.boolean("admin_state_up").value_or(true);
  rec.shared = body.boolean("shared").value_or(false);
  rec.router_external = body.boolean("router:external").value_or(false);
  rec.mtu = static_cast<int>(body.integer("mtu", 68, 9000).value_or(1500));
  if (body.error()) return *body.error();
  auto project = owning_project(body, req.auth);
  if (auto* refused = std::get_if<ApiResponse>(&project)) return *refused;
  rec.project_id = std::get<std::string>(project);
  if (rec.shared && !policy_allows(req.auth, "create_network:shared")) return policy_denied("create_network:shared");
  if (rec.router_external && !policy_allows(req.auth, "create_network:router:external")) {
    return policy_denied("create_network:router:external");
  }

  if (auto refused = refuse_over_quota(db, rec.project_id, "network")) return *refused;
  auto created = db::NetworkRepository(db).create(rec);
  if (!created.ok()) return neutron_failure(created.status(), "Network", rec.uuid);
  spdlog::info("{} network {} '{}' created for project {}", req.request_id, created->uuid, created->name,
               created->project_id);
  return show_reply(req, "network", network_view(*created), 201);
}

Result<ApiResponse> remove(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  db::NetworkRepository networks(db);
  auto net = networks.get(id);
  if (!net.ok()) return neutron_failure(net.status(), "Network", id);
  if (!may_get_network(req.auth, *net)) return not_found("Network", id);
  if (!may_change_network(req.auth, *net)) return policy_denied("delete_network");
  auto st = networks.remove(id);
  if (st.is(sdk::StatusCode::kInvalidState)) {
    return neutron_error(409, "NetworkInUse",
                         "Unable to complete operation on network " + id +
                             ". There are one or more ports still in use on the network.");
  }
  if (!st.ok()) return neutron_failure(st, "Network", id);
  spdlog::info("{} network {} deleted", req.request_id, id);
  return ApiResponse{204, nullptr, {}};
}

}  // namespace

void add_networks_routes(ApiServer& server, db::Database& db) {
  const std::string collection = R"(/network/v2\.0/networks)";
  const std::string member = collection + R"(/([^/]+))";
  server.route("GET", collection + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("GET", member, [&db](const ApiRequest& r) { return show(db, r); });
  server.route("POST", collection + "/?", [&db](const ApiRequest& r) { return create(db, r); });
  server.route("DELETE", member, [&db](const ApiRequest& r) { return remove(db, r); });
}

}  // namespace stratus::core::api::network
