#include "core/identity/api/identity_controller.h"

#include <algorithm>
#include <utility>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/common/error_table.h"
#include "core/db/application_credential_repository.h"
#include "core/db/role_repository.h"
#include "core/identity/api/application_credentials_controller.h"
#include "core/identity/api/catalog_controller.h"
#include "core/identity/api/identity_resources_controller.h"
#include "core/identity/api/identity_views.h"
#include "core/identity/application_credentials.h"
#include "core/identity/service_catalog.h"

namespace stratus::core::identity {

namespace {

using api::ApiRequest;
using api::ApiResponse;
using nlohmann::json;
using sdk::Result;
using sdk::Status;

// The policy rules these routes check, by Keystone's names, for the lead to
// move into the central policy (core/api/policy.h):
//   identity:validate_token    admin, or the token's own user
//   identity:check_token       (HEAD) as validate_token
//   identity:revoke_token      admin, or the token's own user
//   identity:get_auth_projects any valid token
//   identity:get_auth_catalog  any valid token
// (users, projects, roles, domains: identity_resources_controller.cpp)
constexpr const char* kRuleValidateToken = "identity:validate_token";
constexpr const char* kRuleRevokeToken = "identity:revoke_token";

// The version this subset follows (the Keystone of 2023.1 and later).
constexpr const char* kVersionId = "v3.14";
constexpr const char* kVersionUpdated = "2020-04-07T00:00:00Z";

std::string title_for(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

ApiResponse error(int status, const std::string& message) {
  return ApiResponse{status, keystone_error_body(status, message), {}};
}

// Keystone names itself in WWW-Authenticate, so a client knows where to
// get a token.
ApiResponse unauthorized(const std::string& base) {
  ApiResponse r = error(401, kAuthenticationRequired);
  r.headers["WWW-Authenticate"] = "Keystone uri=\"" + base + "/identity\"";
  return r;
}

ApiResponse forbidden(const char* rule) {
  return error(403, std::string("You are not authorized to perform the requested action: ") + rule + ".");
}

ApiResponse bad_request(const std::string& message) { return error(400, message); }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "+") + i;
  return out;
}

std::string api_time(const std::string& stored) { return stored + "Z"; }

bool has_role(const TokenInfo& info, const char* name) {
  return std::any_of(info.record.roles.begin(), info.record.roles.end(),
                     [&](const db::RoleRecord& r) { return r.name == name; });
}

bool is_admin(const TokenInfo& info) { return info.project.has_value() && has_role(info, "admin"); }

class Controller {
 public:
  Controller(TokenService& tokens, db::Database& db, IdentityRoutesOptions options)
      : tokens_(tokens), db_(db), options_(std::move(options)) {
    while (!options_.public_url.empty() && options_.public_url.back() == '/') options_.public_url.pop_back();
  }

  const std::string& public_url() const { return options_.public_url; }

  std::string base(const ApiRequest& req) const {
    return options_.public_url.empty() ? req.base_url : options_.public_url;
  }

  json version_json(const ApiRequest& req) const {
    return {{"id", kVersionId},
            {"status", "stable"},
            {"updated", kVersionUpdated},
            {"links", json::array({{{"rel", "self"}, {"href", base(req) + "/identity/v3/"}}})},
            {"media-types", json::array({{{"base", "application/json"},
                                          {"type", "application/vnd.openstack.identity-v3+json"}}})}};
  }

  Result<ApiResponse> versions(const ApiRequest& req) const {
    // 300 Multiple Choices, as Keystone answers its root.
    return ApiResponse{300, {{"versions", {{"values", json::array({version_json(req)})}}}}, {}};
  }

  Result<ApiResponse> version(const ApiRequest& req) const {
    return ApiResponse{200, {{"version", version_json(req)}}, {}};
  }

