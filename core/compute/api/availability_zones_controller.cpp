#include "core/compute/api/availability_zones_controller.h"

#include "core/compute/api/service_binary_name.h"
#include "core/http/policy.h"
#include "core/db/aggregate_repository.h"
#include "core/db/service_repository.h"

#include <map>

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;

constexpr const char* kDefaultZone = "nova";
constexpr const char* kInternalZone = "internal";

bool is_compute(const db::ServiceRecord& s) { return s.topic == "compute" || s.binary == "stratus-compute"; }

// Compute services by the zone their host's aggregates give it ("nova"
// without one), each zone available while one of its services is enabled.
struct Zone {
  bool available = false;
  nlohmann::json hosts = nlohmann::json::object();
};

Result<std::map<std::string, Zone>> compute_zones(db::Database& db, const std::vector<db::ServiceRecord>& services) {
  auto by_host = db::AggregateRepository(db).zones_by_host();
  if (!by_host.ok()) return by_host.status();
  std::map<std::string, Zone> zones;
  for (const auto& s : services) {
    if (!is_compute(s)) continue;
    auto it = by_host->find(s.host);
    Zone& z = zones[it == by_host->end() ? std::string(kDefaultZone) : it->second];
    z.available = z.available || !s.disabled;
    z.hosts[s.host][api_binary_name(s.binary)] = {{"available", !s.forced_down},
                                 {"active", !s.disabled},
                                 {"updated_at", s.last_seen_up ? json(*s.last_seen_up) : json(nullptr)}};
  }
  // No compute service at all: the default zone, as before any host reports.
  if (zones.empty()) zones[kDefaultZone].available = true;
  return zones;
}

}  // namespace

void add_availability_zone_routes(ApiServer& server, db::Database& db) {
  server.route("GET", R"(/v2\.1/os-availability-zone)", [&db](const ApiRequest&) -> Result<ApiResponse> {
    auto services = db::ServiceRepository(db).list();
    if (!services.ok()) return services.status();
    auto zones = compute_zones(db, *services);
    if (!zones.ok()) return zones.status();
    json out = json::array();
    for (const auto& [name, z] : *zones) {
      out.push_back({{"zoneName", name}, {"zoneState", {{"available", z.available}}}, {"hosts", nullptr}});
    }
    return ApiResponse{200, {{"availabilityZoneInfo", out}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-availability-zone/detail)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-availability-zone:detail")) return *denied;
    auto services = db::ServiceRepository(db).list();
    if (!services.ok()) return services.status();
    auto zones = compute_zones(db, *services);
    if (!zones.ok()) return zones.status();
    json internal_hosts = json::object();
    for (const auto& s : *services) {
      if (is_compute(s)) continue;
      internal_hosts[s.host][api_binary_name(s.binary)] = {{"available", !s.forced_down},
                                          {"active", !s.disabled},
                                          {"updated_at", s.last_seen_up ? json(*s.last_seen_up) : json(nullptr)}};
    }
    json out = json::array();
    if (!internal_hosts.empty()) {
      out.push_back({{"zoneName", kInternalZone}, {"zoneState", {{"available", true}}}, {"hosts", internal_hosts}});
    }
    for (const auto& [name, z] : *zones) {
      out.push_back({{"zoneName", name},
                     {"zoneState", {{"available", z.available}}},
                     {"hosts", z.hosts.empty() ? json(nullptr) : z.hosts}});
    }
    return ApiResponse{200, {{"availabilityZoneInfo", out}}, {}};
  });
}

}  // namespace stratus::core::api
