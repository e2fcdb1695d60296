#include "core/identity/application_credentials.h"

#include <algorithm>

#include "core/common/time_util.h"
#include "core/db/role_repository.h"
#include "core/identity/identity_admin.h"
#include "core/identity/password_hash.h"
#include "core/identity/role_implications.h"
#include "core/identity/token_codec.h"

namespace stratus::core::identity {

using sdk::Result;
using sdk::Status;

namespace {

Status invalid(const std::string& detail) { return Status::InvalidArgument(kInvalidApplicationCredential + detail); }

bool holds(const std::vector<db::RoleRecord>& roles, const std::string& id) {
  return std::any_of(roles.begin(), roles.end(), [&](const db::RoleRecord& r) { return r.id == id; });
}

}  // namespace

std::string new_application_credential_secret() { return random_urlsafe(64); }

Result<CreatedApplicationCredential> ApplicationCredentials::create(const TokenInfo& token,
                                                                    const ApplicationCredentialRequest& req) {
  if (!token.project) return invalid("a project-scoped token is needed to make one.");
  if (auto s = check_name("application credential name", req.name); !s.ok()) return s;
  db::RoleRepository role_repo(db_);
  std::vector<db::RoleRecord> roles;
  if (req.roles && !req.roles->empty()) {
    auto all = role_repo.list_roles();
    if (!all.ok()) return all.status();
    auto add = [&](const db::RoleRecord& r) {
      if (!holds(roles, r.id)) roles.push_back(r);
    };
    for (const auto& ref : *req.roles) {
      auto it = std::find_if(all->begin(), all->end(), [&](const db::RoleRecord& r) {
        return ref.id ? r.id == *ref.id : ref.name && r.name == *ref.name;
      });
      if (it == all->end()) return Status::NotFound("Could not find role: " + ref.id.value_or(ref.name.value_or("")) + ".");
      add(*it);
      // As Keystone: the roles a named role implies come with it.
      for (const auto& implied : roles_implied_by(it->name)) {
        auto imp = std::find_if(all->begin(), all->end(), [&](const db::RoleRecord& r) { return r.name == implied; });
        if (imp != all->end()) add(*imp);
      }
    }
    // Never more than the token carries: a credential cannot raise the
    // powers of whoever made it.
    for (const auto& r : roles) {
      if (!holds(token.record.roles, r.id)) return invalid("Cannot create an application credential with unassigned role");
    }
  } else {
    roles = token.record.roles;
  }
  if (roles.empty()) return invalid("the token carries no role to give it.");

  std::optional<std::string> expires_at;
  if (req.expires_at) {
    auto parsed = common::parse_timestamp(*req.expires_at);
    if (!parsed.ok()) return Status::InvalidArgument("Invalid input for field 'expires_at': " + parsed.status().message());
    if (*parsed <= common::utc_now()) return invalid("the expiration time " + *req.expires_at + " is in the past.");
    expires_at = *parsed;
  }
  CreatedApplicationCredential out;
  out.secret = req.secret ? *req.secret : new_application_credential_secret();
  auto hash = hash_password(out.secret);
  if (!hash.ok()) return Status::InvalidArgument("Invalid input for field 'secret': " + hash.status().message() + ".");
  db::ApplicationCredentialRecord rec;
  rec.id = new_hex_id();
  rec.name = req.name;
  rec.user_id = token.user.id;
  rec.project_id = token.project->id;
  rec.secret_hash = *hash;
  rec.description = req.description;
  rec.roles = std::move(roles);
  rec.unrestricted = req.unrestricted;
  rec.expires_at = expires_at;
  auto created = db::ApplicationCredentialRepository(db_).create(rec);
  if (!created.ok()) return created.status();
  out.record = std::move(*created);
  return out;
}

Result<db::ApplicationCredentialRecord> ApplicationCredentials::authenticate(const std::optional<std::string>& id,
                                                                           const std::optional<std::string>& name,
                                                                           const NamedRef& user,
                                                                           const std::string& secret) {
  db::ApplicationCredentialRepository creds(db_);
  Result<db::ApplicationCredentialRecord> cred = Status::NotFound(kAuthenticationRequired);
  if (id) {
    cred = creds.get(*id);
  } else if (name) {
    TokenService tokens(db_, {});
    auto owner = tokens.find_user(user);
    if (owner.ok()) cred = creds.find_by_name(owner->id, *name);
  }
  if (!cred.ok()) {
    if (!cred.status().is(sdk::StatusCode::kNotFound)) return cred.status();
    burn_password_check(secret);
    return Status::NotFound(kAuthenticationRequired);
  }
  // Verify before the other checks, so they cost the same.
  const bool secret_ok = verify_password(cred->secret_hash, secret);
  if (!secret_ok) return Status::NotFound(kAuthenticationRequired);
  if (cred->expires_at && *cred->expires_at <= common::utc_now()) return Status::NotFound(kAuthenticationRequired);
  // The owner must be enabled, in an enabled domain.
  NamedRef owner_ref;
  owner_ref.id = cred->user_id;
  auto owner = TokenService(db_, {}).find_user(owner_ref);
  if (!owner.ok()) return owner.status();
  if (!owner->enabled) return Status::NotFound(kAuthenticationRequired);
  return cred;
}

}  // namespace stratus::core::identity
