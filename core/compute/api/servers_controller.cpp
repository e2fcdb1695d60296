#include "core/compute/api/servers_controller.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/http/url_encoding.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/api/guest_injection.h"
#include "core/compute/api/instance_actions_controller.h"
#include "core/compute/api/network_proxies.h"
#include "core/compute/api/server_actions_controller.h"
#include "core/compute/api/server_action_table.h"
#include "core/compute/api/interface_attachments_controller.h"
#include "core/compute/api/volume_attachments_controller.h"
#include "core/compute/api/remote_consoles_controller.h"
#include "core/compute/api/server_diagnostics_controller.h"
#include "core/compute/api/server_metadata_controller.h"
#include "core/compute/api/server_password_controller.h"
#include "core/compute/api/server_status.h"
#include "core/compute/api/server_view.h"
#include "core/compute/api/server_state_actions_controller.h"
#include "core/compute/api/server_tags_controller.h"
#include "core/compute/api/versioned_schema.h"
#include "core/db/port_repository.h"
#include <regex>
#include "core/common/time_util.h"
#include "core/common/user_regex.h"

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

// Nova's parameter types the microversions below add.
const json& description_type() {
  static const json t = json::parse(R"({"type": ["string", "null"], "minLength": 0, "maxLength": 255,
                                       "pattern": "^[^\\u0000-\\u001f\\u007f]*$"})");
  return t;
}
const json& hostname_type() {  // 2.90
  static const json t = json::parse(
      R"({"type": "string", "minLength": 2, "maxLength": 63, "pattern": "^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$"})");
  return t;
}
const json& fqdn_type() {  // 2.74's host and hypervisor_hostname
  static const json t = json::parse(R"({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9-._]*$"})");
  return t;
}
const json& trusted_certs_type() {  // 2.63
  static const json t = json::parse(R"({"type": ["array", "null"], "minItems": 1, "maxItems": 50, "uniqueItems": true,
                                       "items": {"type": "string", "minLength": 1}})");
  return t;
}
const json& tags_type() {  // 2.52 (the 2.26 tag)
  static const json t = json::parse(
      R"({"type": "array", "maxItems": 50, "items": {"type": "string", "pattern": "^[^,/]*$", "minLength": 1, "maxLength": 60}})");
  return t;
}
const json& access_ip_properties() {
  static const json t = json::parse(R"({"accessIPv4": {"type": "string"}, "accessIPv6": {"type": "string"}})");
  return t;
}

// POST /servers per microversion, on create_schema() (Nova's create_v2xx).
std::vector<std::pair<Microversion, json>> create_schemas() {
  json v21 = with_properties(create_schema(), "server", access_ip_properties());
  json v219 = with_properties(v21, "server", {{"description", description_type()}});
  // 2.37: "networks" is required ("auto", "none" or a list).
  json v237 = v219;
  v237["properties"]["server"]["required"].push_back("networks");
  json v252 = with_properties(v237, "server", {{"tags", tags_type()}});
  json v263 = with_properties(v252, "server", {{"trusted_image_certificates", trusted_certs_type()}});
  json v274 = with_properties(v263, "server", {{"host", fqdn_type()}, {"hypervisor_hostname", fqdn_type()}});
  json v290 = with_properties(v274, "server", {{"hostname", hostname_type()}});
  return {{{2, 1}, v21},   {{2, 19}, v219}, {{2, 37}, v237}, {{2, 52}, v252},
          {{2, 63}, v263}, {{2, 74}, v274}, {{2, 90}, v290}};
}

