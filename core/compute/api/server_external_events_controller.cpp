#include "core/compute/api/server_external_events_controller.h"

#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/db/instance_repository.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's event names, by the microversion that added them.
std::vector<std::string> event_names(const Microversion& v) {
  std::vector<std::string> names = {"network-changed", "network-vif-plugged", "network-vif-unplugged",
                                    "network-vif-deleted"};
  if (v >= Microversion{2, 51}) names.push_back("volume-extended");
  if (v >= Microversion{2, 76}) names.push_back("power-update");
  if (v >= Microversion{2, 82}) names.push_back("accelerator-request-bound");
  if (v >= Microversion{2, 93}) names.push_back("volume-reimaged");
  return names;
}

json create_schema(const Microversion& v) {
  return {{"type", "object"},
          {"properties",
           {{"events",
             {{"type", "array"},
              {"minItems", 1},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"name", {{"type", "string"}, {"enum", event_names(v)}}},
                  {"server_uuid",
                   {{"type", "string"},
                    {"pattern", "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"}}},
                  {"status", {{"type", "string"}, {"enum", {"failed", "completed", "in-progress"}}}},
                  {"tag", {{"type", "string"}, {"maxLength", 255}}}}},
                {"required", {"name", "server_uuid"}},
                {"additionalProperties", false}}}}}}},
          {"required", {"events"}},
          {"additionalProperties", false}};
}

// One validator per step of the event list.
struct Validators {
  std::vector<std::pair<Microversion, std::shared_ptr<const JsonSchemaValidator>>> by_version;
  const JsonSchemaValidator& at(const Microversion& v) const {
    const JsonSchemaValidator* out = by_version.front().second.get();
    for (const auto& [from, validator] : by_version) {
      if (v >= from) out = validator.get();
    }
    return *out;
  }
};

bool needs_tag(const std::string& name) {
  return name == "volume-extended" || name == "power-update" || name == "accelerator-request-bound";
}

Result<ApiResponse> create(db::Database& db, const Validators& validators, const ApiRequest& req) {
  if (auto denied = policy_check(req, "os_compute_api:os-server-external-events:create")) return *denied;
  if (Status s = validators.at(req.microversion).validate(req.body); !s.ok()) return s;
  db::InstanceRepository instances(db);
  json out = json::array();
  int result = 200;
  for (const json& in : req.body["events"]) {
    json event = in;
    const std::string uuid = in["server_uuid"].get<std::string>();
    const std::string name = in["name"].get<std::string>();
    auto instance = instances.get(uuid);
    if (!instance.ok() && !instance.status().is(sdk::StatusCode::kNotFound)) return instance.status();
    if (!instance.ok() || instance->deleted) {
      spdlog::debug("[{}] dropping event {} for unknown instance {}", req.request_id, name, uuid);
      event["status"] = "failed";
      event["code"] = 404;
      result = 207;
    } else if (needs_tag(name) && !in.contains("tag")) {
      event["status"] = "failed";
      event["code"] = 400;
      result = 207;
    } else if (!instance->host.empty()) {
      spdlog::info("[{}] event {}{} for instance {} on {}", req.request_id, name,
                   in.contains("tag") ? ":" + in["tag"].get<std::string>() : std::string(), uuid, instance->host);
      event["status"] = "completed";
      event["code"] = 200;
    } else {
      event["status"] = "failed";
      event["code"] = 422;
      result = 207;
    }
    out.push_back(std::move(event));
  }
  return ApiResponse{result, {{"events", out}}, {}};
}

}  // namespace

void add_server_external_events_routes(ApiServer& server, db::Database& db) {
  auto validators = std::make_shared<Validators>();
  for (const Microversion& v : {Microversion{2, 1}, Microversion{2, 51}, Microversion{2, 76}, Microversion{2, 82},
                                Microversion{2, 93}}) {
    validators->by_version.emplace_back(v, JsonSchemaValidator::compile(create_schema(v)).value());
  }
  server.route("POST", R"(/v2\.1/os-server-external-events)",
               [&db, validators](const ApiRequest& req) { return create(db, *validators, req); });
}

}  // namespace stratus::core::api
