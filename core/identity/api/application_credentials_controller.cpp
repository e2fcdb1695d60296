#include "core/identity/api/application_credentials_controller.h"

#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "core/db/application_credential_repository.h"
#include "core/identity/api/identity_controller.h"
#include "core/identity/api/keystone_reply.h"
#include "core/identity/application_credentials.h"

namespace stratus::core::identity {

namespace {

using api::ApiRequest;
using api::ApiResponse;
using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Keystone's rules (its defaults, admin meaning a project token with the
// admin role):
//   identity:create_application_credential  the user itself
//   identity:list_application_credentials   admin, or the user itself
//   identity:get_application_credential     admin, or the owner
//   identity:delete_application_credential  admin, or the owner
constexpr const char* kRuleCreate = "identity:create_application_credential";
constexpr const char* kRuleList = "identity:list_application_credentials";
constexpr const char* kRuleGet = "identity:get_application_credential";
constexpr const char* kRuleDelete = "identity:delete_application_credential";

ApiResponse invalid_field(const std::string& field, const std::string& why) {
  return keystone_error(400, "Invalid input for field '" + field + "': " + why);
}

// A restricted credential's token managing credentials (Keystone's check).
bool from_restricted_credential(const TokenInfo& me, db::Database& db) {
  if (!me.record.application_credential_id) return false;
  auto cred = db::ApplicationCredentialRepository(db).get(*me.record.application_credential_id);
  return !cred.ok() || !cred->unrestricted;
}

ApiResponse restricted_refusal() {
  return keystone_forbidden(
      "Using method 'application_credential' is not allowed for managing additional application credentials");
}

// Keystone's create schema: name (required), secret, description,
// expires_at (string or null), roles ([{id} | {name}]), unrestricted,
// access_rules; nothing else.
std::variant<ApplicationCredentialRequest, ApiResponse> parse_create(const json& body) {
  if (!body.is_object() || !body.contains("application_credential")) {
    return keystone_error(400, "Expecting to find application_credential in request body.");
  }
  const json& b = body["application_credential"];
  if (!b.is_object()) return invalid_field("application_credential", "expected an object.");
  if (!b.contains("name")) return invalid_field("application_credential", "'name' is a required property.");
  ApplicationCredentialRequest out;
  for (const auto& [key, value] : b.items()) {
    if (key == "name") {
      if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
          value.get_ref<const std::string&>().size() > 255) {
        return invalid_field("name", "expected a string of 1 to 255 characters.");
      }
      out.name = value.get<std::string>();
    } else if (key == "secret" || key == "description" || key == "expires_at") {
      if (value.is_null()) continue;
      if (!value.is_string()) return invalid_field(key, "expected a string or null.");
      std::string text = value.get<std::string>();
      if (key == "secret") {
        if (text.empty()) return invalid_field("secret", "'' is too short.");
        out.secret = std::move(text);
      } else if (key == "description") {
        out.description = std::move(text);
      } else {
        out.expires_at = std::move(text);
      }
    } else if (key == "unrestricted") {
      if (value.is_null()) continue;
      if (!value.is_boolean()) return invalid_field("unrestricted", "expected a boolean.");
      out.unrestricted = value.get<bool>();
    } else if (key == "roles") {
      if (value.is_null()) continue;
      if (!value.is_array()) return invalid_field("roles", "expected a list.");
      std::vector<RoleRef> roles;
      for (const auto& r : value) {
        if (!r.is_object()) return invalid_field("roles", "expected a list of objects.");
        RoleRef ref;
        if (r.contains("id") && r["id"].is_string()) ref.id = r["id"].get<std::string>();
        if (r.contains("name") && r["name"].is_string()) ref.name = r["name"].get<std::string>();
        if (!ref.id && !ref.name) return invalid_field("roles", "each role needs an id or a name.");
        roles.push_back(std::move(ref));
      }
      out.roles = std::move(roles);
    } else if (key == "access_rules") {
      // Keystone's access rules limit a credential to listed API calls;
      // Stratus's services do not check them, so none may be asked for.
      if (value.is_null() || (value.is_array() && value.empty())) continue;
      return keystone_error(501, "The action you have requested has not been implemented. (access rules)");
    } else {
      return keystone_error(400, "Invalid input for field 'application_credential': Additional properties are not "
                                 "allowed ('" + key + "' was unexpected).");
    }
  }
  return out;
}

class Controller {
 public:
  Controller(TokenService& tokens, db::Database& db, std::string public_url)
      : tokens_(tokens), db_(db), public_url_(std::move(public_url)) {
    while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
  }

  std::string base(const ApiRequest& req) const { return public_url_.empty() ? req.base_url : public_url_; }

  json view(const ApiRequest& req, const db::ApplicationCredentialRecord& c) const {
    json roles = json::array();
    for (const auto& r : c.roles) roles.push_back({{"id", r.id}, {"name", r.name}, {"domain_id", nullptr}});
    return {{"id", c.id},
            {"name", c.name},
            {"description", c.description ? json(*c.description) : json(nullptr)},
            {"user_id", c.user_id},
            {"project_id", c.project_id},
            {"roles", roles},
            {"unrestricted", c.unrestricted},
            {"expires_at", c.expires_at ? json(*c.expires_at) : json(nullptr)},
            {"access_rules", json::array()},
            {"system", nullptr},
            {"links",
             {{"self", base(req) + "/identity/v3/users/" + c.user_id + "/application_credentials/" + c.id}}}};
  }

