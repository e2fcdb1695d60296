#include "core/db/floating_ip_repository.h"

#include "core/common/ids.h"
#include "core/common/time_util.h"
#include "core/db/key_batches.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT f.uuid, f.project_id, n.uuid, n.name, fp.ip_address, fp.uuid, p.uuid, p.ip_address, p.device_id, "
    "f.description, f.revision_number, f.created_at, f.updated_at "
    "FROM floatingips f JOIN ports fp ON fp.id = f.floating_port_id JOIN networks n ON n.id = fp.network_id "
    "LEFT JOIN ports p ON p.id = f.port_id ";

FloatingIpRecord read_row(const Statement& r) {
  FloatingIpRecord f;
  f.uuid = r.text(0);
  f.project_id = r.text(1);
  f.floating_network_id = r.text(2);
  f.floating_network_name = r.text(3);
  f.floating_ip_address = r.text(4);
  f.floating_port_id = r.text(5);
  f.port_id = r.optional_text(6);
  f.fixed_ip_address = r.optional_text(7);
  f.instance_id = r.text(8);
  f.description = r.text(9);
  f.revision_number = r.int64(10);
  f.created_at = r.text(11);
  f.updated_at = r.text(12);
  return f;
}

template <typename... Args>
Result<std::vector<FloatingIpRecord>> query(Connection& c, const std::string& purpose, const std::string& tail,
                                            const Args&... args) {
  auto st = c.prepare(purpose, kColumns + tail);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<FloatingIpRecord> out;
  auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
  if (!s.ok()) return s;
  return out;
}

Result<FloatingIpRecord> get_locked(Connection& c, const std::string& uuid) {
  auto rows = query(c, "read floating IP " + uuid, "WHERE f.uuid = ?", uuid);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("Floating IP " + uuid + " could not be found");
  return std::move(rows->front());
}

Result<std::int64_t> port_row_id(Connection& c, const std::string& uuid) {
  auto st = c.prepare("look up port " + uuid, "SELECT id FROM ports WHERE uuid = ?");
  if (!st.ok()) return st.status();
  st->bind_all(uuid);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("Port " + uuid + " could not be found.");
  return st->int64(0);
}

// kAlreadyExists when another floating IP is on the port.
Status check_port_free(Connection& c, std::int64_t port, const std::string& port_uuid, const std::string& self) {
  auto st = c.prepare("check floating IPs of port " + port_uuid, "SELECT uuid FROM floatingips WHERE port_id = ?");
  if (!st.ok()) return st.status();
  st->bind_all(port);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (*row && st->text(0) != self) {
    return Status::AlreadyExists("Port " + port_uuid + " already has floating IP " + st->text(0) + " associated.");
  }
  return Status::OK();
}

}  // namespace

Result<FloatingIpRecord> FloatingIpRepository::insert(FloatingIpRecord record) {
  return db_.write("create floating IP", [&](Connection& c) -> Result<FloatingIpRecord> {
    if (record.uuid.empty()) record.uuid = common::random_uuid();
    auto floating_port = port_row_id(c, record.floating_port_id);
    if (!floating_port.ok()) return floating_port.status();
    std::optional<std::int64_t> port;
    if (record.port_id) {
      auto id = port_row_id(c, *record.port_id);
      if (!id.ok()) return id.status();
      auto free = check_port_free(c, *id, *record.port_id, record.uuid);
      if (!free.ok()) return free;
      port = *id;
    }
    const std::string now = common::utc_now();
    auto st = c.exec("insert floating IP " + record.uuid,
                     "INSERT INTO floatingips(uuid, project_id, floating_port_id, port_id, description, "
                     "revision_number, created_at, updated_at) VALUES (?,?,?,?,?,1,?,?)",
                     record.uuid, record.project_id, *floating_port, port, record.description, now, now);
    if (!st.ok()) return st;
    return get_locked(c, record.uuid);
  });
}

Result<FloatingIpRecord> FloatingIpRepository::get(const std::string& uuid) {
  return db_.read("read floating IP", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<FloatingIpRecord>> FloatingIpRepository::list(const std::optional<std::string>& project_id) {
  return db_.read("list floating IPs", [&](Connection& c) {
    if (project_id) return query(c, "list floating IPs of " + *project_id, "WHERE f.project_id = ? ORDER BY f.id", *project_id);
    return query(c, "list floating IPs", "ORDER BY f.id");
  });
}

Result<std::vector<FloatingIpRecord>> FloatingIpRepository::list_by_ports(const std::vector<std::string>& port_ids) {
  return db_.read("list floating IPs of ports", [&](Connection& c) -> Result<std::vector<FloatingIpRecord>> {
    std::vector<FloatingIpRecord> out;
    auto st = for_each_key_batch(port_ids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
      auto rs = c.prepare("list floating IPs of ports", kColumns + ("WHERE p.uuid IN (" + placeholders + ") ORDER BY f.id"));
      if (!rs.ok()) return rs.status();
      bind_keys(*rs, chunk);
      return rs->for_each([&](Statement& r) { out.push_back(read_row(r)); });
    });
    if (!st.ok()) return st;
    return out;
  });
}

Result<FloatingIpRecord> FloatingIpRepository::associate(const std::string& uuid,
                                                         const std::optional<std::string>& port_id) {
  return db_.write("associate floating IP", [&](Connection& c) -> Result<FloatingIpRecord> {
    auto current = get_locked(c, uuid);
    if (!current.ok()) return current.status();
    std::optional<std::int64_t> port;
    if (port_id) {
      auto id = port_row_id(c, *port_id);
      if (!id.ok()) return id.status();
      auto free = check_port_free(c, *id, *port_id, uuid);
      if (!free.ok()) return free;
      port = *id;
    }
    auto st = c.exec("associate floating IP " + uuid,
                     "UPDATE floatingips SET port_id = ?, revision_number = revision_number + 1, updated_at = ? "
                     "WHERE uuid = ?",
                     port, common::utc_now(), uuid);
    if (!st.ok()) return st;
    return get_locked(c, uuid);
  });
}

Status FloatingIpRepository::remove(const std::string& uuid) {
  return db_.write("release floating IP", [&](Connection& c) -> Status {
    auto st = c.exec("delete floating port of " + uuid,
                     "DELETE FROM ports WHERE id = (SELECT floating_port_id FROM floatingips WHERE uuid = ?)", uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Floating IP " + uuid + " could not be found");
    return Status::OK();
  });
}

Result<std::int64_t> FloatingIpRepository::count(const std::string& project_id) {
  return db_.read("count floating IPs", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.prepare("count floating IPs of " + project_id, "SELECT COUNT(*) FROM floatingips WHERE project_id = ?");
    if (!st.ok()) return st.status();
    st->bind_all(project_id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    return *row ? st->int64(0) : 0;
  });
}

}  // namespace stratus::core::db
