#include "core/identity/api/identity_resources_controller.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/db/domain_repository.h"
#include "core/db/project_repository.h"
#include "core/db/role_repository.h"
#include "core/db/token_repository.h"
#include "core/db/user_repository.h"
#include "core/identity/api/identity_controller.h"
#include "core/identity/api/identity_views.h"
#include "core/identity/api/keystone_reply.h"
#include "core/identity/identity_admin.h"
#include "core/identity/password_hash.h"
#include "core/identity/role_implications.h"
#include "core/identity/token_codec.h"

namespace stratus::core::identity {

namespace {

using api::ApiRequest;
using api::ApiResponse;
using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Keystone's policy rules these routes check (its defaults, with admin
// meaning a project token holding the admin role), for the lead to move into
// the central policy:
//   identity:list_domains, create/update/delete_domain   admin
//   identity:get_domain        admin, or a token scoped to a project in it
//   identity:list_projects, create/update/delete_project admin
//   identity:get_project       admin, or a token scoped to that project
//   identity:list_user_projects admin, or the user itself
//   identity:list_users, create/update/delete_user       admin
//   identity:get_user          admin, or the user itself
//   identity:list_roles, get_role, create/update/delete_role admin
//   identity:change_password   the user itself, proving the original password
//   identity:check_grant, list_grants, create_grant, revoke_grant admin
//   identity:list_role_assignments                        admin
constexpr const char* kRuleListDomains = "identity:list_domains";
constexpr const char* kRuleGetDomain = "identity:get_domain";
constexpr const char* kRuleCreateDomain = "identity:create_domain";
constexpr const char* kRuleUpdateDomain = "identity:update_domain";
constexpr const char* kRuleDeleteDomain = "identity:delete_domain";
constexpr const char* kRuleListProjects = "identity:list_projects";
constexpr const char* kRuleGetProject = "identity:get_project";
constexpr const char* kRuleCreateProject = "identity:create_project";
constexpr const char* kRuleUpdateProject = "identity:update_project";
constexpr const char* kRuleDeleteProject = "identity:delete_project";
constexpr const char* kRuleListUserProjects = "identity:list_user_projects";
constexpr const char* kRuleListUsers = "identity:list_users";
constexpr const char* kRuleGetUser = "identity:get_user";
constexpr const char* kRuleCreateUser = "identity:create_user";
constexpr const char* kRuleUpdateUser = "identity:update_user";
constexpr const char* kRuleDeleteUser = "identity:delete_user";
constexpr const char* kRuleListRoles = "identity:list_roles";
constexpr const char* kRuleGetRole = "identity:get_role";
constexpr const char* kRuleCreateRole = "identity:create_role";
constexpr const char* kRuleUpdateRole = "identity:update_role";
constexpr const char* kRuleDeleteRole = "identity:delete_role";
constexpr const char* kRuleCheckGrant = "identity:check_grant";
constexpr const char* kRuleListGrants = "identity:list_grants";
constexpr const char* kRuleCreateGrant = "identity:create_grant";
constexpr const char* kRuleRevokeGrant = "identity:revoke_grant";
constexpr const char* kRuleListRoleAssignments = "identity:list_role_assignments";

// Keystone's schema limits: project names 1-64 characters, user names 1-255.
constexpr std::size_t kProjectNameMax = 64;
constexpr std::size_t kUserNameMax = 255;

constexpr const char* kNotImplemented = "The action you have requested has not been implemented.";

ApiResponse bad_request(const std::string& message) { return keystone_error(400, message); }

ApiResponse invalid_field(const std::string& field, const std::string& why) {
  return bad_request("Invalid input for field '" + field + "': " + why);
}

ApiResponse conflict(const char* type, const std::string& name, const std::string& domain_id) {
  return keystone_error(409, std::string("Conflict occurred attempting to store ") + type +
                                 " - Duplicate entry found with name " + name + " at domain ID " + domain_id +
                                 ".");
}

ApiResponse domain_not_found(const std::string& id) { return keystone_error(404, "Could not find domain: " + id + "."); }

ApiResponse no_content() { return ApiResponse{204, nullptr, {}}; }

// Keystone's query booleans: "true"/"false" in any case, "1"/"0", "yes"/"no".
std::optional<bool> query_bool(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return std::nullopt;
}

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A name per Keystone's schema (a string of 1..max characters with a
// non-space) and Stratus's (no control characters); the refusal otherwise.
std::optional<ApiResponse> name_problem(const json& v, std::size_t max, const char* what) {
  if (!v.is_string()) return invalid_field("name", "expected a string.");
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty()) return invalid_field("name", "'' is too short.");
  if (s.size() > max) return invalid_field("name", "longer than " + std::to_string(max) + " characters.");
  if (auto st = check_name(what, s); !st.ok()) return invalid_field("name", st.message() + ".");
  return std::nullopt;
}

// Keystone's project tags: at most 80 unique strings of 1-255 characters
// without "," or "/".
std::optional<ApiResponse> tags_problem(const json& tags) {
  if (!tags.is_array()) return invalid_field("tags", "expected a list.");
  if (tags.size() > 80) return invalid_field("tags", "more than 80 tags.");
  std::set<std::string> seen;
  for (const auto& t : tags) {
    if (!t.is_string()) return invalid_field("tags", "expected a list of strings.");
    const auto& s = t.get_ref<const std::string&>();
    if (s.empty() || s.size() > 255) return invalid_field("tags", "a tag has 1 to 255 characters.");
    if (s.find_first_of(",/") != std::string::npos) return invalid_field("tags", "'" + s + "' contains ',' or '/'.");
    if (!seen.insert(s).second) return invalid_field("tags", "'" + s + "' is given twice.");
  }
  return std::nullopt;
}

// The filters of a list: name, domain_id, enabled (others are ignored, as
// Keystone ignores filters it does not know).
struct ListFilter {
  std::optional<std::string> name;
  std::optional<std::string> domain_id;
  std::optional<bool> enabled;