  json token_json(const ApiRequest& req, const TokenInfo& info, bool with_catalog) const {
    json token = {{"methods", info.record.methods},
                  {"audit_ids", json::array({info.record.audit_id})},
                  {"expires_at", api_time(info.record.expires_at)},
                  {"issued_at", api_time(info.record.issued_at)},
                  {"is_domain", false},
                  {"user",
                   {{"id", info.user.id},
                    {"name", info.user.name},
                    {"domain", domain_ref_json(db_, info.user.domain_id)},
                    {"password_expires_at", nullptr}}}};
    if (info.project) {
      token["project"] = {{"id", info.project->id}, {"name", info.project->name}, {"domain", domain_ref_json(db_, info.project->domain_id)}};
      json roles = json::array();
      for (const auto& r : info.record.roles) roles.push_back({{"id", r.id}, {"name", r.name}});
      token["roles"] = roles;
      if (with_catalog) token["catalog"] = service_catalog(base(req));
    } else if (with_catalog) {
      token["catalog"] = json::array();
    }
    if (info.record.application_credential_id) {
      auto cred = db::ApplicationCredentialRepository(db_).get(*info.record.application_credential_id);
      json ac = {{"id", *info.record.application_credential_id}};
      if (cred.ok()) {
        ac["name"] = cred->name;
        ac["restricted"] = !cred->unrestricted;
      }
      token["application_credential"] = ac;
    }
    return {{"token", token}};
  }

  // The caller's token (X-Auth-Token), or a 401 reply.
  std::variant<TokenInfo, ApiResponse> caller(const ApiRequest& req) const {
    auto header = req.header("X-Auth-Token");
    if (!header) return unauthorized(base(req));
    auto info = tokens_.validate(*header);
    if (!info.ok()) {
      if (!info.status().is(sdk::StatusCode::kNotFound)) {
        return error(common::http_status_for(info.status()), info.status().message());
      }
      spdlog::info("{} identity: X-Auth-Token not accepted", req.request_id);
      return unauthorized(base(req));
    }
    return std::move(*info);
  }

  // {"user": {"id" | "name" + "domain", "password"}} or a 400 naming the gap.
  static std::variant<std::pair<NamedRef, std::string>, ApiResponse> password_identity(const json& password) {
    if (!password.is_object()) return bad_request("Expecting to find password in identity.");
    const json& user = password.value("user", json());
    if (!user.is_object()) return bad_request("Expecting to find user in password.");
    NamedRef ref;
    if (user.contains("id")) {
      if (!user["id"].is_string()) return bad_request("Invalid input for field 'user.id': not a string.");
      ref.id = user["id"].get<std::string>();
    }
    if (user.contains("name")) {
      if (!user["name"].is_string()) return bad_request("Invalid input for field 'user.name': not a string.");
      ref.name = user["name"].get<std::string>();
    }
    if (!ref.id && !ref.name) return bad_request("Expecting to find id or name in user.");
    if (!ref.id) {
      const json& domain = user.value("domain", json());
      if (!domain.is_object()) return bad_request("Expecting to find domain in user.");
      if (auto s = domain_ref(domain, ref); !s.ok()) return bad_request(s.message());
    }
    if (!user.contains("password") || !user["password"].is_string()) {
      return bad_request("Expecting to find password in user.");
    }
    return std::make_pair(ref, user["password"].get<std::string>());
  }

  struct AppCredIdentity {
    std::optional<std::string> id;
    std::optional<std::string> name;
    NamedRef user;
    std::string secret;
  };

  // {"id", "secret"} or {"name", "user": {"id" | "name" + "domain"}, "secret"}.
  static std::variant<AppCredIdentity, ApiResponse> application_credential_identity(const json& ac) {
    if (!ac.is_object()) return bad_request("Expecting to find application_credential in identity.");
    AppCredIdentity out;
    for (const char* field : {"id", "name", "secret"}) {
      if (ac.contains(field) && !ac[field].is_string()) {
        return bad_request(std::string("Invalid input for field 'application_credential.") + field +
                           "': not a string.");
      }
    }
    if (!ac.contains("secret")) return bad_request("Expecting to find secret in application_credential.");
    out.secret = ac["secret"].get<std::string>();
    if (ac.contains("id")) {
      out.id = ac["id"].get<std::string>();
      return out;
    }
    if (!ac.contains("name")) return bad_request("Expecting to find id or name in application_credential.");
    out.name = ac["name"].get<std::string>();
    const json& user = ac.value("user", json());
    if (!user.is_object()) return bad_request("Expecting to find user in application_credential.");
    if (user.contains("id")) {
      if (!user["id"].is_string()) return bad_request("Invalid input for field 'user.id': not a string.");
      out.user.id = user["id"].get<std::string>();
    } else {
      if (!user.contains("name") || !user["name"].is_string()) {
        return bad_request("Expecting to find id or name in user.");
      }
      out.user.name = user["name"].get<std::string>();
      const json& domain = user.value("domain", json());
      if (!domain.is_object()) return bad_request("Expecting to find domain in user.");
      if (auto s = domain_ref(domain, out.user); !s.ok()) return bad_request(s.message());
    }
    return out;
  }

