// UserRepository: the identity service's users (Keystone's user table),
// unique by name within a domain. Holds the password hash, never a password.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct UserRecord {
  std::string id;             // 32 hex digits, as Keystone's
  std::string name;
  std::string domain_id = "default";
  std::string password_hash;  // crypto_pwhash_str output (core/identity/password_hash.h); "": no password
  bool enabled = true;
  std::string created_at;
  std::optional<std::string> default_project_id;  // not checked: Keystone keeps it past the project
  std::string extra = "{}";  // a JSON object: email, description and other unmodelled attributes
};

class UserRepository {
 public:
  explicit UserRepository(Scope db) : db_(db) {}

  // Stores `record` (its id must be set). kAlreadyExists "User 'n' already
  // exists." when the name is taken in the domain; kInvalidArgument for an
  // empty id or name. An empty hash is a user without a password (Keystone
  // allows one; it cannot log in).
  sdk::Result<UserRecord> create(const UserRecord& record);
  // kNotFound "Could not find user: <id>."
  sdk::Result<UserRecord> get(const std::string& id);
  // kNotFound "Could not find user: <name>."
  sdk::Result<UserRecord> find_by_name(const std::string& name, const std::string& domain_id = "default");
  // Every user, by name.
  sdk::Result<std::vector<UserRecord>> list();
  // kNotFound when there is no such user; nothing changes then.
  sdk::Status set_password_hash(const std::string& id, const std::string& password_hash);
  // Rewrites name, password hash, enabled, default_project_id and extra of
  // the user `record.id`. kNotFound if absent; kAlreadyExists as create().
  sdk::Result<UserRecord> update(const UserRecord& record);
  // Deletes the user with its role assignments and tokens. kNotFound if absent.
  sdk::Status remove(const std::string& id);
  sdk::Result<std::int64_t> count();

 private:
  Scope db_;
};

}  // namespace stratus::core::db
