#include "core/db/port_repository.h"

#include "core/db/ids.h"
#include "core/db/network_repository.h"
#include "core/db/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT p.uuid, n.uuid, p.mac_address, p.ip_address, p.device_id, p.status, p.created_at, p.updated_at "
    "FROM ports p JOIN networks n ON n.id = p.network_id ";

template <typename... Args>
Result<std::vector<PortRecord>> query(Connection& c, const std::string& purpose, const std::string& tail,
                                      const Args&... args) {
  auto st = c.prepare(purpose, kColumns + tail);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<PortRecord> out;
  auto s = st->for_each([&](Statement& r) {
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)});
  });
  if (!s.ok()) return s;
  return out;
}

Result<PortRecord> get_locked(Connection& c, const std::string& uuid) {
  auto rows = query(c, "read port " + uuid, "WHERE p.uuid = ?", uuid);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("port " + uuid + " could not be found");
  return std::move(rows->front());
}

// The lowest host address of `cidr` that is not the gateway and not in use.
Result<std::uint32_t> pick_address(Connection& c, std::int64_t network_id, const Ipv4Cidr& cidr,
                                   std::uint32_t gateway, const std::string& network_uuid) {
  auto st = c.prepare("read used addresses of network " + network_uuid,
                      "SELECT ip_int FROM ports WHERE network_id = ? ORDER BY ip_int");
  if (!st.ok()) return st.status();
  st->bind_all(network_id);
  std::uint32_t candidate = cidr.network + 1;
  const std::uint32_t last = cidr.broadcast() - 1;
  bool found = false;
  auto advance_past_gateway = [&] {
    if (candidate == gateway) ++candidate;
  };
  advance_past_gateway();
  auto s = st->for_each([&](Statement& r) {
    if (found) return;
    auto used = static_cast<std::uint32_t>(r.int64(0));
    if (used < candidate) return;
    if (used == candidate) {
      ++candidate;
      advance_past_gateway();
    } else {
      found = true;  // a gap before `used`
    }
  });
  if (!s.ok()) return s;
  if (candidate > last || candidate < cidr.network) {
    return Status::Conflict("no more IP addresses available on network " + network_uuid + " (" + cidr.to_string() +
                            ")");
  }
  return candidate;
}

}  // namespace

Result<PortRecord> PortRepository::create(const std::string& network_uuid, const std::string& device_id,
                                          const std::optional<std::string>& fixed_ip) {
  return db_.write("create port", [&](Connection& c) -> Result<PortRecord> {
    auto net = c.prepare("look up network " + network_uuid, "SELECT id, cidr, gateway FROM networks WHERE uuid = ?");
    if (!net.ok()) return net.status();
    net->bind_all(network_uuid);
    auto row = net->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("network " + network_uuid + " could not be found");
    const std::int64_t network_id = net->int64(0);
    auto cidr = parse_ipv4_cidr(net->text(1));
    if (!cidr.ok()) return cidr.status();
    auto gateway = parse_ipv4(net->text(2));
    if (!gateway.ok()) return gateway.status();

    std::uint32_t ip = 0;
    if (fixed_ip) {
      auto want = parse_ipv4(*fixed_ip);
      if (!want.ok()) return want.status();
      if (!cidr->contains(*want) || *want == cidr->network || *want == cidr->broadcast() || *want == *gateway) {
        return Status::InvalidArgument("fixed IP " + *fixed_ip + " is not an assignable address of " +
                                       cidr->to_string());
      }
      ip = *want;
    } else {
      auto picked = pick_address(c, network_id, *cidr, *gateway, network_uuid);
      if (!picked.ok()) return picked.status();
      ip = *picked;
    }

    std::string uuid = random_uuid();
    std::string now = utc_now();
    // A MAC is random in 24 bits, so a collision is possible but rare: retry.
    for (int attempt = 0;; ++attempt) {
      std::string mac = random_mac();
      auto st = c.exec("insert port on network " + network_uuid,
                       "INSERT INTO ports(uuid, network_id, mac_address, ip_address, ip_int, device_id, status, "
                       "created_at, updated_at) VALUES (?,?,?,?,?,?,'DOWN',?,?)",
                       uuid, network_id, mac, format_ipv4(ip), static_cast<std::int64_t>(ip), device_id, now, now);
      if (st.ok()) break;
      if (!st.is(sdk::StatusCode::kAlreadyExists)) return st;
      if (st.message().find("ip_int") != std::string::npos) {
        return Status::Conflict("IP address " + format_ipv4(ip) + " is already allocated on network " + network_uuid);
      }
      if (attempt >= 16) return st;
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

Result<std::vector<PortRecord>> PortRepository::list_by_network(const std::string& network_uuid) {
  return db_.read("list ports", [&](Connection& c) {
    return query(c, "list ports of network " + network_uuid, "WHERE n.uuid = ? ORDER BY p.ip_int", network_uuid);
  });
}

Status PortRepository::set_status(const std::string& uuid, const std::string& status) {
  return db_.write("set port status", [&](Connection& c) -> Status {
    auto st = c.exec("set status of port " + uuid, "UPDATE ports SET status = ?, updated_at = ? WHERE uuid = ?",
                     status, utc_now(), uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("port " + uuid + " could not be found");
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
