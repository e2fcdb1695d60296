#include "core/identity/token_service.h"

#include <algorithm>

#include "core/db/domain_repository.h"
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

// The domain a reference names (by id, else by name), enabled; kNotFound
// (unauthorized) when it is unknown, disabled or does not match both.
Result<db::DomainRecord> named_domain(db::Database& db, const NamedRef& ref) {
  db::DomainRepository domains(db);
  Result<db::DomainRecord> d = ref.domain_id ? domains.get(*ref.domain_id)
                                             : domains.find_by_name(ref.domain_name.value_or(""));
  if (!d.ok()) return d.status().is(sdk::StatusCode::kNotFound) ? unauthorized() : d.status();
  if (ref.domain_name && d->name != *ref.domain_name) return unauthorized();
  if (!d->enabled) return unauthorized();
  return d;
}

// Whether the domain `id` exists and is enabled (Keystone: a disabled
// domain's users cannot log in and its projects cannot be scoped to).
Result<bool> domain_enabled(db::Database& db, const std::string& id) {
  auto d = db::DomainRepository(db).get(id);
  if (!d.ok()) return d.status().is(sdk::StatusCode::kNotFound) ? Result<bool>(false) : Result<bool>(d.status());
  return d->enabled;
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

Result<db::UserRecord> TokenService::find_user(const NamedRef& ref) {
  db::UserRepository users(db_);
  Result<db::UserRecord> user = unauthorized();
  if (ref.id) {
    user = users.get(*ref.id);
  } else if (ref.name && (ref.domain_id || ref.domain_name)) {
    auto domain = named_domain(db_, ref);
    if (!domain.ok()) return domain.status();
    user = users.find_by_name(*ref.name, domain->id);
  }
  if (!user.ok()) return user.status().is(sdk::StatusCode::kNotFound) ? unauthorized() : user.status();
  auto enabled = domain_enabled(db_, user->domain_id);
  if (!enabled.ok()) return enabled.status();
  if (!*enabled) return unauthorized();
  return user;
}

Result<db::UserRecord> TokenService::check_password(const NamedRef& ref, const std::string& password) {
  auto user = find_user(ref);
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
  db::ProjectRepository projects(db_);
  Result<db::ProjectRecord> project = unauthorized();
  if (scope.id) {
    project = projects.get(*scope.id);
  } else {
    auto domain = named_domain(db_, scope);
    if (!domain.ok()) return domain.status();
    project = projects.find_by_name(*scope.name, domain->id);
  }
  if (!project.ok()) {
    return project.status().is(sdk::StatusCode::kNotFound) ? unauthorized() : project.status();
  }
  if (!project->enabled) return unauthorized();
  auto enabled = domain_enabled(db_, project->domain_id);
  if (!enabled.ok()) return enabled.status();
  if (!*enabled) return unauthorized();
  auto roles = db::RoleRepository(db_).roles_on(user.id, project->id);
  if (!roles.ok()) return roles.status();
  if (roles->empty()) return unauthorized();
  return project;
}

Result<IssuedToken> TokenService::issue(const db::UserRecord& user, const std::optional<db::ProjectRecord>& project,
                                        std::vector<std::string> methods,
                                        const std::optional<std::string>& expires_at,
                                        const db::ApplicationCredentialRecord* through) {
  db::RoleRepository role_repo(db_);
  db::TokenRecord rec;
  if (through && (!project || project->id != through->project_id)) return unauthorized();
  if (project) {
    auto direct = role_repo.roles_on(user.id, project->id);
    if (!direct.ok()) return direct.status();
    if (direct->empty()) return unauthorized();
    auto all = role_repo.list_roles();
    if (!all.ok()) return all.status();
    rec.roles = with_implied(*direct, *all);
    rec.project_id = project->id;
  }
  if (through) {
    // What the credential grants and the user still holds: a role taken
    // from the user since is not given back through the credential.
    std::erase_if(rec.roles, [&](const db::RoleRecord& held) {
      return std::none_of(through->roles.begin(), through->roles.end(),
                          [&](const db::RoleRecord& granted) { return granted.id == held.id; });
    });
    if (rec.roles.empty()) return unauthorized();
    rec.application_credential_id = through->id;
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
  if (through && through->expires_at && *through->expires_at < rec.expires_at) rec.expires_at = *through->expires_at;
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
  // Disabling a domain revokes its tokens; this also covers a token issued
  // while the domain was being disabled.
  auto enabled = domain_enabled(db_, user->domain_id);
  if (!enabled.ok()) return enabled.status();
  if (!*enabled) return unauthorized();
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
