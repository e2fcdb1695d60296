// TokenService: issues, validates and revokes identity tokens (Keystone's
// token provider). A token is random (token_codec.h), stored only as its
// hash, carries the roles the user held on its project when it was issued
// (with the implied ones: admin implies member implies reader), expires
// after IdentityOptions::token_expiration seconds, and can be revoked.
//
// Every failure to authenticate or validate is kNotFound with one message
// that does not say which part was wrong; the REST layer answers 401.
// Thread-safe; blocking (SQLite; a password check costs tens of ms).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/application_credential_repository.h"
#include "core/db/database.h"
#include "core/db/project_repository.h"
#include "core/db/token_repository.h"
#include "core/db/user_repository.h"
#include "stratus/sdk/result.h"

namespace stratus::core::identity {

// The one domain: Keystone's default domain.
inline constexpr const char* kDefaultDomainId = "default";
inline constexpr const char* kDefaultDomainName = "Default";

struct IdentityOptions {
  std::int64_t token_expiration = 3600;  // seconds ([identity] token_expiration)
};

// A user or project named by id, or by name within a domain (by id or name).
struct NamedRef {
  std::optional<std::string> id;
  std::optional<std::string> name;
  std::optional<std::string> domain_id;
  std::optional<std::string> domain_name;
};

// A valid token, resolved: what it says and who it is for.
struct TokenInfo {
  db::TokenRecord record;
  db::UserRecord user;
  std::optional<db::ProjectRecord> project;
};

struct IssuedToken {
  std::string token;  // the secret; shown to the client once, never stored
  TokenInfo info;
};

class TokenService {
 public:
  TokenService(db::Database& db, IdentityOptions options) : db_(db), options_(options) {}

  // The password method: the user (enabled, in the default domain) whose
  // password this is. Unknown user, wrong password, disabled user: kNotFound
  // with the same message, after the same work.
  sdk::Result<db::UserRecord> check_password(const NamedRef& user, const std::string& password);

  // The user a reference names: by id, or by name with its domain. kNotFound
  // (kAuthenticationRequired) when there is none, whatever the reason.
  sdk::Result<db::UserRecord> find_user(const NamedRef& user);

  // Resolves a project scope for `user`: the project must exist, be enabled
  // and the user must hold a role on it; otherwise kNotFound (401), and
  // kInvalidArgument when `scope` names neither an id nor a name.
  sdk::Result<db::ProjectRecord> resolve_scope(const db::UserRecord& user, const NamedRef& scope);

  // Issues a token for `user`, scoped to `project` (nullopt: unscoped).
  // `expires_at` caps the expiry (the token method keeps the expiry of the
  // token it was given); default: now + token_expiration. Through an
  // application credential (`through`), the token carries only the
  // credential's roles the user still holds on the project (kNotFound if
  // none), names the credential and ends by its expiry.
  sdk::Result<IssuedToken> issue(const db::UserRecord& user, const std::optional<db::ProjectRecord>& project,
                                 std::vector<std::string> methods,
                                 const std::optional<std::string>& expires_at = std::nullopt,
                                 const db::ApplicationCredentialRecord* through = nullptr);

  // In-process: a token for the user on the project (both by name or id),
  // e.g. for a compute host's service credentials. No password involved.
  sdk::Result<IssuedToken> issue_for(const std::string& user, const std::string& project);

  // The token's details if it is well formed, known, not expired, not
  // revoked and its user is still enabled; else kNotFound.
  sdk::Result<TokenInfo> validate(const std::string& token);

  // Revokes a valid token; kNotFound as validate() would be.
  sdk::Status revoke(const std::string& token);

  const IdentityOptions& options() const noexcept { return options_; }

 private:
  db::Database& db_;
  IdentityOptions options_;
};

// "The request you have made requires authentication.": Keystone's words
// for any failed authentication.
extern const char* const kAuthenticationRequired;

}  // namespace stratus::core::identity
