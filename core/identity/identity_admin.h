// IdentityAdmin: managing users, projects and role assignments, as
// keystone-manage and `openstack user|project|role` do. The `stratus user |
// project | role` commands and the aio bootstrap use it; it checks names and
// says clearly what is wrong (duplicate name, unknown user, unknown role),
// changing nothing then. Users and projects live in the one domain
// "default" (name "Default"). Thread-safe as the Database is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/database.h"
#include "core/db/project_repository.h"
#include "core/db/role_repository.h"
#include "core/db/user_repository.h"
#include "stratus/sdk/result.h"

namespace stratus::core::identity {

class IdentityAdmin {
 public:
  explicit IdentityAdmin(db::Database& db) : db_(db) {}

  // kInvalidArgument for a bad name or an empty password; kAlreadyExists
  // when the name is taken.
  sdk::Result<db::UserRecord> create_user(const std::string& name, const std::string& password);
  // By name, else by id. kNotFound "Could not find user: <x>."
  sdk::Result<db::UserRecord> find_user(const std::string& name_or_id);
  sdk::Result<std::vector<db::UserRecord>> list_users();
  // Also removes the user's role assignments and tokens.
  sdk::Status delete_user(const std::string& name_or_id);
  // Revokes the user's tokens, as Keystone does on a new password.
  sdk::Status set_password(const std::string& name_or_id, const std::string& password);

  sdk::Result<db::ProjectRecord> create_project(const std::string& name, const std::string& description = "");
  // By name, else by id. kNotFound "Could not find project: <x>."
  sdk::Result<db::ProjectRecord> find_project(const std::string& name_or_id);
  sdk::Result<std::vector<db::ProjectRecord>> list_projects();
  // Also removes its role assignments and the tokens scoped to it. Servers
  // and other resources of the project are not touched.
  sdk::Status delete_project(const std::string& name_or_id);

  // Users and projects by name or id, roles by name.
  sdk::Status add_role(const std::string& user, const std::string& project, const std::string& role);
  // Also revokes the user's tokens scoped to the project.
  sdk::Status remove_role(const std::string& user, const std::string& project, const std::string& role);
  sdk::Result<std::vector<db::RoleAssignmentRecord>> list_assignments(const std::optional<std::string>& user,
                                                                      const std::optional<std::string>& project);
  sdk::Result<std::vector<db::RoleRecord>> list_roles();

 private:
  db::Database& db_;
};

// kInvalidArgument naming `what` ("user name") unless `name` is 1-255
// bytes with no control characters and not only spaces.
sdk::Status check_name(const std::string& what, const std::string& name);

}  // namespace stratus::core::identity
