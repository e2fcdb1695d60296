#include "core/compute/api/services_controller.h"

#include <optional>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/compute/api/service_state.h"
#include "core/db/service_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's service_update schema at 2.1: host is parameter_types.fqdn.
const json& update_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "host": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9-._]*$"},
      "binary": {"type": "string", "minLength": 1, "maxLength": 255},
      "disabled_reason": {"type": "string", "minLength": 1, "maxLength": 255}
    },
    "required": ["host", "binary"],
    "additionalProperties": false
  })");
  return schema;
}

json service_view(const db::ServiceRecord& s, const ServicesOptions& options) {
  return {{"id", s.id},
          {"binary", s.binary},
          {"host", s.host},
          {"zone", service_zone(s)},
          {"status", s.disabled ? "disabled" : "enabled"},
          {"state", service_state_name(service_is_up(s, options.service_down_time))},
          {"updated_at", s.updated_at.empty() ? json(nullptr) : json(s.updated_at)},
          {"disabled_reason", s.disabled_reason ? json(*s.disabled_reason) : json(nullptr)}};
}

constexpr const char* kUpdatePolicy = "os_compute_api:os-services:update";

}  // namespace

void add_service_routes(ApiServer& server, db::Database& db, ServicesOptions options) {
  auto validator = JsonSchemaValidator::compile(update_schema()).value();

  server.route("GET", R"(/v2\.1/os-services)", [&db, options](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-services:list")) return *denied;
    // Nova's binary names ("nova-compute", as tempest filters by) are
    // Stratus's "stratus-..." ones.
    auto binary = req.query_param("binary");
    if (binary && binary->rfind("nova-", 0) == 0) binary = "stratus-" + binary->substr(5);
    auto services = db::ServiceRepository(db).list(req.query_param("host"), binary);
    if (!services.ok()) return services.status();
    json out = json::array();
    for (const auto& s : *services) out.push_back(service_view(s, options));
    return ApiResponse{200, {{"services", out}}, {}};
  });

  server.route("PUT", R"(/v2\.1/os-services/([^/]+))",
               [&db, options, validator](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, kUpdatePolicy)) return *denied;
                 const std::string& action = req.path_params[0];
                 if (action != "enable" && action != "disable" && action != "disable-log-reason") {
                   return Status::NotFound("Unknown action");
                 }
                 if (Status s = validator->validate(req.body); !s.ok()) return s;
                 const std::string host = req.body["host"].get<std::string>();
                 const std::string binary = req.body["binary"].get<std::string>();
                 const bool disable = action != "enable";
                 std::optional<std::string> reason;
                 if (action == "disable-log-reason") {
                   if (!req.body.contains("disabled_reason")) return Status::InvalidArgument("Missing disabled reason field");
                   reason = req.body["disabled_reason"].get<std::string>();
                 }
                 // Nova: only compute services have a scheduling state to change.
                 if (binary != kComputeBinary) {
                   return Status::InvalidArgument("Updating a " + binary + " service is not supported. Only " +
                                                  kComputeBinary + " services can be updated.");
                 }
                 Status s = db::ServiceRepository(db).set_disabled(host, binary, disable, reason);
                 if (s.is(sdk::StatusCode::kNotFound)) {
                   return Status::NotFound("Could not find binary " + binary + " on host " + host + ".");
                 }
                 if (!s.ok()) return s;
                 if (options.on_disabled_change) options.on_disabled_change(host, binary, disable);
                 json out = {{"host", host}, {"binary", binary}, {"status", disable ? "disabled" : "enabled"}};
                 if (reason) out["disabled_reason"] = *reason;
                 return ApiResponse{200, {{"service", out}}, {}};
               });
}

}  // namespace stratus::core::api
