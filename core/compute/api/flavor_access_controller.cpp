#include "core/compute/api/flavor_access_controller.h"

#include "core/compute/api/flavors_controller.h"
#include "core/db/flavor_repository.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's body for either action: {"<action>": {"tenant": "<project id>"}}.
std::shared_ptr<const JsonSchemaValidator> action_validator(const std::string& action) {
  json tenant = {{"type", "object"},
                 {"properties", {{"tenant", {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}}}}},
                 {"required", {"tenant"}},
                 {"additionalProperties", false}};
  json schema = {{"type", "object"},
                 {"properties", {{action, tenant}}},
                 {"required", {action}},
                 {"additionalProperties", false}};
  return JsonSchemaValidator::compile(schema).value();  // our own schema: a bug if it fails
}

Result<json> access_list(db::Database& db, const std::string& flavorid) {
  auto projects = db::FlavorRepository(db).access_projects(flavorid);
  if (!projects.ok()) return projects.status();
  json out = json::array();
  for (const auto& p : *projects) out.push_back({{"flavor_id", flavorid}, {"tenant_id", p}});
  return json{{"flavor_access", out}};
}

}  // namespace

void add_flavor_access_routes(ApiServer& server, db::Database& db) {
  auto add_validator = action_validator("addTenantAccess");
  auto remove_validator = action_validator("removeTenantAccess");

  server.route("GET", R"(/v2\.1/flavors/([^/]+)/os-flavor-access)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-flavor-access")) return *denied;
    auto record = find_visible_flavor(db, req, req.path_params[0]);
    if (!record.ok()) return record.status();
    if (record->flavor.is_public) return Status::NotFound("Access list not available for public flavors.");
    auto body = access_list(db, req.path_params[0]);
    if (!body.ok()) return body.status();
    return ApiResponse{200, *body, {}};
  });

  server.route("POST", R"(/v2\.1/flavors/([^/]+)/action)",
               [&db, add_validator, remove_validator](const ApiRequest& req) -> Result<ApiResponse> {
                 const bool add = req.body.is_object() && req.body.contains("addTenantAccess");
                 const bool remove = req.body.is_object() && req.body.contains("removeTenantAccess");
                 if (!add && !remove) {
                   return Status::InvalidArgument("There is no such action: " +
                                                  (req.body.is_object() && !req.body.empty()
                                                       ? req.body.begin().key()
                                                       : std::string("(none)")));
                 }
                 if (auto denied = policy_check(req, add ? "os_compute_api:os-flavor-access:add_tenant_access"
                                                         : "os_compute_api:os-flavor-access:remove_tenant_access")) {
                   return *denied;
                 }
                 if (Status s = (add ? add_validator : remove_validator)->validate(req.body); !s.ok()) return s;
                 const std::string& flavorid = req.path_params[0];
                 const std::string tenant =
                     req.body[add ? "addTenantAccess" : "removeTenantAccess"]["tenant"].get<std::string>();
                 auto record = find_visible_flavor(db, req, flavorid);
                 if (!record.ok()) return record.status();
                 if (record->flavor.is_public) {
                   if (add) return Status::AlreadyExists("Can not add access to a public flavor.");
                   return Status::NotFound("Flavor access not found for " + flavorid + " / " + tenant + " combination.");
                 }
                 db::FlavorRepository repo(db);
                 Status s = add ? repo.add_access(flavorid, tenant) : repo.remove_access(flavorid, tenant);
                 if (!s.ok()) return s;
                 auto body = access_list(db, flavorid);
                 if (!body.ok()) return body.status();
                 return ApiResponse{200, *body, {}};
               });
}

}  // namespace stratus::core::api
