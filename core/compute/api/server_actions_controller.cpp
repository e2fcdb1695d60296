#include "core/compute/api/server_actions_controller.h"

#include <charconv>
#include <functional>
#include <map>

#include "core/http/json_schema_validator.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/api/guest_injection.h"
#include "core/compute/api/server_view.h"
#include "core/compute/api/versioned_schema.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's schemas for the actions that take an argument (2.1).
const json& reboot_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "reboot": {
        "type": "object",
        "properties": {"type": {"enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}},
        "required": ["type"],
        "additionalProperties": false
      }
    },
    "required": ["reboot"],
    "additionalProperties": false
  })");
  return schema;
}

const json& rebuild_schema() {
  static const json schema = [] {
    json s = json::parse(R"({
    "type": "object",
    "properties": {
      "rebuild": {
        "type": "object",
        "properties": {
          "imageRef": {"type": "string", "minLength": 1, "maxLength": 255},
          "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
          "adminPass": {"type": "string"},
          "metadata": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": false
          },
          "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
          "preserve_ephemeral": {"type": "boolean"}
        },
        "required": ["imageRef"],
        "additionalProperties": false
      }
    },
    "required": ["rebuild"],
    "additionalProperties": false
  })");
    s["properties"]["rebuild"]["properties"]["personality"] = personality_schema();  // up to 2.56
    return s;
  }();
  return schema;
}

const json& console_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "os-getConsoleOutput": {
        "type": "object",
        "properties": {"length": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$", "minimum": -1}},
        "additionalProperties": false
      }
    },
    "required": ["os-getConsoleOutput"],
    "additionalProperties": false
  })");
  return schema;
}

// rebuild per microversion, on rebuild_schema() (Nova's rebuild_v2xx).
std::vector<std::pair<Microversion, json>> rebuild_schemas() {
  const json description = json::parse(R"({"type": ["string", "null"], "minLength": 0, "maxLength": 255,
                                           "pattern": "^[^\\u0000-\\u001f\\u007f]*$"})");
  json v21 = with_properties(rebuild_schema(), "rebuild",
                             {{"accessIPv4", {{"type", "string"}}}, {"accessIPv6", {{"type", "string"}}}});
  json v219 = with_properties(v21, "rebuild", {{"description", description}});
  json v254 = with_properties(v219, "rebuild", json::parse(R"({"key_name": {"oneOf": [
      {"type": "string", "minLength": 1, "maxLength": 255}, {"type": "null"}]}})"));
  json v257 = with_properties(v254, "rebuild", json::parse(R"({"user_data": {"type": ["string", "null"], "maxLength": 65535}})"));
  json v263 = with_properties(v257, "rebuild", json::parse(R"({"trusted_image_certificates": {
      "type": ["array", "null"], "minItems": 1, "maxItems": 50, "uniqueItems": true,
      "items": {"type": "string", "minLength": 1}}})"));
  json v290 = with_properties(v263, "rebuild", json::parse(R"({"hostname": {"type": "string", "minLength": 2,
      "maxLength": 63, "pattern": "^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$"}})"));
  return {{{2, 1}, v21}, {{2, 19}, v219}, {{2, 54}, v254}, {{2, 57}, v257}, {{2, 63}, v263}, {{2, 90}, v290}};
}

std::optional<std::string> optional_string(const json& v) {
  return v.is_string() ? std::optional<std::string>(v.get<std::string>()) : std::nullopt;
}

std::string ref_id(const std::string& s) {
  const size_t slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

Result<ApiResponse> accepted(const Status& s) {
  if (!s.ok()) return s;
  return ApiResponse{202, nullptr, {}};
}

struct Validators {
  std::shared_ptr<const JsonSchemaValidator> reboot, console;
  std::shared_ptr<const VersionedSchema> rebuild;
};

}  // namespace

