#include "core/compute/api/hosts_controller.h"

#include <array>
#include <map>
#include <memory>

#include "core/db/aggregate_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/service_repository.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

constexpr Microversion kLastVersion{2, 42};

bool is_compute(const db::ServiceRecord& s) { return s.topic == "compute" || s.binary == "stratus-compute"; }
bool is_api(const db::ServiceRecord& s) { return s.binary == "stratus-api" || s.topic == "api"; }

// Nova's hosts update schema.
const json& update_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "status": {"type": "string", "enum": ["enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"]},
      "maintenance_mode": {"type": "string", "enum": ["enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"]}
    },
    "anyOf": [{"required": ["status"]}, {"required": ["maintenance_mode"]}],
    "additionalProperties": false
  })");
  return schema;
}

Status removed() { return Status::NotFound("The resource could not be found."); }

std::string rule(const char* what) { return std::string("os_compute_api:os-hosts:") + what; }

// kNotFound with Nova's text unless `host` runs a compute service.
Status compute_host_exists(db::Database& db, const std::string& host) {
  auto services = db::ServiceRepository(db).list(host);
  if (!services.ok()) return services.status();
  for (const auto& s : *services) {
    if (is_compute(s)) return Status::OK();
  }
  return Status::NotFound("Compute host " + host + " could not be found.");
}

json resource(const std::string& host, const std::string& project, std::int64_t cpu, std::int64_t memory_mb,
              std::int64_t disk_gb) {
  return {{"resource", {{"host", host}, {"project", project}, {"cpu", cpu}, {"memory_mb", memory_mb}, {"disk_gb", disk_gb}}}};
}

Result<ApiResponse> show(db::Database& db, const ApiRequest& req) {
  const std::string& host = req.path_params[0];
  if (Status s = compute_host_exists(db, host); !s.ok()) return s;
  auto nodes = db::ComputeNodeRepository(db).list(host);
  if (!nodes.ok()) return nodes.status();
  if (nodes->empty()) return Status::NotFound("Compute host " + host + " could not be found.");
  const db::ComputeNodeRecord& node = nodes->front();  // Nova: the first node, for old clients
  db::InstanceFilter filter;
  filter.host = host;
  auto instances = db::InstanceRepository(db).list(filter);
  if (!instances.ok()) return instances.status();

  json out = json::array();
  out.push_back(resource(host, "(total)", node.vcpus, node.memory_mb, node.local_gb));
  out.push_back(resource(host, "(used_now)", node.vcpus_used, node.memory_mb_used, node.local_gb_used));
  std::int64_t cpu = 0, mem = 0, disk = 0;
  std::map<std::string, std::array<std::int64_t, 3>> by_project;
  std::vector<std::string> order;  // projects in the order first met, as Nova's dict
  for (const auto& i : *instances) {
    cpu += i.flavor.vcpus;
    mem += i.flavor.memory_mb;
    disk += i.flavor.root_gb + i.flavor.ephemeral_gb;
    auto [it, fresh] = by_project.try_emplace(i.project_id, std::array<std::int64_t, 3>{0, 0, 0});
    if (fresh) order.push_back(i.project_id);
    it->second[0] += i.flavor.vcpus;
    it->second[1] += i.flavor.memory_mb;
    it->second[2] += i.flavor.root_gb + i.flavor.ephemeral_gb;
  }
  out.push_back(resource(host, "(used_max)", cpu, mem, disk));
  for (const auto& p : order) {
    const auto& r = by_project[p];
    out.push_back(resource(host, p, r[0], r[1], r[2]));
  }
  return ApiResponse{200, {{"host", out}}, {}};
}

}  // namespace

void add_hosts_routes(ApiServer& server, db::Database& db) {
  auto validator = JsonSchemaValidator::compile(update_schema()).value();

  server.route("GET", R"(/v2\.1/os-hosts)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    if (auto denied = policy_check(req, rule("list"))) return *denied;
    auto services = db::ServiceRepository(db).list();
    if (!services.ok()) return services.status();
    auto zones = db::AggregateRepository(db).zones_by_host();
    if (!zones.ok()) return zones.status();
    const std::string wanted = req.query_param("zone").value_or("");
    json hosts = json::array();
    for (const auto& s : *services) {
      // Nova lists enabled services but its API ones.
      if (s.disabled || is_api(s)) continue;
      std::string zone = "internal";
      if (is_compute(s)) {
        auto it = zones->find(s.host);
        zone = it == zones->end() ? "nova" : it->second;
      }
      if (!wanted.empty() && zone != wanted) continue;
      hosts.push_back({{"host_name", s.host}, {"service", s.topic.empty() ? s.binary : s.topic}, {"zone", zone}});
    }
    return ApiResponse{200, {{"hosts", hosts}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-hosts/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    if (auto denied = policy_check(req, rule("show"))) return *denied;
    return show(db, req);
  });

  server.route("PUT", R"(/v2\.1/os-hosts/([^/]+))", [&db, validator](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    if (auto denied = policy_check(req, rule("update"))) return *denied;
    if (Status s = validator->validate(req.body); !s.ok()) return s;
    if (Status s = compute_host_exists(db, req.path_params[0]); !s.ok()) return s;
    // Nova asks the driver (set_host_enabled / host_maintenance_mode); no
    // Stratus driver implements them. Services are disabled with os-services.
    return error_response(501, "The requested functionality is not supported.");
  });

  for (const char* action : {"startup", "shutdown", "reboot"}) {
    const std::string name = action;
    server.route("GET", std::string(R"(/v2\.1/os-hosts/([^/]+)/)") + action,
                 [&db, name](const ApiRequest& req) -> Result<ApiResponse> {
                   if (req.microversion > kLastVersion) return removed();
                   if (auto denied = policy_check(req, rule(name == "startup" ? "start" : name.c_str()))) return *denied;
                   if (Status s = compute_host_exists(db, req.path_params[0]); !s.ok()) return s;
                   // Nova's host_power_action: no driver here powers hosts.
                   return error_response(501, "The requested functionality is not supported.");
                 });
  }
}

}  // namespace stratus::core::api
