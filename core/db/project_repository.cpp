#include "core/db/project_repository.h"

#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

template <typename... Args>
Result<std::vector<ProjectRecord>> query(Connection& c, const std::string& purpose, const std::string& where,
                                         const Args&... args) {
  auto st = c.prepare(purpose, "SELECT id, name, domain_id, description, enabled, created_at, extra FROM projects " + where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<ProjectRecord> out;
  auto s = st->for_each([&](Statement& r) {
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.boolean(4), r.text(5), r.text(6)});
  });
  if (!s.ok()) return s;
  return out;
}

Result<ProjectRecord> one(Result<std::vector<ProjectRecord>> rows, const std::string& key) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("Could not find project: " + key + ".");
  return std::move(rows->front());
}

}  // namespace

Result<ProjectRecord> ProjectRepository::create(const ProjectRecord& rec) {
  if (rec.id.empty() || rec.name.empty()) return Status::InvalidArgument("a project needs an id and a name");
  return db_.write("create project", [&](Connection& c) -> Result<ProjectRecord> {
    auto st = c.exec("insert project " + rec.name,
                     "INSERT INTO projects(id, name, domain_id, description, enabled, created_at, extra) "
                     "VALUES (?,?,?,?,?,?,?)",
                     rec.id, rec.name, rec.domain_id, rec.description, rec.enabled, common::utc_now(), rec.extra);
    if (st.is(sdk::StatusCode::kAlreadyExists)) {
      return Status::AlreadyExists("Project '" + rec.name + "' already exists.");
    }
    if (!st.ok()) return st;
    return one(query(c, "read project " + rec.id, "WHERE id = ?", rec.id), rec.id);
  });
}

Result<ProjectRecord> ProjectRepository::get(const std::string& id) {
  return db_.read("read project",
                  [&](Connection& c) { return one(query(c, "read project " + id, "WHERE id = ?", id), id); });
}

Result<ProjectRecord> ProjectRepository::find_by_name(const std::string& name, const std::string& domain_id) {
  return db_.read("find project", [&](Connection& c) {
    return one(query(c, "find project " + name, "WHERE name = ? AND domain_id = ?", name, domain_id), name);
  });
}

Result<std::vector<ProjectRecord>> ProjectRepository::list() {
  return db_.read("list projects", [&](Connection& c) { return query(c, "list projects", "ORDER BY name"); });
}

Result<ProjectRecord> ProjectRepository::update(const ProjectRecord& rec) {
  if (rec.id.empty() || rec.name.empty()) return Status::InvalidArgument("a project needs an id and a name");
  return db_.write("update project", [&](Connection& c) -> Result<ProjectRecord> {
    auto st = c.exec("update project " + rec.id,
                     "UPDATE projects SET name = ?, description = ?, enabled = ?, extra = ? WHERE id = ?", rec.name,
                     rec.description, rec.enabled, rec.extra, rec.id);
    if (st.is(sdk::StatusCode::kAlreadyExists)) {
      return Status::AlreadyExists("Project '" + rec.name + "' already exists.");
    }
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Could not find project: " + rec.id + ".");
    return one(query(c, "read project " + rec.id, "WHERE id = ?", rec.id), rec.id);
  });
}

Status ProjectRepository::remove(const std::string& id) {
  return db_.write("delete project", [&](Connection& c) -> Status {
    auto st = c.exec("delete project " + id, "DELETE FROM projects WHERE id = ?", id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Could not find project: " + id + ".");
    return Status::OK();
  });
}

}  // namespace stratus::core::db
