#include "core/compute/api/flavor_extra_specs_controller.h"

#include "core/compute/api/extra_spec_validation.h"
#include "core/compute/api/flavors_controller.h"
#include "core/db/flavor_repository.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's extra specs map: keys of safe characters, values strings or numbers.
constexpr const char* kSpecsMap = R"({
  "type": "object",
  "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": ["string", "number"], "maxLength": 255}},
  "additionalProperties": false
})";

std::shared_ptr<const JsonSchemaValidator> create_validator() {
  json schema = {{"type", "object"},
                 {"properties", {{"extra_specs", json::parse(kSpecsMap)}}},
                 {"required", {"extra_specs"}},
                 {"additionalProperties", false}};
  return JsonSchemaValidator::compile(schema).value();  // our own schema: a bug if it fails
}

std::shared_ptr<const JsonSchemaValidator> update_validator() {
  json schema = json::parse(kSpecsMap);
  schema["minProperties"] = 1;
  schema["maxProperties"] = 1;
  return JsonSchemaValidator::compile(schema).value();
}

// The specs as text (numbers as Nova's str() writes them), each checked: a
// number's text at most 255 characters, and from 2.86 Nova's key validation.
Result<std::map<std::string, std::string>> checked_specs(const ApiRequest& req, const json& in) {
  std::map<std::string, std::string> specs;
  for (const auto& [k, v] : in.items()) {
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (!v.is_string() && text.size() > 255) {
      return Status::InvalidArgument("Invalid input for field/attribute extra_specs value. Value: " + text +
                                     ". It must be at most 255 characters long.");
    }
    if (req.microversion >= Microversion{2, 86}) {
      if (Status s = validate_extra_spec(k, text); !s.ok()) return s;
    }
    specs[k] = std::move(text);
  }
  return specs;
}

Status no_such_key(const std::string& flavor, const std::string& key) {
  return Status::NotFound("Flavor " + flavor + " has no extra specs with key " + key + ".");
}

}  // namespace

void add_flavor_extra_specs_routes(ApiServer& server, db::Database& db) {
  auto on_create = create_validator();
  auto on_update = update_validator();

  server.route("GET", R"(/v2\.1/flavors/([^/]+)/os-extra_specs)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = find_visible_flavor(db, req, req.path_params[0]);
    if (!record.ok()) return record.status();
    return ApiResponse{200, {{"extra_specs", record->flavor.extra_specs}}, {}};
  });

  server.route("GET", R"(/v2\.1/flavors/([^/]+)/os-extra_specs/([^/]+))",
               [&db](const ApiRequest& req) -> Result<ApiResponse> {
                 auto record = find_visible_flavor(db, req, req.path_params[0]);
                 if (!record.ok()) return record.status();
                 const std::string& key = req.path_params[1];
                 auto it = record->flavor.extra_specs.find(key);
                 if (it == record->flavor.extra_specs.end()) return no_such_key(req.path_params[0], key);
                 return ApiResponse{200, {{key, it->second}}, {}};
               });

  server.route("POST", R"(/v2\.1/flavors/([^/]+)/os-extra_specs)",
               [&db, on_create](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-flavor-extra-specs:create")) return *denied;
                 if (Status s = on_create->validate(req.body); !s.ok()) return s;
                 auto specs = checked_specs(req, req.body["extra_specs"]);
                 if (!specs.ok()) return specs.status();
                 auto record = find_visible_flavor(db, req, req.path_params[0]);
                 if (!record.ok()) return record.status();
                 Status s = db::FlavorRepository(db).set_extra_specs(req.path_params[0], *specs);
                 if (!s.ok()) return s;
                 // Nova echoes the request's specs back, values as given.
                 return ApiResponse{200, {{"extra_specs", req.body["extra_specs"]}}, {}};
               });

  server.route("PUT", R"(/v2\.1/flavors/([^/]+)/os-extra_specs/([^/]+))",
               [&db, on_update](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-flavor-extra-specs:update")) return *denied;
                 if (Status s = on_update->validate(req.body); !s.ok()) return s;
                 auto specs = checked_specs(req, req.body);
                 if (!specs.ok()) return specs.status();
                 if (!req.body.contains(req.path_params[1])) return Status::InvalidArgument("Request body and URI mismatch");
                 auto record = find_visible_flavor(db, req, req.path_params[0]);
                 if (!record.ok()) return record.status();
                 Status s = db::FlavorRepository(db).set_extra_specs(req.path_params[0], *specs);
                 if (!s.ok()) return s;
                 return ApiResponse{200, req.body, {}};
               });

  server.route("DELETE", R"(/v2\.1/flavors/([^/]+)/os-extra_specs/([^/]+))",
               [&db](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-flavor-extra-specs:delete")) return *denied;
                 auto record = find_visible_flavor(db, req, req.path_params[0]);
                 if (!record.ok()) return record.status();
                 Status s = db::FlavorRepository(db).delete_extra_spec(req.path_params[0], req.path_params[1]);
                 if (s.is(sdk::StatusCode::kNotFound)) return no_such_key(req.path_params[0], req.path_params[1]);
                 if (!s.ok()) return s;
                 // Nova answers 200 with no body here.
                 return ApiResponse{200, nullptr, {}};
               });
}

}  // namespace stratus::core::api
