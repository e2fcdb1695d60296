#include "core/compute/api/images_controller.h"

#include <map>

#include <spdlog/spdlog.h>

#include "core/db/image_repository.h"
#include "core/common/time_util.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// nova/api/openstack/compute/views/images.py: Glance status -> Nova status, progress.
std::string nova_status(const std::string& glance) {
  static const std::map<std::string, std::string> kMap = {
      {"active", "ACTIVE"},   {"queued", "SAVING"},   {"saving", "SAVING"},          {"uploading", "SAVING"},
      {"importing", "SAVING"}, {"killed", "ERROR"},   {"deleted", "DELETED"},        {"pending_delete", "DELETED"}};
  auto it = kMap.find(glance);
  return it == kMap.end() ? "UNKNOWN" : it->second;
}

int progress(const std::string& glance) {
  if (glance == "queued") return 25;
  if (glance == "saving") return 50;
  if (glance == "active") return 100;
  return 0;
}

bool visible(const ApiRequest& req, const db::ImageRecord& r) {
  return req.auth.is_admin || r.visibility == "public" || r.visibility == "community" ||
         r.owner == req.auth.project_id;
}

json links(const ApiRequest& req, const std::string& id, bool alternate) {
  json out = json::array({{{"href", req.base_url + "/v2.1/images/" + id}, {"rel", "self"}},
                          {{"href", req.base_url + "/images/" + id}, {"rel", "bookmark"}}});
  // Nova points "alternate" at Glance; the images live in this service's
  // database, so the link names the same host under Glance's path.
  if (alternate) {
    out.push_back({{"href", req.base_url + "/image/images/" + id},
                   {"rel", "alternate"},
                   {"type", "application/vnd.openstack.image"}});
  }
  return out;
}

json brief_view(const ApiRequest& req, const db::ImageRecord& r) {
  return {{"id", r.id}, {"links", links(req, r.id, false)}, {"name", r.name}};
}

json detail_view(const ApiRequest& req, const db::ImageRecord& r) {
  json out = {{"OS-EXT-IMG-SIZE:size", r.size},
              {"created", common::to_api_seconds(r.created_at)},
              {"id", r.id},
              {"links", links(req, r.id, true)},
              {"metadata", r.properties},
              {"minDisk", r.min_disk},
              {"minRam", r.min_ram},
              {"name", r.name},
              {"progress", progress(r.status)},
              {"status", nova_status(r.status)},
              {"updated", common::to_api_seconds(r.updated_at)}};
  // A snapshot names its server, as Nova's view does.
  if (auto it = r.properties.find("instance_uuid"); it != r.properties.end()) {
    out["server"] = {{"id", it->second},
                     {"links", json::array({{{"href", req.base_url + "/v2.1/servers/" + it->second}, {"rel", "self"}},
                                            {{"href", req.base_url + "/servers/" + it->second}, {"rel", "bookmark"}}})}};
  }
  return out;
}

Status not_found() { return Status::NotFound("Image not found."); }

Result<db::ImageRecord> visible_image(db::Database& db, const ApiRequest& req) {
  auto r = db::ImageRepository(db).get(req.path_params[0]);
  if (!r.ok()) return r.status().is(sdk::StatusCode::kNotFound) ? not_found() : r.status();
  if (!visible(req, *r)) return not_found();
  return r;
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req, bool detail) {
  auto records = db::ImageRepository(db).list();
  if (!records.ok()) return records.status();
  json out = json::array();
  for (const auto& r : *records) {
    if (r.status == "deleted" || !visible(req, r)) continue;
    out.push_back(detail ? detail_view(req, r) : brief_view(req, r));
  }
  return ApiResponse{200, {{"images", out}}, {}};
}

}  // namespace

void add_image_routes(ApiServer& server, db::Database& db, ImageDataRemover remove_data) {
  server.route("GET", R"(/v2\.1/images)", [&db](const ApiRequest& req) { return list(db, req, false); });
  server.route("GET", R"(/v2\.1/images/detail)", [&db](const ApiRequest& req) { return list(db, req, true); });

  server.route("GET", R"(/v2\.1/images/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto r = visible_image(db, req);
    if (!r.ok()) return r.status();
    return ApiResponse{200, {{"image", detail_view(req, *r)}}, {}};
  });

  server.route("DELETE", R"(/v2\.1/images/([^/]+))", [&db, remove_data](const ApiRequest& req) -> Result<ApiResponse> {
    auto r = visible_image(db, req);
    if (!r.ok()) return r.status();
    // Glance lets the owner or an admin delete; Nova passes its 403 on.
    if (!req.auth.is_admin && r->owner != req.auth.project_id) {
      return error_response(403, "Not authorized for image " + r->id + ".");
    }
    if (r->is_protected) return error_response(403, "Image " + r->id + " is protected and cannot be deleted.");
    Status s = db::ImageRepository(db).remove(r->id);
    if (s.is(sdk::StatusCode::kNotFound)) return not_found();
    if (!s.ok()) return s;
    if (remove_data) {
      if (Status removed = remove_data(r->id); !removed.ok()) {
        spdlog::error("{} image {} deleted but its data stays: {}", req.request_id, r->id, removed.message());
      }
    }
    return ApiResponse{204, nullptr, {}};
  });
}

}  // namespace stratus::core::api
