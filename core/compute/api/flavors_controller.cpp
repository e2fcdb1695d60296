#include "core/compute/api/flavors_controller.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/http/url_encoding.h"
#include "core/db/flavor_repository.h"
#include "core/compute/api/flavor_access_controller.h"
#include "core/compute/api/flavor_extra_specs_controller.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// A flavor description (2.55): up to 64 KiB of printable text, or null.
json description_schema() {
  return json::parse(R"({"type": ["string", "null"], "minLength": 0, "maxLength": 65535,
                         "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"})");
}

// Nova's flavor-manage create schema: an id may be a string of safe
// characters, a number (kept as its decimal text) or null/absent (a uuid);
// is_public is Nova's lenient boolean ("True", "yes", "0", ...). The
// description property is added at 2.55 (create_schema(true)).
json create_schema_json(bool with_description) {
  json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "flavor": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
          "id": {"type": ["string", "number", "null"], "minLength": 1, "maxLength": 255, "pattern": "^(?! )[a-zA-Z0-9. _-]*[a-zA-Z0-9._-]$"},
          "ram": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
          "vcpus": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
          "disk": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0},
          "OS-FLV-EXT-DATA:ephemeral": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0},
          "swap": {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0},
          "rxtx_factor": {"type": ["number", "string"], "pattern": "^[0-9]+(\\.[0-9]+)?$", "exclusiveMinimum": 0},
          "os-flavor-access:is_public": {"type": ["boolean", "string"],
            "enum": [true, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
                     false, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]}
        },
        "required": ["name", "ram", "vcpus", "disk"],
        "additionalProperties": false
      }
    },
    "required": ["flavor"],
    "additionalProperties": false
  })");
  if (with_description) schema["properties"]["flavor"]["properties"]["description"] = description_schema();
  return schema;
}

// PUT /flavors/{id} (2.55): the description is the one thing that changes.
json update_schema_json() {
  json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "flavor": {"type": "object", "properties": {}, "required": ["description"], "additionalProperties": false}
    },
    "required": ["flavor"],
    "additionalProperties": false
  })");
  schema["properties"]["flavor"]["properties"]["description"] = description_schema();
  return schema;
}

// Nova's lenient boolean, already checked against the schema's enum.
bool lenient_bool(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  std::string text = v.get<std::string>();
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text == "true" || text == "1" || text == "on" || text == "yes";
}

std::shared_ptr<const JsonSchemaValidator> compiled(const json& schema) {
  // Our own schemas: a failure here is a bug caught by the unit tests.
  return JsonSchemaValidator::compile(schema).value();
}

json links(const ApiRequest& req, const std::string& id) {
  return json::array({{{"href", req.base_url + "/v2.1/flavors/" + id}, {"rel", "self"}},
                      {{"href", req.base_url + "/flavors/" + id}, {"rel", "bookmark"}}});
}

json brief_view(const ApiRequest& req, const db::FlavorRecord& r) {
  json out = {{"id", r.flavor.id}, {"links", links(req, r.flavor.id)}, {"name", r.flavor.name}};
  if (req.microversion >= Microversion{2, 55}) out["description"] = r.description ? json(*r.description) : json(nullptr);
  return out;
}

}  // namespace

json flavor_detail_view(const ApiRequest& req, const db::FlavorRecord& r) {
  const sdk::Flavor& f = r.flavor;
  const bool v275 = req.microversion >= Microversion{2, 75};
  json out = {{"OS-FLV-DISABLED:disabled", r.disabled},
              {"OS-FLV-EXT-DATA:ephemeral", f.ephemeral_gb},
              {"disk", f.root_gb},
              {"id", f.id},
              {"links", links(req, f.id)},
              {"name", f.name},
              {"os-flavor-access:is_public", f.is_public},
              {"ram", f.memory_mb},
              {"rxtx_factor", f.rxtx_factor},
              // Before microversion 2.75 Nova shows no swap as "".
              {"swap", f.swap_mb == 0 && !v275 ? json("") : json(f.swap_mb)},
              {"vcpus", f.vcpus}};
  if (req.microversion >= Microversion{2, 55}) out["description"] = r.description ? json(*r.description) : json(nullptr);
  if (req.microversion >= Microversion{2, 61}) out["extra_specs"] = f.extra_specs;
  return out;
}

