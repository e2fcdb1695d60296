#include "core/db/port_repository.h"

#include <tuple>

#include "core/common/ids.h"
#include "core/db/key_batches.h"
#include "core/db/ipv4_address.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT p.uuid, n.uuid, p.mac_address, p.ip_address, p.device_id, p.status, p.created_at, p.updated_at, "
    "COALESCE(s.uuid, ''), COALESCE(i.project_id, ''), i.availability_zone, COALESCE(i.host, ''), "
    "COALESCE(i.power_state, 0), p.project_id, p.device_owner, p.name, p.description, p.admin_state_up, "
    "p.port_security_enabled, p.preserve_on_delete "
    "FROM ports p JOIN networks n ON n.id = p.network_id LEFT JOIN subnets s ON s.id = p.subnet_id "
    "LEFT JOIN instances i ON i.uuid = p.device_id AND p.device_id != '' ";

PortRecord read_row(const Statement& r) {
  PortRecord p;
  p.uuid = r.text(0);
  p.network_uuid = r.text(1);
  p.mac_address = r.text(2);
  p.ip_address = r.text(3);
  p.device_id = r.text(4);
  p.status = r.text(5);
  p.created_at = r.text(6);
  p.updated_at = r.text(7);
  p.subnet_uuid = r.text(8);
  p.project_id = r.text(9);
  p.binding_host = r.text(11);
  const bool on_instance = !p.project_id.empty();
  if (on_instance) {
    auto zone = r.optional_text(10);
    p.device_owner = "compute:" + (zone && !zone->empty() ? *zone : std::string("nova"));
  }
  // A port made through the Network API keeps its own owner and
  // device_owner (bound to a server, the server's say where the port lives).
  if (!r.text(13).empty()) p.project_id = r.text(13);
  if (!r.text(14).empty() && !on_instance) p.device_owner = r.text(14);
  p.name = r.text(15);
  p.description = r.text(16);
  p.admin_state_up = r.int64(17) != 0;
  p.port_security_enabled = r.int64(18) != 0;
  p.preserve_on_delete = r.int64(19) != 0;
  // Nothing plugs ports one by one yet: a port is up while its guest runs
  // (power state 1), as Neutron's agent sees the guest's tap device.
  if (r.int64(12) == 1) p.status = "ACTIVE";
  return p;
}

template <typename... Args>
Result<std::vector<PortRecord>> query(Connection& c, const std::string& purpose, const std::string& tail,
                                      const Args&... args) {
  auto st = c.prepare(purpose, kColumns + tail);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<PortRecord> out;
  auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
  if (!s.ok()) return s;
  return out;
}

Result<PortRecord> get_locked(Connection& c, const std::string& uuid) {
  auto rows = query(c, "read port " + uuid, "WHERE p.uuid = ?", uuid);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("port " + uuid + " could not be found");
  return std::move(rows->front());
}

// What allocation needs of a subnet, as numbers.
struct SubnetRange {
  std::int64_t id = 0;
  std::string uuid;
  Ipv4Cidr cidr;
  std::optional<std::uint32_t> gateway;
  std::uint32_t pool_start = 0;
  std::uint32_t pool_end = 0;
};