std::vector<std::pair<Microversion, json>> update_schemas() {
  json v21 = with_properties(update_schema(), "server", access_ip_properties());
  json v219 = with_properties(v21, "server", {{"description", description_type()}});
  json v290 = with_properties(v219, "server", {{"hostname", hostname_type()}});
  return {{{2, 1}, v21}, {{2, 19}, v219}, {{2, 90}, v290}};
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

Result<ApiResponse> create(compute::ComputeAPI& compute, const VersionedSchema& validator, const ApiRequest& req) {
  if (Status s = validator.validate(req); !s.ok()) return s;
  const json& in = req.body["server"];
  if (Status s = check_access_ips(in); !s.ok()) return s;
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
          const std::string port = n["port"].get<std::string>();
          if (!uuid_like(port)) {
            return Status::InvalidArgument("Bad networks format: port uuid is not in proper format (" + port + ")");
          }
          cr.networks.push_back({"", std::nullopt, port});
          continue;
        }
        if (!n.contains("uuid")) return Status::InvalidArgument("Bad networks format: network uuid is not given");
        const std::string uuid = n["uuid"].get<std::string>();
        if (!uuid_like(uuid)) {
          return Status::InvalidArgument("Bad networks format: network uuid is not in proper format (" + uuid + ")");
        }
        compute::RequestedNetwork rn{uuid, std::nullopt, ""};
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
  if (in.contains("description") && in["description"].is_string()) cr.description = in["description"].get<std::string>();
  if (in.contains("accessIPv4")) cr.access_ip_v4 = canonical_ip(in["accessIPv4"].get<std::string>());
  if (in.contains("accessIPv6")) cr.access_ip_v6 = canonical_ip(in["accessIPv6"].get<std::string>());
  cr.auto_disk_config = in.value("OS-DCF:diskConfig", std::string("MANUAL")) == "AUTO";
  if (in.contains("tags")) {
    for (const auto& t : in["tags"]) {
      const std::string tag = t.get<std::string>();
      if (std::find(cr.tags.begin(), cr.tags.end(), tag) == cr.tags.end()) cr.tags.push_back(tag);
    }
  }
  if (in.contains("trusted_image_certificates") && in["trusted_image_certificates"].is_array()) {
    cr.trusted_certs = in["trusted_image_certificates"].get<std::vector<std::string>>();
  }
  if (in.contains("hostname")) cr.hostname = in["hostname"].get<std::string>();
  if (in.contains("host") || in.contains("hypervisor_hostname")) {
    // Nova: admins only, and not with the "zone:host:node" form of availability_zone.
    if (auto denied = policy_check(req, "compute:servers:create:requested_destination")) return *denied;
    if (cr.availability_zone && cr.availability_zone->find(':') != std::string::npos) {
      return Status::InvalidArgument(
          "The 'host' and 'hypervisor_hostname' parameters cannot be used together with the availability zone "
          "host/node format.");
    }
    if (in.contains("host")) cr.requested_host = in["host"].get<std::string>();
    if (in.contains("hypervisor_hostname")) cr.requested_node = in["hypervisor_hostname"].get<std::string>();
  }
  if (cr.hostname && cr.max_count > 1) {
    return Status::InvalidArgument("Cannot set hostname when creating multiple instances");
  }
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

// oslo's bool_from_string(strict=True).
std::optional<bool> parse_bool_strict(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* t : {"1", "t", "true", "on", "y", "yes"}) {
    if (v == t) return true;
  }
  for (const char* f : {"0", "f", "false", "off", "n", "no"}) {
    if (v == f) return false;
  }
  return std::nullopt;
}

// From 2.75 a query parameter GET /servers does not know is a 400 (Nova's
// index_query_v275 has additionalProperties false).
Status check_query_names(const ApiRequest& req) {
  static const std::set<std::string> known = {
      "user_id", "project_id", "tenant_id", "launch_index", "image_ref", "image", "kernel_id", "ramdisk_id",
      "hostname", "key_name", "power_state", "vm_state", "task_state", "host", "node", "flavor", "reservation_id",
      "launched_at", "terminated_at", "availability_zone", "name", "display_name", "description",
      "display_description", "locked_by", "uuid", "root_device_name", "config_drive", "access_ip_v4",
      "access_ip_v6", "auto_disk_config", "progress", "sort_key", "sort_dir", "all_tenants", "soft_deleted",
      "deleted", "status", "changes-since", "ip", "ip6", "created_at", "limit", "marker", "page_reverse", "tags",
      "tags-any", "not-tags", "not-tags-any", "changes-before", "locked", "block_device_mapping", "services",
      "metadata", "system_metadata", "info_cache", "security_groups", "pci_devices"};
  for (const auto& [k, v] : req.query) {
    if (!known.count(k)) {
      return Status::InvalidArgument("Invalid input for query parameters " + k + ". Value: " + v +
                                     ". Additional properties are not allowed ('" + k + "' was unexpected)");
    }
  }
  return Status::OK();
}