Result<db::FlavorRecord> find_visible_flavor(db::Database& db, const ApiRequest& req, const std::string& id) {
  auto record = db::FlavorRepository(db).get(id);
  if (!record.ok()) {
    return record.status().is(sdk::StatusCode::kNotFound) ? Status::NotFound("Flavor " + id + " could not be found.")
                                                          : record.status();
  }
  if (req.auth.is_admin || record->flavor.is_public) return record;
  auto access = db::FlavorRepository(db).accessible(id, req.auth.project_id);
  if (!access.ok()) return access.status();
  if (!*access) return Status::NotFound("Flavor " + id + " could not be found.");
  return record;
}

namespace {

json detail_view(const ApiRequest& req, const db::FlavorRecord& r) { return flavor_detail_view(req, r); }

Status not_found(const std::string& id) { return Status::NotFound("Flavor " + id + " could not be found."); }

// A query parameter that must be a non-negative integer, or a 400 naming it.
Result<std::optional<std::int64_t>> int_param(const ApiRequest& req, const char* name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<std::int64_t>();
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < 0) {
    return Status::InvalidArgument("Invalid " + std::string(name) + " value: " + *raw);
  }
  return std::optional<std::int64_t>(v);
}

// A body field that Nova takes as a JSON integer or a string of digits,
// checked as Nova's validate_integer does: within [min, INT32_MAX], else 400
// naming the field. (The schema's "minimum" does not apply to strings.)
Result<std::int64_t> int_field(const json& v, const char* field, std::int64_t min) {
  constexpr std::int64_t kMax = 2147483647;
  std::int64_t out = 0;
  bool ok = false;
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    ok = true;
  } else if (v.is_string()) {
    const auto& text = v.get_ref<const std::string&>();
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    ok = ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
  }
  if (!ok || out < min || out > kMax) {
    return Status::InvalidArgument("Invalid input for field/attribute " + std::string(field) + ". It must be an integer from " +
                                   std::to_string(min) + " to " + std::to_string(kMax) + ".");
  }
  return out;
}


// The flavor of the path, as the caller may see it: a private flavor its
// project was not given is, to a non-admin, as absent as a missing one
// (Nova answers 404 too).
Result<db::FlavorRecord> visible_flavor(db::Database& db, const ApiRequest& req) {
  return find_visible_flavor(db, req, req.path_params[0]);
}

// Nova's sort keys for flavor lists (sort_key), compared per column.
const std::vector<std::string>& sort_keys() {
  static const std::vector<std::string> keys = {"created_at", "description", "disabled", "ephemeral_gb", "flavorid",
                                                "id", "is_public", "memory_mb", "name", "root_gb", "rxtx_factor",
                                                "swap", "updated_at", "vcpu_weight", "vcpus"};
  return keys;
}

// -1, 0, 1 comparing two flavors by a sort key of sort_keys().
int compare_by(const std::string& key, const db::FlavorRecord& a, const db::FlavorRecord& b) {
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  const sdk::Flavor& fa = a.flavor;
  const sdk::Flavor& fb = b.flavor;
  if (key == "created_at") return cmp(a.created_at, b.created_at);
  if (key == "updated_at") return cmp(a.updated_at, b.updated_at);
  if (key == "description") return cmp(a.description.value_or(""), b.description.value_or(""));
  if (key == "disabled") return cmp(a.disabled, b.disabled);
  if (key == "ephemeral_gb") return cmp(fa.ephemeral_gb, fb.ephemeral_gb);
  if (key == "is_public") return cmp(fa.is_public, fb.is_public);
  if (key == "memory_mb") return cmp(fa.memory_mb, fb.memory_mb);
  if (key == "name") return cmp(fa.name, fb.name);
  if (key == "root_gb") return cmp(fa.root_gb, fb.root_gb);
  if (key == "rxtx_factor") return cmp(fa.rxtx_factor, fb.rxtx_factor);
  if (key == "swap") return cmp(fa.swap_mb, fb.swap_mb);
  if (key == "vcpus") return cmp(fa.vcpus, fb.vcpus);
  return cmp(fa.id, fb.id);  // flavorid, id, vcpu_weight (none kept): by flavorid
}

