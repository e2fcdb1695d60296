#include "core/compute/api/server_groups_controller.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/db/quota_repository.h"
#include "core/db/server_group_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's server group create schema (2.1, with 2.15's soft policies): the
// name is parameter_types.name (no leading or trailing blank, no control
// characters), policies exactly one known policy.
const json& create_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "server_group": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
          "policies": {
            "type": "array",
            "items": [{"type": "string", "enum": ["anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"]}],
            "uniqueItems": true,
            "minItems": 1,
            "maxItems": 1,
            "additionalItems": false
          }
        },
        "required": ["name", "policies"],
        "additionalProperties": false
      }
    },
    "required": ["server_group"],
    "additionalProperties": false
  })");
  return schema;
}

// The create schema at a microversion: soft policies from 2.15; from 2.64
// one "policy" and optional "rules" ({"max_server_per_host": n >= 1}).
json create_schema_at(Microversion v) {
  json schema = create_schema();
  json& group = schema["properties"]["server_group"];
  if (v < Microversion{2, 15}) {
    group["properties"]["policies"]["items"][0]["enum"] = {"anti-affinity", "affinity"};
  }
  if (v >= Microversion{2, 64}) {
    group["properties"].erase("policies");
    group["properties"]["policy"] = {{"type", "string"},
                                     {"enum", {"anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"}}};
    group["properties"]["rules"] = json::parse(R"({"type": "object", "properties": {"max_server_per_host":
        {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1}}, "additionalProperties": false})");
    group["required"] = {"name", "policy"};
  }
  return schema;
}

json group_view(const db::ServerGroupRecord& g, Microversion v) {
  // InstanceRepository::destroy drops a deleted instance's memberships, so
  // the members are the live instances Nova would show.
  json out = {{"id", g.uuid}, {"name", g.name}, {"members", g.members}};
  if (v >= Microversion{2, 64}) {
    out["policy"] = g.policy;
    out["rules"] = g.max_server_per_host ? json{{"max_server_per_host", *g.max_server_per_host}} : json::object();
  } else {
    out["policies"] = json::array({g.policy});
    out["metadata"] = json::object();
  }
  if (v >= Microversion{2, 13}) {
    out["project_id"] = g.project_id;
    out["user_id"] = g.user_id;
  }
  return out;
}

Status group_not_found(const std::string& id) { return Status::NotFound("Instance group " + id + " could not be found."); }

// The group of the path as the caller may see it: another project's group
// is, to a non-admin, as absent as a missing one.
Result<db::ServerGroupRecord> visible_group(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto g = db::ServerGroupRepository(db).get(id);
  if (!g.ok()) return g.status().is(sdk::StatusCode::kNotFound) ? group_not_found(id) : g.status();
  if (!req.auth.is_admin && g->project_id != req.auth.project_id) return group_not_found(id);
  return g;
}

// Nova's common.limited: ?offset= and ?limit= (non-negative integers).
Result<std::optional<std::size_t>> size_param(const ApiRequest& req, const char* name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<std::size_t>();
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (raw->empty() || ec != std::errc() || ptr != raw->data() + raw->size()) {
    return Status::InvalidArgument(std::string(name) + " param must be an integer");
  }
  if (v < 0) return Status::InvalidArgument(std::string(name) + " param must be positive");
  return std::optional<std::size_t>(static_cast<std::size_t>(v));
}

// The project's server_groups limit and the user's own (os-quota-sets
// ?user_id=), each nullopt when unlimited or, for the user, not set.
struct GroupLimits {
  std::optional<std::int64_t> project;
  std::optional<std::int64_t> user;
};

Result<GroupLimits> group_limits(db::Database& db, const std::string& project_id, const std::string& user_id) {
  db::QuotaRepository quotas(db);
  auto limits = quotas.limits(project_id);
  if (!limits.ok()) return limits.status();
  auto own = quotas.user_overrides(project_id, user_id);
  if (!own.ok()) return own.status();
  GroupLimits out;
  if (auto it = limits->find("server_groups"); it != limits->end() && it->second >= 0) out.project = it->second;
  if (auto it = own->find("server_groups"); it != own->end() && it->second >= 0) out.user = it->second;
  return out;
}

ApiResponse over_quota() { return error_response(403, "Quota exceeded, too many server groups."); }

