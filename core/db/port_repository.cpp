#include "core/db/port_repository.h"

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
    "COALESCE(i.power_state, 0) "
    "FROM ports p JOIN networks n ON n.id = p.network_id LEFT JOIN subnets s ON s.id = p.subnet_id "
    "LEFT JOIN instances i ON i.uuid = p.device_id AND p.device_id != '' ";

PortRecord read_row(const Statement& r) {
  PortRecord p{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7), r.text(8),
               r.text(9), "", r.text(11)};
  if (!p.project_id.empty()) {
    auto zone = r.optional_text(10);
    p.device_owner = "compute:" + (zone && !zone->empty() ? *zone : std::string("nova"));
  }
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
  Ipv4Cidr cidr;
  std::optional<std::uint32_t> gateway;
  std::uint32_t pool_start = 0;
  std::uint32_t pool_end = 0;
};

Result<std::vector<SubnetRange>> subnet_ranges(Connection& c, std::int64_t network_id, const std::string& network_uuid) {
  auto st = c.prepare("read subnets of network " + network_uuid,
                      "SELECT id, cidr, gateway, pool_start, pool_end FROM subnets WHERE network_id = ? ORDER BY id");
  if (!st.ok()) return st.status();
  st->bind_all(network_id);
  std::vector<SubnetRange> out;
  Status bad = Status::OK();
  auto s = st->for_each([&](Statement& r) {
    SubnetRange range;
    range.id = r.int64(0);
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
  return db_.write("create port", [&](Connection& c) -> Result<PortRecord> {
    auto net = c.prepare("look up network " + network_uuid, "SELECT id FROM networks WHERE uuid = ?");
    if (!net.ok()) return net.status();
    net->bind_all(network_uuid);
    auto row = net->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("network " + network_uuid + " could not be found");
    const std::int64_t network_id = net->int64(0);
    auto subnets = subnet_ranges(c, network_id, network_uuid);
    if (!subnets.ok()) return subnets.status();
    if (subnets->empty()) {
      // Nova's NetworkRequiresSubnet.
      return Status::InvalidArgument("Network " + network_uuid + " requires a subnet in order to boot instances on.");
    }

    std::uint32_t want_ip = 0;
    std::int64_t want_subnet = 0;
    if (fixed_ip) {
      auto want = parse_ipv4(*fixed_ip);
      if (!want.ok()) return want.status();
      for (const auto& subnet : *subnets) {
        if (subnet.cidr.is_host(*want) && *want != subnet.gateway) {
          want_subnet = subnet.id;
          break;
        }
      }
      if (want_subnet == 0) {
        std::string cidrs;
        for (const auto& subnet : *subnets) cidrs += (cidrs.empty() ? "" : ", ") + subnet.cidr.to_string();
        return Status::InvalidArgument("fixed IP " + *fixed_ip + " is not an assignable address of " + cidrs);
      }
      want_ip = *want;
    }

    std::string uuid = common::random_uuid();
    std::string now = common::utc_now();
    // Pick, then insert only if neither the address nor the MAC is taken
    // (UNIQUE(network_id, ip_int), UNIQUE(mac_address)). No row inserted
    // means a concurrent writer took the address first (or, rarely, the
    // random MAC collided): pick again. This holds with any number of writers
    // and without a unique violation aborting the transaction.
    for (int attempt = 0;; ++attempt) {
      std::uint32_t ip = want_ip;
      std::int64_t subnet_id = want_subnet;
      if (!fixed_ip) {
        for (const auto& subnet : *subnets) {
          auto picked = pick_address(c, network_id, subnet, network_uuid);
          if (!picked.ok()) return picked.status();
          if (*picked) {
            ip = **picked;
            subnet_id = subnet.id;
            break;
          }
        }
        if (subnet_id == 0) {
          std::string cidrs;
          for (const auto& subnet : *subnets) cidrs += (cidrs.empty() ? "" : ", ") + subnet.cidr.to_string();
          return Status::Conflict("no more IP addresses available on network " + network_uuid + " (" + cidrs + ")");
        }
      }
      auto st = c.exec("insert port on network " + network_uuid,
                       "INSERT INTO ports(uuid, network_id, subnet_id, mac_address, ip_address, ip_int, device_id, "
                       "status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,'DOWN',?,?) ON CONFLICT DO NOTHING",
                       uuid, network_id, subnet_id, common::random_mac(), format_ipv4(ip), static_cast<std::int64_t>(ip),
                       device_id, now, now);
      if (!st.ok()) return st;
      if (c.changes() == 1) break;
      if (attempt >= 32) {
        return Status::Unavailable("insert port on network " + network_uuid + ": no free address after " +
                                   std::to_string(attempt + 1) + " attempts");
      }
      if (fixed_ip) {
        auto used = c.prepare("check address " + *fixed_ip, "SELECT 1 FROM ports WHERE network_id = ? AND ip_int = ?");
        if (!used.ok()) return used.status();
        used->bind_all(network_id, static_cast<std::int64_t>(ip));
        auto taken = used->step();
        if (!taken.ok()) return taken.status();
        if (*taken) return Status::Conflict("IP address " + format_ipv4(ip) + " is already allocated on network " + network_uuid);
      }
    }
    return get_locked(c, uuid);
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

Status PortRepository::bind(const std::string& uuid, const std::string& device_id) {
  return db_.write("bind port", [&](Connection& c) -> Status {
    auto st = c.exec("bind port " + uuid,
                     "UPDATE ports SET device_id = ?, updated_at = ? WHERE uuid = ? AND device_id = ''", device_id,
                     common::utc_now(), uuid);
    if (!st.ok()) return st;
    if (c.changes() == 1) return Status::OK();
    auto ps = c.prepare("read port " + uuid, "SELECT 1 FROM ports WHERE uuid = ?");
    if (!ps.ok()) return ps.status();
    ps->bind_all(uuid);
    auto row = ps->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("port " + uuid + " could not be found");
    return Status::Conflict("Port " + uuid + " is still in use.");
  });
}

Status PortRepository::unbind(const std::string& uuid, const std::string& device_id) {
  return db_.write("unbind port", [&](Connection& c) -> Status {
    auto st = c.exec("unbind port " + uuid, "UPDATE ports SET device_id = '', updated_at = ? WHERE uuid = ? AND device_id = ?",
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
    auto st = c.exec("delete ports of device " + device_id, "DELETE FROM ports WHERE device_id = ?", device_id);
    if (!st.ok()) return st;
    return c.changes();
  });
}

}  // namespace stratus::core::db
