#include "core/compute/api/server_metadata_controller.h"

#include "core/http/json_schema_validator.h"
#include "core/compute/api/compute_request.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's metadata schemas: keys 1-255 of [a-zA-Z0-9-_:. ], values strings up to 255.
json metadata_schema(const char* root, bool exactly_one) {
  json item = {{"type", "object"},
               {"patternProperties", {{"^[a-zA-Z0-9-_:. ]{1,255}$", {{"type", "string"}, {"maxLength", 255}}}}},
               {"additionalProperties", false}};
  if (exactly_one) {
    item["minProperties"] = 1;
  }
  return {{"type", "object"},
          {"properties", {{root, item}}},
          {"required", json::array({root})},
          {"additionalProperties", false}};
}

}  // namespace

void add_server_metadata_routes(ApiServer& server, compute::ComputeAPI& compute) {
  auto all = JsonSchemaValidator::compile(metadata_schema("metadata", false)).value();
  auto one = JsonSchemaValidator::compile(metadata_schema("meta", true)).value();

  server.route("GET", R"(/v2\.1/servers/([^/]+)/metadata)", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = compute.get(compute_context(req), req.path_params[0]);
    if (!record.ok()) return record.status();
    return ApiResponse{200, {{"metadata", record->metadata}}, {}};
  });

  // PUT replaces all of it, POST merges into it; both answer the result.
  for (const char* method : {"PUT", "POST"}) {
    const bool replace = std::string(method) == "PUT";
    server.route(method, R"(/v2\.1/servers/([^/]+)/metadata)",
                 [&compute, all, replace](const ApiRequest& req) -> Result<ApiResponse> {
                   if (Status s = all->validate(req.body); !s.ok()) return s;
                   auto md = req.body["metadata"].get<std::map<std::string, std::string>>();
                   auto result = compute.update_metadata(compute_context(req), req.path_params[0], md, replace);
                   if (!result.ok()) return result.status();
                   return ApiResponse{200, {{"metadata", *result}}, {}};
                 });
  }

  server.route("GET", R"(/v2\.1/servers/([^/]+)/metadata/([^/]+))", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = compute.get(compute_context(req), req.path_params[0]);
    if (!record.ok()) return record.status();
    auto it = record->metadata.find(req.path_params[1]);
    if (it == record->metadata.end()) return Status::NotFound("Metadata item was not found");
    return ApiResponse{200, {{"meta", {{it->first, it->second}}}}, {}};
  });

  server.route("PUT", R"(/v2\.1/servers/([^/]+)/metadata/([^/]+))",
               [&compute, one](const ApiRequest& req) -> Result<ApiResponse> {
                 if (Status s = one->validate(req.body); !s.ok()) return s;
                 const json& meta = req.body["meta"];
                 if (meta.size() > 1) return Status::InvalidArgument("Request body contains too many items");
                 if (!meta.contains(req.path_params[1])) return Status::InvalidArgument("Request body and URI mismatch");
                 auto md = meta.get<std::map<std::string, std::string>>();
                 auto result = compute.update_metadata(compute_context(req), req.path_params[0], md, false);
                 if (!result.ok()) return result.status();
                 return ApiResponse{200, {{"meta", meta}}, {}};
               });

  server.route("DELETE", R"(/v2\.1/servers/([^/]+)/metadata/([^/]+))",
               [&compute](const ApiRequest& req) -> Result<ApiResponse> {
                 Status s = compute.delete_metadata_key(compute_context(req), req.path_params[0], req.path_params[1]);
                 if (!s.ok()) return s;
                 return ApiResponse{204, nullptr, {}};
               });
}

}  // namespace stratus::core::api