Result<ApiResponse> list(db::Database& db, const ApiRequest& req, bool detail) {
  db::FlavorFilter filter;
  auto min_ram = int_param(req, "minRam");
  if (!min_ram.ok()) return min_ram.status();
  auto min_disk = int_param(req, "minDisk");
  if (!min_disk.ok()) return min_disk.status();
  auto limit = int_param(req, "limit");
  if (!limit.ok()) return limit.status();
  if (limit->has_value() && **limit == 0) return Status::InvalidArgument("Invalid limit value: 0");
  filter.min_ram = *min_ram;
  filter.min_disk = *min_disk;
  // Public flavors plus the private ones the caller's project was given; an
  // admin may ask for is_public=false (private only) or None (all).
  filter.is_public = true;
  if (req.auth.is_admin) {
    if (auto raw = req.query_param("is_public")) {
      std::string v = *raw;
      std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
      if (v == "none") {
        filter.is_public.reset();
      } else if (v == "true" || v == "t" || v == "1" || v == "on" || v == "yes" || v == "y") {
        filter.is_public = true;
      } else if (v == "false" || v == "f" || v == "0" || v == "off" || v == "no" || v == "n") {
        filter.is_public = false;
      } else {
        return Status::InvalidArgument("Invalid is_public filter [" + *raw + "]");
      }
    }
  }
  if (filter.is_public == true) filter.or_accessible_to = req.auth.project_id;
  const std::string sort_key = req.query_param("sort_key").value_or("flavorid");
  const std::string sort_dir = req.query_param("sort_dir").value_or("asc");
  if (std::find(sort_keys().begin(), sort_keys().end(), sort_key) == sort_keys().end()) {
    return Status::InvalidArgument("Invalid input for query parameters sort_key. Value: " + sort_key + ".");
  }
  if (sort_dir != "asc" && sort_dir != "desc") {
    return Status::InvalidArgument("Invalid input for query parameters sort_dir. Value: " + sort_dir + ".");
  }
  auto records = db::FlavorRepository(db).list(filter);
  if (!records.ok()) return records.status();
  // Nova orders by the sort key, then by its row id (creation order).
  std::stable_sort(records->begin(), records->end(), [&](const db::FlavorRecord& a, const db::FlavorRecord& b) {
    int c = compare_by(sort_key, a, b);
    return sort_dir == "asc" ? c < 0 : c > 0;
  });

  auto marker = req.query_param("marker");
  size_t start = 0;
  if (marker) {
    start = records->size();
    for (size_t i = 0; i < records->size(); ++i) {
      if ((*records)[i].flavor.id == *marker) start = i + 1;
    }
    if (start == records->size() && std::none_of(records->begin(), records->end(), [&](const auto& r) {
          return r.flavor.id == *marker;
        })) {
      return Status::InvalidArgument("marker [" + *marker + "] not found");
    }
  }
  json out = json::array();
  size_t max = limit->value_or(1000);
  for (size_t i = start; i < records->size() && out.size() < max; ++i) {
    out.push_back(detail ? detail_view(req, (*records)[i]) : brief_view(req, (*records)[i]));
  }
  json body = {{"flavors", out}};
  // A full page may have more behind it: Nova adds a "next" link then.
  if (limit->has_value() && out.size() == max && start + max < records->size()) {
    const std::string last = out.back()["id"].get<std::string>();
    body["flavors_links"] = json::array(
        {{{"href", req.base_url + "/v2.1/flavors" + (detail ? "/detail" : "") + "?limit=" + std::to_string(max) +
                       "&marker=" + url_encode(last)},
          {"rel", "next"}}});
  }
  return ApiResponse{200, body, {}};
}

}  // namespace

