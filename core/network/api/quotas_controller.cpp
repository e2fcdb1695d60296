// /network/v2.0/quotas: Neutron's quota API over NetworkQuotaRepository
// (a project's own limits, else Neutron's defaults; -1 unlimited).
//   GET    /quotas                      admin: projects with limits of their own
//   GET    /quotas/{project}            admin or the project's members (get_quota)
//   GET    /quotas/{project}/default    the defaults, same rule
//   GET    /quotas/{project}/details    limit, used and reserved (0) of each
//   PUT    /quotas/{project}            admin (update_quota)
//   DELETE /quotas/{project}            admin (delete_quota): back to the defaults
// The limits are enforced where networks, subnets, ports, routers, security
// groups and their rules and floating IPs are made (409 OverQuota).
#include <spdlog/spdlog.h>

#include "core/db/network_quota_repository.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/neutron_error.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;

std::optional<ApiResponse> refuse(const ApiRequest& req, const std::string& project) {
  if (req.auth.is_admin || project == req.auth.project_id) return std::nullopt;
  return policy_denied("get_quota");
}

json quota_json(const db::NetworkQuotas& q) {
  json out = json::object();
  for (const auto& [name, limit] : q) out[name] = limit;
  return out;
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  if (auto denied = refuse(req, req.path_params[0])) return *denied;
  auto limits = db::NetworkQuotaRepository(db).limits(req.path_params[0]);
  if (!limits.ok()) return limits.status();
  return ApiResponse{200, {{"quota", quota_json(*limits)}}, {}};
}

Result<ApiResponse> defaults(const ApiRequest& req) {
  if (auto denied = refuse(req, req.path_params[0])) return *denied;
  return ApiResponse{200, {{"quota", quota_json(db::default_network_quotas())}}, {}};
}

Result<ApiResponse> details(db::Database& db, const ApiRequest& req) {
  const std::string& project = req.path_params[0];
  if (auto denied = refuse(req, project)) return *denied;
  db::NetworkQuotaRepository quotas(db);
  auto limits = quotas.limits(project);
  if (!limits.ok()) return limits.status();
  auto used = quotas.usage(project);
  if (!used.ok()) return used.status();
  json out = json::object();
  for (const auto& [name, limit] : *limits) out[name] = {{"limit", limit}, {"used", (*used)[name]}, {"reserved", 0}};
  return ApiResponse{200, {{"quota", out}}, {}};
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req) {
  if (!req.auth.is_admin) return policy_denied("get_quota");
  auto all = db::NetworkQuotaRepository(db).overridden();
  if (!all.ok()) return all.status();
  json out = json::array();
  for (const auto& [project, limits] : *all) {
    json q = quota_json(limits);
    q["project_id"] = project;
    q["tenant_id"] = project;
    out.push_back(std::move(q));
  }
  return ApiResponse{200, {{"quotas", out}}, {}};
}

// PUT {"quota": {"port": 20, ...}}: integers of at least -1 (Neutron takes
// numeric strings too), only for resources it knows.
Result<ApiResponse> update(db::Database& db, const ApiRequest& req) {
  if (!req.auth.is_admin) return policy_denied("update_quota");
  const std::string& project = req.path_params[0];
  if (!req.body.is_object() || !req.body.contains("quota") || !req.body["quota"].is_object()) {
    return bad_request("Resource body required: {\"quota\": {...}}");
  }
  db::NetworkQuotas limits;
  for (const auto& [name, value] : req.body["quota"].items()) {
    if (db::default_network_quotas().count(name) == 0) return bad_request("Unrecognized attribute(s) '" + name + "'");
    std::optional<long long> limit;
    if (value.is_number_integer()) limit = value.get<long long>();
    if (value.is_string()) {
      try {
        std::size_t used = 0;
        limit = std::stoll(value.get<std::string>(), &used);
        if (used != value.get<std::string>().size()) limit.reset();
      } catch (const std::exception&) {
        limit.reset();
      }
    }
    if (!limit) return bad_request("Invalid input for " + name + ". Reason: '" + value.dump() + "' is not an integer.");
    if (*limit < -1) {
      return bad_request("Invalid input for " + name + ". Reason: '" + std::to_string(*limit) +
                         "' is too small - must be at least '-1'.");
    }
    limits[name] = *limit;
  }
  if (auto st = db::NetworkQuotaRepository(db).set(project, limits); !st.ok()) return neutron_failure(st, "Quota", project);
  spdlog::info("{} network quotas of project {} set: {}", req.request_id, project, req.body["quota"].dump());
  auto now = db::NetworkQuotaRepository(db).limits(project);
  if (!now.ok()) return now.status();
  return ApiResponse{200, {{"quota", quota_json(*now)}}, {}};
}

Result<ApiResponse> reset(db::Database& db, const ApiRequest& req) {
  if (!req.auth.is_admin) return policy_denied("delete_quota");
  if (auto st = db::NetworkQuotaRepository(db).reset(req.path_params[0]); !st.ok()) return st;
  spdlog::info("{} network quotas of project {} reset to the defaults", req.request_id, req.path_params[0]);
  return ApiResponse{204, nullptr, {}};
}

}  // namespace

void add_quotas_routes(ApiServer& server, db::Database& db) {
  const std::string member = R"(/network/v2\.0/quotas/([^/]+))";
  server.route("GET", R"(/network/v2\.0/quotas/?)", [&db](const ApiRequest& r) { return list(db, r); });
  server.route("GET", member + R"(/default)", [](const ApiRequest& r) { return defaults(r); });
  server.route("GET", member + R"(/details(\.json)?)", [&db](const ApiRequest& r) { return details(db, r); });
  server.route("GET", member, [&db](const ApiRequest& r) { return show(db, r); });
  server.route("PUT", member, [&db](const ApiRequest& r) { return update(db, r); });
  server.route("DELETE", member, [&db](const ApiRequest& r) { return reset(db, r); });
}

}  // namespace stratus::core::api::network