  bool matches(const std::string& n, const std::string& d, bool e) const {
    return (!name || *name == n) && (!domain_id || *domain_id == d) && (!enabled || *enabled == e);
  }
};

std::variant<ListFilter, ApiResponse> list_filter(const ApiRequest& req) {
  ListFilter f;
  f.name = req.query_param("name");
  f.domain_id = req.query_param("domain_id");
  if (auto e = req.query_param("enabled")) {
    f.enabled = query_bool(*e);
    if (!f.enabled) return invalid_field("enabled", "'" + *e + "' is not a boolean.");
  }
  return f;
}

// {"<key>": {...}} as the body, or the 400.
std::variant<json, ApiResponse> entity_body(const ApiRequest& req, const char* key) {
  if (!req.body.is_object() || !req.body.contains(key)) {
    return bad_request(std::string("Expecting to find ") + key + " in request body.");
  }
  const json& e = req.body[key];
  if (!e.is_object()) return invalid_field(key, "expected an object.");
  return e;
}

class ResourcesController {
 public:
  ResourcesController(TokenService& tokens, db::Database& db, std::string public_url)
      : tokens_(tokens), db_(db), public_url_(std::move(public_url)) {
    while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
  }

  std::string base(const ApiRequest& req) const { return public_url_.empty() ? req.base_url : public_url_; }

  // The caller when `allowed` says so, else the 401 or 403 to send.
  std::variant<TokenInfo, ApiResponse> authorize(const ApiRequest& req, const char* rule,
                                                 const std::function<bool(const TokenInfo&)>& allowed) const {
    auto who = keystone_caller(req, tokens_, base(req));
    if (std::holds_alternative<ApiResponse>(who)) return who;
    if (!allowed(std::get<TokenInfo>(who))) {
      spdlog::info("{} identity: {} refused to user {}", req.request_id, rule, std::get<TokenInfo>(who).user.id);
      return keystone_forbidden(rule);
    }
    return who;
  }

  std::variant<TokenInfo, ApiResponse> admin(const ApiRequest& req, const char* rule) const {
    return authorize(req, rule, token_is_admin);
  }

  // ---- domains

  Result<ApiResponse> list_domains(const ApiRequest& req) const {
    auto who = admin(req, kRuleListDomains);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto f = list_filter(req);
    if (auto* r = std::get_if<ApiResponse>(&f)) return *r;
    const ListFilter& filter = std::get<ListFilter>(f);
    auto domains = db::DomainRepository(db_).list();
    if (!domains.ok()) return domains.status();
    json out = json::array();
    for (const auto& d : *domains) {
      if (filter.matches(d.name, filter.domain_id.value_or(""), d.enabled)) out.push_back(domain_json(base(req), d));
    }
    return ApiResponse{200, {{"domains", out}, {"links", collection_links(base(req), "/identity/v3/domains")}}, {}};
  }

  Result<ApiResponse> get_domain(const ApiRequest& req) const {
    const std::string& id = req.path_params.at(0);
    // Keystone: an admin, or a token scoped to a project in the domain.
    auto who = authorize(req, kRuleGetDomain, [&](const TokenInfo& me) {
      return token_is_admin(me) || (me.project && me.project->domain_id == id);
    });
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto domain = db::DomainRepository(db_).get(id);
    if (!domain.ok()) return domain.status();  // "Could not find domain: <id>." 404
    return ApiResponse{200, {{"domain", domain_json(base(req), *domain)}}, {}};
  }

  // The fields projects and domains share: name, description, enabled,
  // options, tags. True when `key` is one of them; `bad` receives the
  // refusal of its value.
  static bool apply_shared_field(const std::string& key, const json& value, const char* what, std::string& name,
                                 std::string& description, bool& enabled, json& extra,
                                 std::optional<ApiResponse>& bad) {
    if (key == "name") {
      bad = name_problem(value, kProjectNameMax, what);
      if (!bad) name = trimmed(value.get<std::string>());
    } else if (key == "description") {
      if (!value.is_null() && !value.is_string()) {
        bad = invalid_field("description", "expected a string or null.");
      } else {
        description = value.is_null() ? "" : value.get<std::string>();
      }
    } else if (key == "enabled") {
      if (!value.is_boolean()) {
        bad = invalid_field("enabled", "expected a boolean.");
      } else {
        enabled = value.get<bool>();
      }
    } else if (key == "options") {
      if (!value.is_object()) {
        bad = invalid_field("options", "expected an object.");
      } else if (!value.empty()) {
        bad = invalid_field("options", "'" + value.begin().key() + "' is not a known option.");
      }
    } else if (key == "tags") {
      bad = tags_problem(value);
      if (!bad) extra["tags"] = value;
    } else {
      return false;
    }
    return true;
  }

  // Applies a create or update body to `d`, or the refusal.
  static std::optional<ApiResponse> apply_domain(const json& body, db::DomainRecord& d) {
    json extra = extra_object(d.extra);
    for (const auto& [key, value] : body.items()) {
      std::optional<ApiResponse> bad;
      if (apply_shared_field(key, value, "domain name", d.name, d.description, d.enabled, extra, bad)) {
        if (bad) return bad;
      } else if (key != "id" && key != "links") {
        extra[key] = value;  // Keystone keeps properties it does not model
      }
    }
    d.extra = extra.dump();
    return std::nullopt;
  }

  static ApiResponse domain_conflict(const std::string& name) {
    return keystone_error(409, "Conflict occurred attempting to store domain - Duplicate entry found with name " +
                                   name + ".");
  }