  static Status domain_ref(const json& domain, NamedRef& ref) {
    if (domain.contains("id")) {
      if (!domain["id"].is_string()) return Status::InvalidArgument("Invalid input for field 'domain.id': not a string.");
      ref.domain_id = domain["id"].get<std::string>();
    }
    if (domain.contains("name")) {
      if (!domain["name"].is_string()) {
        return Status::InvalidArgument("Invalid input for field 'domain.name': not a string.");
      }
      ref.domain_name = domain["name"].get<std::string>();
    }
    if (!ref.domain_id && !ref.domain_name) return Status::InvalidArgument("Expecting to find id or name in domain.");
    return Status::OK();
  }

  // The requested project scope: nullopt for none or "unscoped"; a 400 for
  // a malformed or unsupported one.
  static std::variant<std::optional<NamedRef>, ApiResponse> requested_scope(const json& auth) {
    if (!auth.contains("scope")) return std::optional<NamedRef>();
    const json& scope = auth["scope"];
    if (scope.is_string() && scope.get<std::string>() == "unscoped") return std::optional<NamedRef>();
    if (!scope.is_object()) return bad_request("Invalid input for field 'scope': expected an object.");
    if (!scope.contains("project")) {
      return bad_request("Only project scope is supported (scope.project); domain and system scopes are not.");
    }
    const json& project = scope["project"];
    if (!project.is_object()) return bad_request("Invalid input for field 'scope.project': expected an object.");
    NamedRef ref;
    if (project.contains("id")) {
      if (!project["id"].is_string()) return bad_request("Invalid input for field 'project.id': not a string.");
      ref.id = project["id"].get<std::string>();
    }
    if (project.contains("name")) {
      if (!project["name"].is_string()) return bad_request("Invalid input for field 'project.name': not a string.");
      ref.name = project["name"].get<std::string>();
    }
    if (!ref.id && !ref.name) return bad_request("Expecting to find id or name in project.");
    if (!ref.id) {
      const json& domain = project.value("domain", json());
      if (!domain.is_object()) return bad_request("Expecting to find domain in project.");
      if (auto s = domain_ref(domain, ref); !s.ok()) return bad_request(s.message());
    }
    return std::optional<NamedRef>(ref);
  }

