#include "core/compute/api/flavors_controller.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/http/url_encoding.h"
#include "core/db/flavor_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's flavor-manage create schema (v2.1), less the ids Nova also allows as
// integers: we keep Nova's rule that an id is a string of safe characters.
const json& create_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "flavor": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
          "id": {"type": ["string", "null"], "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9_.\\- ]*$"},
          "ram": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
          "vcpus": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
          "disk": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0},
          "OS-FLV-EXT-DATA:ephemeral": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0},
          "swap": {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0},
          "rxtx_factor": {"type": ["number", "string"], "exclusiveMinimum": 0},
          "os-flavor-access:is_public": {"type": "boolean"}
        },
        "required": ["name", "ram", "vcpus", "disk"],
        "additionalProperties": false
      }
    },
    "required": ["flavor"],
    "additionalProperties": false
  })");
  return schema;
}

const json& extra_specs_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "extra_specs": {
        "type": "object",
        "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": ["string", "number", "boolean"], "maxLength": 255}},
        "additionalProperties": false
      }
    },
    "required": ["extra_specs"],
    "additionalProperties": false
  })");
  return schema;
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
  return {{"id", r.flavor.id}, {"links", links(req, r.flavor.id)}, {"name", r.flavor.name}};
}

json detail_view(const ApiRequest& req, const db::FlavorRecord& r) {
  const sdk::Flavor& f = r.flavor;
  return {{"OS-FLV-DISABLED:disabled", r.disabled},
          {"OS-FLV-EXT-DATA:ephemeral", f.ephemeral_gb},
          {"disk", f.root_gb},
          {"id", f.id},
          {"links", links(req, f.id)},
          {"name", f.name},
          {"os-flavor-access:is_public", f.is_public},
          {"ram", f.memory_mb},
          {"rxtx_factor", f.rxtx_factor},
          // Before microversion 2.75 Nova shows no swap as "".
          {"swap", f.swap_mb == 0 ? json("") : json(f.swap_mb)},
          {"vcpus", f.vcpus}};
}

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


// The flavor of the path, as the caller may see it: a private flavor is, to a
// non-admin, as absent as a missing one (Nova answers 404 too).
Result<db::FlavorRecord> visible_flavor(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto record = db::FlavorRepository(db).get(id);
  if (!record.ok()) return record.status().is(sdk::StatusCode::kNotFound) ? not_found(id) : record.status();
  if (!req.auth.is_admin && !record->flavor.is_public) return not_found(id);
  return record;
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
  // Non-admins see public flavors only, as Nova's default policy has it.
  if (!req.auth.is_admin) filter.is_public = true;
  auto records = db::FlavorRepository(db).list(filter);
  if (!records.ok()) return records.status();

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
  auto create_validator = compiled(create_schema());
  auto extra_specs_validator = compiled(extra_specs_schema());

  server.route("GET", R"(/v2\.1/flavors)", [&db](const ApiRequest& req) { return list(db, req, false); });
  server.route("GET", R"(/v2\.1/flavors/detail)", [&db](const ApiRequest& req) { return list(db, req, true); });

  server.route("GET", R"(/v2\.1/flavors/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = visible_flavor(db, req);
    if (!record.ok()) return record.status();
    return ApiResponse{200, {{"flavor", detail_view(req, *record)}}, {}};
  });

  server.route("POST", R"(/v2\.1/flavors)", [&db, create_validator](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-flavor-manage:create")) return *denied;
    if (Status s = create_validator->validate(req.body); !s.ok()) return s;
    const json& in = req.body["flavor"];
    db::FlavorRecord record;
    record.flavor.name = in["name"].get<std::string>();
    if (in.contains("id") && !in["id"].is_null()) record.flavor.id = in["id"].get<std::string>();
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
    if (in.contains("os-flavor-access:is_public")) record.flavor.is_public = in["os-flavor-access:is_public"].get<bool>();
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

  server.route("GET", R"(/v2\.1/flavors/([^/]+)/os-extra_specs)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = visible_flavor(db, req);
    if (!record.ok()) return record.status();
    return ApiResponse{200, {{"extra_specs", record->flavor.extra_specs}}, {}};
  });

  server.route("POST", R"(/v2\.1/flavors/([^/]+)/os-extra_specs)",
               [&db, extra_specs_validator](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-flavor-extra-specs:create")) return *denied;
                 if (Status s = extra_specs_validator->validate(req.body); !s.ok()) return s;
                 std::map<std::string, std::string> specs;
                 for (const auto& [k, v] : req.body["extra_specs"].items()) {
                   specs[k] = v.is_string() ? v.get<std::string>() : v.dump();
                 }
                 Status s = db::FlavorRepository(db).set_extra_specs(req.path_params[0], specs);
                 if (s.is(sdk::StatusCode::kNotFound)) return not_found(req.path_params[0]);
                 if (!s.ok()) return s;
                 return ApiResponse{200, {{"extra_specs", specs}}, {}};
               });
}

}  // namespace stratus::core::api
