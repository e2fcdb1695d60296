#include "core/db/token_repository.h"

#include "core/db/role_list_codec.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

Status TokenRepository::insert(const TokenRecord& rec) {
  return db_.write("store token", [&](Connection& c) -> Status {
    auto st = c.exec("store token of user " + rec.user_id,
                     "INSERT INTO tokens(id, user_id, project_id, roles, methods, audit_id, issued_at, expires_at, "
                     "revoked, application_credential_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     rec.id, rec.user_id, rec.project_id, encode_roles(rec.roles), join_list(rec.methods),
                     rec.audit_id, rec.issued_at, rec.expires_at, rec.revoked, rec.application_credential_id);
    if (st.is(sdk::StatusCode::kInvalidArgument)) {
      return Status::InvalidArgument("cannot store a token for user " + rec.user_id +
                                     ": user, project or application credential is gone");
    }
    return st;
  });
}

Result<TokenRecord> TokenRepository::get(const std::string& id) {
  return db_.read("read token", [&](Connection& c) -> Result<TokenRecord> {
    auto st = c.prepare("read token",
                        "SELECT id, user_id, project_id, roles, methods, audit_id, issued_at, expires_at, revoked, "
                        "application_credential_id FROM tokens WHERE id = ?");
    if (!st.ok()) return st.status();
    st->bind(1, id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no such token");
    TokenRecord rec;
    rec.id = st->text(0);
    rec.user_id = st->text(1);
    rec.project_id = st->optional_text(2);
    rec.roles = decode_roles(st->text(3));
    rec.methods = split_list(st->text(4));
    rec.audit_id = st->text(5);
    rec.issued_at = st->text(6);
    rec.expires_at = st->text(7);
    rec.revoked = st->boolean(8);
    rec.application_credential_id = st->optional_text(9);
    return rec;
  });
}

Status TokenRepository::revoke(const std::string& id) {
  return db_.write("revoke token", [&](Connection& c) -> Status {
    auto st = c.exec("revoke token", "UPDATE tokens SET revoked = 1 WHERE id = ?", id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("no such token");
    return Status::OK();
  });
}

Result<std::int64_t> TokenRepository::revoke_for_user(const std::string& user_id,
                                                      const std::optional<std::string>& project_id) {
  return db_.write("revoke tokens of user", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.exec("revoke tokens of user " + user_id,
                     "UPDATE tokens SET revoked = 1 WHERE user_id = ?1 AND (?2 IS NULL OR project_id = ?2) "
                     "AND revoked = 0",
                     user_id, project_id);
    if (!st.ok()) return st;
    return c.changes();
  });
}

Result<std::int64_t> TokenRepository::revoke_for_project(const std::string& project_id) {
  return db_.write("revoke tokens of project", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.exec("revoke tokens of project " + project_id,
                     "UPDATE tokens SET revoked = 1 WHERE project_id = ? AND revoked = 0", project_id);
    if (!st.ok()) return st;
    return c.changes();
  });
}

Result<std::int64_t> TokenRepository::revoke_for_domain(const std::string& domain_id) {
  return db_.write("revoke tokens of domain", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.exec("revoke tokens of domain " + domain_id,
                     "UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND "
                     "(user_id IN (SELECT id FROM users WHERE domain_id = ?1) OR "
                     "project_id IN (SELECT id FROM projects WHERE domain_id = ?1))",
                     domain_id);
    if (!st.ok()) return st;
    return c.changes();
  });
}

Result<std::int64_t> TokenRepository::purge_expired(const std::string& stored_time) {
  return db_.write("purge expired tokens", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.exec("purge expired tokens", "DELETE FROM tokens WHERE expires_at < ?", stored_time);
    if (!st.ok()) return st;
    return c.changes();
  });
}

}  // namespace stratus::core::db
