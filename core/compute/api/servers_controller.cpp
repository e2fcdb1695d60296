#include "core/compute/api/servers_controller.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>
#include <set>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/http/url_encoding.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/api/guest_injection.h"
#include "core/compute/api/instance_actions_controller.h"
#include "core/compute/api/network_proxies.h"
#include "core/compute/api/server_actions_controller.h"
#include "core/compute/api/server_action_table.h"
#include "core/compute/api/server_diagnostics_controller.h"
#include "core/compute/api/server_metadata_controller.h"
#include "core/compute/api/server_password_controller.h"
#include "core/compute/api/server_status.h"
#include "core/compute/api/server_view.h"
#include "core/common/time_util.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's max_limit: the largest page GET /servers returns.
constexpr std::int64_t kMaxLimit = 1000;

// Nova's server create schema at 2.1 (with 2.37's "auto" / "none" networks),
// less what Stratus does not implement (block devices,
// access IPs): those are refused by name rather than ignored.
const json& create_schema() {
  static const json schema = [] {
    json s = json::parse(R"({
    "definitions": {
      "hints": {
        "type": "object",
        "properties": {
          "group": {"type": "string"},
          "same_host": {"type": ["string", "array"], "items": {"type": "string"}},
          "different_host": {"type": ["string", "array"], "items": {"type": "string"}}
        }
      }
    },
    "type": "object",
    "properties": {
      "server": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
          "imageRef": {"type": "string", "minLength": 1, "maxLength": 255},
          "flavorRef": {"type": ["string", "integer"], "minLength": 1, "maxLength": 255},
          "adminPass": {"type": "string"},
          "metadata": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": false
          },
          "networks": {
            "anyOf": [
              {"type": "string", "enum": ["auto", "none"]},
              {"type": "array", "items": {
                "type": "object",
                "properties": {
                  "fixed_ip": {"type": "string", "pattern": "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"},
                  "port": {"type": ["string", "null"]},
                  "uuid": {"type": "string"}
                },
                "additionalProperties": false
              }}
            ]
          },
          "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
          "availability_zone": {"type": "string", "minLength": 1, "maxLength": 255},
          "config_drive": {"type": ["boolean", "string"]},
          "key_name": {"type": "string", "minLength": 1, "maxLength": 255},
          "min_count": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
          "max_count": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
          "return_reservation_id": {"type": ["boolean", "string"]},
          "security_groups": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": false}
          },
          "user_data": {"type": "string", "maxLength": 65535}
        },
        "required": ["name", "imageRef", "flavorRef"],
        "additionalProperties": false
      },
      "os:scheduler_hints": {"$ref": "#/definitions/hints"},
      "OS-SCH-HNT:scheduler_hints": {"$ref": "#/definitions/hints"}
    },
    "required": ["server"],
    "additionalProperties": false
  })");
    s["properties"]["server"]["properties"]["personality"] = personality_schema();  // up to 2.56
    return s;
  }();
  return schema;
}

const json& update_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "server": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
          "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]}
        },
        "additionalProperties": false
      }
    },
    "required": ["server"],
    "additionalProperties": false
  })");
  return schema;
}

bool truthy(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (!v.is_string()) return false;
  std::string s = v.get<std::string>();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s == "true" || s == "1" || s == "yes" || s == "on" || s == "t" || s == "y";
}

// A count given as a JSON integer or a string of digits, >= 1 (Nova's validate_integer).
Result<std::int32_t> count_field(const json& v, const char* field) {
  std::int64_t out = 0;
  bool ok = false;
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    ok = true;
  } else if (v.is_string()) {
    const auto& t = v.get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    ok = ec == std::errc() && p == t.data() + t.size() && !t.empty();
  }
  if (!ok || out < 1 || out > 2147483647) {
    return Status::InvalidArgument("Invalid input for field/attribute " + std::string(field) +
                                   ". It must be an integer from 1 to 2147483647.");
  }
  return static_cast<std::int32_t>(out);
}

