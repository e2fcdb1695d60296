// Application credentials (Keystone's): a user makes a named secret that
// logs in to the project its token was scoped to, with all or some of the
// roles it holds there, until an optional expiry. Applications use it
// instead of the user's password; deleting it ends the tokens issued
// through it. The secret is hashed like a password and shown only once.
//
// A token issued through a restricted credential (the default) cannot make
// or delete application credentials (Keystone's rule); the REST layer checks
// that (application_credentials_controller.h). Thread-safe; blocking.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/application_credential_repository.h"
#include "core/db/database.h"
#include "core/identity/token_service.h"
#include "stratus/sdk/result.h"

namespace stratus::core::identity {

// A role named in a create request, by id or by name.
struct RoleRef {
  std::optional<std::string> id;
  std::optional<std::string> name;
};

struct ApplicationCredentialRequest {
  std::string name;
  std::optional<std::string> secret;       // none: a random one is made
  std::optional<std::string> description;
  std::optional<std::string> expires_at;   // ISO 8601 as given; none: never
  std::optional<std::vector<RoleRef>> roles;  // none or empty: the token's roles
  bool unrestricted = false;
};

struct CreatedApplicationCredential {
  db::ApplicationCredentialRecord record;
  std::string secret;  // the only time it is seen
};

// Keystone's prefix for a refused create (400).
inline constexpr const char* kInvalidApplicationCredential = "Invalid application credential: ";

class ApplicationCredentials {
 public:
  explicit ApplicationCredentials(db::Database& db) : db_(db) {}

  // Makes one for the token's user on the token's project. The roles asked
  // for are completed with the roles they imply and must all be in the
  // token. kInvalidArgument (message starting kInvalidApplicationCredential
  // or naming the field) for an unscoped token, a role not held, an expiry
  // that is not a time or is past, an empty secret or a bad name; kNotFound
  // "Could not find role: <x>." for an unknown role; kAlreadyExists for a
  // name the user already uses.
  sdk::Result<CreatedApplicationCredential> create(const TokenInfo& token, const ApplicationCredentialRequest& req);

  // The application_credential auth method: the credential named by id, or
  // by name and its user (by id, or name and domain), whose secret this is,
  // unexpired, of an enabled user. Every failure is kNotFound with
  // kAuthenticationRequired, after the same hashing work.
  sdk::Result<db::ApplicationCredentialRecord> authenticate(const std::optional<std::string>& id,
                                                            const std::optional<std::string>& name,
                                                            const NamedRef& user, const std::string& secret);

 private:
  db::Database& db_;
};

// Keystone's secret: 64 random bytes as unpadded url-safe base64.
std::string new_application_credential_secret();

}  // namespace stratus::core::identity
