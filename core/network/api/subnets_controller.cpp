// /network/v2.0/subnets: list, show, create, delete (policy: network_policy.h).
// IPv4 only; one allocation pool per subnet; no host routes.
#include <map>

#include <spdlog/spdlog.h>

#include "core/network/api/network_policy.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/network_views.h"
#include "core/network/api/neutron_error.h"
#include "core/network/api/neutron_query.h"
#include "core/network/api/request_body.h"
#include "core/network/api/quota_check.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

const std::set<std::string>& creatable() {
  static const std::set<std::string> kAttrs = {
      "network_id", "cidr",          "ip_version",  "name",       "description", "gateway_ip",
      "enable_dhcp", "allocation_pools", "dns_nameservers", "host_routes", "project_id", "tenant_id"};
  return kAttrs;
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  auto subnets = db::SubnetRepository(db).list();
  if (!subnets.ok()) return subnets.status();
  auto nets = db::NetworkRepository(db).list();
  if (!nets.ok()) return nets.status();
  std::map<std::string, db::NetworkRecord> by_id;
  for (auto& n : *nets) by_id.emplace(n.uuid, std::move(n));
  std::vector<json> views;
  for (const auto& s : *subnets) {
    auto net = by_id.find(s.network_uuid);
    if (net != by_id.end() && may_get_subnet(req.auth, s, net->second)) views.push_back(subnet_view(s));
  }
  return list_reply(req, "subnets", "Subnet", attribute_names(subnet_view({})), views);
}

// The subnet of the path if the caller may see it, else the reply to give.
std::variant<std::pair<db::SubnetRecord, db::NetworkRecord>, Result<ApiResponse>> visible_subnet(
    db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto subnet = db::SubnetRepository(db).get(id);
  if (!subnet.ok()) return neutron_failure(subnet.status(), "Subnet", id);
  auto net = db::NetworkRepository(db).get(subnet->network_uuid);
  if (!net.ok()) return neutron_failure(net.status(), "Subnet", id);
  if (!may_get_subnet(req.auth, *subnet, *net)) return Result<ApiResponse>(not_found("Subnet", id));
  return std::make_pair(std::move(subnet.value()), std::move(net.value()));
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  auto found = visible_subnet(db, req);
  if (auto* reply = std::get_if<Result<ApiResponse>>(&found)) return *reply;
  return show_reply(req, "subnet", subnet_view(std::get<0>(found).first));
}

Result<ApiResponse> create(db::Database& db, const ApiRequest& req) {
  auto parsed = RequestBody::parse(req.body, "subnet", creatable());
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);

  db::SubnetRecord rec;
  auto network_id = body.string("network_id", 36);
  auto cidr = body.string("cidr", 18);
  if (body.error()) return *body.error();
  if (!network_id) return bad_request("Invalid input for operation: network_id is required.");
  if (!cidr) return bad_request("Invalid input for operation: cidr is required (subnet pools are not supported).");
  rec.network_uuid = *network_id;
  rec.cidr = *cidr;
  if (auto version = body.integer("ip_version", 4, 6); version && *version != 4) {
    return bad_request("Invalid input for ip_version. Reason: only IPv4 (4) is supported by Stratus.");
  }
  rec.name = body.string("name").value_or("");
  rec.description = body.string("description").value_or("");
  rec.enable_dhcp = body.boolean("enable_dhcp").value_or(true);
  if (body.is_null("gateway_ip")) {
    rec.has_gateway = false;
  } else {
    rec.gateway = body.string("gateway_ip", 15).value_or("");
  }
  rec.dns_nameservers = body.strings("dns_nameservers").value_or(std::vector<std::string>{});
  if (body.has("host_routes") && !(body.raw("host_routes").is_array() && body.raw("host_routes").empty())) {
    return bad_request("Invalid input for host_routes. Reason: host routes are not supported by Stratus.");
  }
  if (body.has("allocation_pools")) {
    const json& pools = body.raw("allocation_pools");
    if (!pools.is_array() || pools.size() > 1) {
      return bad_request("Invalid input for allocation_pools. Reason: Stratus supports one allocation pool per subnet.");
    }
    if (pools.size() == 1) {
      const json& pool = pools[0];
      if (!pool.is_object() || !pool.contains("start") || !pool.contains("end") || !pool["start"].is_string() ||
          !pool["end"].is_string()) {
        return bad_request("Invalid input for allocation_pools. Reason: a pool is {\"start\": IP, \"end\": IP}.");
      }
      rec.pool_start = pool["start"].get<std::string>();
      rec.pool_end = pool["end"].get<std::string>();
    }
  }
  if (body.error()) return *body.error();
  auto project = owning_project(body, req.auth);
  if (auto* refused = std::get_if<ApiResponse>(&project)) return *refused;
  rec.project_id = std::get<std::string>(project);

  auto net = db::NetworkRepository(db).get(rec.network_uuid);
  if (!net.ok()) return neutron_failure(net.status(), "Network", rec.network_uuid);
  if (!may_get_network(req.auth, *net)) return not_found("Network", rec.network_uuid);
  if (!may_change_network(req.auth, *net)) return policy_denied("create_subnet");

  if (auto refused = refuse_over_quota(db, rec.project_id, "subnet")) return *refused;
  auto created = db::SubnetRepository(db).create(rec);
  if (!created.ok()) return neutron_failure(created.status(), "Network", rec.network_uuid);
  spdlog::info("{} subnet {} {} created on network {}", req.request_id, created->uuid, created->cidr,
               created->network_uuid);
  return show_reply(req, "subnet", subnet_view(*created), 201);
}

Result<ApiResponse> remove(db::Database& db, const ApiRequest& req) {
  auto found = visible_subnet(db, req);
  if (auto* reply = std::get_if<Result<ApiResponse>>(&found)) return *reply;
  const auto& [subnet, net] = std::get<0>(found);
  if (!may_change_network(req.auth, net)) return policy_denied("delete_subnet");
  auto st = db::SubnetRepository(db).remove(subnet.uuid);
  if (st.is(sdk::StatusCode::kInvalidState)) {
    return neutron_error(409, "SubnetInUse",
                         "Unable to complete operation on subnet " + subnet.uuid +
                             ": One or more ports have an IP allocation from this subnet.");
  }
  if (!st.ok()) return neutron_failure(st, "Subnet", subnet.uuid);
  spdlog::info("{} subnet {} deleted", req.request_id, subnet.uuid);
  return ApiResponse{204, nullptr, {}};
}

}  // namespace

void add_subnets_routes(ApiServer& server, db::Database& db) {
  const std::string collection = R"(/network/v2\.0/subnets)";
  const std::string member = collection + R"(/([^/]+))";
  server.route("GET", collection + "/?", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("GET", member, [&db](const ApiRequest& r) { return show(db, r); });
  server.route("POST", collection + "/?", [&db](const ApiRequest& r) { return create(db, r); });
  server.route("DELETE", member, [&db](const ApiRequest& r) { return remove(db, r); });
}

}  // namespace stratus::core::api::network