  Result<ApiResponse> create_domain(const ApiRequest& req) const {
    auto who = admin(req, kRuleCreateDomain);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "domain");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    if (!b.contains("name")) return invalid_field("domain", "'name' is a required property.");
    db::DomainRecord d;
    d.id = new_hex_id();
    if (auto bad = apply_domain(b, d)) return *bad;
    auto created = db::DomainRepository(db_).create(d);
    if (!created.ok()) {
      if (created.status().is(sdk::StatusCode::kAlreadyExists)) return domain_conflict(d.name);
      return created.status();
    }
    spdlog::info("{} identity: domain {} ({}) created by user {}", req.request_id, created->name, created->id,
                 std::get<TokenInfo>(who).user.id);
    return ApiResponse{201, {{"domain", domain_json(base(req), *created)}}, {}};
  }

  // The default domain holds the bootstrap admin and the service users:
  // disabling it would lock every operator out, so Stratus refuses (Keystone
  // would let an admin do it).
  static ApiResponse default_domain_stays() {
    return keystone_error(403, std::string("You are not authorized to perform the requested action: the domain ") +
                                   kDefaultDomainId +
                                   " holds the bootstrap admin and cannot be disabled or deleted.");
  }

  Result<ApiResponse> update_domain(const ApiRequest& req) const {
    auto who = admin(req, kRuleUpdateDomain);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "domain");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    const std::string& id = req.path_params.at(0);
    auto tx = db_.begin_write("update domain");
    if (!tx.ok()) return tx.status();
    auto current = db::DomainRepository(*tx).get(id);
    if (!current.ok()) return current.status();
    db::DomainRecord d = *current;
    if (auto bad = apply_domain(b, d)) return *bad;
    if (id == kDefaultDomainId && !d.enabled) return default_domain_stays();
    auto updated = db::DomainRepository(*tx).update(d);
    if (!updated.ok()) {
      if (updated.status().is(sdk::StatusCode::kAlreadyExists)) return domain_conflict(d.name);
      return updated.status();
    }
    // As Keystone: disabling a domain ends the tokens of its users and of
    // its projects; its users cannot log in until it is enabled again.
    if (current->enabled && !updated->enabled) {
      if (auto n = db::TokenRepository(*tx).revoke_for_domain(id); !n.ok()) return n.status();
    }
    if (auto s = tx->commit(); !s.ok()) return s;
    spdlog::info("{} identity: domain {} updated by user {}{}", req.request_id, id, std::get<TokenInfo>(who).user.id,
                 updated->enabled ? "" : " (disabled)");
    return ApiResponse{200, {{"domain", domain_json(base(req), *updated)}}, {}};
  }

  Result<ApiResponse> delete_domain(const ApiRequest& req) const {
    auto who = admin(req, kRuleDeleteDomain);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    const std::string& id = req.path_params.at(0);
    auto current = db::DomainRepository(db_).get(id);
    if (!current.ok()) return current.status();
    if (id == kDefaultDomainId) return default_domain_stays();
    // Keystone's guard against a mistaken delete: disable it first.
    if (current->enabled) {
      return keystone_error(403, "Cannot delete a domain that is enabled, please disable it first.");
    }
    // Its projects and users go with it; their servers and other resources
    // stay, as when a project is deleted.
    if (auto s = db::DomainRepository(db_).remove(id); !s.ok()) return s;
    spdlog::info("{} identity: domain {} ({}) deleted by user {}", req.request_id, current->name, id,
                 std::get<TokenInfo>(who).user.id);
    return no_content();
  }

  // kNotFound "Could not find domain: <id>." unless the domain exists (a
  // project or user is made in it).
  std::optional<ApiResponse> missing_domain(const std::string& id) const {
    auto d = db::DomainRepository(db_).get(id);
    if (d.ok()) return std::nullopt;
    if (d.status().is(sdk::StatusCode::kNotFound)) return domain_not_found(id);
    return keystone_error(500, d.status().message());
  }

  // ---- projects

  Result<ApiResponse> list_projects(const ApiRequest& req) const {
    auto who = admin(req, kRuleListProjects);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto f = list_filter(req);
    if (auto* r = std::get_if<ApiResponse>(&f)) return *r;
    auto projects = db::ProjectRepository(db_).list();
    if (!projects.ok()) return projects.status();
    return project_list(req, *projects, std::get<ListFilter>(f), "/identity/v3/projects");
  }

  ApiResponse project_list(const ApiRequest& req, const std::vector<db::ProjectRecord>& projects,
                           const ListFilter& filter, const std::string& path) const {
    json out = json::array();
    for (const auto& p : projects) {
      if (filter.matches(p.name, p.domain_id, p.enabled)) out.push_back(project_json(base(req), p));
    }
    return ApiResponse{200, {{"projects", out}, {"links", collection_links(base(req), path)}}, {}};
  }

  Result<ApiResponse> get_project(const ApiRequest& req) const {
    const std::string& id = req.path_params.at(0);
    auto who = authorize(req, kRuleGetProject, [&](const TokenInfo& me) {
      return token_is_admin(me) || (me.project && me.project->id == id);
    });
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto project = db::ProjectRepository(db_).get(id);
    if (!project.ok()) return project.status();  // "Could not find project: <id>." 404
    return ApiResponse{200, {{"project", project_json(base(req), *project)}}, {}};
  }

  // Applies the fields of a create or update body to `p`; the 400/404/501
  // refusal otherwise. `creating` decides what may change.
  static std::optional<ApiResponse> apply_project(const json& body, db::ProjectRecord& p, bool creating) {
    json extra = extra_object(p.extra);
    for (const auto& [key, value] : body.items()) {
      std::optional<ApiResponse> bad;
      if (apply_shared_field(key, value, "project name", p.name, p.description, p.enabled, extra, bad)) {
        if (bad) return bad;
      } else if (key == "domain_id") {
        if (!value.is_null() && !value.is_string()) return invalid_field("domain_id", "expected a string or null.");
        std::string d = value.is_null() ? p.domain_id : value.get<std::string>();
        if (!creating && d != p.domain_id) return bad_request("Cannot change Domain ID");
        p.domain_id = d;  // the caller checks it exists
      } else if (key == "parent_id") {
        if (!value.is_null() && !value.is_string()) return invalid_field("parent_id", "expected a string or null.");
        // Projects hang off the domain; a tree of projects is not modelled.
        if (!value.is_null() && value.get<std::string>() != p.domain_id) {
          if (!creating) return keystone_error(403, "Update of `parent_id` is not allowed.");
          return keystone_error(501, std::string(kNotImplemented) + " (projects under projects)");
        }
      } else if (key == "is_domain") {
        if (!value.is_boolean()) return invalid_field("is_domain", "expected a boolean.");
        if (value.get<bool>()) {
          if (!creating) return bad_request("Update of `is_domain` is not allowed.");
          return keystone_error(501, std::string(kNotImplemented) + " (projects acting as domains)");
        }
      } else if (key == "id" || key == "links") {
        // Keystone picks the id and makes the links.
      } else {
        extra[key] = value;  // Keystone keeps properties it does not model
      }
    }
    p.extra = extra.dump();
    return std::nullopt;
  }

  Result<ApiResponse> create_project(const ApiRequest& req) const {
    auto who = admin(req, kRuleCreateProject);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "project");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    if (!b.contains("name")) return invalid_field("project", "'name' is a required property.");
    db::ProjectRecord p;
    p.id = new_hex_id();
    // Keystone: without a domain_id, the domain of the caller's project.
    const TokenInfo& me = std::get<TokenInfo>(who);
    if (me.project) p.domain_id = me.project->domain_id;
    if (auto bad = apply_project(b, p, /*creating=*/true)) return *bad;
    if (auto bad = missing_domain(p.domain_id)) return *bad;
    auto created = db::ProjectRepository(db_).create(p);
    if (!created.ok()) {
      if (created.status().is(sdk::StatusCode::kAlreadyExists)) return conflict("project", p.name, p.domain_id);
      return created.status();
    }
    spdlog::info("{} identity: project {} ({}) created by user {}", req.request_id, created->name, created->id,
                 std::get<TokenInfo>(who).user.id);
    return ApiResponse{201, {{"project", project_json(base(req), *created)}}, {}};
  }

  Result<ApiResponse> update_project(const ApiRequest& req) const {
    auto who = admin(req, kRuleUpdateProject);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "project");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    if (b.empty()) return invalid_field("project", "{} does not have enough properties.");
    const std::string& id = req.path_params.at(0);
    auto tx = db_.begin_write("update project");
    if (!tx.ok()) return tx.status();
    auto current = db::ProjectRepository(*tx).get(id);
    if (!current.ok()) return current.status();
    db::ProjectRecord p = *current;
    if (auto bad = apply_project(b, p, /*creating=*/false)) return *bad;
    auto updated = db::ProjectRepository(*tx).update(p);
    if (!updated.ok()) {
      if (updated.status().is(sdk::StatusCode::kAlreadyExists)) return conflict("project", p.name, p.domain_id);
      return updated.status();
    }
    // Keystone revokes a disabled project's tokens: enabling it again does
    // not bring them back.
    if (current->enabled && !updated->enabled) {
      if (auto n = db::TokenRepository(*tx).revoke_for_project(id); !n.ok()) return n.status();
    }
    if (auto s = tx->commit(); !s.ok()) return s;
    spdlog::info("{} identity: project {} updated by user {}", req.request_id, id, std::get<TokenInfo>(who).user.id);
    return ApiResponse{200, {{"project", project_json(base(req), *updated)}}, {}};
  }

  Result<ApiResponse> delete_project(const ApiRequest& req) const {
    auto who = admin(req, kRuleDeleteProject);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    const std::string& id = req.path_params.at(0);
    // Its role assignments and the tokens scoped to it go with it (foreign
    // keys); its servers, key pairs, ports and quotas stay, as with Keystone.
    if (auto s = db::ProjectRepository(db_).remove(id); !s.ok()) return s;
    spdlog::info("{} identity: project {} deleted by user {}", req.request_id, id, std::get<TokenInfo>(who).user.id);
    return no_content();
  }

  Result<ApiResponse> list_user_projects(const ApiRequest& req) const {
    const std::string& user_id = req.path_params.at(0);
    auto who = authorize(req, kRuleListUserProjects,
                         [&](const TokenInfo& me) { return token_is_admin(me) || me.user.id == user_id; });
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto f = list_filter(req);
    if (auto* r = std::get_if<ApiResponse>(&f)) return *r;
    if (auto u = db::UserRepository(db_).get(user_id); !u.ok()) return u.status();
    auto projects = db::RoleRepository(db_).projects_of(user_id);
    if (!projects.ok()) return projects.status();
    return project_list(req, *projects, std::get<ListFilter>(f), "/identity/v3/users/" + user_id + "/projects");
  }

  // ---- users

  Result<ApiResponse> list_users(const ApiRequest& req) const {
    auto who = admin(req, kRuleListUsers);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto f = list_filter(req);
    if (auto* r = std::get_if<ApiResponse>(&f)) return *r;
    const ListFilter& filter = std::get<ListFilter>(f);
    auto users = db::UserRepository(db_).list();
    if (!users.ok()) return users.status();
    json out = json::array();
    for (const auto& u : *users) {
      if (filter.matches(u.name, u.domain_id, u.enabled)) out.push_back(user_json(base(req), u));
    }
    return ApiResponse{200, {{"users", out}, {"links", collection_links(base(req), "/identity/v3/users")}}, {}};
  }

  Result<ApiResponse> get_user(const ApiRequest& req) const {
    const std::string& id = req.path_params.at(0);
    auto who =
        authorize(req, kRuleGetUser, [&](const TokenInfo& me) { return token_is_admin(me) || me.user.id == id; });
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto user = db::UserRepository(db_).get(id);
    if (!user.ok()) return user.status();  // "Could not find user: <id>." 404
    return ApiResponse{200, {{"user", user_json(base(req), *user)}}, {}};
  }

  // Applies a create or update body to `u`; `password` receives a new
  // password (hashed by the caller, after the checks). The refusal otherwise.
  static std::optional<ApiResponse> apply_user(const json& body, db::UserRecord& u, bool creating,
                                               std::optional<std::string>& password) {
    json extra = extra_object(u.extra);
    for (const auto& [key, value] : body.items()) {
      if (key == "name") {
        if (auto bad = name_problem(value, kUserNameMax, "user name")) return bad;
        u.name = value.get<std::string>();
      } else if (key == "password") {
        if (value.is_null()) continue;  // no password: this user cannot log in
        if (!value.is_string()) return invalid_field("password", "expected a string or null.");
        password = value.get<std::string>();
        if (password->empty()) return invalid_field("password", "the password is empty.");
      } else if (key == "enabled") {
        if (!value.is_boolean()) return invalid_field("enabled", "expected a boolean.");
        u.enabled = value.get<bool>();
      } else if (key == "default_project_id") {
        if (!value.is_null() && !value.is_string()) {
          return invalid_field("default_project_id", "expected a string or null.");
        }
        if (value.is_null()) {
          u.default_project_id.reset();
        } else {
          if (value.get<std::string>() == kDefaultDomainId) {
            return bad_request(std::string("User's default project ID cannot be a domain ID: ") + kDefaultDomainId);
          }
          u.default_project_id = value.get<std::string>();
        }
      } else if (key == "domain_id") {
        if (!value.is_string()) return invalid_field("domain_id", "expected a string.");
        if (!creating && value.get<std::string>() != u.domain_id) return bad_request("Cannot change Domain ID");
        u.domain_id = value.get<std::string>();  // the caller checks it exists
      } else if (key == "options") {
        if (!value.is_object()) return invalid_field("options", "expected an object.");
        if (!value.empty()) return invalid_field("options", "'" + value.begin().key() + "' is not a known option.");
      } else if (key == "federated") {
        return keystone_error(501, std::string(kNotImplemented) + " (federated users)");
      } else if (key == "id" || key == "links" || key == "password_expires_at") {
        // Keystone's to set.
      } else {
        extra[key] = value;  // email, description and whatever else a client keeps
      }
    }
    u.extra = extra.dump();
    return std::nullopt;
  }

  Result<ApiResponse> create_user(const ApiRequest& req) const {
    auto who = admin(req, kRuleCreateUser);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "user");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    if (!b.contains("name")) return invalid_field("user", "'name' is a required property.");
    db::UserRecord u;
    u.id = new_hex_id();
    std::optional<std::string> password;
    const TokenInfo& me = std::get<TokenInfo>(who);
    if (me.project) u.domain_id = me.project->domain_id;
    if (auto bad = apply_user(b, u, /*creating=*/true, password)) return *bad;
    if (auto bad = missing_domain(u.domain_id)) return *bad;
    if (password) {
      auto hash = hash_password(*password);
      if (!hash.ok()) return invalid_field("password", hash.status().message() + ".");
      u.password_hash = *hash;
    }
    auto created = db::UserRepository(db_).create(u);
    if (!created.ok()) {
      if (created.status().is(sdk::StatusCode::kAlreadyExists)) return conflict("user", u.name, u.domain_id);
      return created.status();
    }
    spdlog::info("{} identity: user {} ({}) created by user {}", req.request_id, created->name, created->id,
                 std::get<TokenInfo>(who).user.id);
    return ApiResponse{201, {{"user", user_json(base(req), *created)}}, {}};
  }

  Result<ApiResponse> update_user(const ApiRequest& req) const {
    auto who = admin(req, kRuleUpdateUser);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "user");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    if (b.empty()) return invalid_field("user", "{} does not have enough properties.");
    const std::string& id = req.path_params.at(0);
    auto current = db::UserRepository(db_).get(id);
    if (!current.ok()) return current.status();
    db::UserRecord u = *current;
    std::optional<std::string> password;
    if (auto bad = apply_user(b, u, /*creating=*/false, password)) return *bad;
    // Hash outside the write transaction: it takes tens of milliseconds.
    if (password) {
      auto hash = hash_password(*password);
      if (!hash.ok()) return invalid_field("password", hash.status().message() + ".");
      u.password_hash = *hash;
    }
    auto tx = db_.begin_write("update user");
    if (!tx.ok()) return tx.status();
    // Apply the body again to the row as it is under the write lock, so a
    // concurrent update is not overwritten with what was read before.
    current = db::UserRepository(*tx).get(id);
    if (!current.ok()) return current.status();
    const std::string password_hash = u.password_hash;
    u = *current;
    std::optional<std::string> again;
    if (auto bad = apply_user(b, u, /*creating=*/false, again)) return *bad;
    if (password) u.password_hash = password_hash;
    auto updated = db::UserRepository(*tx).update(u);
    if (!updated.ok()) {
      if (updated.status().is(sdk::StatusCode::kAlreadyExists)) return conflict("user", u.name, u.domain_id);
      return updated.status();
    }
    // As Keystone: disabling a user or setting its password ends its tokens.
    if ((current->enabled && !updated->enabled) || password) {
      if (auto n = db::TokenRepository(*tx).revoke_for_user(id); !n.ok()) return n.status();
    }
    if (auto s = tx->commit(); !s.ok()) return s;
    spdlog::info("{} identity: user {} updated by user {}{}", req.request_id, id, std::get<TokenInfo>(who).user.id,
                 password ? " (password changed)" : "");
    return ApiResponse{200, {{"user", user_json(base(req), *updated)}}, {}};
  }

  Result<ApiResponse> delete_user(const ApiRequest& req) const {
    auto who = admin(req, kRuleDeleteUser);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    const std::string& id = req.path_params.at(0);
    // Its role assignments and tokens go with it (foreign keys); what it
    // made in projects (servers, ports) belongs to the projects and stays.
    if (auto s = db::UserRepository(db_).remove(id); !s.ok()) return s;
    spdlog::info("{} identity: user {} deleted by user {}", req.request_id, id, std::get<TokenInfo>(who).user.id);
    return no_content();
  }

  // ---- roles

  Result<ApiResponse> list_roles(const ApiRequest& req) const {
    auto who = admin(req, kRuleListRoles);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto roles = db::RoleRepository(db_).list_roles();
    if (!roles.ok()) return roles.status();
    const auto name = req.query_param("name");
    // Roles are global: a domain-specific role list is empty.
    const auto domain = req.query_param("domain_id");
    json out = json::array();
    for (const auto& r : *roles) {
      if ((!name || *name == r.name) && !domain) out.push_back(role_json(base(req), r));
    }
    return ApiResponse{200, {{"roles", out}, {"links", collection_links(base(req), "/identity/v3/roles")}}, {}};
  }

  Result<ApiResponse> get_role(const ApiRequest& req) const {
    auto who = admin(req, kRuleGetRole);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto role = db::RoleRepository(db_).get_role(req.path_params.at(0));
    if (!role.ok()) return role.status();  // "Could not find role: <id>." 404
    return ApiResponse{200, {{"role", role_json(base(req), *role)}}, {}};
  }

  // {"role": {"name", "description"}} applied to `r`, or the refusal.
  static std::optional<ApiResponse> apply_role(const json& body, db::RoleRecord& r) {
    for (const auto& [key, value] : body.items()) {
      if (key == "name") {
        if (auto bad = name_problem(value, kUserNameMax, "role name")) return bad;
        r.name = value.get<std::string>();
      } else if (key == "description") {
        if (!value.is_null() && !value.is_string()) return invalid_field("description", "expected a string or null.");
        r.description = value.is_null() ? std::nullopt : std::optional<std::string>(value.get<std::string>());
      } else if (key == "domain_id") {
        if (!value.is_null()) return keystone_error(501, std::string(kNotImplemented) + " (domain-specific roles)");
      } else if (key == "options") {
        if (!value.is_object()) return invalid_field("options", "expected an object.");
        if (!value.empty()) return invalid_field("options", "'" + value.begin().key() + "' is not a known option.");
      } else if (key != "id" && key != "links") {
        return invalid_field("role", "'" + key + "' is not a role property.");
      }
    }
    return std::nullopt;
  }

  static ApiResponse immutable_role(const char* what, const db::RoleRecord& r) {
    return keystone_error(403, std::string("Unable to ") + what + " immutable role resource: `" + r.id +
                                   "`. Stratus's policy names the role " + r.name + ".");
  }

  Result<ApiResponse> create_role(const ApiRequest& req) const {
    auto who = admin(req, kRuleCreateRole);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "role");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    if (!b.contains("name")) return invalid_field("role", "'name' is a required property.");
    db::RoleRecord role{new_hex_id(), "", std::nullopt};
    if (auto bad = apply_role(b, role)) return *bad;
    auto created = db::RoleRepository(db_).create_role(role);
    if (!created.ok()) {
      if (created.status().is(sdk::StatusCode::kAlreadyExists)) {
        return keystone_error(409, "Conflict occurred attempting to store role - Duplicate entry found with name " +
                                       role.name + ".");
      }
      return created.status();
    }
    spdlog::info("{} identity: role {} ({}) created by user {}", req.request_id, created->name, created->id,
                 std::get<TokenInfo>(who).user.id);
    return ApiResponse{201, {{"role", role_json(base(req), *created)}}, {}};
  }

  Result<ApiResponse> update_role(const ApiRequest& req) const {
    auto who = admin(req, kRuleUpdateRole);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto body = entity_body(req, "role");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    auto current = db::RoleRepository(db_).get_role(req.path_params.at(0));
    if (!current.ok()) return current.status();
    if (role_is_immutable(*current)) return immutable_role("update", *current);
    db::RoleRecord role = *current;
    if (auto bad = apply_role(std::get<json>(body), role)) return *bad;
    if (role_is_immutable(role)) {  // taking a built-in name would give its powers
      return keystone_error(409, "Conflict occurred attempting to store role - Duplicate entry found with name " +
                                     role.name + ".");
    }
    auto updated = db::RoleRepository(db_).update_role(role);
    if (!updated.ok()) {
      if (updated.status().is(sdk::StatusCode::kAlreadyExists)) {
        return keystone_error(409, "Conflict occurred attempting to store role - Duplicate entry found with name " +
                                       role.name + ".");
      }
      return updated.status();
    }
    return ApiResponse{200, {{"role", role_json(base(req), *updated)}}, {}};
  }

  Result<ApiResponse> delete_role(const ApiRequest& req) const {
    auto who = admin(req, kRuleDeleteRole);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    auto current = db::RoleRepository(db_).get_role(req.path_params.at(0));
    if (!current.ok()) return current.status();
    if (role_is_immutable(*current)) return immutable_role("delete", *current);
    // Its assignments go with it (foreign key). A role of the API's own
    // grants nothing in Stratus's policy, so tokens that carry it keep no
    // power through it.
    if (auto s = db::RoleRepository(db_).delete_role(current->id); !s.ok()) return s;
    spdlog::info("{} identity: role {} ({}) deleted by user {}", req.request_id, current->name, current->id,
                 std::get<TokenInfo>(who).user.id);
    return no_content();
  }

  // POST /users/{id}/password {"user": {"original_password", "password"}}:
  // a user changes its own password, proving the old one (Keystone asks no
  // token for this; a wrong original password is 401). Its tokens end.
  Result<ApiResponse> change_password(const ApiRequest& req) const {
    const std::string& id = req.path_params.at(0);
    auto body = entity_body(req, "user");
    if (auto* r = std::get_if<ApiResponse>(&body)) return *r;
    const json& b = std::get<json>(body);
    for (const char* field : {"original_password", "password"}) {
      if (!b.contains(field)) return invalid_field("user", std::string("'") + field + "' is a required property.");
      if (!b[field].is_string()) return invalid_field(field, "expected a string.");
    }
    NamedRef ref;
    ref.id = id;
    auto user = tokens_.check_password(ref, b["original_password"].get<std::string>());
    if (!user.ok()) {
      if (!user.status().is(sdk::StatusCode::kNotFound)) return user.status();
      spdlog::info("{} identity: password change for user {} refused", req.request_id, id);
      return keystone_unauthorized(base(req));
    }
    auto hash = hash_password(b["password"].get<std::string>());
    if (!hash.ok()) return invalid_field("password", hash.status().message() + ".");
    auto tx = db_.begin_write("change password");
    if (!tx.ok()) return tx.status();
    if (auto s = db::UserRepository(*tx).set_password_hash(id, *hash); !s.ok()) return s;
    if (auto n = db::TokenRepository(*tx).revoke_for_user(id); !n.ok()) return n.status();
    if (auto s = tx->commit(); !s.ok()) return s;
    spdlog::info("{} identity: user {} changed its password", req.request_id, id);
    return no_content();
  }

  // ---- grants: /projects/{p}/users/{u}/roles[/{r}]

  // The project, user and (if named) role of a grant route exist, or the 404.
  std::optional<Status> grant_targets_missing(const ApiRequest& req, bool with_role) const {
    if (auto p = db::ProjectRepository(db_).get(req.path_params.at(0)); !p.ok()) return p.status();
    if (auto u = db::UserRepository(db_).get(req.path_params.at(1)); !u.ok()) return u.status();
    if (with_role) {
      if (auto r = db::RoleRepository(db_).get_role(req.path_params.at(2)); !r.ok()) return r.status();
    }
    return std::nullopt;
  }

  static ApiResponse assignment_not_found(const ApiRequest& req) {
    return keystone_error(404, "Could not find role assignment with role: " + req.path_params.at(2) +
                                   ", user or group: " + req.path_params.at(1) +
                                   ", project, domain, or system: " + req.path_params.at(0) + ".");
  }

  Result<ApiResponse> list_grants(const ApiRequest& req) const {
    auto who = admin(req, kRuleListGrants);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    if (auto missing = grant_targets_missing(req, false)) return *missing;
    auto roles = db::RoleRepository(db_).roles_on(req.path_params.at(1), req.path_params.at(0));
    if (!roles.ok()) return roles.status();
    json out = json::array();
    for (const auto& r : *roles) out.push_back(role_json(base(req), r));
    return ApiResponse{200,
                       {{"roles", out},
                        {"links", collection_links(base(req), "/identity/v3/projects/" + req.path_params.at(0) +
                                                                  "/users/" + req.path_params.at(1) + "/roles")}},
                       {}};
  }

  Result<ApiResponse> check_grant(const ApiRequest& req) const {
    auto who = admin(req, kRuleCheckGrant);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    if (auto missing = grant_targets_missing(req, true)) return *missing;
    auto roles = db::RoleRepository(db_).roles_on(req.path_params.at(1), req.path_params.at(0));
    if (!roles.ok()) return roles.status();
    bool held = std::any_of(roles->begin(), roles->end(),
                            [&](const db::RoleRecord& r) { return r.id == req.path_params.at(2); });
    return held ? no_content() : assignment_not_found(req);
  }

  Result<ApiResponse> create_grant(const ApiRequest& req) const {
    auto who = admin(req, kRuleCreateGrant);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    if (auto missing = grant_targets_missing(req, true)) return *missing;
    const auto& p = req.path_params;
    if (auto s = db::RoleRepository(db_).assign(p.at(1), p.at(0), p.at(2)); !s.ok()) return s;
    spdlog::info("{} identity: role {} granted to user {} on project {} by user {}", req.request_id, p.at(2), p.at(1),
                 p.at(0), std::get<TokenInfo>(who).user.id);
    return no_content();
  }

  Result<ApiResponse> revoke_grant(const ApiRequest& req) const {
    auto who = admin(req, kRuleRevokeGrant);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    if (auto missing = grant_targets_missing(req, true)) return *missing;
    const auto& p = req.path_params;
    auto tx = db_.begin_write("revoke grant");
    if (!tx.ok()) return tx.status();
    auto s = db::RoleRepository(*tx).unassign(p.at(1), p.at(0), p.at(2));
    if (s.is(sdk::StatusCode::kNotFound)) return assignment_not_found(req);
    if (!s.ok()) return s;
    // A token carries the roles it was issued with: end the user's tokens on
    // the project, as Keystone's revocation on a removed grant does.
    if (auto n = db::TokenRepository(*tx).revoke_for_user(p.at(1), p.at(0)); !n.ok()) return n.status();
    if (auto c = tx->commit(); !c.ok()) return c;
    spdlog::info("{} identity: role {} revoked from user {} on project {} by user {}", req.request_id, p.at(2),
                 p.at(1), p.at(0), std::get<TokenInfo>(who).user.id);
    return no_content();
  }

  // ---- GET /role_assignments

  Result<ApiResponse> list_role_assignments(const ApiRequest& req) const {
    auto who = admin(req, kRuleListRoleAssignments);
    if (auto* r = std::get_if<ApiResponse>(&who)) return *r;
    const auto user_id = req.query_param("user.id");
    const auto project_id = req.query_param("scope.project.id");
    const auto role_id = req.query_param("role.id");
    const bool include_names = req.query_param("include_names") && query_bool(*req.query_param("include_names")) != false;
    const bool effective = req.query.count("effective") > 0 && query_bool(*req.query_param("effective")) != false;
    const std::string base_url = base(req);
    const std::string path = "/identity/v3/role_assignments";
    json out = json::array();
    // Assignments are only of users on projects: filters on groups, domains
    // or the system match none.
    if (req.query_param("group.id") || req.query_param("scope.domain.id") || req.query_param("scope.system")) {
      return ApiResponse{200, {{"role_assignments", out}, {"links", collection_links(base_url, path)}}, {}};
    }
    auto rows = db::RoleRepository(db_).assignments(user_id, project_id);
    if (!rows.ok()) return rows.status();
    std::vector<db::RoleRecord> all_roles;
    if (effective) {
      auto roles = db::RoleRepository(db_).list_roles();
      if (!roles.ok()) return roles.status();
      all_roles = std::move(*roles);
    }
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    auto emit = [&](const db::RoleAssignmentRecord& a, const db::RoleRecord& role,
                    const std::optional<db::RoleRecord>& prior) {
      if (role_id && *role_id != role.id) return;
      if (!seen.insert({a.user_id, a.project_id, role.id}).second) return;
      json entry = {{"role", {{"id", role.id}}},
                    {"user", {{"id", a.user_id}}},
                    {"scope", {{"project", {{"id", a.project_id}}}}}};
      const auto& granted_id = prior ? prior->id : role.id;
      entry["links"] = {{"assignment", base_url + "/identity/v3/projects/" + a.project_id + "/users/" + a.user_id +
                                           "/roles/" + granted_id}};
      if (prior) entry["links"]["prior_role"] = base_url + "/identity/v3/roles/" + prior->id;
      if (include_names) {
        entry["role"]["name"] = role.name;
        entry["user"]["name"] = a.user_name;
        entry["user"]["domain"] = domain_ref_json(db_, a.user_domain_id);
        entry["scope"]["project"]["name"] = a.project_name;
        entry["scope"]["project"]["domain"] = domain_ref_json(db_, a.project_domain_id);
      }
      out.push_back(std::move(entry));
    };
    // Direct grants first, so an implied role also held directly is listed
    // once, as the direct grant.
    for (const auto& a : *rows) emit(a, {a.role_id, a.role_name, std::nullopt}, std::nullopt);
    if (effective) {
      for (const auto& a : *rows) {
        for (const auto& implied_name : roles_implied_by(a.role_name)) {
          auto it = std::find_if(all_roles.begin(), all_roles.end(),
                                 [&](const db::RoleRecord& r) { return r.name == implied_name; });
          if (it != all_roles.end()) emit(a, *it, db::RoleRecord{a.role_id, a.role_name, std::nullopt});
        }
      }
    }
    return ApiResponse{200, {{"role_assignments", out}, {"links", collection_links(base_url, path)}}, {}};
  }

 private:
  TokenService& tokens_;
  db::Database& db_;
  std::string public_url_;
};

}  // namespace

