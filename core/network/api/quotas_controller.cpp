// /network/v2.0/quotas: what Neutron's quota API answers for the limits the
// Network service enforces - Neutron's defaults for security_group (10),
// security_group_rule (100) and floatingip (50) - and -1 (unlimited) for the
// resources it counts against no limit (networks, subnets, ports, ...).
// Read-only: the limits are not adjustable yet (PUT/DELETE answer 501 like
// every other write Stratus does not serve). Admins read any project's,
// others their own (Neutron's get_quota: admin_or_owner).
#include "core/db/floating_ip_repository.h"
#include "core/db/security_group_repository.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/neutron_error.h"
#include "core/network/floating_ip_allocation.h"
#include "core/network/security_group_rule_check.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

constexpr const char* kUnlimited[] = {"network", "subnet", "subnetpool", "port", "router", "rbac_policy"};

json limits() {
  json q = {{"security_group", core::network::kSecurityGroupQuota},
            {"security_group_rule", core::network::kSecurityGroupRuleQuota},
            {"floatingip", core::network::kFloatingIpQuota}};
  for (const char* r : kUnlimited) q[r] = -1;
  return q;
}

std::optional<ApiResponse> refuse(const ApiRequest& req, const std::string& project) {
  if (req.auth.is_admin || project == req.auth.project_id) return std::nullopt;
  return policy_denied("get_quota");
}

Result<ApiResponse> show(const ApiRequest& req) {
  if (auto denied = refuse(req, req.path_params[0])) return *denied;
  return ApiResponse{200, {{"quota", limits()}}, {}};
}

Result<ApiResponse> details(db::Database& db, const ApiRequest& req) {
  const std::string& project = req.path_params[0];
  if (auto denied = refuse(req, project)) return *denied;
  db::SecurityGroupRepository groups(db);
  auto g = groups.count(project);
  if (!g.ok()) return g.status();
  auto r = groups.count_rules(project);
  if (!r.ok()) return r.status();
  auto f = db::FloatingIpRepository(db).count(project);
  if (!f.ok()) return f.status();
  const std::map<std::string, std::int64_t> used = {{"security_group", *g}, {"security_group_rule", *r}, {"floatingip", *f}};
  json out = json::object();
  const json all = limits();
  for (const auto& [name, limit] : all.items()) {
    auto u = used.find(name);
    out[name] = {{"limit", limit}, {"used", u == used.end() ? 0 : u->second}, {"reserved", 0}};
  }
  return ApiResponse{200, {{"quota", out}}, {}};
}

}  // namespace

void add_quotas_routes(ApiServer& server, db::Database& db) {
  const std::string member = R"(/network/v2\.0/quotas/([^/]+))";
  server.route("GET", R"(/network/v2\.0/quotas/?)", [](const ApiRequest& req) -> Result<ApiResponse> {
    // Only projects with limits other than the defaults are listed: none.
    if (!req.auth.is_admin) return policy_denied("get_quota");
    return ApiResponse{200, {{"quotas", json::array()}}, {}};
  });
  server.route("GET", member + R"(/default)", [](const ApiRequest& r) { return show(r); });
  server.route("GET", member + R"(/details(\.json)?)", [&db](const ApiRequest& r) { return details(db, r); });
  server.route("GET", member, [](const ApiRequest& r) { return show(r); });
}

}  // namespace stratus::core::api::network
