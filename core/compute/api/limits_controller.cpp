#include "core/compute/api/limits_controller.h"

#include "core/http/policy.h"
#include "core/db/quota_repository.h"
#include "core/db/server_group_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;

std::int64_t limit_of(const std::map<std::string, std::int64_t>& limits, const char* name) {
  auto it = limits.find(name);
  return it == limits.end() ? -1 : it->second;
}

}  // namespace

void add_limits_routes(ApiServer& server, db::Database& db) {
  server.route("GET", R"(/v2\.1/limits)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    std::string project = req.auth.project_id;
    // Nova's os_compute_api:limits:other_project: admins only; others get their own.
    if (auto other = req.query_param("tenant_id"); other && policy_allows(req.auth, "os_compute_api:limits:other_project")) {
      project = *other;
    }
    db::QuotaRepository quotas(db);
    auto limits = quotas.limits(project);
    if (!limits.ok()) return limits.status();
    auto usage = quotas.usage(project);
    if (!usage.ok()) return usage.status();
    auto groups = db::ServerGroupRepository(db).list(project);
    if (!groups.ok()) return groups.status();
    const auto& l = *limits;
    // The keys of Nova's limit-get-resp.json at 2.1; the network ones (proxied
    // to Neutron by Nova and gone from 2.36) are unlimited and unused here.
    json absolute = {{"maxImageMeta", limit_of(l, "metadata_items")},
                     {"maxPersonality", limit_of(l, "injected_files")},
                     {"maxPersonalitySize", limit_of(l, "injected_file_content_bytes")},
                     {"maxSecurityGroupRules", -1},
                     {"maxSecurityGroups", -1},
                     {"maxServerGroupMembers", limit_of(l, "server_group_members")},
                     {"maxServerGroups", limit_of(l, "server_groups")},
                     {"maxServerMeta", limit_of(l, "metadata_items")},
                     {"maxTotalCores", limit_of(l, "cores")},
                     {"maxTotalFloatingIps", -1},
                     {"maxTotalInstances", limit_of(l, "instances")},
                     {"maxTotalKeypairs", limit_of(l, "key_pairs")},
                     {"maxTotalRAMSize", limit_of(l, "ram")},
                     {"totalCoresUsed", usage->cores},
                     {"totalFloatingIpsUsed", 0},
                     {"totalInstancesUsed", usage->instances},
                     {"totalRAMUsed", usage->ram},
                     {"totalSecurityGroupsUsed", 0},
                     {"totalServerGroupsUsed", static_cast<std::int64_t>(groups->size())}};
    // Later microversions drop what Nova no longer limits: the network
    // figures at 2.36, maxImageMeta at 2.39, the personality ones at 2.57.
    if (req.microversion >= Microversion{2, 36}) {
      for (const char* k : {"maxSecurityGroupRules", "maxSecurityGroups", "maxTotalFloatingIps", "totalFloatingIpsUsed",
                            "totalSecurityGroupsUsed"}) {
        absolute.erase(k);
      }
    }
    if (req.microversion >= Microversion{2, 39}) absolute.erase("maxImageMeta");
    if (req.microversion >= Microversion{2, 57}) {
      absolute.erase("maxPersonality");
      absolute.erase("maxPersonalitySize");
    }
    return ApiResponse{200, {{"limits", {{"rate", json::array()}, {"absolute", absolute}}}}, {}};
  });
}

}  // namespace stratus::core::api