  Result<ApiResponse> issue_token(const ApiRequest& req) const {
    const json& body = req.body;
    if (!body.is_object() || !body.contains("auth") || !body["auth"].is_object()) {
      return bad_request("Expecting to find auth in request body.");
    }
    const json& auth = body["auth"];
    if (!auth.contains("identity") || !auth["identity"].is_object()) {
      return bad_request("Expecting to find identity in auth.");
    }
    const json& identity = auth["identity"];
    if (!identity.contains("methods") || !identity["methods"].is_array()) {
      return bad_request("Expecting to find methods in identity.");
    }
    std::vector<std::string> methods;
    for (const auto& m : identity["methods"]) {
      if (!m.is_string()) return bad_request("Invalid input for field 'identity.methods': not a list of strings.");
      methods.push_back(m.get<std::string>());
    }
    auto listed = [&](const char* m) { return std::find(methods.begin(), methods.end(), m) != methods.end(); };
    // One method at a time (Keystone's multi-method rules serve MFA, which
    // Stratus does not have).
    if (methods.size() != 1 ||
        (methods[0] != "password" && methods[0] != "token" && methods[0] != "application_credential")) {
      spdlog::info("{} identity: unsupported auth method", req.request_id);
      return unauthorized(base(req));
    }
    auto scope = requested_scope(auth);
    if (auto* reply = std::get_if<ApiResponse>(&scope)) return *reply;
    const auto& requested = std::get<std::optional<NamedRef>>(scope);

    db::UserRecord user;
    std::optional<db::ProjectRecord> project;
    std::optional<std::string> expires_cap;
    std::vector<std::string> token_methods;
    std::optional<db::ApplicationCredentialRecord> through;
    if (listed("application_credential")) {
      // The credential fixes the scope: asking for one is refused, as Keystone does.
      if (requested) {
        spdlog::info("{} identity: an application credential cannot request a scope", req.request_id);
        return error(401, "Error authenticating with application credential: Application credentials cannot request "
                          "a scope.");
      }
      auto parsed = application_credential_identity(identity.value("application_credential", json()));
      if (auto* reply = std::get_if<ApiResponse>(&parsed)) return *reply;
      const auto& ac = std::get<AppCredIdentity>(parsed);
      auto cred = ApplicationCredentials(db_).authenticate(ac.id, ac.name, ac.user, ac.secret);
      if (!cred.ok()) {
        if (!cred.status().is(sdk::StatusCode::kNotFound)) return cred.status();
        spdlog::info("{} identity: application credential authentication failed", req.request_id);
        return unauthorized(base(req));
      }
      auto owner = db::UserRepository(db_).get(cred->user_id);
      auto scoped = db::ProjectRepository(db_).get(cred->project_id);
      if (!owner.ok() || !scoped.ok() || !scoped->enabled) return unauthorized(base(req));
      user = std::move(*owner);
      project = std::move(*scoped);
      through = std::move(*cred);
      token_methods = {"application_credential"};
    } else if (listed("password")) {
      auto identity_ref = password_identity(identity.value("password", json()));
      if (auto* reply = std::get_if<ApiResponse>(&identity_ref)) return *reply;
      const auto& [ref, password] = std::get<std::pair<NamedRef, std::string>>(identity_ref);
      auto checked = tokens_.check_password(ref, password);
      if (!checked.ok()) {
        if (!checked.status().is(sdk::StatusCode::kNotFound)) return checked.status();
        spdlog::info("{} identity: password authentication failed", req.request_id);
        return unauthorized(base(req));
      }
      user = std::move(*checked);
      token_methods = {"password"};
    } else {
      const json& token = identity.value("token", json());
      if (!token.is_object() || !token.contains("id") || !token["id"].is_string()) {
        return bad_request("Expecting to find id in token.");
      }
      auto given = tokens_.validate(token["id"].get<std::string>());
      if (!given.ok()) {
        if (!given.status().is(sdk::StatusCode::kNotFound)) return given.status();
        spdlog::info("{} identity: token authentication failed", req.request_id);
        return unauthorized(base(req));
      }
      user = given->user;
      // Without a new scope the token keeps its own; either way it never
      // outlives the token it came from, and one from an application
      // credential keeps its restrictions (and cannot leave its project).
      if (!requested) project = given->project;
      if (given->record.application_credential_id) {
        auto cred = db::ApplicationCredentialRepository(db_).get(*given->record.application_credential_id);
        if (!cred.ok()) {
          if (!cred.status().is(sdk::StatusCode::kNotFound)) return cred.status();
          return unauthorized(base(req));
        }
        through = std::move(*cred);
      }
      expires_cap = given->record.expires_at;
      token_methods = given->record.methods;
      if (std::find(token_methods.begin(), token_methods.end(), "token") == token_methods.end()) {
        token_methods.push_back("token");
      }
    }
    if (requested) {
      auto resolved = tokens_.resolve_scope(user, *requested);
      if (!resolved.ok()) {
        if (resolved.status().is(sdk::StatusCode::kInvalidArgument)) return bad_request(resolved.status().message());
        if (!resolved.status().is(sdk::StatusCode::kNotFound)) return resolved.status();
        spdlog::info("{} identity: user {} has no access to the requested project", req.request_id, user.id);
        return unauthorized(base(req));
      }
      project = std::move(*resolved);
    }
    auto issued = tokens_.issue(user, project, token_methods, expires_cap, through ? &*through : nullptr);
    if (!issued.ok()) {
      if (issued.status().is(sdk::StatusCode::kNotFound)) return unauthorized(base(req));
      return issued.status();
    }
    spdlog::info("{} identity: token issued to user {} ({}) {} by {}, audit id {}", req.request_id, user.name,
                 user.id, project ? "on project " + project->name : std::string("unscoped"),
                 joined(token_methods), issued->info.record.audit_id);
    ApiResponse reply{201, token_json(req, issued->info, !req.query_param("nocatalog").has_value()), {}};
    reply.headers["X-Subject-Token"] = issued->token;
    return reply;
  }

  // The X-Subject-Token's details, after checking the caller may see them.
  std::variant<TokenInfo, ApiResponse> subject(const ApiRequest& req, const char* rule) const {
    auto who = caller(req);
    if (auto* reply = std::get_if<ApiResponse>(&who)) return *reply;
    const TokenInfo& me = std::get<TokenInfo>(who);
    auto header = req.header("X-Subject-Token");
    if (!header) return bad_request("Expecting to find X-Subject-Token in the request headers.");
    auto info = tokens_.validate(*header);
    if (!info.ok()) {
      if (!info.status().is(sdk::StatusCode::kNotFound)) {
        return error(common::http_status_for(info.status()), info.status().message());
      }
      return error(404, "Failed to validate token");
    }
    if (!is_admin(me) && me.user.id != info->user.id) return forbidden(rule);
    return std::move(*info);
  }

