#include "core/compute/api/image_metadata_controller.h"

#include <map>
#include <memory>
#include <string>

#include "core/db/image_repository.h"
#include "core/db/quota_repository.h"
#include "core/http/json_schema_validator.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

constexpr Microversion kLastVersion{2, 38};

// Nova's parameter_types.metadata.
json metadata_schema() {
  return {{"type", "object"},
          {"patternProperties", {{"^[a-zA-Z0-9-_:. ]{1,255}$", {{"type", "string"}, {"maxLength", 255}}}}},
          {"additionalProperties", false}};
}

json wrapped(const char* key, json inner) {
  return {{"type", "object"},
          {"properties", {{key, std::move(inner)}}},
          {"required", json::array({key})},
          {"additionalProperties", false}};
}

struct Validators {
  std::shared_ptr<const JsonSchemaValidator> metadata, meta;
};

Status removed() { return Status::NotFound("The resource could not be found."); }

// The image as the caller may see it (Nova's _get_image).
Result<db::ImageRecord> visible_image(db::Database& db, const ApiRequest& req) {
  auto r = db::ImageRepository(db).get(req.path_params[0]);
  if (!r.ok() && !r.status().is(sdk::StatusCode::kNotFound)) return r.status();
  const bool visible = r.ok() && r->status != "deleted" &&
                       (req.auth.is_admin || r->visibility == "public" || r->visibility == "community" ||
                        r->owner == req.auth.project_id);
  if (!visible) return Status::NotFound("Image not found.");
  return r;
}

// Glance's rule on updates, and Nova's check_img_metadata_properties_quota.
std::optional<ApiResponse> refuse_update(db::Database& db, const ApiRequest& req, const db::ImageRecord& image,
                                         const std::map<std::string, std::string>& properties, Status* error) {
  if (!req.auth.is_admin && image.owner != req.auth.project_id) {
    return error_response(403, "Not authorized for image " + image.id + ".");
  }
  auto limits = db::QuotaRepository(db).limits(req.auth.project_id);
  if (!limits.ok()) {
    *error = limits.status();
    return std::nullopt;
  }
  auto it = limits->find("metadata_items");
  if (!properties.empty() && it != limits->end() && it->second >= 0 &&
      static_cast<std::int64_t>(properties.size()) > it->second) {
    return error_response(403, "Image metadata limit exceeded");
  }
  return std::nullopt;
}

// Writes `properties` as the image's whole set; a reply when refused.
Result<std::optional<ApiResponse>> save(db::Database& db, const ApiRequest& req, db::ImageRecord image,
                                        std::map<std::string, std::string> properties) {
  Status error;
  if (auto refused = refuse_update(db, req, image, properties, &error)) return refused;
  if (!error.ok()) return error;
  image.properties = std::move(properties);
  auto saved = db::ImageRepository(db).update(image);
  if (saved.status().is(sdk::StatusCode::kNotFound)) return Status::NotFound("Image not found.");
  if (!saved.ok()) return saved.status();
  return std::optional<ApiResponse>();
}

std::map<std::string, std::string> as_map(const json& object) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : object.items()) out[k] = v.get<std::string>();
  return out;
}

}  // namespace

void add_image_metadata_routes(ApiServer& server, db::Database& db) {
  auto v = std::make_shared<Validators>();
  v->metadata = JsonSchemaValidator::compile(wrapped("metadata", metadata_schema())).value();
  json meta = metadata_schema();
  meta["minProperties"] = 1;
  meta["maxProperties"] = 1;
  v->meta = JsonSchemaValidator::compile(wrapped("meta", meta)).value();

  const std::string base = R"(/v2\.1/images/([^/]+)/metadata)";
  const std::string item = base + "/([^/]+)";

  server.route("GET", base, [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    auto image = visible_image(db, req);
    if (!image.ok()) return image.status();
    return ApiResponse{200, {{"metadata", json(image->properties)}}, {}};
  });

  server.route("GET", item, [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    auto image = visible_image(db, req);
    if (!image.ok()) return image.status();
    const std::string& key = req.path_params[1];
    auto it = image->properties.find(key);
    if (it == image->properties.end()) return Status::NotFound("The resource could not be found.");
    return ApiResponse{200, {{"meta", {{key, it->second}}}}, {}};
  });

  // Merge.
  server.route("POST", base, [&db, v](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    if (Status s = v->metadata->validate(req.body); !s.ok()) return s;
    auto image = visible_image(db, req);
    if (!image.ok()) return image.status();
    auto properties = image->properties;
    for (const auto& [k, val] : as_map(req.body["metadata"])) properties[k] = val;
    auto saved = save(db, req, *image, properties);
    if (!saved.ok()) return saved.status();
    if (*saved) return **saved;
    return ApiResponse{200, {{"metadata", json(properties)}}, {}};
  });

  // Replace.
  server.route("PUT", base, [&db, v](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    if (Status s = v->metadata->validate(req.body); !s.ok()) return s;
    auto image = visible_image(db, req);
    if (!image.ok()) return image.status();
    auto properties = as_map(req.body["metadata"]);
    auto saved = save(db, req, *image, properties);
    if (!saved.ok()) return saved.status();
    if (*saved) return **saved;
    return ApiResponse{200, {{"metadata", json(properties)}}, {}};
  });

  server.route("PUT", item, [&db, v](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    if (Status s = v->meta->validate(req.body); !s.ok()) return s;
    const std::string& key = req.path_params[1];
    if (!req.body["meta"].contains(key)) return Status::InvalidArgument("Request body and URI mismatch");
    auto image = visible_image(db, req);
    if (!image.ok()) return image.status();
    auto properties = image->properties;
    properties[key] = req.body["meta"][key].get<std::string>();
    auto saved = save(db, req, *image, properties);
    if (!saved.ok()) return saved.status();
    if (*saved) return **saved;
    return ApiResponse{200, {{"meta", req.body["meta"]}}, {}};
  });

  server.route("DELETE", item, [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastVersion) return removed();
    auto image = visible_image(db, req);
    if (!image.ok()) return image.status();
    auto properties = image->properties;
    if (properties.erase(req.path_params[1]) == 0) return Status::NotFound("Invalid metadata key");
    auto saved = save(db, req, *image, properties);
    if (!saved.ok()) return saved.status();
    if (*saved) return **saved;
    return ApiResponse{204, nullptr, {}};
  });
}

}  // namespace stratus::core::api
