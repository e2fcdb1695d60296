#include "core/compute/api/services_controller.h"

#include <cctype>
#include <optional>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/compute/api/service_binary_name.h"
#include "core/compute/api/service_state.h"
#include "core/db/instance_repository.h"
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

// PUT /os-services/force-down (2.11 to 2.52).
const json& force_down_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "host": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9-._]*$"},
      "binary": {"type": "string", "minLength": 1, "maxLength": 255},
      "forced_down": {"type": ["boolean", "string"], "enum": [true, "True", "TRUE", "true", "1", "ON", "On", "on",
        "YES", "Yes", "yes", false, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]}
    },
    "required": ["host", "binary", "forced_down"],
    "additionalProperties": false
  })");
  return schema;
}

// PUT /os-services/{service_id} (2.53): status, disabled_reason, forced_down.
const json& update_v253_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "status": {"type": "string", "enum": ["enabled", "disabled"]},
      "disabled_reason": {"type": "string", "minLength": 1, "maxLength": 255},
      "forced_down": {"type": ["boolean", "string"], "enum": [true, "True", "TRUE", "true", "1", "ON", "On", "on",
        "YES", "Yes", "yes", false, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]}
    },
    "additionalProperties": false
  })");
  return schema;
}

bool lenient_bool(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  std::string t = v.get<std::string>();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "true" || t == "1" || t == "on" || t == "yes";
}

bool looks_like_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Nova's utils.validate_integer: an optional sign and digits.
bool is_integer(const std::string& s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

json base_view(const db::ServiceRecord& s, const ServicesOptions& options);

// Nova's refusal to enable or disable anything but a compute service.
Status not_updatable(const std::string& stored_binary) {
  return Status::InvalidArgument("Updating a " + api_binary_name(stored_binary) + " service is not supported. Only " +
                                 api_binary_name(kComputeBinary) + " services can be updated.");
}

Status no_such_service(const std::string& host, const std::string& stored_binary) {
  return Status::NotFound("Could not find binary " + api_binary_name(stored_binary) + " on host " + host + ".");
}

json service_view(const db::ServiceRecord& s, const ServicesOptions& options, Microversion v) {
  json out = base_view(s, options);
  if (v >= Microversion{2, 11}) out["forced_down"] = s.forced_down;
  if (v >= Microversion{2, 53}) out["id"] = service_uuid(s);
  return out;
}

// The service a 2.53 path names by uuid (before 2.53: by integer id).
Result<db::ServiceRecord> find_service(db::Database& db, const ApiRequest& req, const std::string& id) {
  if (req.microversion >= Microversion{2, 53} && !looks_like_uuid(id)) return Status::InvalidArgument("Invalid uuid " + id);
  auto all = db::ServiceRepository(db).list(std::nullopt, std::nullopt);
  if (!all.ok()) return all.status();
  for (const auto& s : *all) {
    if (req.microversion >= Microversion{2, 53} ? service_uuid(s) == id : std::to_string(s.id) == id) return s;
  }
  return Status::NotFound("Service " + id + " could not be found.");
}

json base_view(const db::ServiceRecord& s, const ServicesOptions& options) {
  return {{"id", s.id},
          {"binary", api_binary_name(s.binary)},
          {"host", s.host},
          {"zone", service_zone(s)},
          {"status", s.disabled ? "disabled" : "enabled"},
          {"state", service_state_name(service_is_up(s, options.service_down_time))},
          {"updated_at", s.updated_at.empty() ? json(nullptr) : json(s.updated_at)},
          {"disabled_reason", s.disabled_reason ? json(*s.disabled_reason) : json(nullptr)}};
}

constexpr const char* kUpdatePolicy = "os_compute_api:os-services:update";

// PUT /os-services/{uuid} (2.53): Nova's rules: a reason only with
// "disabled"; something must be asked; forced_down applies to any binary,
// status to compute services only.
Result<ApiResponse> update_by_id(db::Database& db, const ServicesOptions& options, const JsonSchemaValidator& validator,
                                 const ApiRequest& req) {
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  auto service = find_service(db, req, req.path_params[0]);
  if (!service.ok()) return service.status();
  // Nova checks the binary first: a conductor or scheduler has nothing to
  // enable, disable or force down (its row is informational).
  if (service->binary != kComputeBinary) return not_updatable(service->binary);
  const json& in = req.body;
  if (in.contains("disabled_reason") && in.contains("status") && in["status"] == "enabled") {
    return Status::InvalidArgument("Specifying 'disabled_reason' with status 'enabled' is invalid.");
  }
  if (!in.contains("status") && !in.contains("forced_down")) {
    return Status::InvalidArgument("No updates were requested. Fields 'status' or 'forced_down' should be specified.");
  }
  db::ServiceRepository repo(db);
  if (in.contains("status")) {
    const bool disable = in["status"] == "disabled";
    std::optional<std::string> reason;
    if (in.contains("disabled_reason")) reason = in["disabled_reason"].get<std::string>();
    if (Status s = repo.set_disabled(service->host, service->binary, disable, reason); !s.ok()) return s;
    if (options.on_disabled_change) options.on_disabled_change(service->host, service->binary, disable);
  }
  if (in.contains("forced_down")) {
    if (Status s = repo.set_forced_down(service->host, service->binary, lenient_bool(in["forced_down"])); !s.ok()) return s;
  }
  auto updated = repo.get(service->host, service->binary);
  if (!updated.ok()) return updated.status();
  return ApiResponse{200, {{"service", service_view(*updated, options, req.microversion)}}, {}};
}

}  // namespace