Result<std::vector<SubnetRange>> subnet_ranges(Connection& c, std::int64_t network_id, const std::string& network_uuid) {
  auto st = c.prepare("read subnets of network " + network_uuid,
                      "SELECT id, cidr, gateway, pool_start, pool_end, uuid FROM subnets WHERE network_id = ? ORDER BY id");
  if (!st.ok()) return st.status();
  st->bind_all(network_id);
  std::vector<SubnetRange> out;
  Status bad = Status::OK();
  auto s = st->for_each([&](Statement& r) {
    SubnetRange range;
    range.id = r.int64(0);
    range.uuid = r.text(5);
    auto cidr = parse_ipv4_cidr(r.text(1));
    if (!cidr.ok()) {
      bad = cidr.status();
      return;
    }
    range.cidr = *cidr;
    if (auto gw = parse_ipv4(r.text(2)); gw.ok()) range.gateway = *gw;
    auto start = parse_ipv4(r.text(3));
    auto end = parse_ipv4(r.text(4));
    range.pool_start = start.ok() ? *start : cidr->first_host();
    range.pool_end = end.ok() ? *end : cidr->last_host();
    out.push_back(range);
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

// The lowest address of the subnet's pool that is not its gateway and not in use.
Result<std::optional<std::uint32_t>> pick_address(Connection& c, std::int64_t network_id, const SubnetRange& subnet,
                                                  const std::string& network_uuid) {
  auto st = c.prepare("read used addresses of network " + network_uuid,
                      "SELECT ip_int FROM ports WHERE network_id = ? AND ip_int BETWEEN ? AND ? ORDER BY ip_int");
  if (!st.ok()) return st.status();
  st->bind_all(network_id, static_cast<std::int64_t>(subnet.pool_start), static_cast<std::int64_t>(subnet.pool_end));
  std::uint64_t candidate = subnet.pool_start;
  bool found = false;
  auto advance_past_gateway = [&] {
    if (subnet.gateway && candidate == *subnet.gateway) ++candidate;
  };
  advance_past_gateway();
  auto s = st->for_each([&](Statement& r) {
    if (found) return;
    auto used = static_cast<std::uint64_t>(r.int64(0));
    if (used < candidate) return;
    if (used == candidate) {
      ++candidate;
      advance_past_gateway();
    } else {
      found = true;  // a gap before `used`
    }
  });
  if (!s.ok()) return s;
  if (candidate > subnet.pool_end) return std::optional<std::uint32_t>();
  return std::optional<std::uint32_t>(static_cast<std::uint32_t>(candidate));
}

}  // namespace

Result<PortRecord> PortRepository::create(const std::string& network_uuid, const std::string& device_id,
                                          const std::optional<std::string>& fixed_ip) {
  PortSpec spec;
  spec.network_uuid = network_uuid;
  spec.device_id = device_id;
  spec.fixed_ip = fixed_ip;
  return create(spec);
}

namespace {

std::string cidr_list(const std::vector<SubnetRange>& subnets) {
  std::string cidrs;
  for (const auto& subnet : subnets) cidrs += (cidrs.empty() ? "" : ", ") + subnet.cidr.to_string();
  return cidrs;
}

// Where a port's address comes from: a fixed one (checked against the
// subnets, or the one subnet asked for), or any free one of those subnets.
struct AddressChoice {
  std::uint32_t ip = 0;         // with a fixed IP
  std::int64_t subnet_id = 0;   // with a fixed IP
  std::vector<SubnetRange> pick_from;  // without
};

Result<AddressChoice> choose_address(const std::vector<SubnetRange>& subnets, const std::string& network_uuid,
                                     const std::optional<std::string>& fixed_ip, const std::string& subnet_uuid,
                                     bool gateway_allowed) {
  std::vector<SubnetRange> candidates;
  for (const auto& subnet : subnets) {
    if (subnet_uuid.empty() || subnet.uuid == subnet_uuid) candidates.push_back(subnet);
  }
  if (candidates.empty()) {
    return Status::NotFound("subnet " + subnet_uuid + " of network " + network_uuid + " could not be found");
  }
  AddressChoice out;
  if (!fixed_ip) {
    out.pick_from = std::move(candidates);
    return out;
  }
  auto want = parse_ipv4(*fixed_ip);
  if (!want.ok()) return want.status();
  for (const auto& subnet : candidates) {
    if (subnet.cidr.is_host(*want) && (gateway_allowed || *want != subnet.gateway)) {
      out.ip = *want;
      out.subnet_id = subnet.id;
      return out;
    }
  }
  return Status::InvalidArgument("fixed IP " + *fixed_ip + " is not an assignable address of " + cidr_list(candidates));
}

// The lowest free address of the first of `subnets` that has one, with that
// subnet's row id; kConflict "no more IP addresses ..." when none has.
Result<std::pair<std::uint32_t, std::int64_t>> pick_any(Connection& c, std::int64_t network_id,
                                                        const std::vector<SubnetRange>& subnets,
                                                        const std::string& network_uuid) {
  for (const auto& subnet : subnets) {
    auto picked = pick_address(c, network_id, subnet, network_uuid);
    if (!picked.ok()) return picked.status();
    if (*picked) return std::pair{**picked, subnet.id};
  }
  return Status::Conflict("no more IP addresses available on network " + network_uuid + " (" + cidr_list(subnets) + ")");
}

// With `lock_for_allocation`, the network's row is locked for the rest of the
// transaction, so that writers picking "the lowest free address" of one
// network queue up instead of racing for the same address. Without the lock,
// on a backend with row locks, a writer could lose that race again and again
// while the others commit (seen with four threads on one network).
Result<std::int64_t> network_id_of(Connection& c, const std::string& network_uuid, bool lock_for_allocation = false) {
  auto net = c.prepare("look up network " + network_uuid,
                       "SELECT id FROM networks WHERE uuid = ?" +
                           std::string(lock_for_allocation ? c.dialect().for_update : ""));
  if (!net.ok()) return net.status();
  net->bind_all(network_uuid);
  auto row = net->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("network " + network_uuid + " could not be found");
  return net->int64(0);
}

Result<bool> exists(Connection& c, const std::string& purpose, const std::string& sql, const auto&... args) {
  auto st = c.prepare(purpose, sql);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row;
}

}  // namespace

Result<PortRecord> PortRepository::create(const PortSpec& spec) {
  const std::string& network_uuid = spec.network_uuid;
  return db_.write("create port", [&](Connection& c) -> Result<PortRecord> {
    auto network_id_found = network_id_of(c, network_uuid, /*lock_for_allocation=*/!spec.fixed_ip);
    if (!network_id_found.ok()) return network_id_found.status();
    const std::int64_t network_id = *network_id_found;
    auto subnets = subnet_ranges(c, network_id, network_uuid);
    if (!subnets.ok()) return subnets.status();
    if (subnets->empty()) {
      // Nova's NetworkRequiresSubnet.
      return Status::InvalidArgument("Network " + network_uuid + " requires a subnet in order to boot instances on.");
    }
    auto choice = choose_address(*subnets, network_uuid, spec.fixed_ip, spec.subnet_uuid, spec.gateway_allowed);
    if (!choice.ok()) return choice.status();
    if (!spec.mac_address.empty()) {
      auto taken = exists(c, "check MAC " + spec.mac_address, "SELECT 1 FROM ports WHERE mac_address = ?",
                          spec.mac_address);
      if (!taken.ok()) return taken.status();
      if (*taken) return Status::Conflict("MAC address " + spec.mac_address + " is in use");
    }

    std::string uuid = common::random_uuid();
    std::string now = common::utc_now();
    // Pick, then insert only if neither the address nor the MAC is taken
    // (UNIQUE(network_id, ip_int), UNIQUE(mac_address)). No row inserted
    // means a concurrent writer took the address first (or, rarely, the
    // random MAC collided): pick again. This holds with any number of writers
    // and without a unique violation aborting the transaction.
    for (int attempt = 0;; ++attempt) {
      std::uint32_t ip = choice->ip;
      std::int64_t subnet_id = choice->subnet_id;
      if (!spec.fixed_ip) {
        auto picked = pick_any(c, network_id, choice->pick_from, network_uuid);
        if (!picked.ok()) return picked.status();
        std::tie(ip, subnet_id) = *picked;
      }
      auto st = c.exec("insert port on network " + network_uuid,
                       "INSERT INTO ports(uuid, network_id, subnet_id, mac_address, ip_address, ip_int, device_id, "
                       "status, created_at, updated_at, name, description, project_id, device_owner, admin_state_up, "
                       "port_security_enabled, preserve_on_delete) "
                       "VALUES (?,?,?,?,?,?,?,'DOWN',?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                       uuid, network_id, subnet_id, spec.mac_address.empty() ? common::random_mac() : spec.mac_address,
                       format_ipv4(ip), static_cast<std::int64_t>(ip), spec.device_id, now, now, spec.name,
                       spec.description, spec.project_id, spec.device_owner,
                       static_cast<std::int64_t>(spec.admin_state_up), static_cast<std::int64_t>(spec.port_security_enabled),
                       static_cast<std::int64_t>(spec.preserve_on_delete));
      if (!st.ok()) return st;
      if (c.changes() == 1) break;
      if (!spec.mac_address.empty()) {
        return Status::Conflict("MAC address " + spec.mac_address + " or address " + format_ipv4(ip) + " is in use");
      }
      if (attempt >= 32) {
        return Status::Unavailable("insert port on network " + network_uuid + ": no free address after " +
                                   std::to_string(attempt + 1) + " attempts");
      }
      if (spec.fixed_ip) {
        auto taken = exists(c, "check address " + *spec.fixed_ip,
                            "SELECT 1 FROM ports WHERE network_id = ? AND ip_int = ?", network_id,
                            static_cast<std::int64_t>(ip));
        if (!taken.ok()) return taken.status();
        if (*taken) return Status::Conflict("IP address " + format_ipv4(ip) + " is already allocated on network " + network_uuid);
      }
    }
    return get_locked(c, uuid);
  });
}

Result<PortRecord> PortRepository::update(const std::string& uuid, const PortUpdate& u) {
  return db_.write("update port", [&](Connection& c) -> Result<PortRecord> {
    auto port = get_locked(c, uuid);
    if (!port.ok()) return port.status();
    const std::string now = common::utc_now();
    auto set = [&](const char* column, const auto& value) -> Status {
      auto st = c.exec("update port " + uuid,
                       std::string("UPDATE ports SET ") + column + " = ?, updated_at = ? WHERE uuid = ?", value, now,
                       uuid);
      return st;
    };
    if (u.name) { if (auto s = set("name", *u.name); !s.ok()) return s; }
    if (u.description) { if (auto s = set("description", *u.description); !s.ok()) return s; }
    if (u.admin_state_up) { if (auto s = set("admin_state_up", static_cast<std::int64_t>(*u.admin_state_up)); !s.ok()) return s; }
    if (u.port_security_enabled) {
      if (auto s = set("port_security_enabled", static_cast<std::int64_t>(*u.port_security_enabled)); !s.ok()) return s;
    }
    if (u.device_id) { if (auto s = set("device_id", *u.device_id); !s.ok()) return s; }
    if (u.device_owner) { if (auto s = set("device_owner", *u.device_owner); !s.ok()) return s; }
    if (u.mac_address && *u.mac_address != port->mac_address) {
      auto taken = exists(c, "check MAC " + *u.mac_address, "SELECT 1 FROM ports WHERE mac_address = ?", *u.mac_address);
      if (!taken.ok()) return taken.status();
      if (*taken) return Status::Conflict("MAC address " + *u.mac_address + " is in use");
      if (auto s = set("mac_address", *u.mac_address); !s.ok()) return s;
    }
    if (u.fixed_ip || u.subnet_uuid) {
      auto network_id = network_id_of(c, port->network_uuid);
      if (!network_id.ok()) return network_id.status();
      auto subnets = subnet_ranges(c, *network_id, port->network_uuid);
      if (!subnets.ok()) return subnets.status();
      const bool router_port = port->device_owner.rfind("network:router_interface", 0) == 0;
      auto choice = choose_address(*subnets, port->network_uuid, u.fixed_ip, u.subnet_uuid.value_or(""), router_port);
      if (!choice.ok()) return choice.status();
      std::uint32_t ip = choice->ip;
      std::int64_t subnet_id = choice->subnet_id;
      if (!u.fixed_ip) {
        auto picked = pick_any(c, *network_id, choice->pick_from, port->network_uuid);
        if (!picked.ok()) return picked.status();
        std::tie(ip, subnet_id) = *picked;
      }
      if (format_ipv4(ip) != port->ip_address) {
        auto taken = exists(c, "check address", "SELECT 1 FROM ports WHERE network_id = ? AND ip_int = ?", *network_id,
                            static_cast<std::int64_t>(ip));
        if (!taken.ok()) return taken.status();
        if (*taken) {
          return Status::Conflict("IP address " + format_ipv4(ip) + " is already allocated on network " +
                                  port->network_uuid);
        }
      }
      auto st = c.exec("move port " + uuid,
                       "UPDATE ports SET ip_address = ?, ip_int = ?, subnet_id = ?, updated_at = ? WHERE uuid = ?",
                       format_ipv4(ip), static_cast<std::int64_t>(ip), subnet_id, now, uuid);
      if (!st.ok()) return st;
    }
    return get_locked(c, uuid);
  });
}

Status PortRepository::bind(const std::string& uuid, const std::string& device_id) {
  return db_.write("bind port", [&](Connection& c) -> Status {
    auto st = c.exec("bind port " + uuid,
                     "UPDATE ports SET device_id = ?, device_owner = '', updated_at = ? WHERE uuid = ? AND device_id = ''",
                     device_id, common::utc_now(), uuid);
    if (!st.ok()) return st;
    if (c.changes() == 1) return Status::OK();
    auto found = exists(c, "read port " + uuid, "SELECT 1 FROM ports WHERE uuid = ?", uuid);
    if (!found.ok()) return found.status();
    if (!*found) return Status::NotFound("port " + uuid + " could not be found");
    return Status::Conflict("Port " + uuid + " is still in use.");
  });
}

Result<std::int64_t> PortRepository::count(const std::string& project_id) {
  return db_.read("count ports", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.prepare("count ports of project " + project_id,
                        "SELECT COUNT(*) FROM ports p LEFT JOIN instances i ON i.uuid = p.device_id AND p.device_id != '' "
                        "WHERE p.project_id = ? OR (p.project_id = '' AND i.project_id = ?)");
    if (!st.ok()) return st.status();
    st->bind_all(project_id, project_id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    return *row ? st->int64(0) : 0;
  });
}

Result<std::optional<PortRecord>> PortRepository::find_by_mac(const std::string& mac_address) {
  return db_.read("find port by MAC", [&](Connection& c) -> Result<std::optional<PortRecord>> {
    auto rows = query(c, "find port with MAC " + mac_address, "WHERE p.mac_address = ?", mac_address);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::optional<PortRecord>();
    return std::optional<PortRecord>(std::move(rows->front()));
  });
}

Result<std::optional<PortRecord>> PortRepository::find_by_address(const std::string& network_uuid,
                                                                   const std::string& ip) {
  return db_.read("find port by address", [&](Connection& c) -> Result<std::optional<PortRecord>> {
    auto rows = query(c, "find port with address " + ip, "WHERE n.uuid = ? AND p.ip_address = ?", network_uuid, ip);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::optional<PortRecord>();
    return std::optional<PortRecord>(std::move(rows->front()));
  });
}

Result<PortRecord> PortRepository::get(const std::string& uuid) {
  return db_.read("read port", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<PortRecord>> PortRepository::list_by_device(const std::string& device_id) {
  return db_.read("list ports", [&](Connection& c) {
    return query(c, "list ports of device " + device_id, "WHERE p.device_id = ? ORDER BY p.id", device_id);
  });
}

Result<std::vector<PortRecord>> PortRepository::list_by_devices(const std::vector<std::string>& device_ids) {
  return db_.read("list ports", [&](Connection& c) -> Result<std::vector<PortRecord>> {
    std::vector<PortRecord> out;
    auto st = for_each_key_batch(device_ids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
      auto stmt = c.prepare("list ports of devices", kColumns + ("WHERE p.device_id IN (" + placeholders + ") ORDER BY p.id"));
      if (!stmt.ok()) return stmt.status();
      bind_keys(*stmt, chunk);
      return stmt->for_each([&](Statement& r) { out.push_back(read_row(r)); });
    });
    if (!st.ok()) return st;
    return out;
  });
}

Result<std::vector<PortRecord>> PortRepository::list_by_network(const std::string& network_uuid) {
  return db_.read("list ports", [&](Connection& c) {
    return query(c, "list ports of network " + network_uuid, "WHERE n.uuid = ? ORDER BY p.ip_int", network_uuid);
  });
}

Result<std::vector<PortRecord>> PortRepository::list() {
  return db_.read("list ports", [&](Connection& c) { return query(c, "list ports", "ORDER BY p.id"); });
}

Status PortRepository::set_status(const std::string& uuid, const std::string& status) {
  return db_.write("set port status", [&](Connection& c) -> Status {
    auto st = c.exec("set status of port " + uuid, "UPDATE ports SET status = ?, updated_at = ? WHERE uuid = ?",
                     status, common::utc_now(), uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("port " + uuid + " could not be found");
    return Status::OK();
  });
}

Status PortRepository::unbind(const std::string& uuid, const std::string& device_id) {
  return db_.write("unbind port", [&](Connection& c) -> Status {
    auto st = c.exec("unbind port " + uuid, "UPDATE ports SET device_id = '', device_owner = '', updated_at = ? WHERE uuid = ? AND device_id = ?",
                     common::utc_now(), uuid, device_id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("port " + uuid + " is not bound to " + device_id);
    return Status::OK();
  });
}

Status PortRepository::remove(const std::string& uuid) {
  return db_.write("delete port", [&](Connection& c) -> Status {
    auto st = c.exec("delete port " + uuid, "DELETE FROM ports WHERE uuid = ?", uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("port " + uuid + " could not be found");
    return Status::OK();
  });
}

Result<std::int64_t> PortRepository::remove_by_device(const std::string& device_id) {
  return db_.write("delete ports of device", [&](Connection& c) -> Result<std::int64_t> {
    auto st = c.exec("delete ports of device " + device_id,
                     "DELETE FROM ports WHERE device_id = ? AND preserve_on_delete = 0", device_id);
    if (!st.ok()) return st;
    const std::int64_t freed = c.changes();
    auto unbound = c.exec("unbind user ports of device " + device_id,
                          "UPDATE ports SET device_id = '', device_owner = '', updated_at = ? WHERE device_id = ?",
                          common::utc_now(), device_id);
    if (!unbound.ok()) return unbound;
    return freed + c.changes();
  });
}

}  // namespace stratus::core::db