// "http://host/v2.1/flavors/1" -> "1": Nova takes a reference's last segment.
std::string ref_id(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  const size_t slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

bool uuid_like(const std::string& s) {
  std::string hex;
  for (char c : s) {
    if (c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    hex += c;
  }
  return hex.size() == 32;
}

Result<ApiResponse> create(compute::ComputeAPI& compute, const JsonSchemaValidator& validator, const ApiRequest& req) {
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  const json& in = req.body["server"];
  compute::CreateRequest cr;
  cr.name = in["name"].get<std::string>();
  cr.image_ref = ref_id(in["imageRef"]);
  cr.flavor_ref = ref_id(in["flavorRef"]);
  if (in.contains("min_count")) {
    auto n = count_field(in["min_count"], "server/min_count");
    if (!n.ok()) return n.status();
    cr.min_count = *n;
  }
  cr.max_count = cr.min_count;
  if (in.contains("max_count")) {
    auto n = count_field(in["max_count"], "server/max_count");
    if (!n.ok()) return n.status();
    cr.max_count = *n;
  }
  if (cr.min_count > cr.max_count) return Status::InvalidArgument("min_count must be <= max_count");
  if (in.contains("networks")) {
    const json& nets = in["networks"];
    if (nets.is_string()) {
      cr.network_mode = nets == "none" ? compute::NetworkRequestMode::kNone : compute::NetworkRequestMode::kAuto;
    } else {
      cr.network_mode = compute::NetworkRequestMode::kList;
      for (const auto& n : nets) {
        if (n.contains("port") && !n["port"].is_null()) {
          return Status::InvalidArgument("Creating a server with a pre-existing port is not supported.");
        }
        if (!n.contains("uuid")) return Status::InvalidArgument("Bad networks format: network uuid is not given");
        const std::string uuid = n["uuid"].get<std::string>();
        if (!uuid_like(uuid)) {
          return Status::InvalidArgument("Bad networks format: network uuid is not in proper format (" + uuid + ")");
        }
        compute::RequestedNetwork rn{uuid, std::nullopt};
        if (n.contains("fixed_ip")) rn.fixed_ip = n["fixed_ip"].get<std::string>();
        cr.networks.push_back(std::move(rn));
      }
    }
  }
  if (in.contains("user_data")) cr.user_data = in["user_data"].get<std::string>();
  if (in.contains("metadata")) cr.metadata = in["metadata"].get<std::map<std::string, std::string>>();
  if (in.contains("key_name")) cr.key_name = in["key_name"].get<std::string>();
  if (in.contains("availability_zone")) {
    cr.availability_zone = in["availability_zone"].get<std::string>();
    if (cr.availability_zone->find(':') != std::string::npos) {
      if (auto denied = policy_check(req, "os_compute_api:servers:create:forced_host")) return *denied;
    }
  }
  if (in.contains("config_drive")) cr.config_drive = truthy(in["config_drive"]);
  if (in.contains("security_groups")) {
    for (const auto& g : in["security_groups"]) cr.security_groups.push_back(g.value("name", std::string()));
  }
  for (const char* key : {"os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"}) {
    if (!req.body.contains(key)) continue;
    for (const auto& [hint, value] : req.body[key].items()) {
      std::vector<std::string>& values = cr.scheduler_hints[hint];
      if (value.is_array()) {
        for (const auto& v : value) values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      } else {
        values.push_back(value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
  }
  auto injection = guest_injection_from(req, in, "server");
  if (!injection.ok()) return injection.status();
  cr.injection = std::move(injection).value();
  const std::string admin_pass = cr.injection.admin_password;

  auto created = compute.create(compute_context(req), cr);
  if (!created.ok()) return created.status();
  if (in.contains("return_reservation_id") && truthy(in["return_reservation_id"])) {
    return ApiResponse{202, {{"reservation_id", created->reservation_id}}, {}};
  }
  const std::string& id = created->instances.front().uuid;
  json server = {{"id", id},
                 {"links", server_links(req, id)},
                 {"adminPass", admin_pass},
                 {"OS-DCF:diskConfig", in.value("OS-DCF:diskConfig", std::string("MANUAL"))},
                 {"security_groups", requested_security_groups(cr.security_groups)}};
  return ApiResponse{202, {{"server", server}}, {{"Location", req.base_url + "/v2.1/servers/" + id}}};
}


std::vector<std::string> query_values(const ApiRequest& req, const std::string& name) {
  std::vector<std::string> out;
  auto range = req.query.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

bool is_all_tenants(const ApiRequest& req) {
  auto v = req.query_param("all_tenants");
  if (!v) return false;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Nova: the parameter alone means true.
  return !(s == "0" || s == "false" || s == "f" || s == "off" || s == "no" || s == "n");
}

Result<ApiResponse> list(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req, bool detail) {
  db::InstanceFilter filter;
  if (is_all_tenants(req)) {
    const std::string rule = std::string("os_compute_api:servers:") + (detail ? "detail" : "index") + ":get_all_tenants";
    if (auto denied = policy_check(req, rule)) return *denied;
    if (auto p = req.query_param("project_id")) filter.project_id = *p;
    if (auto p = req.query_param("tenant_id")) filter.project_id = *p;
  } else {
    filter.project_id = req.auth.project_id;
  }
  auto statuses = query_values(req, "status");
  if (!statuses.empty()) {
    bool any_task = false;
    std::set<std::string> vms, tasks;
    for (const auto& st : statuses) {
      auto f = states_for_status(st);
      vms.insert(f.vm_states.begin(), f.vm_states.end());
      tasks.insert(f.task_states.begin(), f.task_states.end());
      any_task = any_task || f.any_task_state;
    }
    // At 2.1 an unknown status matches nothing (a 400 only from 2.38).
    if (vms.empty()) return ApiResponse{200, {{"servers", json::array()}}, {}};
    filter.vm_states.assign(vms.begin(), vms.end());
    if (!any_task) filter.task_states.assign(tasks.begin(), tasks.end());
    if (vms.count("deleted") != 0) {
      if (auto denied = policy_check(req, "os_compute_api:servers:index:deleted")) return *denied;
      filter.deleted = vms.size() == 1 ? db::DeletedFilter::kOnly : db::DeletedFilter::kInclude;
    }
  }
  if (auto name = req.query_param("name")) filter.name_regex = *name;
  // Admin-only filters: for others Nova drops them silently.
  if (policy_allows(req.auth, "os_compute_api:servers:index:get_all_tenants")) {
    if (auto host = req.query_param("host")) filter.host = *host;
    if (auto node = req.query_param("node")) filter.node = *node;
  }
  if (auto since = req.query_param("changes-since")) {
    auto parsed = common::parse_timestamp(*since);
    if (!parsed.ok()) return Status::InvalidArgument("Invalid input for field/attribute changes-since. Value: " + *since);
    filter.changes_since = *parsed;
    // Nova shows what was deleted since then too.
    if (filter.deleted == db::DeletedFilter::kExclude) filter.deleted = db::DeletedFilter::kInclude;
  }
  if (auto flavor = req.query_param("flavor")) filter.flavor_id = *flavor;
  if (auto image = req.query_param("image")) filter.image_ref = *image;
  if (auto rid = req.query_param("reservation_id")) filter.reservation_id = *rid;

  db::InstanceListOptions options;
  auto keys = query_values(req, "sort_key");
  auto dirs = query_values(req, "sort_dir");
  if (dirs.size() > keys.size() && !(keys.empty() && dirs.size() == 1)) {
    return Status::InvalidArgument("The number of sort_keys and sort_dirs must be same");
  }
  if (keys.empty() && dirs.size() == 1) keys.push_back("created_at");
  for (size_t i = 0; i < keys.size(); ++i) {
    auto key = db::parse_instance_sort_key(keys[i]);
    if (!key.ok()) return Status::InvalidArgument("Invalid sort key: " + keys[i]);
    std::string dir = i < dirs.size() ? dirs[i] : "desc";
    if (dir != "asc" && dir != "desc") return Status::InvalidArgument("Invalid sort direction: " + dir);
    options.sort.push_back({*key, dir == "asc"});
  }
  std::int64_t limit = kMaxLimit;
  if (auto raw = req.query_param("limit")) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
    if (ec != std::errc() || p != raw->data() + raw->size() || v < 0) {
      return Status::InvalidArgument("limit param must be an integer");
    }
    limit = std::min(v, kMaxLimit);
  }
  options.limit = limit;
  if (auto marker = req.query_param("marker")) options.marker = *marker;

  auto records = db::InstanceRepository(db).list(filter, options);
  if (!records.ok()) {
    if (records.status().is(sdk::StatusCode::kNotFound) && options.marker) {
      return Status::InvalidArgument("marker [" + *options.marker + "] not found");
    }
    return records.status();
  }
  (void)compute;
  json servers = json::array();
  if (detail) {
    // Ports, network names and faults of the whole page in a few statements.
    auto extras = load_server_extras(db, *records);
    if (!extras.ok()) return extras.status();
    for (const auto& r : *records) servers.push_back(server_detail_view(req, *extras, r));
  } else {
    for (const auto& r : *records) servers.push_back(server_brief_view(req, r));
  }
  json body = json::object();
  body["servers"] = std::move(servers);  // not copied: a page of 1000 full servers is a large tree
  // Nova's rule: a full page gets a "next" link (the next page may be empty).
  if (limit > 0 && static_cast<std::int64_t>(records->size()) == limit) {
    std::string query;
    for (const auto& [k, v] : req.query) {
      if (k == "marker") continue;
      query += (query.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
    }
    if (!req.query_param("limit")) query += std::string(query.empty() ? "" : "&") + "limit=" + std::to_string(limit);
    query += "&marker=" + url_encode(records->back().uuid);
    if (query.front() == '&') query.erase(0, 1);
    body["servers_links"] = json::array({{{"href", req.base_url + req.path + "?" + query}, {"rel", "next"}}});
  }
  return ApiResponse{200, std::move(body), {}};
}

}  // namespace

void add_server_routes(ApiServer& server, compute::ComputeAPI& compute, db::Database& db) {
  auto create_validator = JsonSchemaValidator::compile(create_schema()).value();
  auto update_validator = JsonSchemaValidator::compile(update_schema()).value();

  server.route("POST", R"(/v2\.1/servers)", [&compute, create_validator](const ApiRequest& req) {
    return create(compute, *create_validator, req);
  });
  server.route("GET", R"(/v2\.1/servers)", [&compute, &db](const ApiRequest& req) { return list(compute, db, req, false); });
  // Before /servers/{id}, which would otherwise take "detail" for an id.
  server.route("GET", R"(/v2\.1/servers/detail)",
               [&compute, &db](const ApiRequest& req) { return list(compute, db, req, true); });

  server.route("GET", R"(/v2\.1/servers/([^/]+))", [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = compute.get(compute_context(req), req.path_params[0]);
    if (!record.ok()) return record.status();
    return ApiResponse{200, {{"server", server_detail_view(req, db, *record)}}, {}};
  });

  server.route("PUT", R"(/v2\.1/servers/([^/]+))",
               [&compute, &db, update_validator](const ApiRequest& req) -> Result<ApiResponse> {
                 if (Status s = update_validator->validate(req.body); !s.ok()) return s;
                 const json& in = req.body["server"];
                 const auto ctx = compute_context(req);
                 auto record = in.contains("name") ? compute.update_name(ctx, req.path_params[0], in["name"].get<std::string>())
                                                   : compute.get(ctx, req.path_params[0]);
                 if (!record.ok()) return record.status();
                 return ApiResponse{200, {{"server", server_update_view(req, db, *record)}}, {}};
               });

  server.route("GET", R"(/v2\.1/servers/([^/]+)/ips)", [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
    auto record = compute.get(compute_context(req), req.path_params[0]);
    if (!record.ok()) return record.status();
    return ApiResponse{200, {{"addresses", server_addresses_view(db, record->uuid)}}, {}};
  });
  server.route("GET", R"(/v2\.1/servers/([^/]+)/ips/([^/]+))",
               [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
                 auto record = compute.get(compute_context(req), req.path_params[0]);
                 if (!record.ok()) return record.status();
                 const std::string& network = req.path_params[1];
                 json all = server_addresses_view(db, record->uuid);
                 if (!all.contains(network)) {
                   return Status::NotFound("There are no instances with network label " + network + ".");
                 }
                 return ApiResponse{200, {{network, all[network]}}, {}};
               });

  server.route("DELETE", R"(/v2\.1/servers/([^/]+))", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    Status s = compute.delete_instance(compute_context(req), req.path_params[0]);
    if (!s.ok()) return s;
    return ApiResponse{204, nullptr, {}};
  });

  auto actions = std::make_shared<ServerActionTable>();
  add_server_lifecycle_actions(*actions, compute, db);
  add_network_proxies(server, *actions, compute, db);
  route_server_actions(server, actions);
  add_server_metadata_routes(server, compute);
  add_server_diagnostics_routes(server, compute);
  add_server_password_routes(server, compute);
  add_instance_action_routes(server, compute, db);
}

}  // namespace stratus::core::api
