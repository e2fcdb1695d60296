#include "core/compute/api/images_controller.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/compute/api/image_metadata_controller.h"
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

// Nova's image proxy serves up to 2.35 (MAX_PROXY_API_SUPPORT_VERSION) and
// fails with 404 from 2.36.
constexpr Microversion kLastProxyVersion{2, 35};
Status removed() { return Status::NotFound("The resource could not be found."); }

Result<db::ImageRecord> visible_image(db::Database& db, const ApiRequest& req) {
  auto r = db::ImageRepository(db).get(req.path_params[0]);
  if (!r.ok()) return r.status().is(sdk::StatusCode::kNotFound) ? not_found() : r.status();
  if (!visible(req, *r)) return not_found();
  return r;
}

// Nova's image list filters (its SUPPORTED_FILTERS, as Glance applies them):
// name, status (Nova's or Glance's word), changes-since (updated at or
// after), server (a snapshot's instance uuid, or a link ending in it), type
// (image_type property: snapshot, backup), minRam/minDisk (at least), and
// property-<key> for any property.
struct ImageFilters {
  std::optional<std::string> name, status, changes_since, server, type;
  std::optional<std::int64_t> min_ram, min_disk;
  std::map<std::string, std::string> properties;
};

Result<std::int64_t> non_negative(const std::string& name, const std::string& raw) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (raw.empty() || ec != std::errc() || ptr != raw.data() + raw.size()) {
    return Status::InvalidArgument(name + " param must be an integer");
  }
  if (v < 0) return Status::InvalidArgument(name + " param must be positive");
  return v;
}

Result<ImageFilters> filters_of(const ApiRequest& req) {
  ImageFilters f;
  f.name = req.query_param("name");
  if (auto s = req.query_param("status")) {
    std::string lower = *s;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    f.status = lower;
  }
  if (auto c = req.query_param("changes-since")) {
    auto t = common::parse_timestamp(*c);
    if (!t.ok()) return Status::InvalidArgument("Invalid changes-since value: " + *c);
    f.changes_since = *t;
  }
  if (auto srv = req.query_param("server")) f.server = srv->substr(srv->rfind('/') == std::string::npos ? 0 : srv->rfind('/') + 1);
  f.type = req.query_param("type");
  for (const auto& [param, field] : {std::pair<const char*, std::optional<std::int64_t>*>{"minRam", &f.min_ram},
                                     {"minDisk", &f.min_disk}}) {
    if (auto raw = req.query_param(param)) {
      auto v = non_negative(param, *raw);
      if (!v.ok()) return v.status();
      *field = *v;
    }
  }
  for (const auto& [k, v] : req.query) {
    if (k.rfind("property-", 0) == 0) f.properties[k.substr(9)] = v;
  }
  return f;
}

bool property_is(const db::ImageRecord& r, const std::string& key, const std::string& value) {
  auto it = r.properties.find(key);
  return it != r.properties.end() && it->second == value;
}

bool passes(const ImageFilters& f, const db::ImageRecord& r) {
  if (f.name && r.name != *f.name) return false;
  if (f.status && r.status != *f.status) return false;
  if (f.changes_since && r.updated_at < *f.changes_since) return false;
  if (f.server && !property_is(r, "instance_uuid", *f.server)) return false;
  if (f.type && !property_is(r, "image_type", *f.type)) return false;
  if (f.min_ram && r.min_ram < *f.min_ram) return false;
  if (f.min_disk && r.min_disk < *f.min_disk) return false;
  for (const auto& [k, v] : f.properties) {
    if (!property_is(r, k, v)) return false;
  }
  return true;
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req, bool detail) {
  auto filters = filters_of(req);
  if (!filters.ok()) return filters.status();
  std::optional<std::int64_t> limit;
  if (auto raw = req.query_param("limit")) {
    auto v = non_negative("limit", *raw);
    if (!v.ok()) return v.status();
    limit = *v;
  }
  auto records = db::ImageRepository(db).list();
  if (!records.ok()) return records.status();
  std::vector<const db::ImageRecord*> matching;
  for (const auto& r : *records) {
    if (r.status == "deleted" || !visible(req, r) || !passes(*filters, r)) continue;
    matching.push_back(&r);
  }
  // Glance's default order, newest first, pages with ?marker= (an image id).
  std::stable_sort(matching.begin(), matching.end(), [](const auto* a, const auto* b) {
    return a->created_at != b->created_at ? a->created_at > b->created_at : a->id > b->id;
  });
  std::size_t first = 0;
  if (auto marker = req.query_param("marker")) {
    auto it = std::find_if(matching.begin(), matching.end(), [&](const auto* r) { return r->id == *marker; });
    if (it == matching.end()) return Status::InvalidArgument("marker [" + *marker + "] not found");
    first = static_cast<std::size_t>(it - matching.begin()) + 1;
  }
  json out = json::array();
  for (std::size_t i = first; i < matching.size(); ++i) {
    if (limit && out.size() >= static_cast<std::size_t>(*limit)) break;
    out.push_back(detail ? detail_view(req, *matching[i]) : brief_view(req, *matching[i]));
  }
  json body = {{"images", out}};
  // A full page may have more behind it: Nova adds a "next" link then.
  if (limit && *limit > 0 && out.size() == static_cast<std::size_t>(*limit) && first + out.size() < matching.size()) {
    std::string query;
    for (const auto& [k, v] : req.query) {
      if (k != "marker") query += k + "=" + v + "&";
    }
    body["images_links"] = json::array(
        {{{"href", req.base_url + req.path + "?" + query + "marker=" + out.back()["id"].get<std::string>()},
          {"rel", "next"}}});
  }
  return ApiResponse{200, body, {}};
}

}  // namespace

void add_image_routes(ApiServer& server, db::Database& db, ImageDataRemover remove_data) {
  // Before /images/{id}: its routes are longer paths under it.
  add_image_metadata_routes(server, db);
  server.route("GET", R"(/v2\.1/images)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastProxyVersion) return removed();
    return list(db, req, false);
  });
  server.route("GET", R"(/v2\.1/images/detail)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastProxyVersion) return removed();
    return list(db, req, true);
  });

  server.route("GET", R"(/v2\.1/images/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastProxyVersion) return removed();
    auto r = visible_image(db, req);
    if (!r.ok()) return r.status();
    return ApiResponse{200, {{"image", detail_view(req, *r)}}, {}};
  });

  server.route("DELETE", R"(/v2\.1/images/([^/]+))", [&db, remove_data](const ApiRequest& req) -> Result<ApiResponse> {
    if (req.microversion > kLastProxyVersion) return removed();
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
