#include "core/compute/api/interface_attachments_controller.h"

#include <memory>
#include <string>

#include "core/compute/api/compute_request.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's microversions: tag accepted on attach from 2.49, shown from 2.70;
// the multinic actions end at 2.43.
constexpr Microversion kTagOnAttach{2, 49};
constexpr Microversion kTagShown{2, 70};
constexpr Microversion kLastMultinic{2, 43};

// Nova's parameter_types.network_id / network_port_id: a uuid, dashes optional.
constexpr const char* kUuid = R"({"type": "string",
  "pattern": "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"})";

json attach_schema(bool with_tag) {
  json schema = json::parse(R"({
    "type": "object",
    "properties": {"interfaceAttachment": {"type": "object",
      "properties": {
        "net_id": )" + std::string(kUuid) + R"(,
        "port_id": )" + std::string(kUuid) + R"(,
        "fixed_ips": {"type": "array", "minItems": 1, "maxItems": 1,
          "items": {"type": "object", "properties": {"ip_address": {"type": "string"}},
                    "required": ["ip_address"], "additionalProperties": false}}},
      "additionalProperties": false}},
    "additionalProperties": false})");
  // Nova's parameter_types.tag: no '/' or ',', at most 60 characters.
  if (with_tag) {
    schema["properties"]["interfaceAttachment"]["properties"]["tag"] =
        json::parse(R"({"type": "string", "maxLength": 60, "pattern": "^[^,/]*$"})");
  }
  return schema;
}

const json& add_fixed_ip_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {"addFixedIp": {"type": "object",
      "properties": {"networkId": {"type": ["string", "integer"], "minLength": 1, "maxLength": 255}},
      "required": ["networkId"], "additionalProperties": false}},
    "required": ["addFixedIp"], "additionalProperties": false})");
  return schema;
}

const json& remove_fixed_ip_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {"removeFixedIp": {"type": "object",
      "properties": {"address": {"type": "string"}},
      "required": ["address"], "additionalProperties": false}},
    "required": ["removeFixedIp"], "additionalProperties": false})");
  return schema;
}

Result<ApiResponse> accepted_or(const Status& s) {
  if (!s.ok()) return s;
  return ApiResponse{202, nullptr, {}};
}

}  // namespace

json interface_attachment_view(const db::PortRecord& port, Microversion version) {
  json fixed_ips = json::array();
  if (!port.ip_address.empty()) fixed_ips.push_back({{"ip_address", port.ip_address}, {"subnet_id", port.subnet_uuid}});
  json out = {{"port_state", port.status},
              {"fixed_ips", fixed_ips},
              {"mac_addr", port.mac_address},
              {"net_id", port.network_uuid},
              {"port_id", port.uuid}};
  if (version >= kTagShown) out["tag"] = nullptr;
  return out;
}

void add_interface_attachment_routes(ApiServer& server, compute::ComputeAPI& compute) {
  auto schema = JsonSchemaValidator::compile(attach_schema(false)).value();
  auto schema_v249 = JsonSchemaValidator::compile(attach_schema(true)).value();

  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-interface)", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-attach-interfaces:list")) return *denied;
    auto ports = compute.list_interfaces(compute_context(req), req.path_params[0]);
    if (!ports.ok()) return ports.status();
    json out = json::array();
    for (const auto& p : *ports) out.push_back(interface_attachment_view(p, req.microversion));
    return ApiResponse{200, {{"interfaceAttachments", out}}, {}};
  });

  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-interface/([^/]+))",
               [&compute](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-attach-interfaces:show")) return *denied;
                 auto port = compute.get_interface(compute_context(req), req.path_params[0], req.path_params[1]);
                 if (!port.ok()) return port.status();
                 return ApiResponse{200, {{"interfaceAttachment", interface_attachment_view(*port, req.microversion)}}, {}};
               });

  server.route("POST", R"(/v2\.1/servers/([^/]+)/os-interface)",
               [&compute, schema, schema_v249](const ApiRequest& req) -> Result<ApiResponse> {
                 const auto& validator = req.microversion >= kTagOnAttach ? schema_v249 : schema;
                 if (Status s = validator->validate(req.body); !s.ok()) return s;
                 // Nova answers 404 for a server the caller cannot see before the policy.
                 auto instance = compute.get(compute_context(req), req.path_params[0]);
                 if (!instance.ok()) return instance.status();
                 if (auto denied = policy_check(req, "os_compute_api:os-attach-interfaces:create")) return *denied;
                 compute::InterfaceAttachRequest in;
                 if (req.body.contains("interfaceAttachment")) {
                   const json& a = req.body["interfaceAttachment"];
                   if (a.contains("net_id")) in.network_id = a["net_id"].get<std::string>();
                   if (a.contains("port_id")) in.port_id = a["port_id"].get<std::string>();
                   if (a.contains("fixed_ips")) in.fixed_ip = a["fixed_ips"][0]["ip_address"].get<std::string>();
                   if (a.contains("tag")) in.tag = a["tag"].get<std::string>();
                 }
                 auto port = compute.attach_interface(compute_context(req), req.path_params[0], in);
                 if (!port.ok()) return port.status();
                 return ApiResponse{200, {{"interfaceAttachment", interface_attachment_view(*port, req.microversion)}}, {}};
               });

  server.route("DELETE", R"(/v2\.1/servers/([^/]+)/os-interface/([^/]+))",
               [&compute](const ApiRequest& req) -> Result<ApiResponse> {
                 auto instance = compute.get(compute_context(req), req.path_params[0]);
                 if (!instance.ok()) return instance.status();
                 if (auto denied = policy_check(req, "os_compute_api:os-attach-interfaces:delete")) return *denied;
                 return accepted_or(compute.detach_interface(compute_context(req), req.path_params[0], req.path_params[1]));
               });
}

void add_multinic_actions(ServerActionTable& table, compute::ComputeAPI& compute) {
  auto add_validator = JsonSchemaValidator::compile(add_fixed_ip_schema()).value();
  auto remove_validator = JsonSchemaValidator::compile(remove_fixed_ip_schema()).value();
  table["addFixedIp"] = [&compute, add_validator](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    if (kLastMultinic < req.microversion) return Status::InvalidArgument("There is no such action: addFixedIp");
    if (Status s = add_validator->validate(req.body); !s.ok()) return s;
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-multinic:add")) return *denied;
    const json& n = req.body["addFixedIp"]["networkId"];
    const std::string network = n.is_string() ? n.get<std::string>() : n.dump();
    return accepted_or(compute.add_fixed_ip(compute_context(req), id, network));
  };
  table["removeFixedIp"] = [&compute, remove_validator](const ApiRequest& req,
                                                        const std::string& id) -> Result<ApiResponse> {
    if (kLastMultinic < req.microversion) return Status::InvalidArgument("There is no such action: removeFixedIp");
    if (Status s = remove_validator->validate(req.body); !s.ok()) return s;
    auto instance = compute.get(compute_context(req), id);
    if (!instance.ok()) return instance.status();
    if (auto denied = policy_check(req, "os_compute_api:os-multinic:remove")) return *denied;
    return accepted_or(
        compute.remove_fixed_ip(compute_context(req), id, req.body["removeFixedIp"]["address"].get<std::string>()));
  };
}

}  // namespace stratus::core::api
