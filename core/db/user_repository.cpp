#include "core/db/user_repository.h"

#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

template <typename... Args>
Result<std::vector<UserRecord>> query(Connection& c, const std::string& purpose, const std::string& where,
                                      const Args&... args) {
  auto st = c.prepare(purpose, "SELECT id, name, domain_id, password_hash, enabled, created_at, default_project_id, extra FROM users " + where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<UserRecord> out;
  auto s = st->for_each([&](Statement& r) {
    UserRecord u{r.text(0), r.text(1), r.text(2), r.text(3), r.boolean(4), r.text(5), std::nullopt, r.text(7)};
    if (!r.is_null(6)) u.default_project_id = r.text(6);
    out.push_back(std::move(u));
  });
  if (!s.ok()) return s;
  return out;
}

Result<UserRecord> one(Result<std::vector<UserRecord>> rows, const std::string& key) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("Could not find user: " + key + ".");
  return std::move(rows->front());
}

}  // namespace

Result<UserRecord> UserRepository::create(const UserRecord& rec) {
  if (rec.id.empty() || rec.name.empty()) return Status::InvalidArgument("a user needs an id and a name");
  return db_.write("create user", [&](Connection& c) -> Result<UserRecord> {
    auto st = c.exec("insert user " + rec.name,
                     "INSERT INTO users(id, name, domain_id, password_hash, enabled, created_at, default_project_id, extra) "
                     "VALUES (?,?,?,?,?,?,?,?)",
                     rec.id, rec.name, rec.domain_id, rec.password_hash, rec.enabled, common::utc_now(),
                     rec.default_project_id, rec.extra);
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("User '" + rec.name + "' already exists.");
    if (!st.ok()) return st;
    return one(query(c, "read user " + rec.id, "WHERE id = ?", rec.id), rec.id);
  });
}

Result<UserRecord> UserRepository::get(const std::string& id) {
  return db_.read("read user", [&](Connection& c) { return one(query(c, "read user " + id, "WHERE id = ?", id), id); });
}

Result<UserRecord> UserRepository::find_by_name(const std::string& name, const std::string& domain_id) {
  return db_.read("find user", [&](Connection& c) {
    return one(query(c, "find user " + name, "WHERE name = ? AND domain_id = ?", name, domain_id), name);
  });
}

Result<std::vector<UserRecord>> UserRepository::list() {
  return db_.read("list users", [&](Connection& c) { return query(c, "list users", "ORDER BY name"); });
}

Status UserRepository::set_password_hash(const std::string& id, const std::string& password_hash) {
  if (password_hash.empty()) return Status::InvalidArgument("a user needs a password");
  return db_.write("set password", [&](Connection& c) -> Status {
    auto st = c.exec("set password of user " + id, "UPDATE users SET password_hash = ? WHERE id = ?", password_hash, id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Could not find user: " + id + ".");
    return Status::OK();
  });
}

Result<UserRecord> UserRepository::update(const UserRecord& rec) {
  if (rec.id.empty() || rec.name.empty()) return Status::InvalidArgument("a user needs an id and a name");
  return db_.write("update user", [&](Connection& c) -> Result<UserRecord> {
    auto st = c.exec("update user " + rec.id,
                     "UPDATE users SET name = ?, password_hash = ?, enabled = ?, default_project_id = ?, extra = ? "
                     "WHERE id = ?",
                     rec.name, rec.password_hash, rec.enabled, rec.default_project_id, rec.extra, rec.id);
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("User '" + rec.name + "' already exists.");
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Could not find user: " + rec.id + ".");
    return one(query(c, "read user " + rec.id, "WHERE id = ?", rec.id), rec.id);
  });
}

Status UserRepository::remove(const std::string& id) {
  return db_.write("delete user", [&](Connection& c) -> Status {
    auto st = c.exec("delete user " + id, "DELETE FROM users WHERE id = ?", id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Could not find user: " + id + ".");
    return Status::OK();
  });
}

Result<std::int64_t> UserRepository::count() {
  return db_.read("count users", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.prepare("count users", "SELECT COUNT(*) FROM users");
    if (!st.ok()) return st.status();
    auto row = st->step();
    if (!row.ok()) return row.status();
    return st->int64(0);
  });
}

}  // namespace stratus::core::db
