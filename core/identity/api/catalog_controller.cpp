#include "core/identity/api/catalog_controller.h"

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "core/identity/api/identity_controller.h"
#include "core/identity/api/keystone_reply.h"
#include "core/identity/service_catalog.h"

namespace stratus::core::identity {

namespace {

using api::ApiRequest;
using api::ApiResponse;
using nlohmann::json;
using sdk::Result;

// Keystone's rules (its defaults; admin is a project token with the admin role):
//   identity:list_services, get_service, list_endpoints, get_endpoint  admin
//   identity:list_regions, get_region                                  any valid token
//   identity:create/update/delete_service|endpoint|region              admin
constexpr const char* kRuleListServices = "identity:list_services";
constexpr const char* kRuleGetService = "identity:get_service";
constexpr const char* kRuleListEndpoints = "identity:list_endpoints";
constexpr const char* kRuleGetEndpoint = "identity:get_endpoint";

class Controller {
 public:
  Controller(TokenService& tokens, std::string public_url) : tokens_(tokens), public_url_(std::move(public_url)) {
    while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
  }

  std::string base(const ApiRequest& req) const { return public_url_.empty() ? req.base_url : public_url_; }

  // The caller if `admin_only` is false or it is an admin; else the reply.
  std::optional<ApiResponse> refused(const ApiRequest& req, const char* rule, bool admin_only) const {
    auto who = keystone_caller(req, tokens_, base(req));
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    if (admin_only && !token_is_admin(std::get<TokenInfo>(who))) {
      spdlog::info("{} identity: {} refused to user {}", req.request_id, rule, std::get<TokenInfo>(who).user.id);
      return keystone_forbidden(rule);
    }
    return std::nullopt;
  }

  json service_json(const ApiRequest& req, const CatalogService& s) const {
    return {{"id", s.id},
            {"type", s.type},
            {"name", s.name},
            {"description", s.description},
            {"enabled", true},
            {"links", {{"self", base(req) + "/identity/v3/services/" + s.id}}}};
  }

  json endpoint_json(const ApiRequest& req, const CatalogService& s, const CatalogEndpoint& e) const {
    return {{"id", e.id},
            {"interface", e.interface},
            {"region", kRegion},
            {"region_id", kRegion},
            {"service_id", s.id},
            {"url", e.url},
            {"enabled", true},
            {"links", {{"self", base(req) + "/identity/v3/endpoints/" + e.id}}}};
  }

  json region_json(const ApiRequest& req) const {
    return {{"id", kRegion},
            {"description", ""},
            {"parent_region_id", nullptr},
            {"links", {{"self", base(req) + "/identity/v3/regions/" + kRegion}}}};
  }

  ApiResponse collection(const ApiRequest& req, const char* key, json items) const {
    return ApiResponse{200, {{key, std::move(items)}, {"links", collection_links(base(req), req.path)}}, {}};
  }

  // Keystone ignores filters it does not know; a known one must match exactly.
  static bool matches(const ApiRequest& req, const char* filter, const std::string& value) {
    auto wanted = req.query_param(filter);
    return !wanted || *wanted == value;
  }

  Result<ApiResponse> list_services(const ApiRequest& req) const {
    if (auto r = refused(req, kRuleListServices, true)) return *r;
    json out = json::array();
    for (const auto& s : catalog_services(base(req))) {
      if (matches(req, "type", s.type) && matches(req, "name", s.name)) out.push_back(service_json(req, s));
    }
    return collection(req, "services", std::move(out));
  }

  Result<ApiResponse> get_service(const ApiRequest& req) const {
    if (auto r = refused(req, kRuleGetService, true)) return *r;
    const std::string& id = req.path_params.at(0);
    for (const auto& s : catalog_services(base(req))) {
      if (s.id == id) return ApiResponse{200, {{"service", service_json(req, s)}}, {}};
    }
    return keystone_error(404, "Could not find service: " + id + ".");
  }

