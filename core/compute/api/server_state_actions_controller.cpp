#include "core/compute/api/server_state_actions_controller.h"

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/instance_states.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

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

// The name and metadata of createImage and createBackup (Nova's
// parameter_types name and metadata): a name of 1..255 with no surrounding
// blanks; metadata keys 1..255 of [a-zA-Z0-9-_:. ], values up to 255.
json image_name_and_metadata() {
  return json::parse(R"({
    "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
    "metadata": {
      "type": "object",
      "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
      "additionalProperties": false
    }
  })");
}

// {"<action>": {properties..., required...}} and nothing else.
json action_body(const char* action, const json& properties, const json& required) {
  const json inner = {{"type", "object"}, {"properties", properties}, {"required", required},
                      {"additionalProperties", false}};
  json body = {{"type", "object"}, {"properties", json::object()}, {"required", json::array({action})},
               {"additionalProperties", false}};
  body["properties"][action] = inner;
  return body;
}

json create_image_schema() { return action_body("createImage", image_name_and_metadata(), json::array({"name"})); }

// Nova's createBackup body: name and metadata as createImage's, backup_type
// any string, rotation a non-negative integer or a string of digits.
json create_backup_schema() {
  json properties = image_name_and_metadata();
  properties["backup_type"] = {{"type", "string"}};
  properties["rotation"] = json::parse(R"({"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0,
                                           "minLength": 1})");
  return action_body("createBackup", properties, json::array({"name", "backup_type", "rotation"}));
}

// A validated rotation as a number: Python's int() has no bound, so a
// longer string of digits saturates (it keeps every backup).
std::int64_t rotation_of(const json& v) {
  if (v.is_number_unsigned()) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(v.get<std::uint64_t>(), INT64_MAX));
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  std::int64_t out = 0;
  for (char c : v.get<std::string>()) {
    const int digit = c - '0';
    if (out > (INT64_MAX - digit) / 10) return INT64_MAX;
    out = out * 10 + digit;
  }
  return out;
}

std::map<std::string, std::string> metadata_of(const json& in) {
  std::map<std::string, std::string> metadata;
  if (in.contains("metadata")) {
    for (const auto& [k, v] : in["metadata"].items()) metadata[k] = v.get<std::string>();
  }
  return metadata;
}

// unshelve at 2.77 (an availability zone) and 2.91 (a zone, null, and/or a host).
const json& unshelve_v277_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "unshelve": {
        "type": ["object", "null"],
        "properties": {"availability_zone": {"type": "string", "minLength": 1, "maxLength": 255}},
        "required": ["availability_zone"],
        "additionalProperties": false
      }
    },
    "required": ["unshelve"],
    "additionalProperties": false
  })");
  return schema;
}

const json& unshelve_v291_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "unshelve": {
        "type": ["object", "null"],
        "properties": {
          "availability_zone": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
          "host": {"type": "string", "minLength": 1, "maxLength": 255}
        },
        "minProperties": 1,
        "additionalProperties": false
      }
    },
    "required": ["unshelve"],
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