Result<ApiResponse> create(db::Database& db, const JsonSchemaValidator& validator, const ApiRequest& req) {
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  const json& in = req.body["server_group"];
  const std::string& project = req.auth.project_id;
  db::ServerGroupRepository groups(db);

  auto limit = group_limits(db, project, req.auth.user_id);
  if (!limit.ok()) return limit.status();

  db::ServerGroupRecord record;
  record.name = in["name"].get<std::string>();
  if (req.microversion >= Microversion{2, 64}) {
    record.policy = in["policy"].get<std::string>();
    if (in.contains("rules") && !in["rules"].empty()) {
      if (record.policy != "anti-affinity") return Status::InvalidArgument("Only anti-affinity policy supports rules.");
      const json& m = in["rules"]["max_server_per_host"];
      std::int64_t n = 0;
      if (m.is_number_integer()) {
        n = m.get<std::int64_t>();
      } else {
        const auto& t = m.get_ref<const std::string&>();
        auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) n = 0;
      }
      if (n < 1) {
        return Status::InvalidArgument("Invalid input for field/attribute max_server_per_host. Value: " + m.dump() +
                                       ". It must be an integer of at least 1.");
      }
      record.max_server_per_host = n;
    }
  } else {
    record.policy = in["policies"][0].get<std::string>();
  }
  record.project_id = project;
  record.user_id = req.auth.user_id;
  // The repository counts the project's (and the user's) groups in the
  // insert's transaction, so two creates cannot pass the limit together (no
  // recheck, no undo).
  auto created = groups.create(std::move(record), limit->project, limit->user);
  if (created.status().has_reason(sdk::StatusReason::kQuotaExceeded)) return over_quota();
  if (!created.ok()) return created.status();
  return ApiResponse{200, {{"server_group", group_view(*created, req.microversion)}}, {}};
}

}  // namespace

void add_server_group_routes(ApiServer& server, db::Database& db) {
  std::map<int, std::shared_ptr<const JsonSchemaValidator>> validators;  // by the minor version they start at
  for (int minor : {1, 15, 64}) validators[minor] = JsonSchemaValidator::compile(create_schema_at({2, minor})).value();

  server.route("GET", R"(/v2\.1/os-server-groups)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto offset = size_param(req, "offset");
    if (!offset.ok()) return offset.status();
    auto limit = size_param(req, "limit");
    if (!limit.ok()) return limit.status();
    // Nova's index:all_projects rule: admins only; others get their own.
    std::optional<std::string> project = req.auth.project_id;
    if (req.query.contains("all_projects") && policy_allows(req.auth, "os_compute_api:os-server-groups:index:all_projects")) {
      project.reset();
    }
    auto groups = db::ServerGroupRepository(db).list(project);
    if (!groups.ok()) return groups.status();
    json out = json::array();
    // Nova's common.limited: no limit, or 0, is max_limit (1000), and no more.
    constexpr std::size_t kMaxLimit = 1000;
    const std::size_t max = limit->value_or(0) == 0 ? kMaxLimit : std::min(**limit, kMaxLimit);
    for (std::size_t i = offset->value_or(0); i < groups->size() && out.size() < max; ++i) {
      out.push_back(group_view((*groups)[i], req.microversion));
    }
    return ApiResponse{200, {{"server_groups", out}}, {}};
  });

  server.route("POST", R"(/v2\.1/os-server-groups)",
               [&db, validators](const ApiRequest& req) {
                 return create(db, *std::prev(validators.upper_bound(req.microversion.minor))->second, req);
               });

  server.route("GET", R"(/v2\.1/os-server-groups/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto g = visible_group(db, req);
    if (!g.ok()) return g.status();
    return ApiResponse{200, {{"server_group", group_view(*g, req.microversion)}}, {}};
  });

  server.route("DELETE", R"(/v2\.1/os-server-groups/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto g = visible_group(db, req);
    if (!g.ok()) return g.status();
    Status s = db::ServerGroupRepository(db).remove(g->uuid);
    if (s.is(sdk::StatusCode::kNotFound)) return group_not_found(req.path_params[0]);
    if (!s.ok()) return s;
    return ApiResponse{204, nullptr, {}};
  });
}

}  // namespace stratus::core::api
