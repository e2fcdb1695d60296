#include "core/compute/api/server_actions_controller.h"

#include <charconv>
#include <functional>
#include <map>

#include "core/http/json_schema_validator.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/api/guest_injection.h"
#include "core/compute/api/server_view.h"

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

std::string ref_id(const std::string& s) {
  const size_t slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

Result<ApiResponse> accepted(const Status& s) {
  if (!s.ok()) return s;
  return ApiResponse{202, nullptr, {}};
}

struct Validators {
  std::shared_ptr<const JsonSchemaValidator> reboot, rebuild, console;
};

}  // namespace

void add_server_lifecycle_actions(ServerActionTable& table, compute::ComputeAPI& compute, db::Database& db) {
  Validators v{JsonSchemaValidator::compile(reboot_schema()).value(),
               JsonSchemaValidator::compile(rebuild_schema()).value(),
               JsonSchemaValidator::compile(console_schema()).value()};

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
    if (Status s = v.rebuild->validate(req.body); !s.ok()) return s;
    const json& in = req.body["rebuild"];
    compute::RebuildRequest rr;
    rr.image_ref = ref_id(in["imageRef"].get<std::string>());
    if (in.contains("name")) rr.name = in["name"].get<std::string>();
    if (in.contains("metadata")) rr.metadata = in["metadata"].get<std::map<std::string, std::string>>();
    auto injection = guest_injection_from(req, in, "rebuild");
    if (!injection.ok()) return injection.status();
    rr.injection = std::move(injection).value();
    auto record = compute.rebuild(compute_context(req), id, rr);
    if (!record.ok()) return record.status();
    // Nova answers a rebuild with the core view, as an update (before 2.75).
    json view = server_update_view(req, db, *record);
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
    // -1 (Nova's "all") and absent: the whole log.
    auto output = compute.get_console_output(compute_context(req), id, length < 0 ? 0 : static_cast<std::int32_t>(length));
    if (!output.ok()) return output.status();
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
