#include "core/compute/api/quota_sets_controller.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <charconv>
#include <map>

#include "core/compute/api/quota_class_sets_controller.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/db/quota_repository.h"
#include "core/db/server_group_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

using Limits = std::map<std::string, std::int64_t>;

// Shown at 2.1 (until 2.36) with Nova's values since nova-network went away.
constexpr const char* kNetworkQuotas[] = {"fixed_ips", "floating_ips", "security_group_rules", "security_groups"};

constexpr std::int64_t kMaxLimit = 2147483647;  // Nova's db.MAX_INT

// Nova's quota_sets update schema at 2.1 for the resources we keep: each a
// JSON integer or a string of one, from -1 to MAX_INT; "force" a boolean
// (parameter_types.boolean). Built from the repository's resource set.
json update_schema() {
  json value = json::parse(R"({"type": ["integer", "string"], "pattern": "^-?[0-9]+$", "minimum": -1, "maximum": 2147483647})");
  json properties = json::object();
  for (const auto& [resource, limit] : db::builtin_quota_defaults()) properties[resource] = value;
  // nova-network's quotas: accepted until 2.36 and ignored, as Nova does
  // since they went away (they always show -1).
  for (const char* name : kNetworkQuotas) properties[name] = value;
  properties["force"] = json::parse(R"({"type": ["boolean", "string"], "enum": [true, "True", "TRUE", "true", "1",
      "ON", "On", "on", "YES", "Yes", "yes", false, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]})");
  return {{"type", "object"},
          {"properties", {{"quota_set", {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}}}}},
          {"required", {"quota_set"}},
          {"additionalProperties", false}};
}

// From 2.57 the injected file quotas are gone from the API.
constexpr const char* kInjectedFileQuotas[] = {"injected_file_content_bytes", "injected_file_path_bytes",
                                               "injected_files"};

bool shown_at(const std::string& resource, Microversion v) {
  if (v >= Microversion{2, 57}) {
    for (const char* name : kInjectedFileQuotas) {
      if (resource == name) return false;
    }
  }
  return true;
}

// The network quotas show until 2.36 (Nova's values since nova-network went
// away); the injected file ones until 2.57.
json quota_set_view(const Limits& limits, Microversion v) {
  json out = json::object();
  for (const auto& [resource, limit] : limits) {
    if (shown_at(resource, v)) out[resource] = limit;
  }
  if (v < Microversion{2, 36}) {
    for (const char* name : kNetworkQuotas) out[name] = -1;
  }
  return out;
}

// What the project uses of each resource Nova counts per project; the
// per-user ones (key_pairs, server_group_members) and the absolute ones show
// 0, as in Nova's project quota detail.
Result<Limits> project_usage(db::Database& db, const std::string& project_id) {
  auto usage = db::QuotaRepository(db).usage(project_id);
  if (!usage.ok()) return usage.status();
  auto groups = db::ServerGroupRepository(db).list(project_id);
  if (!groups.ok()) return groups.status();
  return Limits{{db::kQuotaInstances, usage->instances},
                {db::kQuotaCores, usage->cores},
                {db::kQuotaRam, usage->ram},
                {"server_groups", static_cast<std::int64_t>(groups->size())}};
}

std::int64_t used(const Limits& usage, const std::string& resource) {
  auto it = usage.find(resource);
  return it == usage.end() ? 0 : it->second;
}

// A value the schema let through: an integer, or a string of one (whose
// range the schema's minimum/maximum do not check).
Result<std::int64_t> limit_value(const std::string& resource, const json& v) {
  std::int64_t out = 0;
  bool ok = true;
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
  } else {
    const auto& text = v.get_ref<const std::string&>();
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    ok = !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
  }
  if (!ok || out < -1 || out > kMaxLimit) {
    return Status::InvalidArgument("Invalid input for field/attribute quota_set/" + resource + ". Value: " + v.dump() +
                                   ". It must be an integer from -1 to " + std::to_string(kMaxLimit) + ".");
  }
  return out;
}

bool truthy(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  std::string s = v.get<std::string>();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true" || s == "1" || s == "on" || s == "yes";
}

constexpr const char* kPolicy = "os_compute_api:os-quota-sets:";

