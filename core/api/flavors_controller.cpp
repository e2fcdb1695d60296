#include "core/api/flavors_controller.h"

#include <algorithm>
#include <charconv>

#include "core/api/json_schema_validator.h"
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

Result<ApiResponse> policy_denied(const char* rule) {
  ApiResponse r;
  r.status = 403;
  r.body = {{"forbidden", {{"code", 403}, {"message", std::string("Policy doesn't allow ") + rule + " to be performed."}}}};
  return r;
}

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

// JSON integer or a string of digits (Nova accepts both), as an int64.
std::int64_t as_int(const json& v) { return v.is_string() ? std::stoll(v.get<std::string>()) : v.get<std::int64_t>(); }

Result<ApiResponse> list(db::Database& db, const ApiRequest& req, bool detail) {
  db::FlavorFilter filter;
  auto min_ram = int_param(req, "minRam");
  if (!min_ram.ok()) return min_ram.status();
  auto min_disk = int_param(req, "minDisk");
  if (!min_disk.ok()) return min_disk.status();
  auto limit = int_param(req, "limit");
  if (!limit.ok()) return limit.status();
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
                       "&marker=" + last},
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
    auto record = db::FlavorRepository(db).get(req.path_params[0]);
    if (!record.ok()) return record.status().is(sdk::StatusCode::kNotFound) ? not_found(req.path_params[0]) : record.status();
    return ApiResponse{200, {{"flavor", detail_view(req, *record)}}, {}};
  });

  server.route("POST", R"(/v2\.1/flavors)", [&db, create_validator](const ApiRequest& req) -> Result<ApiResponse> {
    if (!req.auth.is_admin) return policy_denied("os_compute_api:os-flavor-manage:create");
    if (Status s = create_validator->validate(req.body); !s.ok()) return s;
    const json& in = req.body["flavor"];
    db::FlavorRecord record;
    record.flavor.name = in["name"].get<std::string>();
    if (in.contains("id") && !in["id"].is_null()) record.flavor.id = in["id"].get<std::string>();
    record.flavor.memory_mb = as_int(in["ram"]);
    record.flavor.vcpus = static_cast<std::int32_t>(as_int(in["vcpus"]));
    record.flavor.root_gb = as_int(in["disk"]);
    if (in.contains("OS-FLV-EXT-DATA:ephemeral")) record.flavor.ephemeral_gb = as_int(in["OS-FLV-EXT-DATA:ephemeral"]);
    if (in.contains("swap") && !(in["swap"].is_string() && in["swap"].get<std::string>().empty())) {
      record.flavor.swap_mb = as_int(in["swap"]);
    }
    if (in.contains("rxtx_factor")) {
      record.flavor.rxtx_factor =
          in["rxtx_factor"].is_string() ? std::stod(in["rxtx_factor"].get<std::string>()) : in["rxtx_factor"].get<double>();
    }
    if (in.contains("os-flavor-access:is_public")) record.flavor.is_public = in["os-flavor-access:is_public"].get<bool>();
    auto created = db::FlavorRepository(db).create(std::move(record));
    if (!created.ok()) return created.status();
    return ApiResponse{200, {{"flavor", detail_view(req, *created)}}, {}};
  });

  server.route("DELETE", R"(/v2\.1/flavors/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (!req.auth.is_admin) return policy_denied("os_compute_api:os-flavor-manage:delete");
    Status s = db::FlavorRepository(db).remove(req.path_params[0]);
    if (s.is(sdk::StatusCode::kNotFound)) return not_found(req.path_params[0]);
    if (!s.ok()) return s;
    return ApiResponse{202, nullptr, {}};
  });

  server.route("GET", R"(/v2\.1/flavors/([^/]+)/os-extra_specs)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = db::FlavorRepository(db).get(req.path_params[0]);
    if (!record.ok()) return record.status().is(sdk::StatusCode::kNotFound) ? not_found(req.path_params[0]) : record.status();
    return ApiResponse{200, {{"extra_specs", record->flavor.extra_specs}}, {}};
  });

  server.route("POST", R"(/v2\.1/flavors/([^/]+)/os-extra_specs)",
               [&db, extra_specs_validator](const ApiRequest& req) -> Result<ApiResponse> {
                 if (!req.auth.is_admin) return policy_denied("os_compute_api:os-flavor-extra-specs:create");
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
