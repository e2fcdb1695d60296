#include "core/compute/api/availability_zones_controller.h"

#include "core/http/policy.h"
#include "core/db/service_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;

constexpr const char* kDefaultZone = "nova";
constexpr const char* kInternalZone = "internal";

bool is_compute(const db::ServiceRecord& s) { return s.topic == "compute" || s.binary == "stratus-compute"; }

}  // namespace

void add_availability_zone_routes(ApiServer& server, db::Database& db) {
  server.route("GET", R"(/v2\.1/os-availability-zone)", [&db](const ApiRequest&) -> Result<ApiResponse> {
    auto services = db::ServiceRepository(db).list();
    if (!services.ok()) return services.status();
    // Nova: a zone is available while one of its compute services is enabled.
    bool any_compute = false;
    bool any_enabled = false;
    for (const auto& s : *services) {
      if (!is_compute(s)) continue;
      any_compute = true;
      any_enabled = any_enabled || !s.disabled;
    }
    json zone = {{"zoneName", kDefaultZone}, {"zoneState", {{"available", !any_compute || any_enabled}}}, {"hosts", nullptr}};
    return ApiResponse{200, {{"availabilityZoneInfo", json::array({zone})}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-availability-zone/detail)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-availability-zone:detail")) return *denied;
    auto services = db::ServiceRepository(db).list();
    if (!services.ok()) return services.status();
    json internal_hosts = json::object();
    json nova_hosts = json::object();
    bool any_compute = false;
    bool any_enabled = false;
    for (const auto& s : *services) {
      json& hosts = is_compute(s) ? nova_hosts : internal_hosts;
      if (is_compute(s)) {
        any_compute = true;
        any_enabled = any_enabled || !s.disabled;
      }
      hosts[s.host][s.binary] = {{"available", !s.forced_down},
                                 {"active", !s.disabled},
                                 {"updated_at", s.last_seen_up ? json(*s.last_seen_up) : json(nullptr)}};
    }
    json zones = json::array();
    if (!internal_hosts.empty()) {
      zones.push_back({{"zoneName", kInternalZone}, {"zoneState", {{"available", true}}}, {"hosts", internal_hosts}});
    }
    zones.push_back({{"zoneName", kDefaultZone},
                     {"zoneState", {{"available", !any_compute || any_enabled}}},
                     {"hosts", nova_hosts.empty() ? json(nullptr) : nova_hosts}});
    return ApiResponse{200, {{"availabilityZoneInfo", zones}}, {}};
  });
}

}  // namespace stratus::core::api
