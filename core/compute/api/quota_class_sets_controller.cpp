#include "core/compute/api/quota_class_sets_controller.h"

#include <map>
#include <set>

#include "core/db/quota_repository.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

const std::set<std::string> kNetwork = {"fixed_ips", "floating_ips", "security_group_rules", "security_groups"};
const std::set<std::string> kServerGroups = {"server_groups", "server_group_members"};
const std::set<std::string> kInjected = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"};

// Whether `resource` is part of the API at microversion `v`.
bool shown_at(const std::string& resource, Microversion v) {
  if (v < Microversion{2, 50}) return !kServerGroups.contains(resource);
  if (kNetwork.contains(resource)) return false;
  if (v >= Microversion{2, 57} && kInjected.contains(resource)) return false;
  return true;
}

json view(const std::map<std::string, std::int64_t>& limits, Microversion v) {
  json out = json::object();
  for (const auto& [resource, limit] : limits) {
    if (shown_at(resource, v)) out[resource] = limit;
  }
  return out;
}

// Nova's update schema for the resources of `v`: each an integer (or a
// string of one) from -1 to MAX_INT, nothing else.
std::shared_ptr<const JsonSchemaValidator> update_validator(Microversion v, const std::vector<std::string>& resources) {
  json value = json::parse(R"({"type": ["integer", "string"], "pattern": "^-?[0-9]+$", "minimum": -1, "maximum": 2147483647})");
  json properties = json::object();
  for (const auto& r : resources) {
    if (shown_at(r, v)) properties[r] = value;
  }
  json schema = {{"type", "object"},
                 {"properties",
                  {{"quota_class_set", {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}}}}},
                 {"required", {"quota_class_set"}},
                 {"additionalProperties", false}};
  return JsonSchemaValidator::compile(schema).value();  // our own schema: a bug if it fails
}

}  // namespace

void add_quota_class_set_routes(ApiServer& server, db::Database& db) {
  std::vector<std::string> resources;
  for (const auto& [r, limit] : db::builtin_quota_defaults()) resources.push_back(r);
  for (const auto& r : kNetwork) resources.push_back(r);
  // One validator per range of versions whose resource set differs.
  auto before_250 = update_validator({2, 1}, resources);
  auto before_257 = update_validator({2, 50}, resources);
  auto from_257 = update_validator({2, 57}, resources);

  server.route("GET", R"(/v2\.1/os-quota-class-sets/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-quota-class-sets:show")) return *denied;
    auto limits = db::QuotaRepository(db).class_limits(req.path_params[0]);
    if (!limits.ok()) return limits.status();
    json out = view(*limits, req.microversion);
    out["id"] = req.path_params[0];
    return ApiResponse{200, {{"quota_class_set", out}}, {}};
  });

  server.route("PUT", R"(/v2\.1/os-quota-class-sets/([^/]+))",
               [&db, before_250, before_257, from_257](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-quota-class-sets:update")) return *denied;
                 const auto& validator = req.microversion >= Microversion{2, 57}   ? from_257
                                         : req.microversion >= Microversion{2, 50} ? before_257
                                                                                   : before_250;
                 if (Status s = validator->validate(req.body); !s.ok()) return s;
                 const std::string& name = req.path_params[0];
                 if (name.size() > 255) {
                   return Status::InvalidArgument("quota_class_name has a length of more than 255 characters.");
                 }
                 std::map<std::string, std::int64_t> wanted;
                 for (const auto& [resource, v] : req.body["quota_class_set"].items()) {
                   std::int64_t limit = 0;
                   if (v.is_number_integer()) {
                     limit = v.get<std::int64_t>();
                   } else {
                     try {
                       limit = std::stoll(v.get<std::string>());
                     } catch (const std::exception&) {
                       limit = -2;  // out of range: refused below
                     }
                   }
                   if (limit < -1 || limit > 2147483647) {
                     return Status::InvalidArgument("Invalid input for field/attribute quota_class_set/" + resource +
                                                    ". Value: " + v.dump() + ". It must be an integer from -1 to 2147483647.");
                   }
                   wanted[resource] = limit;
                 }
                 db::QuotaRepository quotas(db);
                 if (Status s = quotas.set_class_limits(name, wanted); !s.ok()) return s;
                 auto limits = quotas.class_limits(name);
                 if (!limits.ok()) return limits.status();
                 // Nova's update answers without the "id".
                 return ApiResponse{200, {{"quota_class_set", view(*limits, req.microversion)}}, {}};
               });
}

}  // namespace stratus::core::api
