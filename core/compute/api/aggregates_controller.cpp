#include "core/compute/api/aggregates_controller.h"

#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "core/db/aggregate_repository.h"
#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's parameter_types.name, and az_name (the same without ':').
constexpr const char* kNameSchema =
    R"({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"})";
constexpr const char* kZoneSchema =
    R"({"oneOf": [{"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^(?! )[^:\\u0000-\\u001f]*[^ :]$"},
                  {"type": "null"}]})";

json object_schema(const std::string& wrapper, json properties, json required, json extra = json::object()) {
  json inner = {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) inner["required"] = std::move(required);
  for (auto& [k, v] : extra.items()) inner[k] = v;
  return {{"type", "object"},
          {"properties", {{wrapper, std::move(inner)}}},
          {"required", json::array({wrapper})},
          {"additionalProperties", false}};
}

struct Validators {
  std::shared_ptr<const JsonSchemaValidator> create, update, add_host, remove_host, set_metadata;
};

Validators compile_validators() {
  const json name = json::parse(kNameSchema);
  const json zone = json::parse(kZoneSchema);
  // Nova's parameter_types.fqdn (hostname-like, up to 255).
  const json host = {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}, {"pattern", "^[a-zA-Z0-9-._]*$"}};
  // Nova's metadata_with_null.
  const json metadata = {{"type", "object"},
                         {"patternProperties",
                          {{"^[a-zA-Z0-9-_:. ]{1,255}$", {{"type", json::array({"string", "null"})}, {"maxLength", 255}}}}},
                         {"additionalProperties", false}};
  Validators v;
  v.create = JsonSchemaValidator::compile(object_schema("aggregate", {{"name", name}, {"availability_zone", zone}},
                                                        json::array({"name"})))
                 .value();
  v.update = JsonSchemaValidator::compile(
                 object_schema("aggregate", {{"name", name}, {"availability_zone", zone}}, json::array(),
                               {{"anyOf", json::array({{{"required", json::array({"name"})}},
                                                       {{"required", json::array({"availability_zone"})}}})}}))
                 .value();
  v.add_host = JsonSchemaValidator::compile(object_schema("add_host", {{"host", host}}, json::array({"host"}))).value();
  v.remove_host =
      JsonSchemaValidator::compile(object_schema("remove_host", {{"host", host}}, json::array({"host"}))).value();
  v.set_metadata =
      JsonSchemaValidator::compile(object_schema("set_metadata", {{"metadata", metadata}}, json::array({"metadata"})))
          .value();
  return v;
}

// Nova's utils.validate_integer on the path's id.
Result<std::int64_t> aggregate_id(const ApiRequest& req) {
  const std::string& raw = req.path_params[0];
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (raw.empty() || ec != std::errc() || ptr != raw.data() + raw.size()) {
    return Status::InvalidArgument("Invalid input received: id must be an integer");
  }
  return id;
}

// Nova's marshalled aggregate; create's reply has no hosts nor metadata.
json aggregate_view(const db::AggregateRecord& a, const ApiRequest& req, bool with_members = true) {
  const auto zone = a.availability_zone();
  json out = {{"id", a.id},
              {"name", a.name},
              {"availability_zone", zone ? json(*zone) : json(nullptr)},
              {"created_at", a.created_at},
              {"updated_at", a.updated_at ? json(*a.updated_at) : json(nullptr)},
              {"deleted", false},
              {"deleted_at", nullptr}};
  if (with_members) {
    out["hosts"] = a.hosts;
    out["metadata"] = a.metadata.empty() ? json::object() : json(a.metadata);
  }
  if (req.microversion >= Microversion{2, 41}) out["uuid"] = a.uuid;
  return out;
}

ApiResponse one(const db::AggregateRecord& a, const ApiRequest& req, bool with_members = true) {
  return ApiResponse{200, {{"aggregate", aggregate_view(a, req, with_members)}}, {}};
}

std::string rule(const char* what) { return std::string("os_compute_api:os-aggregates:") + what; }

// A zone rule broken by add_host/remove_host is Nova's 409 there (400 elsewhere).
Status as_conflict(Status s) {
  if (s.is(sdk::StatusCode::kInvalidArgument)) return Status::Conflict(s.message());
  return s;
}

