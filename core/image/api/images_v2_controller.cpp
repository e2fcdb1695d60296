#include "core/image/api/images_v2_controller.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "core/db/image_repository.h"
#include "core/common/error_table.h"
#include "core/common/time_util.h"

namespace stratus::core::image {

namespace {

using api::ApiRequest;
using api::ApiResponse;
using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Authorization, named by Glance's policy rules, until the central policy
// (core/api/policy.h) takes them over:
//   get_images, get_image, download_image   visible images (see visible())
//   add_image                               any member; owner = its project
//   modify_image, delete_image, upload_image owner or admin
//   publicize_image                         admin only (visibility "public")
//   communitize_image                       owner or admin
bool is_owner_or_admin(const ApiRequest& req, const db::ImageRecord& r) {
  return req.auth.is_admin || (!r.owner.empty() && r.owner == req.auth.project_id);
}

// Who may see an image at all (get_image): public and community images,
// the project's own, and everything for an admin. "shared" images have no
// members here, so only their owner sees them.
bool visible(const ApiRequest& req, const db::ImageRecord& r) {
  return r.visibility == "public" || r.visibility == "community" || is_owner_or_admin(req, r);
}

const std::set<std::string> kDiskFormats = {"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"};
const std::set<std::string> kContainerFormats = {"ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"};
const std::set<std::string> kVisibilities = {"public", "private", "shared", "community"};
// Fields the service sets; a client naming one gets Glance's 403.
const std::set<std::string> kReadOnly = {"status", "size", "virtual_size", "checksum", "os_hash_algo",
                                         "os_hash_value", "created_at", "updated_at", "self", "file",
                                         "schema", "direct_url", "locations", "owner", "deleted", "deleted_at"};
const std::set<std::string> kSortKeys = {"name", "status", "created_at", "updated_at", "size", "id", "disk_format",
                                         "container_format", "min_ram", "min_disk", "visibility", "owner"};
// Query parameters of a listing that are not filters on an image's own
// properties: paging and sorting, and Glance's filters on fields this
// service does not filter on (yet). Any other parameter is a property
// filter (Glance's "?<property>=<value>"), as Nova's backup rotation uses.
const std::set<std::string> kNotPropertyFilters = {
    "limit", "marker", "sort_key", "sort_dir", "sort", "name", "status", "owner", "visibility", "disk_format",
    "container_format", "id", "checksum", "os_hash_algo", "os_hash_value", "member_status", "tag", "size_min",
    "size_max", "created_at", "updated_at", "changes-since", "os_hidden", "protected", "deleted", "is_public",
    "size", "virtual_size", "min_ram", "min_disk"};
constexpr std::int64_t kDefaultLimit = 25;
constexpr std::int64_t kMaxLimit = 1000;
constexpr std::size_t kMaxStringLength = 255;

// ---- replies in Glance's shapes ----------------------------------------------------

std::string title_for(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

ApiResponse glance_error(int status, const std::string& message) {
  return ApiResponse{status, {{"code", status}, {"title", title_for(status)}, {"message", message}}, {}};
}

// A Status from below (database, store) as Glance would answer it.
// The number is the error table's; only the body is Glance's.
ApiResponse from_status(const Status& s) {
  const int http_status = common::http_status_for(s);
  if (http_status >= 500 && http_status != 503) {
    return glance_error(http_status, "The image service failed: " + s.message());
  }
  return glance_error(http_status, s.message());
}

json nullable(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json image_view(const db::ImageRecord& r) {
  const bool has_data = !r.checksum.empty() || r.status == "active";
  json out = {{"id", r.id},
              {"name", nullable(r.name)},
              {"status", r.status},
              {"visibility", r.visibility},
              {"protected", r.is_protected},
              {"os_hidden", false},
              {"tags", r.tags},
              {"disk_format", nullable(r.disk_format)},
              {"container_format", nullable(r.container_format)},
              {"size", has_data ? json(r.size) : json(nullptr)},
              {"virtual_size", nullptr},
              {"checksum", nullable(r.checksum)},
              {"os_hash_algo", nullable(r.os_hash_algo)},
              {"os_hash_value", nullable(r.os_hash_value)},
              {"min_ram", r.min_ram},
              {"min_disk", r.min_disk},
              {"owner", nullable(r.owner)},
              {"created_at", common::to_api_seconds(r.created_at)},
              {"updated_at", common::to_api_seconds(r.updated_at)},
              {"self", "/v2/images/" + r.id},
              {"file", "/v2/images/" + r.id + "/file"},
              {"schema", "/v2/schemas/image"}};
  for (const auto& [k, v] : r.properties) {
    if (!out.contains(k)) out[k] = v;
  }
  return out;
}

// ---- field validation, shared by create and patch ----------------------------------

Result<std::string> string_field(const std::string& key, const json& v, bool nullable_ok) {
  if (v.is_null() && nullable_ok) return std::string();
  if (!v.is_string()) return Status::InvalidArgument("Invalid value for '" + key + "': must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > kMaxStringLength) {
    return Status::InvalidArgument("Invalid value for '" + key + "': longer than 255 characters");
  }
  return s;
}

Result<std::int64_t> size_field(const std::string& key, const json& v) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
    return Status::InvalidArgument("Invalid value for '" + key + "': must be an integer of 0 or more");
  }
  return v.get<std::int64_t>();
}

Result<std::string> enum_field(const std::string& key, const json& v, const std::set<std::string>& allowed) {
  auto s = string_field(key, v, true);
  if (!s.ok()) return s;
  if (!s->empty() && allowed.count(*s) == 0) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return Status::InvalidArgument("Invalid value '" + *s + "' for '" + key + "': must be one of " + list);
  }
  return s;
}

Result<std::vector<std::string>> tags_field(const json& v) {
  if (!v.is_array()) return Status::InvalidArgument("Invalid value for 'tags': must be an array of strings");
  std::set<std::string> tags;
  for (const auto& t : v) {
    auto s = string_field("tags", t, false);
    if (!s.ok()) return s.status();
    tags.insert(*s);
  }
  return std::vector<std::string>(tags.begin(), tags.end());
}

// A 403 for what a client may not set; OK otherwise.
std::optional<ApiResponse> forbidden_field(const std::string& key) {
  if (kReadOnly.count(key) != 0) return glance_error(403, "Attribute '" + key + "' is read-only.");
  if (key.rfind("os_glance", 0) == 0) {
    return glance_error(403, "Attribute '" + key + "' is reserved.");
  }
  return std::nullopt;
}

// Sets `key` of `rec` from `v` (create, and patch add/replace). A property
// for any key that is not a field.
Status set_field(db::ImageRecord& rec, const std::string& key, const json& v) {
  if (key == "name") {
    auto s = string_field(key, v, true);
    if (!s.ok()) return s.status();
    rec.name = *s;
  } else if (key == "disk_format") {
    auto s = enum_field(key, v, kDiskFormats);
    if (!s.ok()) return s.status();
    rec.disk_format = *s;
  } else if (key == "container_format") {
    auto s = enum_field(key, v, kContainerFormats);
    if (!s.ok()) return s.status();
    rec.container_format = *s;
  } else if (key == "visibility") {
    auto s = enum_field(key, v, kVisibilities);
    if (!s.ok()) return s.status();
    if (s->empty()) return Status::InvalidArgument("Invalid value for 'visibility': must not be null");
    rec.visibility = *s;
  } else if (key == "min_ram" || key == "min_disk") {
    auto n = size_field(key, v);
    if (!n.ok()) return n.status();
    (key == "min_ram" ? rec.min_ram : rec.min_disk) = *n;
  } else if (key == "protected") {
    if (!v.is_boolean()) return Status::InvalidArgument("Invalid value for 'protected': must be true or false");
    rec.is_protected = v.get<bool>();
  } else if (key == "tags") {
    auto t = tags_field(v);
    if (!t.ok()) return t.status();
    rec.tags = *t;
  } else if (key == "os_hidden") {
    if (!v.is_boolean()) return Status::InvalidArgument("Invalid value for 'os_hidden': must be true or false");
    if (v.get<bool>()) return Status::InvalidArgument("Hidden images (os_hidden) are not supported");
  } else {
    if (key.empty() || key.size() > kMaxStringLength) {
      return Status::InvalidArgument("Invalid property name '" + key + "': 1 to 255 characters");
    }
    if (!v.is_string()) return Status::InvalidArgument("Invalid value for property '" + key + "': must be a string");
    rec.properties[key] = v.get<std::string>();
  }
  return Status::OK();
}

// ---- handlers ----------------------------------------------------------------------

Result<db::ImageRecord> visible_image(db::Database& db, const ApiRequest& req, const std::string& id) {
  if (!common::is_uuid(id)) return Status::NotFound("No image found with ID " + id);
  auto r = db::ImageRepository(db).get(id);
  if (!r.ok()) return r.status().is(sdk::StatusCode::kNotFound) ? Status::NotFound("No image found with ID " + id) : r.status();
  if (r->status == "deleted" || !visible(req, *r)) return Status::NotFound("No image found with ID " + id);
  return r;
}

json versions_document(const std::string& base_url) {
  json versions = json::array();
  const char* ids[] = {"v2.5", "v2.4", "v2.3", "v2.2", "v2.1", "v2.0"};
  for (const char* id : ids) {
    versions.push_back({{"id", id},
                        {"status", std::string(id) == "v2.5" ? "CURRENT" : "SUPPORTED"},
                        {"links", json::array({{{"rel", "self"}, {"href", base_url + "/image/v2/"}}})}});
  }
  return {{"versions", versions}};
}

std::string query_encode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The sort value of `key` as text that orders as the value does (numbers
// zero-padded).
std::string sort_value(const db::ImageRecord& r, const std::string& key) {
  auto number = [](std::int64_t n) {
    std::string s = std::to_string(n);
    return std::string(20 - std::min<std::size_t>(20, s.size()), '0') + s;
  };
  if (key == "name") return r.name;
  if (key == "status") return r.status;
  if (key == "updated_at") return r.updated_at;
  if (key == "size") return number(r.size);
  if (key == "id") return r.id;
  if (key == "disk_format") return r.disk_format;
  if (key == "container_format") return r.container_format;
  if (key == "min_ram") return number(r.min_ram);
  if (key == "min_disk") return number(r.min_disk);
  if (key == "visibility") return r.visibility;
  if (key == "owner") return r.owner;
  return r.created_at;
}

// Every property filter of the query holds for `r` (an image without the
// property matches none).
bool matches_properties(const ApiRequest& req, const db::ImageRecord& r) {
  for (const auto& [key, value] : req.query) {
    if (kNotPropertyFilters.count(key) != 0) continue;
    auto it = r.properties.find(key);
    if (it == r.properties.end() || it->second != value) return false;
  }
  return true;
}

Result<ApiResponse> list_images(db::Database& db, const ApiRequest& req) {
  const auto name = req.query_param("name");
  const auto status = req.query_param("status");
  const auto owner = req.query_param("owner");
  const auto disk_format = req.query_param("disk_format");
  const auto container_format = req.query_param("container_format");
  const std::string visibility = req.query_param("visibility").value_or("");
  if (!visibility.empty() && visibility != "all" && kVisibilities.count(visibility) == 0) {
    return glance_error(400, "Invalid visibility value: " + visibility);
  }
  const std::string sort_key = req.query_param("sort_key").value_or("created_at");
  const std::string sort_dir = req.query_param("sort_dir").value_or("desc");
  if (kSortKeys.count(sort_key) == 0) return glance_error(400, "Unsupported sort_key: " + sort_key);
  if (sort_dir != "asc" && sort_dir != "desc") return glance_error(400, "Invalid sort direction: " + sort_dir);
  std::int64_t limit = kDefaultLimit;
  if (auto l = req.query_param("limit")) {
    try {
      std::size_t used = 0;
      limit = std::stoll(*l, &used);
      if (used != l->size() || limit < 0) throw std::invalid_argument("limit");
    } catch (const std::exception&) {
      return glance_error(400, "limit param must be an integer of 0 or more");
    }
    limit = std::min(limit, kMaxLimit);
  }

  auto records = db::ImageRepository(db).list();
  if (!records.ok()) return from_status(records.status());
  std::vector<db::ImageRecord> shown;
  for (auto& r : *records) {
    if (r.status == "deleted" || !visible(req, r)) continue;
    // Glance's default listing leaves out others' community images; an
    // explicit visibility filter (or "all") shows them.
    if (visibility.empty() && r.visibility == "community" && !is_owner_or_admin(req, r)) continue;
    if (!visibility.empty() && visibility != "all" && r.visibility != visibility) continue;
    if (name && r.name != *name) continue;
    if (status && r.status != *status) continue;
    if (owner && r.owner != *owner) continue;
    if (disk_format && r.disk_format != *disk_format) continue;
    if (container_format && r.container_format != *container_format) continue;
    if (!matches_properties(req, r)) continue;
    shown.push_back(std::move(r));
  }
  std::stable_sort(shown.begin(), shown.end(), [&](const db::ImageRecord& a, const db::ImageRecord& b) {
    const std::string va = sort_value(a, sort_key), vb = sort_value(b, sort_key);
    if (va != vb) return sort_dir == "asc" ? va < vb : va > vb;
    return sort_dir == "asc" ? a.id < b.id : a.id > b.id;
  });

  std::size_t start = 0;
  if (auto marker = req.query_param("marker")) {
    auto it = std::find_if(shown.begin(), shown.end(), [&](const db::ImageRecord& r) { return r.id == *marker; });
    if (it == shown.end()) return glance_error(400, "marker " + *marker + " could not be found.");
    start = static_cast<std::size_t>(it - shown.begin()) + 1;
  }
  json images = json::array();
  std::size_t i = start;
  for (; i < shown.size() && static_cast<std::int64_t>(images.size()) < limit; ++i) images.push_back(image_view(shown[i]));

  // Every query parameter but marker carries over into the first and next links.
  std::string carried;
  for (const auto& [k, v] : req.query) {
    if (k == "marker") continue;
    carried += (carried.empty() ? "" : "&") + query_encode(k) + "=" + query_encode(v);
  }
  json out = {{"images", images},
              {"first", "/v2/images" + (carried.empty() ? std::string() : "?" + carried)},
              {"schema", "/v2/schemas/images"}};
  if (!images.empty() && static_cast<std::int64_t>(images.size()) == limit && i < shown.size()) {
    out["next"] = "/v2/images?" + (carried.empty() ? std::string() : carried + "&") +
                  "marker=" + query_encode(images.back()["id"].get<std::string>());
  }
  return ApiResponse{200, out, {}};
}

Result<ApiResponse> create_image(db::Database& db, const ApiRequest& req) {
  if (!req.body.is_object()) return glance_error(400, "The request body must be a JSON object");
  db::ImageRecord rec;
  rec.status = "queued";
  rec.visibility = "shared";  // Glance's default since Ocata
  rec.owner = req.auth.project_id;
  for (const auto& [key, value] : req.body.items()) {
    if (auto denied = forbidden_field(key)) return *denied;
    if (key == "id") {
      if (!value.is_string() || !common::is_uuid(value.get<std::string>())) {
        return glance_error(400, "Invalid value for 'id': must be a UUID");
      }
      rec.id = value.get<std::string>();
      continue;
    }
    if (Status s = set_field(rec, key, value); !s.ok()) return glance_error(400, s.message());
  }
  if (rec.visibility == "public" && !req.auth.is_admin) {
    return glance_error(403, "Policy doesn't allow publicize_image to be performed.");
  }
  auto created = db::ImageRepository(db).create(rec);
  if (!created.ok()) {
    if (created.status().is(sdk::StatusCode::kAlreadyExists)) {
      return glance_error(409, "Image with identifier " + rec.id + " already exists!");
    }
    return from_status(created.status());
  }
  spdlog::info("{} image {} created (name '{}', owner {})", req.request_id, created->id, created->name, created->owner);
  return ApiResponse{201, image_view(*created), {{"Location", req.base_url + "/image/v2/images/" + created->id}}};
}

// The JSON pointer "/name" -> "name" ("~1" is "/", "~0" is "~").
Result<std::string> pointer_key(const json& op) {
  if (!op.contains("path") || !op["path"].is_string()) return Status::InvalidArgument("Each operation needs a 'path'");
  const std::string path = op["path"].get<std::string>();
  if (path.size() < 2 || path[0] != '/' || path.find('/', 1) != std::string::npos) {
    return Status::InvalidArgument("Invalid JSON pointer for this resource: '" + path + "'");
  }
  std::string key;
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '~' && i + 1 < path.size() && (path[i + 1] == '0' || path[i + 1] == '1')) {
      key += path[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      key += path[i];
    }
  }
  return key;
}

const std::set<std::string> kFields = {"name", "disk_format", "container_format", "visibility", "min_ram",
                                       "min_disk", "protected", "tags", "os_hidden"};

Result<ApiResponse> update_image(db::Database& db, const ApiRequest& req) {
  auto found = visible_image(db, req, req.path_params[0]);
  if (!found.ok()) return from_status(found.status());
  if (!is_owner_or_admin(req, *found)) return glance_error(403, "Policy doesn't allow modify_image to be performed.");
  if (req.content_type.rfind("application/openstack-images-v2.1-json-patch", 0) != 0 &&
      req.content_type.rfind("application/openstack-images-v2.0-json-patch", 0) != 0) {
    return glance_error(415, "Content-Type must be application/openstack-images-v2.1-json-patch");
  }
  if (!req.body.is_array()) return glance_error(400, "The request body must be a JSON array of patch operations");
  db::ImageRecord rec = *found;
  for (const auto& op : req.body) {
    if (!op.is_object() || !op.contains("op") || !op["op"].is_string()) {
      return glance_error(400, "Each operation must be an object with an 'op'");
    }
    const std::string kind = op["op"].get<std::string>();
    auto key = pointer_key(op);
    if (!key.ok()) return glance_error(400, key.status().message());
    if (key.value() == "id") return glance_error(403, "Attribute 'id' is read-only.");
    if (auto denied = forbidden_field(*key)) return *denied;
    const bool is_field = kFields.count(*key) != 0;
    if ((*key == "disk_format" || *key == "container_format") && rec.status != "queued") {
      return glance_error(403, "Attribute '" + *key + "' can be only replaced for a queued image.");
    }
    if (kind == "add" || kind == "replace") {
      if (!op.contains("value")) return glance_error(400, "Operation '" + kind + "' needs a 'value'");
      if (kind == "replace" && !is_field && rec.properties.count(*key) == 0) {
        return glance_error(409, "Property " + *key + " does not exist.");
      }
      if (Status s = set_field(rec, *key, op["value"]); !s.ok()) return glance_error(400, s.message());
    } else if (kind == "remove") {
      if (is_field) return glance_error(403, "Attribute '" + *key + "' cannot be removed.");
      if (rec.properties.erase(*key) == 0) return glance_error(409, "Property " + *key + " does not exist.");
    } else {
      return glance_error(400, "Unsupported patch operation '" + kind + "': use add, replace or remove");
    }
  }
  if (rec.visibility == "public" && found->visibility != "public" && !req.auth.is_admin) {
    return glance_error(403, "Policy doesn't allow publicize_image to be performed.");
  }
  auto updated = db::ImageRepository(db).update(rec);
  if (!updated.ok()) return from_status(updated.status());
  return ApiResponse{200, image_view(*updated), {}};
}

Result<ApiResponse> delete_image(db::Database& db, ImageStore& store, const ApiRequest& req) {
  auto found = visible_image(db, req, req.path_params[0]);
  if (!found.ok()) return from_status(found.status());
  if (!is_owner_or_admin(req, *found)) return glance_error(403, "Policy doesn't allow delete_image to be performed.");
  if (found->is_protected) return glance_error(403, "Image " + found->id + " is protected and cannot be deleted.");
  if (Status s = db::ImageRepository(db).remove(found->id); !s.ok()) return from_status(s);
  if (Status s = store.remove(found->id); !s.ok()) {
    spdlog::error("{} image {} deleted but its data stays: {}", req.request_id, found->id, s.message());
  }
  spdlog::info("{} image {} deleted", req.request_id, found->id);
  return ApiResponse{204, nullptr, {}};
}

Result<ApiResponse> upload_image(db::Database& db, ImageStore& store, const ApiRequest& req,
                                 const api::BodyReader& body) {
  auto found = visible_image(db, req, req.path_params[0]);
  if (!found.ok()) return from_status(found.status());
  if (!is_owner_or_admin(req, *found)) return glance_error(403, "Policy doesn't allow upload_image to be performed.");
  if (req.content_type.rfind("application/octet-stream", 0) != 0) {
    return glance_error(415, "Content-Type must be application/octet-stream");
  }
  db::ImageRepository images(db);
  const std::string& id = found->id;
  if (found->status != "queued") {
    return glance_error(409, "Image status transition from " + found->status + " to saving is not allowed");
  }
  if (Status s = images.transition(id, "queued", "saving"); !s.ok()) {
    return s.is(sdk::StatusCode::kConflict) ? glance_error(409, s.message()) : from_status(s);
  }
  // From here on every failure puts the image back to queued, as Glance does.
  auto back_to_queued = [&](ApiResponse reply) {
    if (Status s = images.transition(id, "saving", "queued"); !s.ok()) {
      spdlog::warn("{} image {}: could not go back to queued: {}", req.request_id, id, s.message());
    }
    return reply;
  };
  auto writer = store.begin(id);
  if (!writer.ok()) return back_to_queued(from_status(writer.status()));
  Status write_failure = Status::OK();
  const bool complete = body([&](std::string_view chunk) {
    write_failure = writer->write(chunk);
    return write_failure.ok();
  });
  if (writer->over_limit()) {
    spdlog::info("{} image {}: upload over the limit of {} bytes refused", req.request_id, id, store.max_image_size());
    return back_to_queued(glance_error(413, "Image exceeds the storage quota: the limit is " +
                                                std::to_string(store.max_image_size()) + " bytes"));
  }
  if (!write_failure.ok()) return back_to_queued(from_status(write_failure));
  if (!complete) {
    spdlog::warn("{} image {}: upload broken off after {} bytes; back to queued", req.request_id, id, writer->size());
    return back_to_queued(glance_error(400, "The image data was not received in full"));
  }
  auto stored = writer->commit();
  if (!stored.ok()) return back_to_queued(from_status(stored.status()));
  if (Status s = images.set_data(id, static_cast<std::int64_t>(stored->size), stored->md5_hex, "sha512",
                                 stored->sha512_hex);
      !s.ok()) {
    (void)store.remove(id);  // deleted meanwhile: keep no orphan file
    return back_to_queued(from_status(s));
  }
  spdlog::info("{} image {}: {} bytes uploaded, md5 {}", req.request_id, id, stored->size, stored->md5_hex);
  return ApiResponse{204, nullptr, {}};
}

Result<ApiResponse> download_image(db::Database& db, ImageStore& store, const ApiRequest& req) {
  auto found = visible_image(db, req, req.path_params[0]);
  if (!found.ok()) return from_status(found.status());
  if (found->status != "active") return ApiResponse{204, nullptr, {}};
  auto opened = store.open(found->id);
  // An active record without data: the seeded image, or data lost outside Stratus.
  if (!opened.ok()) return ApiResponse{204, nullptr, {}};
  ApiResponse out{200, nullptr, {}};
  if (!found->checksum.empty()) out.headers["Content-MD5"] = found->checksum;
  out.file = api::StreamedBody{opened->stream, opened->size, "application/octet-stream"};
  return out;
}

// PUT/DELETE /v2/images/{id}/tags/{tag} (modify_image).
Result<ApiResponse> change_tag(db::Database& db, const ApiRequest& req, bool add) {
  auto found = visible_image(db, req, req.path_params[0]);
  if (!found.ok()) return from_status(found.status());
  if (!is_owner_or_admin(req, *found)) return glance_error(403, "Policy doesn't allow modify_image to be performed.");
  const std::string& tag = req.path_params[1];
  if (tag.empty() || tag.size() > kMaxStringLength) return glance_error(400, "A tag is 1 to 255 characters");
  db::ImageRecord rec = *found;
  auto it = std::find(rec.tags.begin(), rec.tags.end(), tag);
  if (add) {
    if (it != rec.tags.end()) return ApiResponse{204, nullptr, {}};
    rec.tags.push_back(tag);
    std::sort(rec.tags.begin(), rec.tags.end());
  } else {
    if (it == rec.tags.end()) return glance_error(404, "Tag " + tag + " not found on image " + rec.id);
    rec.tags.erase(it);
  }
  auto updated = db::ImageRepository(db).update(rec);
  if (!updated.ok()) return from_status(updated.status());
  return ApiResponse{204, nullptr, {}};
}

json image_schema() {
  json props = {{"id", {{"type", "string"}}},          {"name", {{"type", json::array({"null", "string"})}}},
                {"status", {{"type", "string"}}},      {"visibility", {{"type", "string"}}},
                {"protected", {{"type", "boolean"}}},  {"tags", {{"type", "array"}}},
                {"disk_format", {{"type", json::array({"null", "string"})}}},
                {"container_format", {{"type", json::array({"null", "string"})}}},
                {"min_ram", {{"type", "integer"}}},    {"min_disk", {{"type", "integer"}}},
                {"size", {{"type", json::array({"null", "integer"})}}},
                {"checksum", {{"type", json::array({"null", "string"})}}},
                {"owner", {{"type", json::array({"null", "string"})}}}};
  return {{"name", "image"}, {"properties", props}, {"additionalProperties", {{"type", "string"}}}};
}

// Turns a Status a handler returned into Glance's error shape.
api::ApiHandler glance_shaped(api::ApiHandler handler) {
  return [handler = std::move(handler)](const ApiRequest& req) -> Result<ApiResponse> {
    auto r = handler(req);
    if (!r.ok()) return from_status(r.status());
    return r;
  };
}

}  // namespace

