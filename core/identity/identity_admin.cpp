#include "core/identity/identity_admin.h"

#include "core/db/token_repository.h"
#include "core/identity/password_hash.h"
#include "core/identity/token_codec.h"

namespace stratus::core::identity {

using sdk::Result;
using sdk::Status;

Status check_name(const std::string& what, const std::string& name) {
  if (name.empty()) return Status::InvalidArgument(what + " is empty");
  if (name.size() > 255) return Status::InvalidArgument(what + " is longer than 255 characters");
  bool only_spaces = true;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(what + " contains a control character");
    if (c != ' ') only_spaces = false;
  }
  if (only_spaces) return Status::InvalidArgument(what + " is only spaces");
  return Status::OK();
}

Result<db::UserRecord> IdentityAdmin::create_user(const std::string& name, const std::string& password) {
  if (auto s = check_name("user name", name); !s.ok()) return s;
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.status();
  db::UserRecord rec;
  rec.id = new_hex_id();
  rec.name = name;
  rec.password_hash = *hash;
  return db::UserRepository(db_).create(rec);
}

Result<db::UserRecord> IdentityAdmin::find_user(const std::string& name_or_id) {
  db::UserRepository users(db_);
  auto by_name = users.find_by_name(name_or_id);
  if (by_name.ok() || !by_name.status().is(sdk::StatusCode::kNotFound)) return by_name;
  auto by_id = users.get(name_or_id);
  if (by_id.ok() || !by_id.status().is(sdk::StatusCode::kNotFound)) return by_id;
  return Status::NotFound("Could not find user: " + name_or_id + ".");
}

Result<std::vector<db::UserRecord>> IdentityAdmin::list_users() { return db::UserRepository(db_).list(); }

Status IdentityAdmin::delete_user(const std::string& name_or_id) {
  auto user = find_user(name_or_id);
  if (!user.ok()) return user.status();
  return db::UserRepository(db_).remove(user->id);
}

Status IdentityAdmin::set_password(const std::string& name_or_id, const std::string& password) {
  auto user = find_user(name_or_id);
  if (!user.ok()) return user.status();
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.status();
  // As Keystone (and PATCH /v3/users/{id}): a new password ends the user's
  // tokens.
  auto tx = db_.begin_write("set password");
  if (!tx.ok()) return tx.status();
  if (auto s = db::UserRepository(*tx).set_password_hash(user->id, *hash); !s.ok()) return s;
  if (auto n = db::TokenRepository(*tx).revoke_for_user(user->id); !n.ok()) return n.status();
  return tx->commit();
}

Result<db::ProjectRecord> IdentityAdmin::create_project(const std::string& name, const std::string& description) {
  if (auto s = check_name("project name", name); !s.ok()) return s;
  db::ProjectRecord rec;
  rec.id = new_hex_id();
  rec.name = name;
  rec.description = description;
  return db::ProjectRepository(db_).create(rec);
}

Result<db::ProjectRecord> IdentityAdmin::find_project(const std::string& name_or_id) {
  db::ProjectRepository projects(db_);
  auto by_name = projects.find_by_name(name_or_id);
  if (by_name.ok() || !by_name.status().is(sdk::StatusCode::kNotFound)) return by_name;
  auto by_id = projects.get(name_or_id);
  if (by_id.ok() || !by_id.status().is(sdk::StatusCode::kNotFound)) return by_id;
  return Status::NotFound("Could not find project: " + name_or_id + ".");
}

Result<std::vector<db::ProjectRecord>> IdentityAdmin::list_projects() { return db::ProjectRepository(db_).list(); }

Status IdentityAdmin::delete_project(const std::string& name_or_id) {
  auto project = find_project(name_or_id);
  if (!project.ok()) return project.status();
  return db::ProjectRepository(db_).remove(project->id);
}

Status IdentityAdmin::add_role(const std::string& user, const std::string& project, const std::string& role) {
  auto u = find_user(user);
  if (!u.ok()) return u.status();
  auto p = find_project(project);
  if (!p.ok()) return p.status();
  db::RoleRepository roles(db_);
  auto r = roles.find_role(role);
  if (!r.ok()) return r.status();
  return roles.assign(u->id, p->id, r->id);
}

Status IdentityAdmin::remove_role(const std::string& user, const std::string& project, const std::string& role) {
  auto u = find_user(user);
  if (!u.ok()) return u.status();
  auto p = find_project(project);
  if (!p.ok()) return p.status();
  db::RoleRepository roles(db_);
  auto r = roles.find_role(role);
  if (!r.ok()) return r.status();
  // A token carries the roles it was issued with: the user's tokens on the
  // project end with the grant (as DELETE .../roles/{r} over the API).
  auto tx = db_.begin_write("remove role");
  if (!tx.ok()) return tx.status();
  auto s = db::RoleRepository(*tx).unassign(u->id, p->id, r->id);
  if (s.is(sdk::StatusCode::kNotFound)) {
    return Status::NotFound("User " + u->name + " has no role " + r->name + " on project " + p->name + ".");
  }
  if (!s.ok()) return s;
  if (auto n = db::TokenRepository(*tx).revoke_for_user(u->id, p->id); !n.ok()) return n.status();
  return tx->commit();
}

Result<std::vector<db::RoleAssignmentRecord>> IdentityAdmin::list_assignments(
    const std::optional<std::string>& user, const std::optional<std::string>& project) {
  std::optional<std::string> user_id, project_id;
  if (user) {
    auto u = find_user(*user);
    if (!u.ok()) return u.status();
    user_id = u->id;
  }
  if (project) {
    auto p = find_project(*project);
    if (!p.ok()) return p.status();
    project_id = p->id;
  }
  return db::RoleRepository(db_).assignments(user_id, project_id);
}

Result<std::vector<db::RoleRecord>> IdentityAdmin::list_roles() { return db::RoleRepository(db_).list_roles(); }

}  // namespace stratus::core::identity
