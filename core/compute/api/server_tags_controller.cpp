#include "core/compute/api/server_tags_controller.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/http/json_schema_validator.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/api/instance_state_check.h"
#include "core/compute/instance_states.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

constexpr std::size_t kMaxTags = 50;  // Nova's MAX_TAG_COUNT
constexpr std::size_t kMaxTagLength = 60;

const json& update_all_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "tags": {
        "type": "array",
        "items": {"type": "string", "pattern": "^[^,/]*$", "minLength": 1, "maxLength": 60},
        "maxItems": 50
      }
    },
    "required": ["tags"],
    "additionalProperties": false
  })");
  return schema;
}

bool supported(const ApiRequest& req) { return req.microversion >= Microversion{2, 26}; }

Status not_found_route() { return Status::NotFound("The resource could not be found."); }

// The server, if the caller may see it and (for changes) it is in a state Nova allows.
Result<db::InstanceRecord> server_for(compute::ComputeAPI& compute, const ApiRequest& req, const char* change) {
  auto instance = compute.get(compute_context(req), req.path_params[0]);
  if (!instance.ok()) return instance.status();
  if (change != nullptr) {
    compute::StateCheck check;
    check.vm_states = {compute::vm_state::kActive, compute::vm_state::kPaused, compute::vm_state::kSuspended,
                       compute::vm_state::kStopped};
    check.task_states.reset();
    check.must_have_launched = false;
    if (Status s = compute::check_instance_state(*instance, check, change); !s.ok()) return s;
  }
  return instance;
}

Status valid_tag(const std::string& tag) {
  if (tag.empty() || tag.size() > kMaxTagLength || tag.find_first_of("/,") != std::string::npos) {
    return Status::InvalidArgument("Tag '" + tag + "' is invalid. It must be a non empty string without characters "
                                   "'/' and ','. Validation error message: '" + tag + "' does not match '^[^,/]*$'");
  }
  return Status::OK();
}

}  // namespace

void add_server_tag_routes(ApiServer& server, compute::ComputeAPI& compute, db::Database& db) {
  auto validator = JsonSchemaValidator::compile(update_all_schema()).value();

  server.route("GET", R"(/v2\.1/servers/([^/]+)/tags)", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (!supported(req)) return not_found_route();
    auto instance = server_for(compute, req, nullptr);
    if (!instance.ok()) return instance.status();
    return ApiResponse{200, {{"tags", instance->tags}}, {}};
  });
  server.route("PUT", R"(/v2\.1/servers/([^/]+)/tags)",
               [&compute, &db, validator](const ApiRequest& req) -> Result<ApiResponse> {
                 if (!supported(req)) return not_found_route();
                 auto instance = server_for(compute, req, "update tags");
                 if (!instance.ok()) return instance.status();
                 if (Status s = validator->validate(req.body); !s.ok()) return s;
                 std::vector<std::string> tags;
                 for (const auto& t : req.body["tags"]) {
                   const std::string tag = t.get<std::string>();
                   if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
                 }
                 auto stored = db::InstanceRepository(db).set_tags(instance->uuid, tags);
                 if (!stored.ok()) return stored.status();
                 spdlog::info("[{}] instance {} tags set ({})", req.request_id, instance->uuid, stored->size());
                 return ApiResponse{200, {{"tags", *stored}}, {}};
               });
  server.route("DELETE", R"(/v2\.1/servers/([^/]+)/tags)", [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
    if (!supported(req)) return not_found_route();
    auto instance = server_for(compute, req, "delete tags");
    if (!instance.ok()) return instance.status();
    auto stored = db::InstanceRepository(db).set_tags(instance->uuid, {});
    if (!stored.ok()) return stored.status();
    return ApiResponse{204, nullptr, {}};
  });
  server.route("GET", R"(/v2\.1/servers/([^/]+)/tags/([^/]+))", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (!supported(req)) return not_found_route();
    auto instance = server_for(compute, req, nullptr);
    if (!instance.ok()) return instance.status();
    const std::string& tag = req.path_params[1];
    if (std::find(instance->tags.begin(), instance->tags.end(), tag) == instance->tags.end()) {
      return Status::NotFound("Server " + instance->uuid + " has no tag '" + tag + "'");
    }
    return ApiResponse{204, nullptr, {}};
  });
  server.route("PUT", R"(/v2\.1/servers/([^/]+)/tags/([^/]+))",
               [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
                 if (!supported(req)) return not_found_route();
                 auto instance = server_for(compute, req, "update tag");
                 if (!instance.ok()) return instance.status();
                 const std::string& tag = req.path_params[1];
                 if (Status s = valid_tag(tag); !s.ok()) return s;
                 auto added = db::InstanceRepository(db).add_tag(instance->uuid, tag, kMaxTags);
                 if (!added.ok()) return added.status();
                 if (!*added) return ApiResponse{204, nullptr, {}};
                 spdlog::info("[{}] instance {} tagged {}", req.request_id, instance->uuid, tag);
                 return ApiResponse{
                     201, nullptr, {{"Location", req.base_url + "/v2.1/servers/" + instance->uuid + "/tags/" + tag}}};
               });
  server.route("DELETE", R"(/v2\.1/servers/([^/]+)/tags/([^/]+))",
               [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
                 if (!supported(req)) return not_found_route();
                 auto instance = server_for(compute, req, "delete tag");
                 if (!instance.ok()) return instance.status();
                 const std::string& tag = req.path_params[1];
                 Status s = db::InstanceRepository(db).remove_tag(instance->uuid, tag);
                 if (s.is(sdk::StatusCode::kNotFound)) {
                   return Status::NotFound("Instance " + instance->uuid + " has no tag '" + tag + "'");
                 }
                 if (!s.ok()) return s;
                 return ApiResponse{204, nullptr, {}};
               });
}

}  // namespace stratus::core::api
