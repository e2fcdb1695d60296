#include "core/compute/api/server_groups_controller.h"

#include <algorithm>
#include <charconv>
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

json group_view(const db::ServerGroupRecord& g) {
  // InstanceRepository::destroy drops a deleted instance's memberships, so
  // the members are the live instances Nova would show.
  return {{"id", g.uuid},
          {"name", g.name},
          {"policies", json::array({g.policy})},
          {"members", g.members},
          {"metadata", json::object()}};
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

// The project's server_groups limit, or nullopt when unlimited.
Result<std::optional<std::int64_t>> group_limit(db::Database& db, const std::string& project_id) {
  auto limits = db::QuotaRepository(db).limits(project_id);
  if (!limits.ok()) return limits.status();
  auto it = limits->find("server_groups");
  if (it == limits->end() || it->second < 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(it->second);
}

ApiResponse over_quota() { return error_response(403, "Quota exceeded, too many server groups."); }

Result<ApiResponse> create(db::Database& db, const JsonSchemaValidator& validator, const ApiRequest& req) {
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  const json& in = req.body["server_group"];
  const std::string& project = req.auth.project_id;
  db::ServerGroupRepository groups(db);

  auto limit = group_limit(db, project);
  if (!limit.ok()) return limit.status();

  db::ServerGroupRecord record;
  record.name = in["name"].get<std::string>();
  record.policy = in["policies"][0].get<std::string>();
  record.project_id = project;
  record.user_id = req.auth.user_id;
  // The repository counts the project's groups in the insert's transaction,
  // so two creates cannot pass the limit together (no recheck, no undo).
  auto created = groups.create(std::move(record), *limit);
  if (created.status().has_reason(sdk::StatusReason::kQuotaExceeded)) return over_quota();
  if (!created.ok()) return created.status();
  return ApiResponse{200, {{"server_group", group_view(*created)}}, {}};
}

}  // namespace

void add_server_group_routes(ApiServer& server, db::Database& db) {
  auto validator = JsonSchemaValidator::compile(create_schema()).value();

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
      out.push_back(group_view((*groups)[i]));
    }
    return ApiResponse{200, {{"server_groups", out}}, {}};
  });

  server.route("POST", R"(/v2\.1/os-server-groups)",
               [&db, validator](const ApiRequest& req) { return create(db, *validator, req); });

  server.route("GET", R"(/v2\.1/os-server-groups/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto g = visible_group(db, req);
    if (!g.ok()) return g.status();
    return ApiResponse{200, {{"server_group", group_view(*g)}}, {}};
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