Result<ApiResponse> update(db::Database& db, const JsonSchemaValidator& validator, const ApiRequest& req) {
  if (auto denied = policy_check(req, std::string(kPolicy) + "update")) return *denied;
  if (req.query_param("user_id")) return Status::InvalidArgument("Per-user quotas (user_id) are not supported.");
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  const std::string& project = req.path_params[0];
  const json& in = req.body["quota_set"];
  for (const auto& [resource, v] : in.items()) {
    const bool network_quota = std::find(std::begin(kNetworkQuotas), std::end(kNetworkQuotas), resource) !=
                               std::end(kNetworkQuotas);
    if (resource != "force" && (!shown_at(resource, req.microversion) ||
                                (network_quota && req.microversion >= Microversion{2, 36}))) {
      return Status::InvalidArgument("Invalid input for field/attribute quota_set. Value: " + in.dump() +
                                     ". Additional properties are not allowed ('" + resource + "' was unexpected)");
    }
  }
  const bool force = in.contains("force") && truthy(in["force"]);

  Limits wanted;
  for (const auto& [resource, v] : in.items()) {
    if (resource == "force") continue;
    auto limit = limit_value(resource, v);
    if (!limit.ok()) return limit.status();
    if (std::find(std::begin(kNetworkQuotas), std::end(kNetworkQuotas), resource) != std::end(kNetworkQuotas)) continue;
    wanted[resource] = *limit;
  }
  if (!force) {
    auto usage = project_usage(db, project);
    if (!usage.ok()) return usage.status();
    for (const auto& [resource, limit] : wanted) {
      const std::int64_t minimum = used(*usage, resource);
      if (limit != -1 && limit < minimum) {
        return Status::InvalidArgument("Quota limit " + std::to_string(limit) + " for " + resource +
                                       " must be greater than or equal to already used and reserved " +
                                       std::to_string(minimum) + ".");
      }
    }
  }
  db::QuotaRepository quotas(db);
  if (Status s = quotas.set_limits(project, wanted); !s.ok()) return s;
  auto limits = quotas.limits(project);
  if (!limits.ok()) return limits.status();
  // Nova's update answers without the "id".
  return ApiResponse{200, {{"quota_set", quota_set_view(*limits, req.microversion)}}, {}};
}

}  // namespace

void add_quota_set_routes(ApiServer& server, db::Database& db) {
  auto validator = JsonSchemaValidator::compile(update_schema()).value();

  server.route("GET", R"(/v2\.1/os-quota-sets/([^/]+)/defaults)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto defaults = db::QuotaRepository(db).defaults();
    if (!defaults.ok()) return defaults.status();
    json out = quota_set_view(*defaults, req.microversion);
    out["id"] = req.path_params[0];
    return ApiResponse{200, {{"quota_set", out}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-quota-sets/([^/]+)/detail)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    const std::string& project = req.path_params[0];
    if (auto denied = policy_check(req, std::string(kPolicy) + "detail", project)) return *denied;
    auto limits = db::QuotaRepository(db).limits(project);
    if (!limits.ok()) return limits.status();
    auto usage = project_usage(db, project);
    if (!usage.ok()) return usage.status();
    json out = json::object();
    for (const auto& [resource, limit] : *limits) {
      if (!shown_at(resource, req.microversion)) continue;
      out[resource] = {{"in_use", used(*usage, resource)}, {"limit", limit}, {"reserved", 0}};
    }
    if (req.microversion < Microversion{2, 36}) {
      for (const char* name : kNetworkQuotas) out[name] = {{"in_use", 0}, {"limit", -1}, {"reserved", 0}};
    }
    out["id"] = project;
    return ApiResponse{200, {{"quota_set", out}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-quota-sets/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    const std::string& project = req.path_params[0];
    if (auto denied = policy_check(req, std::string(kPolicy) + "show", project)) return *denied;
    auto limits = db::QuotaRepository(db).limits(project);
    if (!limits.ok()) return limits.status();
    json out = quota_set_view(*limits, req.microversion);
    out["id"] = project;
    return ApiResponse{200, {{"quota_set", out}}, {}};
  });

  server.route("PUT", R"(/v2\.1/os-quota-sets/([^/]+))",
               [&db, validator](const ApiRequest& req) { return update(db, *validator, req); });

  server.route("DELETE", R"(/v2\.1/os-quota-sets/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, std::string(kPolicy) + "delete")) return *denied;
    if (req.query_param("user_id")) return Status::InvalidArgument("Per-user quotas (user_id) are not supported.");
    if (Status s = db::QuotaRepository(db).reset_limits(req.path_params[0]); !s.ok()) return s;
    return ApiResponse{202, nullptr, {}};
  });

  add_quota_class_set_routes(server, db);
}

}  // namespace stratus::core::api