void add_snapshot_and_shelve_actions(ServerActionTable& table, compute::ComputeAPI& compute) {
  auto image_validator = JsonSchemaValidator::compile(create_image_schema()).value();
  auto backup_validator = JsonSchemaValidator::compile(create_backup_schema()).value();
  auto unshelve277 = JsonSchemaValidator::compile(unshelve_v277_schema()).value();
  auto unshelve291 = JsonSchemaValidator::compile(unshelve_v291_schema()).value();

  table["createImage"] = [&compute, image_validator](const ApiRequest& req,
                                                     const std::string& id) -> Result<ApiResponse> {
    if (Status s = image_validator->validate(req.body); !s.ok()) return s;
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:servers:create_image", instance->project_id)) return *denied;
    const json& in = req.body["createImage"];
    const std::map<std::string, std::string> metadata = metadata_of(in);
    // 2.39 stopped counting image metadata against the quota.
    if (req.microversion < Microversion{2, 39}) {
      if (Status s = compute.check_image_metadata_quota(compute_context(req), metadata.size()); !s.ok()) return s;
    }
    auto image_id = compute.create_image(compute_context(req), id, in["name"].get<std::string>(), metadata);
    if (!image_id.ok()) return image_id.status();
    // 2.45: the id in the body instead of a Location header.
    if (req.microversion >= Microversion{2, 45}) return ApiResponse{202, {{"image_id", *image_id}}, {}};
    return ApiResponse{202, nullptr, {{"Location", req.base_url + "/image/images/" + *image_id}}};
  };
  table["createBackup"] = [&compute, backup_validator](const ApiRequest& req,
                                                       const std::string& id) -> Result<ApiResponse> {
    if (Status s = backup_validator->validate(req.body); !s.ok()) return s;
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-create-backup", instance->project_id)) return *denied;
    const json& in = req.body["createBackup"];
    const std::map<std::string, std::string> metadata = metadata_of(in);
    if (req.microversion < Microversion{2, 39}) {
      if (Status s = compute.check_image_metadata_quota(compute_context(req), metadata.size()); !s.ok()) return s;
    }
    const std::int64_t rotation = rotation_of(in["rotation"]);
    auto image_id = compute.backup(compute_context(req), id, in["name"].get<std::string>(),
                                   in["backup_type"].get<std::string>(), rotation, metadata);
    if (!image_id.ok()) return image_id.status();
    if (req.microversion >= Microversion{2, 45}) return ApiResponse{202, {{"image_id", *image_id}}, {}};
    // Before 2.45 the compute API's own image URL, and only when the
    // backup is kept (rotation 0 deletes it once it is made).
    if (rotation == 0) return ApiResponse{202, nullptr, {}};
    return ApiResponse{202, nullptr, {{"Location", req.base_url + "/v2.1/images/" + *image_id}}};
  };
  table["shelve"] = [&compute](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    // Nova validates no body for shelve and shelveOffload: {"shelve": null} and {"shelve": {}} alike.
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-shelve:shelve", instance->project_id)) return *denied;
    return accepted(compute.shelve(compute_context(req), id));
  };
  table["shelveOffload"] = [&compute](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-shelve:shelve_offload")) return *denied;
    return accepted(compute.shelve_offload(compute_context(req), id));
  };
  table["unshelve"] = [&compute, unshelve277, unshelve291](const ApiRequest& req,
                                                           const std::string& id) -> Result<ApiResponse> {
    std::optional<std::string> zone;
    std::optional<std::string> host;
    if (req.microversion >= Microversion{2, 91}) {
      if (Status s = unshelve291->validate(req.body); !s.ok()) return s;
    } else if (req.microversion >= Microversion{2, 77}) {
      if (Status s = unshelve277->validate(req.body); !s.ok()) return s;
    }
    if (req.microversion >= Microversion{2, 77}) {
      const json& in = req.body["unshelve"];
      if (in.is_object()) {
        if (in.contains("availability_zone") && in["availability_zone"].is_string()) {
          zone = in["availability_zone"].get<std::string>();
        }
        if (in.contains("host")) host = in["host"].get<std::string>();
      }
    }
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-shelve:unshelve", instance->project_id)) return *denied;
    if (host) {
      if (auto denied = policy_check(req, "os_compute_api:os-shelve:unshelve_to_host")) return *denied;
    }
    return accepted(compute.unshelve(compute_context(req), id, zone, host));
  };
}

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
    if (auto denied = policy_check(req, "os_compute_api:servers:trigger_crash_dump")) return *denied;
    return accepted(compute.trigger_crash_dump(compute_context(req), id));
  };

  add_snapshot_and_shelve_actions(table, compute);
  add_rescue_actions(table, compute);

  static const Unsupported kUnsupported[] = {
      {"changePassword", "setting the guest's admin password", nullptr},
      {"resize", "resizing servers", nullptr},
      {"confirmResize", "resizing servers", nullptr},
      {"revertResize", "resizing servers", nullptr},
      {"migrate", "cold migration", "os_compute_api:os-migrate-server:migrate"},
      {"os-migrateLive", "live migration", "os_compute_api:os-migrate-server:migrate_live"},
      {"evacuate", "evacuation", "os_compute_api:os-evacuate"},
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