void add_server_lifecycle_actions(ServerActionTable& table, compute::ComputeAPI& compute, db::Database& db) {
  Validators v{JsonSchemaValidator::compile(reboot_schema()).value(),
               JsonSchemaValidator::compile(console_schema()).value(),
               std::make_shared<const VersionedSchema>(rebuild_schemas())};

  auto simple = [&compute](Status (compute::ComputeAPI::*method)(const compute::ComputeContext&, const std::string&)) {
    return [&compute, method](const ApiRequest& req, const std::string& id) {
      return accepted((compute.*method)(compute_context(req), id));
    };
  };
  table["os-start"] = simple(&compute::ComputeAPI::start);
  table["os-stop"] = simple(&compute::ComputeAPI::stop);
  table["pause"] = simple(&compute::ComputeAPI::pause);
  table["unpause"] = simple(&compute::ComputeAPI::unpause);
  table["suspend"] = simple(&compute::ComputeAPI::suspend);
  table["resume"] = simple(&compute::ComputeAPI::resume);
  table["restore"] = simple(&compute::ComputeAPI::restore);
  table["forceDelete"] = simple(&compute::ComputeAPI::force_delete);

  table["reboot"] = [&compute, v](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    if (Status s = v.reboot->validate(req.body); !s.ok()) return s;
    const std::string type = req.body["reboot"]["type"].get<std::string>();
    const auto kind = (type[0] == 'H' || type[0] == 'h') ? compute::RebootType::kHard : compute::RebootType::kSoft;
    return accepted(compute.reboot(compute_context(req), id, kind));
  };

  table["rebuild"] = [&compute, &db, v](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    if (Status s = v.rebuild->validate(req); !s.ok()) return s;
    const json& in = req.body["rebuild"];
    if (Status s = check_access_ips(in); !s.ok()) return s;
    compute::RebuildRequest rr;
    rr.image_ref = ref_id(in["imageRef"].get<std::string>());
    if (in.contains("name")) rr.name = in["name"].get<std::string>();
    if (in.contains("metadata")) rr.metadata = in["metadata"].get<std::map<std::string, std::string>>();
    auto injection = guest_injection_from(req, in, "rebuild");
    if (!injection.ok()) return injection.status();
    rr.injection = std::move(injection).value();
    // The schema of the request's version admits only its own fields.
    if (in.contains("description")) rr.description = optional_string(in["description"]);
    if (in.contains("key_name")) rr.key_name = optional_string(in["key_name"]);
    if (in.contains("user_data")) rr.user_data = optional_string(in["user_data"]);
    if (in.contains("trusted_image_certificates")) {
      const json& certs = in["trusted_image_certificates"];
      rr.trusted_certs = certs.is_array() ? std::optional<std::vector<std::string>>(certs.get<std::vector<std::string>>())
                                          : std::nullopt;
    }
    if (in.contains("accessIPv4")) rr.access_ip_v4 = canonical_ip(in["accessIPv4"].get<std::string>());
    if (in.contains("accessIPv6")) rr.access_ip_v6 = canonical_ip(in["accessIPv6"].get<std::string>());
    if (in.contains("OS-DCF:diskConfig")) rr.auto_disk_config = in["OS-DCF:diskConfig"] == "AUTO";
    if (in.contains("hostname")) rr.hostname = in["hostname"].get<std::string>();
    auto record = compute.rebuild(compute_context(req), id, rr);
    if (!record.ok()) return record.status();
    // Nova: the core view before 2.75, key_name from 2.54, everything from
    // 2.75; "user_data" of its own from 2.57.
    json view = server_view(req, db, *record, update_view_options(req, /*rebuild=*/true));
    if (req.microversion >= Microversion{2, 57}) view["user_data"] = record->user_data ? json(*record->user_data) : json(nullptr);
    // As Nova: the given or generated password, which only the guest keeps.
    view["adminPass"] = rr.injection.admin_password;
    return ApiResponse{202, {{"server", view}}, {}};
  };

  table["os-getConsoleOutput"] = [&compute, v](const ApiRequest& req, const std::string& id) -> Result<ApiResponse> {
    if (Status s = v.console->validate(req.body); !s.ok()) return s;
    const json& in = req.body["os-getConsoleOutput"];
    std::int64_t length = -1;
    if (in.contains("length") && !in["length"].is_null()) {
      const json& l = in["length"];
      if (l.is_number_integer()) {
        length = l.get<std::int64_t>();
      } else {
        const auto& t = l.get_ref<const std::string&>();
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), length);
        if (ec != std::errc() || p != t.data() + t.size()) {
          return Status::InvalidArgument("Invalid input for field/attribute length. Value: " + t);
        }
      }
      if (length < -1 || length > 2147483647) {
        return Status::InvalidArgument("Invalid input for field/attribute length. It must be an integer from -1.");
      }
    }
    // -1 (Nova's "all") and absent: the whole log (0 on the wire).
    auto output = compute.get_console_output(compute_context(req), id, length < 0 ? 0 : static_cast<std::int32_t>(length));
    if (!output.ok()) return output.status();
    // Nova's _tail_log answers "" for a length of 0.
    if (length == 0) return ApiResponse{200, {{"output", ""}}, {}};
    return ApiResponse{200, {{"output", *output}}, {}};
  };
}

void route_server_actions(ApiServer& server, std::shared_ptr<const ServerActionTable> actions) {
  server.route("POST", R"(/v2\.1/servers/([^/]+)/action)", [actions](const ApiRequest& req) -> Result<ApiResponse> {
    if (!req.body.is_object() || req.body.empty()) return Status::InvalidArgument("Malformed request body");
    for (const auto& [key, value] : req.body.items()) {
      auto it = actions->find(key);
      if (it != actions->end()) return it->second(req, req.path_params[0]);
    }
    return Status::InvalidArgument("There is no such action: " + req.body.begin().key());
  });
}

}  // namespace stratus::core::api