void add_identity_resource_routes(api::ApiServer& server, TokenService& tokens, db::Database& db,
                                  const std::string& public_url) {
  auto c = std::make_shared<ResourcesController>(tokens, db, public_url);
  auto bind = [&](const char* method, const std::string& pattern,
                  Result<ApiResponse> (ResourcesController::*fn)(const ApiRequest&) const) {
    server.route(
        method, "/identity/v3" + pattern, [c, fn](const ApiRequest& req) { return ((*c).*fn)(req); },
        /*is_public=*/true, &keystone_error_body);
  };
  const std::string id = "([^/]+)";
  bind("GET", "/domains", &ResourcesController::list_domains);
  bind("POST", "/domains", &ResourcesController::create_domain);
  bind("GET", "/domains/" + id, &ResourcesController::get_domain);
  bind("PATCH", "/domains/" + id, &ResourcesController::update_domain);
  bind("DELETE", "/domains/" + id, &ResourcesController::delete_domain);

  bind("GET", "/projects", &ResourcesController::list_projects);
  bind("POST", "/projects", &ResourcesController::create_project);
  bind("GET", "/projects/" + id, &ResourcesController::get_project);
  bind("PATCH", "/projects/" + id, &ResourcesController::update_project);
  bind("DELETE", "/projects/" + id, &ResourcesController::delete_project);

  bind("GET", "/users", &ResourcesController::list_users);
  bind("POST", "/users", &ResourcesController::create_user);
  bind("GET", "/users/" + id, &ResourcesController::get_user);
  bind("PATCH", "/users/" + id, &ResourcesController::update_user);
  bind("DELETE", "/users/" + id, &ResourcesController::delete_user);
  bind("GET", "/users/" + id + "/projects", &ResourcesController::list_user_projects);

  bind("GET", "/roles", &ResourcesController::list_roles);
  bind("POST", "/roles", &ResourcesController::create_role);
  bind("GET", "/roles/" + id, &ResourcesController::get_role);
  bind("PATCH", "/roles/" + id, &ResourcesController::update_role);
  bind("DELETE", "/roles/" + id, &ResourcesController::delete_role);
  bind("POST", "/users/" + id + "/password", &ResourcesController::change_password);

  // cpp-httplib answers HEAD with the GET route, without the body.
  bind("GET", "/projects/" + id + "/users/" + id + "/roles", &ResourcesController::list_grants);
  bind("GET", "/projects/" + id + "/users/" + id + "/roles/" + id, &ResourcesController::check_grant);
  bind("PUT", "/projects/" + id + "/users/" + id + "/roles/" + id, &ResourcesController::create_grant);
  bind("DELETE", "/projects/" + id + "/users/" + id + "/roles/" + id, &ResourcesController::revoke_grant);

  bind("GET", "/role_assignments", &ResourcesController::list_role_assignments);
}

}  // namespace stratus::core::identity
