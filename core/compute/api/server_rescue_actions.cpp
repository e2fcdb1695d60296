// POST /servers/{id}/action rescue and unrescue (Nova's
// api/openstack/compute/rescue.py and its schema).
#include <optional>
#include <string>

#include "core/compute/api/compute_request.h"
#include "core/compute/api/guest_injection.h"
#include "core/compute/api/server_state_actions_controller.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

const json& rescue_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "rescue": {
        "type": ["object", "null"],
        "properties": {
          "adminPass": {"type": "string"},
          "rescue_image_ref": {"type": "string", "pattern": "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"}
        },
        "additionalProperties": false
      }
    },
    "required": ["rescue"],
    "additionalProperties": false
  })");
  return schema;
}

}  // namespace

void add_rescue_actions(ServerActionTable& table, compute::ComputeAPI& compute) {
  auto rescue_validator = JsonSchemaValidator::compile(rescue_schema()).value();
  table["rescue"] = [&compute, rescue_validator](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    if (Status s = rescue_validator->validate(req.body); !s.ok()) return s;
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-rescue", instance->project_id)) return *denied;
    const json& in = req.body["rescue"];
    std::optional<std::string> image_ref;
    std::string password;
    if (in.is_object()) {
      if (in.contains("rescue_image_ref")) image_ref = in["rescue_image_ref"].get<std::string>();
      if (in.contains("adminPass")) password = in["adminPass"].get<std::string>();
    }
    // Nova: the given password, else a generated one; only the rescue system keeps it.
    if (password.empty()) password = generate_admin_password();
    if (Status s = compute.rescue(compute_context(req), id, image_ref, password); !s.ok()) return s;
    return ApiResponse{200, {{"adminPass", password}}, {}};
  };
  // Nova validates no body for unrescue: {"unrescue": null} and {"unrescue": {}} alike.
  table["unrescue"] = [&compute](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-unrescue", instance->project_id)) return *denied;
    if (Status s = compute.unrescue(compute_context(req), id); !s.ok()) return s;
    return ApiResponse{202, nullptr, {}};
  };
}

}  // namespace stratus::core::api
