#include "core/db/application_credential_repository.h"

#include "core/common/time_util.h"
#include "core/db/role_list_codec.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

template <typename... Args>
Result<std::vector<ApplicationCredentialRecord>> query(Connection& c, const std::string& purpose,
                                                       const std::string& where, const Args&... args) {
  auto st = c.prepare(purpose,
                      "SELECT id, name, user_id, project_id, secret_hash, description, roles, unrestricted, "
                      "expires_at, created_at FROM application_credentials " +
                          where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<ApplicationCredentialRecord> out;
  auto s = st->for_each([&](Statement& r) {
    ApplicationCredentialRecord a;
    a.id = r.text(0);
    a.name = r.text(1);
    a.user_id = r.text(2);
    a.project_id = r.text(3);
    a.secret_hash = r.text(4);
    a.description = r.optional_text(5);
    a.roles = decode_roles(r.text(6));
    a.unrestricted = r.boolean(7);
    a.expires_at = r.optional_text(8);
    a.created_at = r.text(9);
    out.push_back(std::move(a));
  });
  if (!s.ok()) return s;
  return out;
}

Status not_found(const std::string& key) { return Status::NotFound("Could not find Application Credential: " + key + "."); }

Result<ApplicationCredentialRecord> one(Result<std::vector<ApplicationCredentialRecord>> rows, const std::string& key) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return not_found(key);
  return std::move(rows->front());
}

}  // namespace

Result<ApplicationCredentialRecord> ApplicationCredentialRepository::create(const ApplicationCredentialRecord& rec) {
  if (rec.id.empty() || rec.name.empty() || rec.secret_hash.empty()) {
    return Status::InvalidArgument("an application credential needs an id, a name and a secret");
  }
  return db_.write("create application credential", [&](Connection& c) -> Result<ApplicationCredentialRecord> {
    auto st = c.exec("insert application credential " + rec.name,
                     "INSERT INTO application_credentials(id, name, user_id, project_id, secret_hash, description, "
                     "roles, unrestricted, expires_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     rec.id, rec.name, rec.user_id, rec.project_id, rec.secret_hash, rec.description,
                     encode_roles(rec.roles), rec.unrestricted, rec.expires_at, common::utc_now());
    if (st.is(sdk::StatusCode::kAlreadyExists)) {
      return Status::AlreadyExists("Application credential '" + rec.name + "' already exists.");
    }
    if (st.is(sdk::StatusCode::kInvalidArgument)) {
      return Status::InvalidArgument("cannot store application credential " + rec.name + ": user or project is gone");
    }
    if (!st.ok()) return st;
    return one(query(c, "read application credential " + rec.id, "WHERE id = ?", rec.id), rec.id);
  });
}

Result<ApplicationCredentialRecord> ApplicationCredentialRepository::get(const std::string& id) {
  return db_.read("read application credential", [&](Connection& c) {
    return one(query(c, "read application credential " + id, "WHERE id = ?", id), id);
  });
}

Result<ApplicationCredentialRecord> ApplicationCredentialRepository::find_by_name(const std::string& user_id,
                                                                                  const std::string& name) {
  return db_.read("find application credential", [&](Connection& c) {
    return one(query(c, "find application credential " + name, "WHERE user_id = ? AND name = ?", user_id, name), name);
  });
}

Result<std::vector<ApplicationCredentialRecord>> ApplicationCredentialRepository::list(
    const std::string& user_id, const std::optional<std::string>& name) {
  return db_.read("list application credentials", [&](Connection& c) {
    return query(c, "list application credentials of user " + user_id,
                 "WHERE user_id = ?1 AND (?2 IS NULL OR name = ?2) ORDER BY name", user_id, name);
  });
}

Status ApplicationCredentialRepository::remove(const std::string& id) {
  return db_.write("delete application credential", [&](Connection& c) -> Status {
    auto st = c.exec("delete application credential " + id, "DELETE FROM application_credentials WHERE id = ?", id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return not_found(id);
    return Status::OK();
  });
}

}  // namespace stratus::core::db