  // The caller if it is `owner` or (with `admin_too`) an admin, else the reply.
  std::variant<TokenInfo, ApiResponse> caller(const ApiRequest& req, const std::string& owner, const char* rule,
                                              bool admin_too) const {
    auto who = keystone_caller(req, tokens_, base(req));
    if (std::holds_alternative<ApiResponse>(who)) return who;
    const TokenInfo& me = std::get<TokenInfo>(who);
    if (me.user.id != owner && !(admin_too && token_is_admin(me))) {
      spdlog::info("{} identity: {} refused to user {}", req.request_id, rule, me.user.id);
      return keystone_forbidden(rule);
    }
    return who;
  }

  Result<ApiResponse> list(const ApiRequest& req) const {
    const std::string& user_id = req.path_params.at(0);
    auto who = caller(req, user_id, kRuleList, true);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    if (auto u = db::UserRepository(db_).get(user_id); !u.ok()) return u.status();
    auto creds = db::ApplicationCredentialRepository(db_).list(user_id, req.query_param("name"));
    if (!creds.ok()) return creds.status();
    json out = json::array();
    for (const auto& c : *creds) out.push_back(view(req, c));
    return ApiResponse{200,
                       {{"application_credentials", out},
                        {"links", collection_links(base(req), "/identity/v3/users/" + user_id +
                                                                  "/application_credentials")}},
                       {}};
  }

  Result<ApiResponse> create(const ApiRequest& req) const {
    const std::string& user_id = req.path_params.at(0);
    auto who = caller(req, user_id, kRuleCreate, false);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    const TokenInfo& me = std::get<TokenInfo>(who);
    if (from_restricted_credential(me, db_)) return restricted_refusal();
    auto parsed = parse_create(req.body);
    if (auto* r = std::get_if<ApiResponse>(&parsed)) return *r;
    auto created = ApplicationCredentials(db_).create(me, std::get<ApplicationCredentialRequest>(parsed));
    if (!created.ok()) {
      if (created.status().is(sdk::StatusCode::kAlreadyExists)) {
        return keystone_error(409, "Conflict occurred attempting to store application_credential - Duplicate entry.");
      }
      if (created.status().is(sdk::StatusCode::kInvalidArgument)) {
        return keystone_error(400, created.status().message());
      }
      return created.status();
    }
    spdlog::info("{} identity: application credential {} ({}) created by user {} on project {}{}", req.request_id,
                 created->record.name, created->record.id, user_id, created->record.project_id,
                 created->record.unrestricted ? " (unrestricted)" : "");
    json body = view(req, created->record);
    body["secret"] = created->secret;
    return ApiResponse{201, {{"application_credential", body}}, {}};
  }

  // The credential of the path, checked against `rule`, or the reply.
  std::variant<std::pair<TokenInfo, db::ApplicationCredentialRecord>, ApiResponse> target(const ApiRequest& req,
                                                                                          const char* rule) const {
    auto who = keystone_caller(req, tokens_, base(req));
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    const std::string& user_id = req.path_params.at(0);
    const std::string& id = req.path_params.at(1);
    auto cred = db::ApplicationCredentialRepository(db_).get(id);
    if (!cred.ok() || cred->user_id != user_id) {
      if (!cred.ok() && !cred.status().is(sdk::StatusCode::kNotFound)) {
        return keystone_error(500, cred.status().message());
      }
      // Another user's credential is not found under this user: say nothing
      // of it.
      const TokenInfo& me = std::get<TokenInfo>(who);
      if (me.user.id != user_id && !token_is_admin(me)) return keystone_forbidden(rule);
      return keystone_error(404, "Could not find Application Credential: " + id + ".");
    }
    auto checked = caller(req, cred->user_id, rule, true);
    if (auto* r = std::get_if<ApiResponse>(&checked)) return *r;
    return std::make_pair(std::move(std::get<TokenInfo>(checked)), std::move(*cred));
  }

  Result<ApiResponse> show(const ApiRequest& req) const {
    auto t = target(req, kRuleGet);
    if (auto* r = std::get_if<ApiResponse>(&t)) return *r;
    return ApiResponse{200, {{"application_credential", view(req, std::get<0>(t).second)}}, {}};
  }

  Result<ApiResponse> remove(const ApiRequest& req) const {
    auto t = target(req, kRuleDelete);
    if (auto* r = std::get_if<ApiResponse>(&t)) return *r;
    const auto& [me, cred] = std::get<0>(t);
    if (from_restricted_credential(me, db_)) return restricted_refusal();
    // Its tokens go with it (foreign key), as Keystone revokes them.
    if (auto s = db::ApplicationCredentialRepository(db_).remove(cred.id); !s.ok()) return s;
    spdlog::info("{} identity: application credential {} of user {} deleted by user {}", req.request_id, cred.id,
                 cred.user_id, me.user.id);
    return ApiResponse{204, nullptr, {}};
  }

 private:
  TokenService& tokens_;
  db::Database& db_;
  std::string public_url_;
};

}  // namespace

void add_application_credential_routes(api::ApiServer& server, TokenService& tokens, db::Database& db,
                                       const std::string& public_url) {
  auto c = std::make_shared<Controller>(tokens, db, public_url);
  auto bind = [&](const char* method, const std::string& pattern,
                  Result<ApiResponse> (Controller::*fn)(const ApiRequest&) const) {
    server.route(
        method, "/identity/v3/users/([^/]+)/application_credentials" + pattern,
        [c, fn](const ApiRequest& req) { return ((*c).*fn)(req); }, /*is_public=*/true, &keystone_error_body);
  };
  bind("GET", "", &Controller::list);
  bind("POST", "", &Controller::create);
  bind("GET", "/([^/]+)", &Controller::show);
  bind("DELETE", "/([^/]+)", &Controller::remove);
}

}  // namespace stratus::core::identity