  Result<ApiResponse> list_endpoints(const ApiRequest& req) const {
    if (auto r = refused(req, kRuleListEndpoints, true)) return *r;
    json out = json::array();
    for (const auto& s : catalog_services(base(req))) {
      for (const auto& e : s.endpoints) {
        if (matches(req, "interface", e.interface) && matches(req, "service_id", s.id) &&
            matches(req, "region_id", kRegion)) {
          out.push_back(endpoint_json(req, s, e));
        }
      }
    }
    return collection(req, "endpoints", std::move(out));
  }

  Result<ApiResponse> get_endpoint(const ApiRequest& req) const {
    if (auto r = refused(req, kRuleGetEndpoint, true)) return *r;
    const std::string& id = req.path_params.at(0);
    for (const auto& s : catalog_services(base(req))) {
      for (const auto& e : s.endpoints) {
        if (e.id == id) return ApiResponse{200, {{"endpoint", endpoint_json(req, s, e)}}, {}};
      }
    }
    return keystone_error(404, "Could not find endpoint: " + id + ".");
  }

  Result<ApiResponse> list_regions(const ApiRequest& req) const {
    if (auto r = refused(req, "identity:list_regions", false)) return *r;
    json out = json::array();
    // The one region has no parent: a parent filter naming any region matches nothing.
    if (!req.query_param("parent_region_id")) out.push_back(region_json(req));
    return collection(req, "regions", std::move(out));
  }

  Result<ApiResponse> get_region(const ApiRequest& req) const {
    if (auto r = refused(req, "identity:get_region", false)) return *r;
    const std::string& id = req.path_params.at(0);
    if (id != kRegion) return keystone_error(404, "Could not find region: " + id + ".");
    return ApiResponse{200, {{"region", region_json(req)}}, {}};
  }

  // POST, PATCH, PUT and DELETE on any of them: Keystone's admin rule first,
  // then 501 (the catalog follows the configuration).
  Result<ApiResponse> write(const ApiRequest& req, const std::string& rule) const {
    if (auto r = refused(req, rule.c_str(), true)) return *r;
    spdlog::info("{} identity: {} not implemented: the catalog follows the configuration", req.request_id, rule);
    return keystone_error(501, "The action you have requested has not been implemented. (The catalog is Stratus's "
                               "configuration: set [api] public_url to change its URLs.)");
  }

 private:
  TokenService& tokens_;
  std::string public_url_;
};

}  // namespace

void add_catalog_routes(api::ApiServer& server, TokenService& tokens, const std::string& public_url) {
  auto c = std::make_shared<Controller>(tokens, public_url);
  auto bind = [&](const char* method, const std::string& pattern,
                  std::function<Result<ApiResponse>(const Controller&, const ApiRequest&)> fn) {
    server.route(
        method, "/identity/v3" + pattern, [c, fn](const ApiRequest& req) { return fn(*c, req); }, /*is_public=*/true,
        &keystone_error_body);
  };
  const std::string id = "/([^/]+)";
  bind("GET", "/services", &Controller::list_services);
  bind("GET", "/services" + id, &Controller::get_service);
  bind("GET", "/endpoints", &Controller::list_endpoints);
  bind("GET", "/endpoints" + id, &Controller::get_endpoint);
  bind("GET", "/regions", &Controller::list_regions);
  bind("GET", "/regions" + id, &Controller::get_region);
  for (const char* kind : {"service", "endpoint", "region"}) {
    const std::string collection = std::string("/") + kind + "s";
    auto writer = [kind](const char* verb) {
      const std::string rule = std::string("identity:") + verb + "_" + kind;
      return [rule](const Controller& ctl, const ApiRequest& req) { return ctl.write(req, rule); };
    };
    bind("POST", collection, writer("create"));
    bind("PATCH", collection + id, writer("update"));
    bind("DELETE", collection + id, writer("delete"));
    // Keystone also takes PUT /regions/{id} (create with a chosen id).
    if (std::string(kind) == "region") bind("PUT", collection + id, writer("create"));
  }
}

}  // namespace stratus::core::identity
