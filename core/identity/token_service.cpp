#include "core/identity/token_service.h"

#include <algorithm>

#include "core/db/role_repository.h"
#include "core/common/time_util.h"
#include "core/identity/identity_admin.h"
#include "core/identity/password_hash.h"
#include "core/identity/role_implications.h"
#include "core/identity/token_codec.h"

namespace stratus::core::identity {

using sdk::Result;
using sdk::Status;

const char* const kAuthenticationRequired = "The request you have made requires authentication.";

namespace {

Status unauthorized() { return Status::NotFound(kAuthenticationRequired); }

// Only the default domain exists: a reference to any other fails like an
// unknown user, without saying so.
bool in_default_domain(const NamedRef& ref) {
  if (ref.domain_id && *ref.domain_id != kDefaultDomainId) return false;
  if (ref.domain_name && *ref.domain_name != kDefaultDomainName) return false;
  return true;
}

// The roles plus the ones they imply: admin -> member -> reader.
std::vector<db::RoleRecord> with_implied(const std::vector<db::RoleRecord>& direct,
                                         const std::vector<db::RoleRecord>& all) {
  std::vector<std::string> names;
  for (const auto& r : direct) {
    names.push_back(r.name);
    for (auto& implied : roles_implied_by(r.name)) names.push_back(std::move(implied));
  }
  std::vector<db::RoleRecord> out;
  for (const auto& r : all) {
    if (std::find(names.begin(), names.end(), r.name) != names.end()) out.push_back(r);
  }
  return out;
}

}  // namespace

Result<db::UserRecord> TokenService::check_password(const NamedRef& ref, const std::string& password) {
  db::UserRepository users(db_);
  Result<db::UserRecord> user = unauthorized();
  if (in_default_domain(ref)) {
    if (ref.id) {
      user = users.get(*ref.id);
    } else if (ref.name && (ref.domain_id || ref.domain_name)) {
      user = users.find_by_name(*ref.name, kDefaultDomainId);
    }
  }
  if (!user.ok()) {
    if (!user.status().is(sdk::StatusCode::kNotFound)) return user.status();
    burn_password_check(password);
    return unauthorized();
  }
  // A user made without a password cannot log in; it costs the same work.
  if (user->password_hash.empty()) {
    burn_password_check(password);
    return unauthorized();
  }
  // Verify before looking at `enabled`, so a disabled user costs the same.
  if (!verify_password(user->password_hash, password) || !user->enabled) return unauthorized();
  return user;
}

Result<db::ProjectRecord> TokenService::resolve_scope(const db::UserRecord& user, const NamedRef& scope) {
  if (!scope.id && !scope.name) return Status::InvalidArgument("a project scope needs an id or a name");
  if (!scope.id && !scope.domain_id && !scope.domain_name) {
    return Status::InvalidArgument("a project scoped by name needs its domain (id or name)");
  }
  if (!in_default_domain(scope)) return unauthorized();
  db::ProjectRepository projects(db_);
  auto project = scope.id ? projects.get(*scope.id) : projects.find_by_name(*scope.name, kDefaultDomainId);
  if (!project.ok()) {
    return project.status().is(sdk::StatusCode::kNotFound) ? unauthorized() : project.status();
  }
  if (!project->enabled) return unauthorized();
  auto roles = db::RoleRepository(db_).roles_on(user.id, project->id);
  if (!roles.ok()) return roles.status();
  if (roles->empty()) return unauthorized();
  return project;
}

Result<IssuedToken> TokenService::issue(const db::UserRecord& user, const std::optional<db::ProjectRecord>& project,
                                        std::vector<std::string> methods,
                                        const std::optional<std::string>& expires_at) {
  db::RoleRepository role_repo(db_);
  db::TokenRecord rec;
  if (project) {
    auto direct = role_repo.roles_on(user.id, project->id);
    if (!direct.ok()) return direct.status();
    if (direct->empty()) return unauthorized();
    auto all = role_repo.list_roles();
    if (!all.ok()) return all.status();
    rec.roles = with_implied(*direct, *all);
    rec.project_id = project->id;
  }
  IssuedToken out;
  out.token = new_token();
  rec.id = token_hash(out.token);
  rec.user_id = user.id;
  rec.methods = std::move(methods);
  rec.audit_id = new_audit_id();
  rec.issued_at = common::utc_now();
  rec.expires_at = common::utc_from_now(options_.token_expiration);
  if (expires_at && *expires_at < rec.expires_at) rec.expires_at = *expires_at;
  if (auto s = db::TokenRepository(db_).insert(rec); !s.ok()) return s;
  // Expired rows serve no one: drop them now and then, not on every issue.
  if (rec.audit_id[0] == 'A') (void)db::TokenRepository(db_).purge_expired(common::utc_from_now(-3600));
  out.info = TokenInfo{std::move(rec), user, project};
  return out;
}

Result<IssuedToken> TokenService::issue_for(const std::string& user, const std::string& project) {
  IdentityAdmin admin(db_);
  auto u = admin.find_user(user);
  if (!u.ok()) return u.status();
  auto p = admin.find_project(project);
  if (!p.ok()) return p.status();
  return issue(*u, *p, {"password"});
}

Result<TokenInfo> TokenService::validate(const std::string& token) {
  if (!is_well_formed_token(token)) return unauthorized();
  auto rec = db::TokenRepository(db_).get(token_hash(token));
  if (!rec.ok()) return rec.status().is(sdk::StatusCode::kNotFound) ? unauthorized() : rec.status();
  if (rec->revoked || rec->expires_at <= common::utc_now()) return unauthorized();
  auto user = db::UserRepository(db_).get(rec->user_id);
  if (!user.ok()) return user.status().is(sdk::StatusCode::kNotFound) ? unauthorized() : user.status();
  if (!user->enabled) return unauthorized();
  TokenInfo info{std::move(*rec), std::move(*user), std::nullopt};
  if (info.record.project_id) {
    auto project = db::ProjectRepository(db_).get(*info.record.project_id);
    if (!project.ok()) return project.status().is(sdk::StatusCode::kNotFound) ? unauthorized() : project.status();
    if (!project->enabled) return unauthorized();
    info.project = std::move(*project);
  }
  return info;
}

Status TokenService::revoke(const std::string& token) {
  auto info = validate(token);
  if (!info.ok()) return info.status();
  return db::TokenRepository(db_).revoke(info->record.id);
}

}  // namespace stratus::core::identity