void add_service_routes(ApiServer& server, db::Database& db, ServicesOptions options) {
  auto validator = JsonSchemaValidator::compile(update_schema()).value();
  auto force_down_validator = JsonSchemaValidator::compile(force_down_schema()).value();
  auto v253_validator = JsonSchemaValidator::compile(update_v253_schema()).value();

  server.route("GET", R"(/v2\.1/os-services)", [&db, options](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-services:list")) return *denied;
    // Nova's binary names ("nova-compute", as tempest filters by) or ours.
    std::optional<std::string> binary;
    if (auto asked = req.query_param("binary")) binary = stored_binary_name(*asked);
    auto services = db::ServiceRepository(db).list(req.query_param("host"), binary);
    if (!services.ok()) return services.status();
    json out = json::array();
    for (const auto& s : *services) out.push_back(service_view(s, options, req.microversion));
    return ApiResponse{200, {{"services", out}}, {}};
  });

  server.route("PUT", R"(/v2\.1/os-services/([^/]+))",
               [&db, options, validator, force_down_validator, v253_validator](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, kUpdatePolicy)) return *denied;
                 const std::string& action = req.path_params[0];
                 if (req.microversion >= Microversion{2, 53}) return update_by_id(db, options, *v253_validator, req);
                 if (action == "force-down" && req.microversion >= Microversion{2, 11}) {
                   if (Status s = force_down_validator->validate(req.body); !s.ok()) return s;
                   const std::string host = req.body["host"].get<std::string>();
                   const std::string binary = stored_binary_name(req.body["binary"].get<std::string>());
                   const bool down = lenient_bool(req.body["forced_down"]);
                   // Nova's _update: forcing down is for compute services only.
                   if (binary != kComputeBinary) return not_updatable(binary);
                   Status s = db::ServiceRepository(db).set_forced_down(host, binary, down);
                   if (s.is(sdk::StatusCode::kNotFound)) return no_such_service(host, binary);
                   if (!s.ok()) return s;
                   return ApiResponse{
                       200, {{"service", {{"host", host}, {"binary", api_binary_name(binary)}, {"forced_down", down}}}}, {}};
                 }
                 if (action != "enable" && action != "disable" && action != "disable-log-reason") {
                   return Status::NotFound("Unknown action");
                 }
                 if (Status s = validator->validate(req.body); !s.ok()) return s;
                 const std::string host = req.body["host"].get<std::string>();
                 const std::string binary = stored_binary_name(req.body["binary"].get<std::string>());
                 const bool disable = action != "enable";
                 std::optional<std::string> reason;
                 if (action == "disable-log-reason") {
                   if (!req.body.contains("disabled_reason")) return Status::InvalidArgument("Missing disabled reason field");
                   reason = req.body["disabled_reason"].get<std::string>();
                 }
                 // Nova: only compute services have a scheduling state to change.
                 if (binary != kComputeBinary) return not_updatable(binary);
                 Status s = db::ServiceRepository(db).set_disabled(host, binary, disable, reason);
                 if (s.is(sdk::StatusCode::kNotFound)) return no_such_service(host, binary);
                 if (!s.ok()) return s;
                 if (options.on_disabled_change) options.on_disabled_change(host, binary, disable);
                 json out = {{"host", host}, {"binary", api_binary_name(binary)}, {"status", disable ? "disabled" : "enabled"}};
                 if (reason) out["disabled_reason"] = *reason;
                 return ApiResponse{200, {{"service", out}}, {}};
               });

  // DELETE /os-services/{id} (integer id; uuid from 2.53). As Nova, a compute
  // service whose host still has instances cannot go (409).
  server.route("DELETE", R"(/v2\.1/os-services/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-services:delete")) return *denied;
    const std::string& id = req.path_params[0];
    if (req.microversion < Microversion{2, 53} && !is_integer(id)) {
      return Status::InvalidArgument("Invalid input received: id must be an integer");
    }
    auto service = find_service(db, req, id);
    if (service.status().is(sdk::StatusCode::kNotFound)) return Status::NotFound("Service " + id + " not found.");
    if (!service.ok()) return service.status();
    if (service->binary == kComputeBinary) {
      db::InstanceFilter filter;
      filter.host = service->host;
      auto instances = db::InstanceRepository(db).list(filter);
      if (!instances.ok()) return instances.status();
      if (!instances->empty()) {
        return Status::Conflict("Unable to delete compute service that is hosting instances. Migrate or delete the "
                                "instances first.");
      }
    }
    // Any other binary simply goes, as in Nova; its process does not write
    // the row again until it restarts (core/node/service_reporter.h).
    Status s = db::ServiceRepository(db).remove(service->id);
    if (s.is(sdk::StatusCode::kNotFound)) return Status::NotFound("Service " + id + " not found.");
    if (!s.ok()) return s;
    return ApiResponse{204, nullptr, {}};
  });
}

}  // namespace stratus::core::api
