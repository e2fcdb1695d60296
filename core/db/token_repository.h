// TokenRepository: issued identity tokens, keyed by the token's SHA-256 (hex)
// so that a copy of the database gives no usable token. A row keeps what the
// token was issued with (scope, roles, methods), so a later role change
// affects new tokens only, as with Keystone's fernet tokens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "core/db/role_repository.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct TokenRecord {
  std::string id;                         // SHA-256 of the token, hex
  std::string user_id;
  std::optional<std::string> project_id;  // nullopt: unscoped
  std::vector<RoleRecord> roles;          // effective roles at issue (implied ones included)
  std::vector<std::string> methods;       // "password", "token", "application_credential"
  std::string audit_id;
  std::string issued_at;                  // time_util.h's stored form
  std::string expires_at;
  bool revoked = false;
  // The application credential it was issued through (its restrictions
  // follow the token); the token goes when the credential is deleted.
  std::optional<std::string> application_credential_id;
};

class TokenRepository {
 public:
  explicit TokenRepository(Scope db) : db_(db) {}

  // kInvalidArgument when the user or project does not exist.
  sdk::Status insert(const TokenRecord& record);
  // kNotFound when no token has that hash (expired or revoked ones are
  // returned: the caller decides).
  sdk::Result<TokenRecord> get(const std::string& id);
  // Marks it revoked; kNotFound when no token has that hash.
  sdk::Status revoke(const std::string& id);
  // Revokes every token of `user_id` (any scope) or, with `project_id`,
  // those of the user scoped to that project; returns how many changed.
  // Keystone revokes so when a user is disabled or its password changes, or
  // a role on a project is removed.
  sdk::Result<std::int64_t> revoke_for_user(const std::string& user_id,
                                            const std::optional<std::string>& project_id = std::nullopt);
  // Revokes every token of the domain's users or scoped to its projects
  // (the domain was disabled).
  sdk::Result<std::int64_t> revoke_for_domain(const std::string& domain_id);
  // Revokes every token scoped to the project (it was disabled).
  sdk::Result<std::int64_t> revoke_for_project(const std::string& project_id);
  // Deletes tokens that expired before `stored_time`; returns how many.
  sdk::Result<std::int64_t> purge_expired(const std::string& stored_time);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
