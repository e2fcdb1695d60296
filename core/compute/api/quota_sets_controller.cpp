#include "core/compute/api/quota_sets_controller.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <charconv>
#include <map>
#include <optional>

#include "core/compute/api/quota_class_sets_controller.h"
#include "core/compute/api/quota_settable.h"
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

// ?user_id=: the user whose quotas a request is about, if any (an empty
// value is none, as Python's parse_qs drops it for Nova).
std::optional<std::string> user_param(const ApiRequest& req) {
  auto user = req.query_param("user_id");
  if (!user || user->empty()) return std::nullopt;
  return std::string(*user);
}

// What the project (or one user in it) uses of each resource Nova counts;
// the per-user ones (key_pairs, server_group_members) and the absolute ones
// show 0, as in Nova's quota detail (its _get_usages).
Result<Limits> quota_usage(db::Database& db, const std::string& project_id, const std::optional<std::string>& user_id) {
  db::QuotaRepository quotas(db);
  auto usage = user_id ? quotas.user_usage(project_id, *user_id) : quotas.usage(project_id);
  if (!usage.ok()) return usage.status();
  auto groups = db::ServerGroupRepository(db).list(project_id);
  if (!groups.ok()) return groups.status();
  const auto owned = std::count_if(groups->begin(), groups->end(),
                                   [&](const db::ServerGroupRecord& g) { return !user_id || g.user_id == *user_id; });
  return Limits{{db::kQuotaInstances, usage->instances},
                {db::kQuotaCores, usage->cores},
                {db::kQuotaRam, usage->ram},
                {"server_groups", static_cast<std::int64_t>(owned)}};
}

// The limits shown: the project's, or the user's (their own over the project's).
Result<Limits> shown_limits(db::Database& db, const std::string& project_id, const std::optional<std::string>& user_id) {
  db::QuotaRepository quotas(db);
  return user_id ? quotas.user_limits(project_id, *user_id) : quotas.limits(project_id);
}

// Nova's get_settable_quotas for the project or one user in it.
Result<std::map<std::string, SettableRange>> settable_ranges(db::Database& db, const std::string& project_id,
                                                             const std::optional<std::string>& user_id) {
  db::QuotaRepository quotas(db);
  auto project_limits = quotas.limits(project_id);
  if (!project_limits.ok()) return project_limits.status();
  auto handed_out = quotas.users_limits_total(project_id);
  if (!handed_out.ok()) return handed_out.status();
  auto usage = quota_usage(db, project_id, user_id);
  if (!usage.ok()) return usage.status();
  if (!user_id) return project_settable_ranges(*project_limits, *usage, *handed_out);
  auto own = quotas.user_overrides(project_id, *user_id);
  if (!own.ok()) return own.status();
  return user_settable_ranges(*project_limits, *handed_out, *own, *usage);
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
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  const std::string& project = req.path_params[0];
  const auto user = user_param(req);
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
    auto ranges = settable_ranges(db, project, user);
    if (!ranges.ok()) return ranges.status();
    for (const auto& [resource, limit] : wanted) {
      if (Status s = check_settable(resource, limit, ranges->at(resource)); !s.ok()) return s;
    }
  }
  db::QuotaRepository quotas(db);
  if (Status s = user ? quotas.set_user_limits(project, *user, wanted) : quotas.set_limits(project, wanted); !s.ok()) {
    return s;
  }
  auto limits = shown_limits(db, project, user);
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
    const auto user = user_param(req);
    auto limits = shown_limits(db, project, user);
    if (!limits.ok()) return limits.status();
    auto usage = quota_usage(db, project, user);
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
    auto limits = shown_limits(db, project, user_param(req));
    if (!limits.ok()) return limits.status();
    json out = quota_set_view(*limits, req.microversion);
    out["id"] = project;
    return ApiResponse{200, {{"quota_set", out}}, {}};
  });

  server.route("PUT", R"(/v2\.1/os-quota-sets/([^/]+))",
               [&db, validator](const ApiRequest& req) { return update(db, *validator, req); });

  server.route("DELETE", R"(/v2\.1/os-quota-sets/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, std::string(kPolicy) + "delete")) return *denied;
    db::QuotaRepository quotas(db);
    const std::string& project = req.path_params[0];
    const auto user = user_param(req);
    if (Status s = user ? quotas.reset_user_limits(project, *user) : quotas.reset_limits(project); !s.ok()) return s;
    return ApiResponse{202, nullptr, {}};
  });

  add_quota_class_set_routes(server, db);
}

}  // namespace stratus::core::api
