#include "core/db/domain_repository.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

template <typename... Args>
Result<std::vector<DomainRecord>> query(Connection& c, const std::string& purpose, const std::string& where,
                                        const Args&... args) {
  auto st = c.prepare(purpose, "SELECT id, name, description, enabled, extra FROM domains " + where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<DomainRecord> out;
  auto s = st->for_each(
      [&](Statement& r) { out.push_back(DomainRecord{r.text(0), r.text(1), r.text(2), r.boolean(3), r.text(4)}); });
  if (!s.ok()) return s;
  return out;
}

Result<DomainRecord> one(Result<std::vector<DomainRecord>> rows, const std::string& key) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("Could not find domain: " + key + ".");
  return std::move(rows->front());
}

}  // namespace

Result<DomainRecord> DomainRepository::create(const DomainRecord& rec) {
  if (rec.id.empty() || rec.name.empty()) return Status::InvalidArgument("a domain needs an id and a name");
  return db_.write("create domain", [&](Connection& c) -> Result<DomainRecord> {
    auto st = c.exec("insert domain " + rec.name,
                     "INSERT INTO domains(id, name, description, enabled, extra) VALUES (?,?,?,?,?)", rec.id, rec.name,
                     rec.description, rec.enabled, rec.extra);
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("Domain '" + rec.name + "' already exists.");
    if (!st.ok()) return st;
    return one(query(c, "read domain " + rec.id, "WHERE id = ?", rec.id), rec.id);
  });
}

Result<DomainRecord> DomainRepository::get(const std::string& id) {
  return db_.read("read domain", [&](Connection& c) { return one(query(c, "read domain " + id, "WHERE id = ?", id), id); });
}

Result<DomainRecord> DomainRepository::find_by_name(const std::string& name) {
  return db_.read("find domain",
                  [&](Connection& c) { return one(query(c, "find domain " + name, "WHERE name = ?", name), name); });
}

Result<std::vector<DomainRecord>> DomainRepository::list() {
  return db_.read("list domains", [&](Connection& c) { return query(c, "list domains", "ORDER BY name"); });
}

Result<DomainRecord> DomainRepository::update(const DomainRecord& rec) {
  if (rec.id.empty() || rec.name.empty()) return Status::InvalidArgument("a domain needs an id and a name");
  return db_.write("update domain", [&](Connection& c) -> Result<DomainRecord> {
    auto st = c.exec("update domain " + rec.id,
                     "UPDATE domains SET name = ?, description = ?, enabled = ?, extra = ? WHERE id = ?", rec.name,
                     rec.description, rec.enabled, rec.extra, rec.id);
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("Domain '" + rec.name + "' already exists.");
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Could not find domain: " + rec.id + ".");
    return one(query(c, "read domain " + rec.id, "WHERE id = ?", rec.id), rec.id);
  });
}

Status DomainRepository::remove(const std::string& id) {
  return db_.write("delete domain", [&](Connection& c) -> Status {
    // Its contents first: role assignments, tokens and application
    // credentials follow the projects and users (foreign keys).
    if (auto st = c.exec("delete projects of domain " + id, "DELETE FROM projects WHERE domain_id = ?", id); !st.ok()) {
      return st;
    }
    if (auto st = c.exec("delete users of domain " + id, "DELETE FROM users WHERE domain_id = ?", id); !st.ok()) {
      return st;
    }
    auto st = c.exec("delete domain " + id, "DELETE FROM domains WHERE id = ?", id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Could not find domain: " + id + ".");
    return Status::OK();
  });
}

}  // namespace stratus::core::db
