#include "core/compute/api/volume_attachments_controller.h"

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/compute/api/compute_request.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's create schema (2.0): volumeId a uuid, device a path or null; the
// later microversions' tag and delete_on_termination are accepted too (the
// request fails on the volume anyway).
const json& create_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {"volumeAttachment": {"type": "object",
      "properties": {
        "volumeId": {"type": "string",
          "pattern": "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"},
        "device": {"type": ["string", "null"]},
        "tag": {"type": "string", "maxLength": 60},
        "delete_on_termination": {"type": "boolean"}},
      "required": ["volumeId"], "additionalProperties": false}},
    "required": ["volumeAttachment"], "additionalProperties": false})");
  return schema;
}

Status volume_not_found(const std::string& volume_id) {
  return Status::NotFound("Volume " + volume_id + " could not be found.");
}

// The server first (404), then the policy (403).
std::optional<Result<ApiResponse>> check(compute::ComputeAPI& compute, const ApiRequest& req, const char* rule) {
  auto instance = compute.get(compute_context(req), req.path_params[0]);
  if (!instance.ok()) return Result<ApiResponse>(instance.status());
  if (auto denied = policy_check(req, rule)) return Result<ApiResponse>(*denied);
  return std::nullopt;
}

}  // namespace

void add_volume_attachment_routes(ApiServer& server, compute::ComputeAPI& compute) {
  auto validator = JsonSchemaValidator::compile(create_schema()).value();
  const std::string base = R"(/v2\.1/servers/([^/]+)/os-volume_attachments)";

  server.route("GET", base, [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto stop = check(compute, req, "os_compute_api:os-volumes-attachments:index")) return *stop;
    return ApiResponse{200, {{"volumeAttachments", json::array()}}, {}};
  });
  server.route("GET", base + "/([^/]+)", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto stop = check(compute, req, "os_compute_api:os-volumes-attachments:show")) return *stop;
    return Status::NotFound("Instance " + req.path_params[0] + " is not attached to volume " + req.path_params[1]);
  });
  server.route("POST", base, [&compute, validator](const ApiRequest& req) -> Result<ApiResponse> {
    if (Status s = validator->validate(req.body); !s.ok()) return s;
    if (auto stop = check(compute, req, "os_compute_api:os-volumes-attachments:create")) return *stop;
    return volume_not_found(req.body["volumeAttachment"]["volumeId"].get<std::string>());
  });
  server.route("PUT", base + "/([^/]+)", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto stop = check(compute, req, "os_compute_api:os-volumes-attachments:update")) return *stop;
    return volume_not_found(req.path_params[1]);
  });
  server.route("DELETE", base + "/([^/]+)", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto stop = check(compute, req, "os_compute_api:os-volumes-attachments:delete")) return *stop;
    return volume_not_found(req.path_params[1]);
  });
}

}  // namespace stratus::core::api