Result<ApiResponse> list(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req, bool detail) {
  if (req.microversion >= Microversion{2, 75}) {
    if (Status s = check_query_names(req); !s.ok()) return s;
  }
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
    // Before 2.38 an unknown status matches nothing; from 2.38 it is a 400.
    if (vms.empty()) {
      if (req.microversion >= Microversion{2, 38}) return Status::InvalidArgument("Invalid status value");
      return ApiResponse{200, {{"servers", json::array()}}, {}};
    }
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
  if (auto before = req.query_param("changes-before"); before && req.microversion >= Microversion{2, 66}) {
    auto parsed = common::parse_timestamp(*before);
    if (!parsed.ok()) return Status::InvalidArgument("Invalid filter field: changes-before.");
    if (filter.changes_since && *parsed < *filter.changes_since) {
      return Status::InvalidArgument("The value of changes-since must be less than or equal to changes-before.");
    }
    filter.changes_before = *parsed;
    if (filter.deleted == db::DeletedFilter::kExclude) filter.deleted = db::DeletedFilter::kInclude;
  }
  if (auto locked = req.query_param("locked"); locked && req.microversion >= Microversion{2, 73}) {
    auto value = parse_bool_strict(*locked);
    if (!value) {
      return Status::InvalidArgument("Unrecognized value '" + *locked +
                                     "', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', "
                                     "'t', 'true', 'y', 'yes'");
    }
    filter.locked = *value;
  }
  if (req.microversion >= Microversion{2, 26}) {
    auto split = [](const std::string& v) {
      std::vector<std::string> out;
      std::stringstream ss(v);
      std::string item;
      while (std::getline(ss, item, ',')) out.push_back(item);
      return out;
    };
    if (auto v = req.query_param("tags")) filter.tags = split(*v);
    if (auto v = req.query_param("tags-any")) filter.tags_any = split(*v);
    if (auto v = req.query_param("not-tags")) filter.not_tags = split(*v);
    if (auto v = req.query_param("not-tags-any")) filter.not_tags_any = split(*v);
  }
  // ip / ip6 (Nova filters them in Python: a regular expression searched in
  // each fixed address of the family): the matching servers' uuids.
  for (const char* family : {"ip", "ip6"}) {
    auto pattern = req.query_param(family);
    if (!pattern) continue;
    std::regex re;
    try {
      re = common::compile_user_regex(*pattern);
    } catch (const std::regex_error&) {
      return Status::InvalidArgument("Invalid filter field: " + std::string(family) + ".");
    }
    auto ports = db::PortRepository(db).list();
    if (!ports.ok()) return ports.status();
    std::vector<std::string> uuids;
    const bool v6 = std::string(family) == "ip6";
    for (const auto& port : *ports) {
      if (port.device_id.empty() || port.ip_address.empty()) continue;
      if ((port.ip_address.find(':') != std::string::npos) != v6) continue;
      if (!std::regex_search(port.ip_address, re)) continue;
      if (filter.uuids && std::find(filter.uuids->begin(), filter.uuids->end(), port.device_id) == filter.uuids->end()) {
        continue;  // ip and ip6 together: both must match
      }
      if (std::find(uuids.begin(), uuids.end(), port.device_id) == uuids.end()) uuids.push_back(port.device_id);
    }
    filter.uuids = std::move(uuids);
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
    // "locked" is a sort key from 2.73 on (Nova's VALID_SORT_KEYS_V273).
    if (!key.ok() || (*key == db::InstanceSortKey::kLocked && req.microversion < Microversion{2, 73})) {
      return Status::InvalidArgument("Invalid sort key: " + keys[i]);
    }
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
  auto create_validator = std::make_shared<const VersionedSchema>(create_schemas());
  auto update_validator = std::make_shared<const VersionedSchema>(update_schemas());

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
    return ApiResponse{200, {{"server", server_view(req, db, *record, show_view_options(req))}}, {}};
  });

  server.route("PUT", R"(/v2\.1/servers/([^/]+))",
               [&compute, &db, update_validator](const ApiRequest& req) -> Result<ApiResponse> {
                 if (Status s = update_validator->validate(req); !s.ok()) return s;
                 const json& in = req.body["server"];
                 if (Status s = check_access_ips(in); !s.ok()) return s;
                 compute::ServerUpdate u;
                 if (in.contains("name")) u.name = in["name"].get<std::string>();
                 if (in.contains("description")) {
                   u.description = in["description"].is_null() ? std::optional<std::string>()
                                                               : std::optional<std::string>(in["description"].get<std::string>());
                 }
                 if (in.contains("accessIPv4")) u.access_ip_v4 = canonical_ip(in["accessIPv4"].get<std::string>());
                 if (in.contains("accessIPv6")) u.access_ip_v6 = canonical_ip(in["accessIPv6"].get<std::string>());
                 if (in.contains("OS-DCF:diskConfig")) u.auto_disk_config = in["OS-DCF:diskConfig"] == "AUTO";
                 if (in.contains("hostname")) u.hostname = in["hostname"].get<std::string>();
                 auto record = compute.update(compute_context(req), req.path_params[0], u);
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
  add_server_state_actions(*actions, compute);
  add_multinic_actions(*actions, compute);
  add_server_tag_routes(server, compute, db);
  route_server_actions(server, actions);
  add_server_metadata_routes(server, compute);
  add_server_diagnostics_routes(server, compute);
  add_interface_attachment_routes(server, compute);
  add_volume_attachment_routes(server, compute);
  add_remote_console_routes(server, compute);
  add_server_password_routes(server, compute);
  add_instance_action_routes(server, compute, db);
}

}  // namespace stratus::core::api
