// ApplicationCredentialRepository: Keystone's application credentials, a
// user's named secrets that log in to one project with a subset of the
// user's roles there. Unique by name per user; the secret is kept only as
// its hash (core/identity/password_hash.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/role_repository.h"
#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct ApplicationCredentialRecord {
  std::string id;  // 32 hex digits, as Keystone's
  std::string name;
  std::string user_id;
  std::string project_id;
  std::string secret_hash;
  std::optional<std::string> description;
  std::vector<RoleRecord> roles;          // what it grants (implied roles included), never more than the user holds
  bool unrestricted = false;              // may manage application credentials and trusts
  std::optional<std::string> expires_at;  // stored time form; nullopt: never
  std::string created_at;
};

class ApplicationCredentialRepository {
 public:
  explicit ApplicationCredentialRepository(Scope db) : db_(db) {}

  // kAlreadyExists when the user has one of that name; kInvalidArgument for
  // a missing id, name or secret hash, or a user or project that is gone.
  sdk::Result<ApplicationCredentialRecord> create(const ApplicationCredentialRecord& record);
  // kNotFound "Could not find Application Credential: <id>."
  sdk::Result<ApplicationCredentialRecord> get(const std::string& id);
  // The user's credential of that name; kNotFound as get() naming it.
  sdk::Result<ApplicationCredentialRecord> find_by_name(const std::string& user_id, const std::string& name);
  // The user's credentials by name, only the one named `name` if given.
  sdk::Result<std::vector<ApplicationCredentialRecord>> list(const std::string& user_id,
                                                             const std::optional<std::string>& name = std::nullopt);
  // Deletes it and the tokens issued through it. kNotFound if absent.
  sdk::Status remove(const std::string& id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
