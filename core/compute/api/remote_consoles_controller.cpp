#include "core/compute/api/remote_consoles_controller.h"

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

// Nova's create_v26 / create_v28 (mks, webmks from 2.8).
json console_schema(bool with_mks) {
  json protocols = {"vnc", "spice", "serial", "rdp"};
  json types = {"novnc", "xvpvnc", "rdp-html5", "spice-html5", "serial"};
  if (with_mks) {
    protocols.push_back("mks");
    types.push_back("webmks");
  }
  json schema = json::parse(R"({
    "type": "object",
    "properties": {"remote_console": {"type": "object",
      "properties": {"protocol": {"type": "string"}, "type": {"type": "string"}},
      "required": ["protocol", "type"], "additionalProperties": false}},
    "required": ["remote_console"], "additionalProperties": false})");
  schema["properties"]["remote_console"]["properties"]["protocol"]["enum"] = protocols;
  schema["properties"]["remote_console"]["properties"]["type"]["enum"] = types;
  return schema;
}

}  // namespace

void add_remote_console_routes(ApiServer& server, compute::ComputeAPI& compute) {
  auto v26 = JsonSchemaValidator::compile(console_schema(false)).value();
  auto v28 = JsonSchemaValidator::compile(console_schema(true)).value();
  server.route("POST", R"(/v2\.1/servers/([^/]+)/remote-consoles)",
               [&compute, v26, v28](const ApiRequest& req) -> Result<ApiResponse> {
                 if (req.microversion < Microversion{2, 6}) {
                   return Status::NotFound("The resource could not be found.");
                 }
                 auto instance = compute.get(compute_context(req), req.path_params[0]);
                 if (!instance.ok()) return instance.status();
                 if (auto denied = policy_check(req, "os_compute_api:os-remote-consoles")) return *denied;
                 const auto& validator = req.microversion >= Microversion{2, 8} ? v28 : v26;
                 if (Status s = validator->validate(req.body); !s.ok()) return s;
                 const json& rc = req.body["remote_console"];
                 if (rc["protocol"] == "rdp") return Status::InvalidArgument("Unavailable console type rdp.");
                 // Nova's @check_instance_host (InstanceNotReady).
                 if (instance->host.empty()) {
                   return Status::InvalidState("Instance " + instance->uuid + " is not ready");
                 }
                 return Status::InvalidArgument("Unavailable console type " + rc["type"].get<std::string>() + ".");
               });
}

}  // namespace stratus::core::api