  Result<ApiResponse> validate_token(const ApiRequest& req) const {
    auto info = subject(req, kRuleValidateToken);
    if (auto* reply = std::get_if<ApiResponse>(&info)) return *reply;
    ApiResponse reply{200, token_json(req, std::get<TokenInfo>(info), !req.query_param("nocatalog").has_value()), {}};
    reply.headers["X-Subject-Token"] = *req.header("X-Subject-Token");
    return reply;
  }

  Result<ApiResponse> revoke_token(const ApiRequest& req) const {
    auto info = subject(req, kRuleRevokeToken);
    if (auto* reply = std::get_if<ApiResponse>(&info)) return *reply;
    if (auto s = tokens_.revoke(*req.header("X-Subject-Token")); !s.ok()) {
      if (s.is(sdk::StatusCode::kNotFound)) return error(404, "Failed to validate token");
      return s;
    }
    spdlog::info("{} identity: token revoked, audit id {}", req.request_id, std::get<TokenInfo>(info).record.audit_id);
    return ApiResponse{204, nullptr, {}};
  }

  json collection_links(const ApiRequest& req, const std::string& path) const {
    return {{"self", base(req) + path}, {"previous", nullptr}, {"next", nullptr}};
  }

  Result<ApiResponse> auth_projects(const ApiRequest& req) const {
    auto who = caller(req);
    if (auto* reply = std::get_if<ApiResponse>(&who)) return *reply;
    auto projects = db::RoleRepository(db_).projects_of(std::get<TokenInfo>(who).user.id);
    if (!projects.ok()) return projects.status();
    json out = json::array();
    for (const auto& p : *projects) {
      if (p.enabled) out.push_back(project_json(base(req), p));
    }
    return ApiResponse{200, {{"projects", out}, {"links", collection_links(req, "/identity/v3/auth/projects")}}, {}};
  }

  Result<ApiResponse> auth_catalog(const ApiRequest& req) const {
    auto who = caller(req);
    if (auto* reply = std::get_if<ApiResponse>(&who)) return *reply;
    json catalog = std::get<TokenInfo>(who).project ? service_catalog(base(req)) : json::array();
    return ApiResponse{200, {{"catalog", catalog}, {"links", collection_links(req, "/identity/v3/auth/catalog")}}, {}};
  }

 private:
  TokenService& tokens_;
  db::Database& db_;
  IdentityRoutesOptions options_;
};

}  // namespace

json keystone_error_body(int http_status, const std::string& message) {
  return {{"error", {{"code", http_status}, {"message", message}, {"title", title_for(http_status)}}}};
}

void add_identity_routes(api::ApiServer& server, TokenService& tokens, db::Database& db, IdentityRoutesOptions options) {
  auto c = std::make_shared<Controller>(tokens, db, std::move(options));
  auto bind = [&](const char* method, const char* pattern, Result<ApiResponse> (Controller::*fn)(const ApiRequest&) const) {
    server.route(
        method, pattern, [c, fn](const ApiRequest& req) { return ((*c).*fn)(req); }, /*is_public=*/true,
        &keystone_error_body);
  };
  bind("GET", R"(/identity/?)", &Controller::versions);
  bind("GET", R"(/identity/v3/?)", &Controller::version);
  bind("POST", R"(/identity/v3/auth/tokens)", &Controller::issue_token);
  // cpp-httplib answers HEAD with the GET route, without the body.
  bind("GET", R"(/identity/v3/auth/tokens)", &Controller::validate_token);
  bind("DELETE", R"(/identity/v3/auth/tokens)", &Controller::revoke_token);
  bind("GET", R"(/identity/v3/auth/projects)", &Controller::auth_projects);
  bind("GET", R"(/identity/v3/auth/catalog)", &Controller::auth_catalog);
  add_identity_resource_routes(server, tokens, db, c->public_url());
  add_catalog_routes(server, tokens, c->public_url());
  add_application_credential_routes(server, tokens, db, c->public_url());
}

}  // namespace stratus::core::identity
