#include "core/compute/api/server_state_actions_controller.h"

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/instance_states.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

const json& lock_v273_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "lock": {
        "type": ["object", "null"],
        "properties": {"locked_reason": {"type": "string", "minLength": 1, "maxLength": 255}},
        "additionalProperties": false
      }
    },
    "required": ["lock"],
    "additionalProperties": false
  })");
  return schema;
}

const json& reset_state_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "os-resetState": {
        "type": "object",
        "properties": {"state": {"type": "string", "enum": ["active", "error"]}},
        "required": ["state"],
        "additionalProperties": false
      }
    },
    "required": ["os-resetState"],
    "additionalProperties": false
  })");
  return schema;
}

Result<ApiResponse> accepted(const Status& s) {
  if (!s.ok()) return s;
  return ApiResponse{202, nullptr, {}};
}

// An action of a feature Stratus does not deploy: what the caller may learn
// (404, policy, lock) first, as Nova checks those before it acts.
struct Unsupported {
  const char* action;
  const char* feature;
  const char* admin_rule;  // nullptr: owner or admin
};

}  // namespace

void add_server_state_actions(ServerActionTable& table, compute::ComputeAPI& compute) {
  auto lock_validator = JsonSchemaValidator::compile(lock_v273_schema()).value();
  auto reset_validator = JsonSchemaValidator::compile(reset_state_schema()).value();

  table["lock"] = [&compute, lock_validator](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    std::optional<std::string> reason;
    if (req.microversion >= Microversion{2, 73}) {
      if (Status s = lock_validator->validate(req.body); !s.ok()) return s;
      const json& in = req.body["lock"];
      if (in.is_object() && in.contains("locked_reason")) reason = in["locked_reason"].get<std::string>();
    } else if (req.body.size() != 1) {
      return Status::InvalidArgument("Invalid input for field/attribute lock. Additional properties are not allowed.");
    }
    return accepted(compute.lock(compute_context(req), id, reason));
  };
  table["unlock"] = [&compute](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    if (req.body.size() != 1) {
      return Status::InvalidArgument("Invalid input for field/attribute unlock. Additional properties are not allowed.");
    }
    return accepted(compute.unlock(compute_context(req), id));
  };
  table["os-resetState"] = [&compute, reset_validator](const ApiRequest& req,
                                                       const std::string& id) -> Result<ApiResponse> {
    if (Status s = reset_validator->validate(req.body); !s.ok()) return s;
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-admin-actions:reset_state")) return *denied;
    return accepted(compute.reset_state(compute_context(req), id, req.body["os-resetState"]["state"].get<std::string>()));
  };
  table["trigger_crash_dump"] = [&compute](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    if (req.microversion < Microversion{2, 17}) return Status::InvalidArgument("There is no such action: trigger_crash_dump");
    if (!req.body["trigger_crash_dump"].is_null() || req.body.size() != 1) {
      return Status::InvalidArgument("Invalid input for field/attribute trigger_crash_dump. Value: " +
                                     req.body["trigger_crash_dump"].dump() + ". None is not of type 'null'");
    }
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (instance->locked && !req.auth.is_admin) return Status::InvalidState("Instance " + id + " is locked");
    if (instance->vm_state != compute::vm_state::kActive) {
      return Status::InvalidState("Cannot 'trigger_crash_dump' instance " + id + " while it is in vm_state " +
                                  instance->vm_state);
    }
    if (instance->task_state) {
      return Status::InvalidState("Cannot 'trigger_crash_dump' instance " + id + " while it is in task_state " +
                                  *instance->task_state);
    }
    // Nova's TriggerCrashDumpNotSupported: no driver here can inject an NMI.
    return Status::InvalidArgument("Triggering crash dump is not supported");
  };

  static const Unsupported kUnsupported[] = {
      {"changePassword", "setting the guest's admin password", nullptr},
      {"createImage", "server snapshots", nullptr},
      {"createBackup", "server backups", nullptr},
      {"resize", "resizing servers", nullptr},
      {"confirmResize", "resizing servers", nullptr},
      {"revertResize", "resizing servers", nullptr},
      {"migrate", "cold migration", "os_compute_api:os-migrate-server:migrate"},
      {"os-migrateLive", "live migration", "os_compute_api:os-migrate-server:migrate_live"},
      {"evacuate", "evacuation", "os_compute_api:os-evacuate"},
      {"shelve", "shelving servers", nullptr},
      {"shelveOffload", "shelving servers", nullptr},
      {"unshelve", "shelving servers", nullptr},
      {"rescue", "rescuing servers", nullptr},
      {"unrescue", "rescuing servers", nullptr},
  };
  for (const auto& u : kUnsupported) {
    table[u.action] = [&compute, u](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
      auto instance = compute.get(compute_context(req), id);
      if (!instance.ok()) return instance.status();
      if (u.admin_rule != nullptr) {
        if (auto denied = policy_check(req, u.admin_rule)) return *denied;
      }
      if (instance->locked && !req.auth.is_admin) return Status::InvalidState("Instance " + id + " is locked");
      return Status::NotSupported("Action " + std::string(u.action) + " is not supported: this Stratus cloud " +
                                  "does not deploy " + u.feature + ".");
    };
  }
}

}  // namespace stratus::core::api