void add_image_service_routes(api::ApiServer& server, db::Database& db, ImageStore& store) {
  auto versions = [](const ApiRequest& req) -> Result<ApiResponse> {
    return ApiResponse{300, versions_document(req.base_url), {}};
  };
  server.route("GET", R"(/image/?)", versions, /*is_public=*/true);
  server.route("GET", R"(/image/v2/?)", versions, /*is_public=*/true);
  server.route("GET", R"(/image/versions)", [](const ApiRequest& req) -> Result<ApiResponse> {
    return ApiResponse{200, versions_document(req.base_url), {}};
  }, /*is_public=*/true);

  server.route("GET", R"(/image/v2/images)", glance_shaped([&db](const ApiRequest& req) { return list_images(db, req); }));
  server.route("POST", R"(/image/v2/images)", glance_shaped([&db](const ApiRequest& req) { return create_image(db, req); }));
  server.route("GET", R"(/image/v2/images/([^/]+))", glance_shaped([&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto found = visible_image(db, req, req.path_params[0]);
    if (!found.ok()) return from_status(found.status());
    return ApiResponse{200, image_view(*found), {}};
  }));
  server.route("PATCH", R"(/image/v2/images/([^/]+))", glance_shaped([&db](const ApiRequest& req) { return update_image(db, req); }));
  server.route("DELETE", R"(/image/v2/images/([^/]+))",
               glance_shaped([&db, &store](const ApiRequest& req) { return delete_image(db, store, req); }));
  server.route("GET", R"(/image/v2/images/([^/]+)/file)",
               glance_shaped([&db, &store](const ApiRequest& req) { return download_image(db, store, req); }));
  server.upload_route("PUT", R"(/image/v2/images/([^/]+)/file)",
                      [&db, &store](const ApiRequest& req, const api::BodyReader& body) -> Result<ApiResponse> {
                        auto r = upload_image(db, store, req, body);
                        if (!r.ok()) return from_status(r.status());
                        return r;
                      });
  server.route("PUT", R"(/image/v2/images/([^/]+)/tags/([^/]+))",
               glance_shaped([&db](const ApiRequest& req) { return change_tag(db, req, true); }));
  server.route("DELETE", R"(/image/v2/images/([^/]+)/tags/([^/]+))",
               glance_shaped([&db](const ApiRequest& req) { return change_tag(db, req, false); }));
  server.route("GET", R"(/image/v2/schemas/image)", [](const ApiRequest&) -> Result<ApiResponse> {
    return ApiResponse{200, image_schema(), {}};
  });
  server.route("GET", R"(/image/v2/schemas/images)", [](const ApiRequest&) -> Result<ApiResponse> {
    return ApiResponse{200, {{"name", "images"}, {"properties", {{"images", {{"type", "array"}, {"items", image_schema()}}}}}}, {}};
  });
}

}  // namespace stratus::core::image
