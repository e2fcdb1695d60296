#include "core/db/role_repository.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

Result<std::vector<RoleRecord>> RoleRepository::list_roles() {
  return db_.read("list roles", [&](Connection& c) -> Result<std::vector<RoleRecord>> {
    auto st = c.prepare("list roles", "SELECT id, name, description FROM roles ORDER BY name");
    if (!st.ok()) return st.status();
    std::vector<RoleRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back({r.text(0), r.text(1), r.optional_text(2)}); });
    if (!s.ok()) return s;
    return out;
  });
}

Result<RoleRecord> RoleRepository::find_role(const std::string& name) {
  return db_.read("find role", [&](Connection& c) -> Result<RoleRecord> {
    auto st = c.prepare("find role " + name, "SELECT id, name, description FROM roles WHERE name = ?");
    if (!st.ok()) return st.status();
    st->bind(1, name);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("Could not find role: " + name + ".");
    return RoleRecord{st->text(0), st->text(1), st->optional_text(2)};
  });
}

Result<RoleRecord> RoleRepository::get_role(const std::string& id) {
  return db_.read("read role", [&](Connection& c) -> Result<RoleRecord> {
    auto st = c.prepare("read role " + id, "SELECT id, name, description FROM roles WHERE id = ?");
    if (!st.ok()) return st.status();
    st->bind(1, id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("Could not find role: " + id + ".");
    return RoleRecord{st->text(0), st->text(1), st->optional_text(2)};
  });
}

Result<RoleRecord> RoleRepository::create_role(const RoleRecord& rec) {
  if (rec.id.empty() || rec.name.empty()) return Status::InvalidArgument("a role needs an id and a name");
  auto st = db_.write("create role", [&](Connection& c) -> Status {
    auto s = c.exec("insert role " + rec.name, "INSERT INTO roles(id, name, description) VALUES (?,?,?)", rec.id,
                    rec.name, rec.description);
    if (s.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("Role '" + rec.name + "' already exists.");
    return s;
  });
  if (!st.ok()) return st;
  return get_role(rec.id);
}

Result<RoleRecord> RoleRepository::update_role(const RoleRecord& rec) {
  auto st = db_.write("update role", [&](Connection& c) -> Status {
    auto s = c.exec("update role " + rec.id, "UPDATE roles SET name = ?, description = ? WHERE id = ?", rec.name,
                    rec.description, rec.id);
    if (s.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("Role '" + rec.name + "' already exists.");
    if (!s.ok()) return s;
    if (c.changes() == 0) return Status::NotFound("Could not find role: " + rec.id + ".");
    return Status::OK();
  });
  if (!st.ok()) return st;
  return get_role(rec.id);
}

Status RoleRepository::delete_role(const std::string& id) {
  return db_.write("delete role", [&](Connection& c) -> Status {
    auto s = c.exec("delete role " + id, "DELETE FROM roles WHERE id = ?", id);
    if (!s.ok()) return s;
    if (c.changes() == 0) return Status::NotFound("Could not find role: " + id + ".");
    return Status::OK();
  });
}

Status RoleRepository::assign(const std::string& user_id, const std::string& project_id, const std::string& role_id) {
  return db_.write("assign role", [&](Connection& c) -> Status {
    auto st = c.exec("assign role " + role_id + " to user " + user_id + " on project " + project_id,
                     "INSERT INTO role_assignments(user_id, project_id, role_id) VALUES (?,?,?) ON CONFLICT DO NOTHING", user_id,
                     project_id, role_id);
    // A foreign key names no column: say what an assignment needs.
    if (st.is(sdk::StatusCode::kInvalidArgument)) {
      return Status::InvalidArgument("cannot assign role " + role_id + " to user " + user_id + " on project " +
                                     project_id + ": user, project and role must exist");
    }
    return st;
  });
}

Status RoleRepository::unassign(const std::string& user_id, const std::string& project_id,
                                const std::string& role_id) {
  return db_.write("unassign role", [&](Connection& c) -> Status {
    auto st = c.exec("unassign role", "DELETE FROM role_assignments WHERE user_id = ? AND project_id = ? AND role_id = ?",
                     user_id, project_id, role_id);
    if (!st.ok()) return st;
    if (c.changes() == 0) {
      return Status::NotFound("User " + user_id + " has no role " + role_id + " on project " + project_id + ".");
    }
    return Status::OK();
  });
}

Result<std::vector<RoleAssignmentRecord>> RoleRepository::assignments(const std::optional<std::string>& user_id,
                                                                      const std::optional<std::string>& project_id) {
  return db_.read("list role assignments", [&](Connection& c) -> Result<std::vector<RoleAssignmentRecord>> {
    auto st = c.prepare("list role assignments",
                        "SELECT u.id, u.name, p.id, p.name, r.id, r.name, u.domain_id, p.domain_id FROM role_assignments a "
                        "JOIN users u ON u.id = a.user_id JOIN projects p ON p.id = a.project_id "
                        "JOIN roles r ON r.id = a.role_id "
                        "WHERE (?1 IS NULL OR a.user_id = ?1) AND (?2 IS NULL OR a.project_id = ?2) "
                        "ORDER BY p.name, u.name, r.name");
    if (!st.ok()) return st.status();
    st->bind(1, user_id).bind(2, project_id);
    std::vector<RoleAssignmentRecord> out;
    auto s = st->for_each([&](Statement& r) {
      out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)});
    });
    if (!s.ok()) return s;
    return out;
  });
}

Result<std::vector<RoleRecord>> RoleRepository::roles_on(const std::string& user_id, const std::string& project_id) {
  return db_.read("read roles on project", [&](Connection& c) -> Result<std::vector<RoleRecord>> {
    auto st = c.prepare("read roles of user " + user_id + " on project " + project_id,
                        "SELECT r.id, r.name FROM role_assignments a JOIN roles r ON r.id = a.role_id "
                        "WHERE a.user_id = ? AND a.project_id = ? ORDER BY r.name");
    if (!st.ok()) return st.status();
    st->bind_all(user_id, project_id);
    std::vector<RoleRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back({r.text(0), r.text(1), std::nullopt}); });
    if (!s.ok()) return s;
    return out;
  });
}

Result<std::vector<ProjectRecord>> RoleRepository::projects_of(const std::string& user_id) {
  return db_.read("read projects of user", [&](Connection& c) -> Result<std::vector<ProjectRecord>> {
    auto st = c.prepare("read projects of user " + user_id,
                        "SELECT DISTINCT p.id, p.name, p.domain_id, p.description, p.enabled, p.created_at, p.extra "
                        "FROM role_assignments a JOIN projects p ON p.id = a.project_id "
                        "WHERE a.user_id = ? ORDER BY p.name");
    if (!st.ok()) return st.status();
    st->bind(1, user_id);
    std::vector<ProjectRecord> out;
    auto s = st->for_each([&](Statement& r) {
      out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.boolean(4), r.text(5), r.text(6)});
    });
    if (!s.ok()) return s;
    return out;
  });
}

}  // namespace stratus::core::db