void add_flavor_routes(ApiServer& server, db::Database& db) {
  auto create_validator = compiled(create_schema_json(false));
  auto create_validator_255 = compiled(create_schema_json(true));
  auto update_validator = compiled(update_schema_json());

  server.route("GET", R"(/v2\.1/flavors)", [&db](const ApiRequest& req) { return list(db, req, false); });
  server.route("GET", R"(/v2\.1/flavors/detail)", [&db](const ApiRequest& req) { return list(db, req, true); });

  server.route("GET", R"(/v2\.1/flavors/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = visible_flavor(db, req);
    if (!record.ok()) return record.status();
    return ApiResponse{200, {{"flavor", detail_view(req, *record)}}, {}};
  });

  server.route("POST", R"(/v2\.1/flavors)", [&db, create_validator, create_validator_255](
                                                 const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-flavor-manage:create")) return *denied;
    const bool v255 = req.microversion >= Microversion{2, 55};
    if (Status s = (v255 ? create_validator_255 : create_validator)->validate(req.body); !s.ok()) return s;
    const json& in = req.body["flavor"];
    db::FlavorRecord record;
    record.flavor.name = in["name"].get<std::string>();
    if (in.contains("id") && !in["id"].is_null()) {
      // Nova keeps a numeric id as its text: 42 is the flavor "42".
      const json& id = in["id"];
      record.flavor.id = id.is_string() ? id.get<std::string>() : id.dump();
    }
    if (v255 && in.contains("description") && !in["description"].is_null()) {
      record.description = in["description"].get<std::string>();
    }
    auto ram = int_field(in["ram"], "flavor/ram", 1);
    if (!ram.ok()) return ram.status();
    auto vcpus = int_field(in["vcpus"], "flavor/vcpus", 1);
    if (!vcpus.ok()) return vcpus.status();
    auto disk = int_field(in["disk"], "flavor/disk", 0);
    if (!disk.ok()) return disk.status();
    record.flavor.memory_mb = *ram;
    record.flavor.vcpus = static_cast<std::int32_t>(*vcpus);  // <= INT32_MAX, checked
    record.flavor.root_gb = *disk;
    if (in.contains("OS-FLV-EXT-DATA:ephemeral")) {
      auto ephemeral = int_field(in["OS-FLV-EXT-DATA:ephemeral"], "flavor/OS-FLV-EXT-DATA:ephemeral", 0);
      if (!ephemeral.ok()) return ephemeral.status();
      record.flavor.ephemeral_gb = *ephemeral;
    }
    if (in.contains("swap") && !(in["swap"].is_string() && in["swap"].get<std::string>().empty())) {
      auto swap = int_field(in["swap"], "flavor/swap", 0);
      if (!swap.ok()) return swap.status();
      record.flavor.swap_mb = *swap;
    }
    if (in.contains("rxtx_factor")) {
      const json& r = in["rxtx_factor"];
      double factor = 0;
      bool ok = r.is_number();
      if (ok) {
        factor = r.get<double>();
      } else {
        const auto& text = r.get_ref<const std::string&>();
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), factor);
        ok = ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
      }
      // Nova's range: above 0, at most 3.40282e+38 (a C float); NaN fails both.
      if (!ok || !(factor > 0) || !(factor <= 3.40282e+38)) {
        return Status::InvalidArgument("Invalid input for field/attribute flavor/rxtx_factor. It must be a number above 0.");
      }
      record.flavor.rxtx_factor = factor;
    }
    if (in.contains("os-flavor-access:is_public")) record.flavor.is_public = lenient_bool(in["os-flavor-access:is_public"]);
    auto created = db::FlavorRepository(db).create(std::move(record));
    if (!created.ok()) return created.status();
    return ApiResponse{200, {{"flavor", detail_view(req, *created)}}, {}};
  });

  server.route("DELETE", R"(/v2\.1/flavors/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-flavor-manage:delete")) return *denied;
    Status s = db::FlavorRepository(db).remove(req.path_params[0]);
    if (s.is(sdk::StatusCode::kNotFound)) return not_found(req.path_params[0]);
    if (!s.ok()) return s;
    return ApiResponse{202, nullptr, {}};
  });

  server.route("PUT", R"(/v2\.1/flavors/([^/]+))", [&db, update_validator](const ApiRequest& req) -> Result<ApiResponse> {
    // Nova has no flavor update before 2.55: the route is not there.
    if (req.microversion < Microversion{2, 55}) return error_response(404, "The resource could not be found.");
    if (auto denied = policy_check(req, "os_compute_api:os-flavor-manage:update")) return *denied;
    if (Status s = update_validator->validate(req.body); !s.ok()) return s;
    const json& d = req.body["flavor"]["description"];
    auto updated = db::FlavorRepository(db).set_description(
        req.path_params[0], d.is_null() ? std::nullopt : std::optional<std::string>(d.get<std::string>()));
    if (updated.status().is(sdk::StatusCode::kNotFound)) return not_found(req.path_params[0]);
    if (!updated.ok()) return updated.status();
    return ApiResponse{200, {{"flavor", detail_view(req, *updated)}}, {}};
  });

  add_flavor_extra_specs_routes(server, db);
  add_flavor_access_routes(server, db);
}

}  // namespace stratus::core::api
