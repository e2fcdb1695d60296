// RoleRepository: the identity service's roles (admin, member, reader,
// created by migration 2) and who holds which on which project (Keystone's
// assignment table, user-on-project grants only).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "core/db/project_repository.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct RoleRecord {
  std::string id;
  std::string name;
  std::optional<std::string> description = std::nullopt;  // roles made over the API may have one
};

struct RoleAssignmentRecord {
  std::string user_id;
  std::string user_name;
  std::string project_id;
  std::string project_name;
  std::string role_id;
  std::string role_name;
  std::string user_domain_id = "default";
  std::string project_domain_id = "default";
};

class RoleRepository {
 public:
  explicit RoleRepository(Scope db) : db_(db) {}

  // Every role, by name.
  sdk::Result<std::vector<RoleRecord>> list_roles();
  // kNotFound "Could not find role: <name>."
  sdk::Result<RoleRecord> find_role(const std::string& name);
  // kNotFound "Could not find role: <id>."
  sdk::Result<RoleRecord> get_role(const std::string& id);
  // kAlreadyExists "Role 'n' already exists." when the name is taken.
  sdk::Result<RoleRecord> create_role(const RoleRecord& record);
  // Rewrites name and description; kNotFound, kAlreadyExists as above.
  sdk::Result<RoleRecord> update_role(const RoleRecord& record);
  // Deletes the role and every assignment of it. kNotFound if absent.
  sdk::Status delete_role(const std::string& id);

  // Grants the role; granting one already held is not an error (Keystone's
  // PUT is idempotent). kInvalidArgument when the user, project or role does
  // not exist.
  sdk::Status assign(const std::string& user_id, const std::string& project_id, const std::string& role_id);
  // kNotFound when the user does not hold that role on that project.
  sdk::Status unassign(const std::string& user_id, const std::string& project_id, const std::string& role_id);
  // Assignments, optionally only a user's and/or a project's, ordered by
  // project, user and role name.
  sdk::Result<std::vector<RoleAssignmentRecord>> assignments(const std::optional<std::string>& user_id,
                                                             const std::optional<std::string>& project_id);
  // The roles granted directly to the user on the project (no implication).
  sdk::Result<std::vector<RoleRecord>> roles_on(const std::string& user_id, const std::string& project_id);
  // The projects on which the user holds any role, by name.
  sdk::Result<std::vector<ProjectRecord>> projects_of(const std::string& user_id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
