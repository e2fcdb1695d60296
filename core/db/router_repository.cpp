#include "core/db/router_repository.h"

#include "core/common/ids.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT r.uuid, r.project_id, r.name, r.description, r.admin_state_up, COALESCE(n.uuid, ''), "
    "r.revision_number, r.created_at, r.updated_at "
    "FROM routers r LEFT JOIN networks n ON n.id = r.gateway_network_id ";

RouterRecord read_row(const Statement& r) {
  RouterRecord out;
  out.uuid = r.text(0);
  out.project_id = r.text(1);
  out.name = r.text(2);
  out.description = r.text(3);
  out.admin_state_up = r.int64(4) != 0;
  out.gateway_network_uuid = r.text(5);
  out.revision_number = r.int64(6);
  out.created_at = r.text(7);
  out.updated_at = r.text(8);
  return out;
}

Result<RouterRecord> get_locked(Connection& c, const std::string& uuid) {
  auto st = c.prepare("read router " + uuid, std::string(kColumns) + "WHERE r.uuid = ?");
  if (!st.ok()) return st.status();
  st->bind_all(uuid);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("router " + uuid + " could not be found");
  return read_row(*st);
}

// The networks row id of a gateway network; nullopt for "".
Result<std::optional<std::int64_t>> network_row(Connection& c, const std::string& network_uuid) {
  if (network_uuid.empty()) return std::optional<std::int64_t>();
  auto st = c.prepare("look up network " + network_uuid, "SELECT id FROM networks WHERE uuid = ?");
  if (!st.ok()) return st.status();
  st->bind_all(network_uuid);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("network " + network_uuid + " could not be found");
  return std::optional<std::int64_t>(st->int64(0));
}

}  // namespace

Result<RouterRecord> RouterRepository::create(RouterRecord record) {
  return db_.write("create router", [&](Connection& c) -> Result<RouterRecord> {
    auto gateway = network_row(c, record.gateway_network_uuid);
    if (!gateway.ok()) return gateway.status();
    if (record.uuid.empty()) record.uuid = common::random_uuid();
    const std::string now = common::utc_now();
    auto st = c.exec("insert router " + record.uuid,
                     "INSERT INTO routers(uuid, project_id, name, description, admin_state_up, gateway_network_id, "
                     "revision_number, created_at, updated_at) VALUES (?,?,?,?,?,?,1,?,?)",
                     record.uuid, record.project_id, record.name, record.description,
                     static_cast<std::int64_t>(record.admin_state_up), *gateway, now, now);
    if (!st.ok()) return st;
    return get_locked(c, record.uuid);
  });
}

Result<RouterRecord> RouterRepository::get(const std::string& uuid) {
  return db_.read("read router", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<RouterRecord>> RouterRepository::list(const std::optional<std::string>& project_id) {
  return db_.read("list routers", [&](Connection& c) -> Result<std::vector<RouterRecord>> {
    auto st = c.prepare("list routers", std::string(kColumns) + (project_id ? "WHERE r.project_id = ? " : "") +
                                            "ORDER BY r.id");
    if (!st.ok()) return st.status();
    if (project_id) st->bind_all(*project_id);
    std::vector<RouterRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
    if (!s.ok()) return s;
    return out;
  });
}

Result<RouterRecord> RouterRepository::update(const std::string& uuid, const RouterUpdate& u) {
  return db_.write("update router", [&](Connection& c) -> Result<RouterRecord> {
    auto current = get_locked(c, uuid);
    if (!current.ok()) return current.status();
    RouterRecord next = *current;
    if (u.name) next.name = *u.name;
    if (u.description) next.description = *u.description;
    if (u.admin_state_up) next.admin_state_up = *u.admin_state_up;
    if (u.gateway_network_uuid) next.gateway_network_uuid = *u.gateway_network_uuid;
    auto gateway = network_row(c, next.gateway_network_uuid);
    if (!gateway.ok()) return gateway.status();
    auto st = c.exec("update router " + uuid,
                     "UPDATE routers SET name = ?, description = ?, admin_state_up = ?, gateway_network_id = ?, "
                     "revision_number = revision_number + 1, updated_at = ? WHERE uuid = ?",
                     next.name, next.description, static_cast<std::int64_t>(next.admin_state_up), *gateway,
                     common::utc_now(), uuid);
    if (!st.ok()) return st;
    return get_locked(c, uuid);
  });
}

Status RouterRepository::remove(const std::string& uuid) {
  return db_.write("delete router", [&](Connection& c) -> Status {
    auto current = get_locked(c, uuid);
    if (!current.ok()) return current.status();
    auto in_use = c.prepare("count interfaces of router " + uuid,
                            "SELECT COUNT(*) FROM ports WHERE device_id = ? AND device_owner = ?");
    if (!in_use.ok()) return in_use.status();
    in_use->bind_all(uuid, std::string(kRouterInterfaceOwner));
    auto row = in_use->step();
    if (!row.ok()) return row.status();
    if (*row && in_use->int64(0) > 0) return Status::InvalidState("router " + uuid + " still has ports");
    auto st = c.exec("delete gateway port of router " + uuid, "DELETE FROM ports WHERE device_id = ? AND device_owner = ?",
                     uuid, std::string(kRouterGatewayOwner));
    if (!st.ok()) return st;
    return c.exec("delete router " + uuid, "DELETE FROM routers WHERE uuid = ?", uuid);
  });
}

}  // namespace stratus::core::db
