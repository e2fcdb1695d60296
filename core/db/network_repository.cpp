#include "core/db/network_repository.h"

#include "core/common/ids.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT id, uuid, name, description, project_id, shared, router_external, admin_state_up, mtu, revision_number, "
    "created_at, updated_at FROM networks ";

NetworkRecord read_row(const Statement& r) {
  NetworkRecord n;
  n.id = r.int64(0);
  n.uuid = r.text(1);
  n.name = r.text(2);
  n.description = r.text(3);
  n.project_id = r.text(4);
  n.shared = r.boolean(5);
  n.router_external = r.boolean(6);
  n.admin_state_up = r.boolean(7);
  n.mtu = static_cast<int>(r.int64(8));
  n.revision_number = r.int64(9);
  n.created_at = r.text(10);
  n.updated_at = r.text(11);
  return n;
}

// Fills the subnet fields of each network from the subnets table.
Status add_subnets(Connection& c, std::vector<NetworkRecord>& networks) {
  if (networks.empty()) return Status::OK();
  auto st = c.prepare("read subnets of networks", "SELECT network_id, uuid, cidr, gateway FROM subnets ORDER BY id");
  if (!st.ok()) return st.status();
  return st->for_each([&](Statement& r) {
    const std::int64_t network_id = r.int64(0);
    for (auto& n : networks) {
      if (n.id != network_id) continue;
      if (n.subnet_ids.empty()) {
        n.cidr = r.text(2);
        n.gateway = r.text(3);
      }
      n.subnet_ids.push_back(r.text(1));
    }
  });
}

Result<std::vector<NetworkRecord>> query(Connection& c, const std::string& purpose, const std::string& tail,
                                         const std::optional<std::string>& arg) {
  auto st = c.prepare(purpose, kColumns + tail);
  if (!st.ok()) return st.status();
  if (tail.find("?1") != std::string::npos) st->bind(1, arg);
  std::vector<NetworkRecord> out;
  auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
  if (!s.ok()) return s;
  if (auto sub = add_subnets(c, out); !sub.ok()) return sub;
  return out;
}

Result<NetworkRecord> get_locked(Connection& c, const std::string& uuid) {
  auto rows = query(c, "read network " + uuid, "WHERE uuid = ?1", uuid);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("network " + uuid + " could not be found");
  return std::move(rows->front());
}

}  // namespace

Result<NetworkRecord> NetworkRepository::create(NetworkRecord rec, std::optional<SubnetRecord> first_subnet) {
  if (!first_subnet && !rec.cidr.empty()) {
    SubnetRecord s;
    s.name = rec.name + "-subnet";
    s.cidr = rec.cidr;
    s.gateway = rec.gateway;
    first_subnet = std::move(s);
  }
  if (rec.uuid.empty()) rec.uuid = common::random_uuid();
  return db_.write("create network", [&](Connection& c) -> Result<NetworkRecord> {
    std::string now = common::utc_now();
    auto st = c.exec("insert network " + rec.name,
                     "INSERT INTO networks(uuid, name, description, project_id, shared, router_external, "
                     "admin_state_up, mtu, revision_number, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,1,?,?)",
                     rec.uuid, rec.name, rec.description, rec.project_id, rec.shared, rec.router_external,
                     rec.admin_state_up, rec.mtu, now, now);
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("network " + rec.uuid + " already exists");
    if (!st.ok()) return st;
    if (first_subnet) {
      first_subnet->network_uuid = rec.uuid;
      auto subnet = SubnetRepository::create_locked(c, std::move(*first_subnet));
      if (!subnet.ok()) return subnet.status();
    }
    return get_locked(c, rec.uuid);
  });
}

Result<NetworkRecord> NetworkRepository::get(const std::string& uuid) {
  return db_.read("read network", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<NetworkRecord>> NetworkRepository::list(const std::optional<std::string>& project_id) {
  return db_.read("list networks", [&](Connection& c) {
    return query(c, "list networks",
                 "WHERE ?1 IS NULL OR project_id = ?1 OR project_id = '' OR shared = 1 OR router_external = 1 "
                 "ORDER BY id",
                 project_id);
  });
}

Status NetworkRepository::remove(const std::string& uuid) {
  return db_.write("delete network", [&](Connection& c) -> Status {
    auto net = get_locked(c, uuid);
    if (!net.ok()) return net.status();
    auto st = c.prepare("count ports of network " + uuid, "SELECT COUNT(*) FROM ports WHERE network_id = ?");
    if (!st.ok()) return st.status();
    st->bind_all(net->id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (st->int64(0) > 0) {
      return Status::InvalidState("network " + uuid + " still has " + std::to_string(st->int64(0)) + " port(s)");
    }
    // Its subnets go with it (ON DELETE CASCADE).
    return c.exec("delete network " + uuid, "DELETE FROM networks WHERE id = ?", net->id);
  });
}

}  // namespace stratus::core::db