Result<ApiResponse> action(db::Database& db, const Validators& v, const ApiRequest& req) {
  if (!req.body.is_object() || req.body.size() != 1) return Status::InvalidArgument("Invalid request body: exactly one action expected");
  const std::string name = req.body.begin().key();
  if (name != "add_host" && name != "remove_host" && name != "set_metadata") {
    return Status::InvalidArgument("There is no such action: " + name);
  }
  if (auto denied = policy_check(req, rule(name.c_str()))) return *denied;
  const JsonSchemaValidator& validator =
      name == "add_host" ? *v.add_host : name == "remove_host" ? *v.remove_host : *v.set_metadata;
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  auto id = aggregate_id(req);
  if (!id.ok()) return id.status();
  db::AggregateRepository aggregates(db);
  if (name == "add_host") {
    const std::string host = req.body["add_host"]["host"].get<std::string>();
    auto a = aggregates.add_host(*id, host);
    if (!a.ok()) return as_conflict(a.status());
    spdlog::info("[{}] host {} added to aggregate {}", req.request_id, host, *id);
    return one(*a, req);
  }
  if (name == "remove_host") {
    const std::string host = req.body["remove_host"]["host"].get<std::string>();
    auto a = aggregates.remove_host(*id, host);
    if (a.status().is(sdk::StatusCode::kNotFound)) {
      return Status::NotFound("Cannot remove host " + host + " in aggregate " + std::to_string(*id));
    }
    if (!a.ok()) return as_conflict(a.status());
    spdlog::info("[{}] host {} removed from aggregate {}", req.request_id, host, *id);
    return one(*a, req);
  }
  std::map<std::string, std::optional<std::string>> metadata;
  for (const auto& [k, val] : req.body["set_metadata"]["metadata"].items()) {
    metadata[k] = val.is_null() ? std::nullopt : std::optional<std::string>(val.get<std::string>());
  }
  auto a = aggregates.set_metadata(*id, metadata);
  if (!a.ok()) return a.status();
  return one(*a, req);
}

}  // namespace

void add_aggregate_routes(ApiServer& server, db::Database& db) {
  auto validators = std::make_shared<const Validators>(compile_validators());

  server.route("GET", R"(/v2\.1/os-aggregates)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, rule("index"))) return *denied;
    auto all = db::AggregateRepository(db).list();
    if (!all.ok()) return all.status();
    json out = json::array();
    for (const auto& a : *all) out.push_back(aggregate_view(a, req));
    return ApiResponse{200, {{"aggregates", out}}, {}};
  });

  server.route("POST", R"(/v2\.1/os-aggregates)", [&db, validators](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, rule("create"))) return *denied;
    if (Status s = validators->create->validate(req.body); !s.ok()) return s;
    const json& in = req.body["aggregate"];
    std::optional<std::string> zone;
    if (in.contains("availability_zone") && in["availability_zone"].is_string()) {
      zone = in["availability_zone"].get<std::string>();
    }
    auto a = db::AggregateRepository(db).create(in["name"].get<std::string>(), zone);
    if (!a.ok()) return a.status();
    spdlog::info("[{}] aggregate {} ({}) created", req.request_id, a->id, a->name);
    return one(*a, req, false);
  });

  server.route("GET", R"(/v2\.1/os-aggregates/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, rule("show"))) return *denied;
    auto id = aggregate_id(req);
    if (!id.ok()) return id.status();
    auto a = db::AggregateRepository(db).get(*id);
    if (!a.ok()) return a.status();
    return one(*a, req);
  });

  server.route("PUT", R"(/v2\.1/os-aggregates/([^/]+))", [&db, validators](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, rule("update"))) return *denied;
    if (Status s = validators->update->validate(req.body); !s.ok()) return s;
    auto id = aggregate_id(req);
    if (!id.ok()) return id.status();
    const json& in = req.body["aggregate"];
    std::optional<std::string> name;
    if (in.contains("name")) name = in["name"].get<std::string>();
    std::optional<std::string> zone;
    // A null zone is Nova's "does not support empty named availability zone".
    if (in.contains("availability_zone")) zone = in["availability_zone"].is_string() ? in["availability_zone"].get<std::string>() : "";
    auto a = db::AggregateRepository(db).update(*id, name, zone);
    if (!a.ok()) return a.status();
    return one(*a, req);
  });

  server.route("DELETE", R"(/v2\.1/os-aggregates/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, rule("delete"))) return *denied;
    auto id = aggregate_id(req);
    if (!id.ok()) return id.status();
    if (Status s = db::AggregateRepository(db).remove(*id); !s.ok()) return s;
    spdlog::info("[{}] aggregate {} deleted", req.request_id, *id);
    return ApiResponse{200, nullptr, {}};
  });

  server.route("POST", R"(/v2\.1/os-aggregates/([^/]+)/action)",
               [&db, validators](const ApiRequest& req) { return action(db, *validators, req); });
}

}  // namespace stratus::core::api
