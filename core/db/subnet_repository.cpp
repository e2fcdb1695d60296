#include "core/db/subnet_repository.h"

#include "core/common/ids.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT s.id, s.uuid, n.uuid, s.name, s.description, s.project_id, s.cidr, s.gateway, s.pool_start, s.pool_end, "
    "s.dns_nameservers, s.enable_dhcp, s.revision_number, s.created_at, s.updated_at "
    "FROM subnets s JOIN networks n ON n.id = s.network_id ";

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string join_commas(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

SubnetRecord read_row(const Statement& r) {
  SubnetRecord s;
  s.id = r.int64(0);
  s.uuid = r.text(1);
  s.network_uuid = r.text(2);
  s.name = r.text(3);
  s.description = r.text(4);
  s.project_id = r.text(5);
  s.cidr = r.text(6);
  s.gateway = r.text(7);
  s.has_gateway = !s.gateway.empty();
  s.pool_start = r.text(8);
  s.pool_end = r.text(9);
  // A pool stored empty (subnets migrated from the networks table) is the
  // whole host range.
  if (auto cidr = parse_ipv4_cidr(s.cidr); cidr.ok()) {
    if (s.pool_start.empty()) s.pool_start = format_ipv4(cidr->first_host());
    if (s.pool_end.empty()) s.pool_end = format_ipv4(cidr->last_host());
  }
  s.dns_nameservers = split_commas(r.text(10));
  s.enable_dhcp = r.boolean(11);
  s.revision_number = r.int64(12);
  s.created_at = r.text(13);
  s.updated_at = r.text(14);
  return s;
}

Result<std::vector<SubnetRecord>> query(Connection& c, const std::string& purpose, const std::string& tail,
                                        const std::string& arg) {
  auto st = c.prepare(purpose, kColumns + tail);
  if (!st.ok()) return st.status();
  if (!arg.empty()) st->bind_all(arg);
  std::vector<SubnetRecord> out;
  auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
  if (!s.ok()) return s;
  return out;
}

Result<SubnetRecord> get_locked(Connection& c, const std::string& uuid) {
  auto rows = query(c, "read subnet " + uuid, "WHERE s.uuid = ?", uuid);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("subnet " + uuid + " could not be found");
  return std::move(rows->front());
}

// Checks the addresses of `rec` against its CIDR and normalises them.
Status validate(SubnetRecord& rec, const Ipv4Cidr& cidr) {
  rec.cidr = cidr.to_string();
  auto host_of_cidr = [&](const std::string& what, const std::string& text) -> Result<std::uint32_t> {
    auto ip = parse_ipv4(text);
    if (!ip.ok()) return Status::InvalidArgument(what + " " + ip.status().message());
    if (!cidr.is_host(*ip)) return Status::InvalidArgument(what + " " + text + " is not a host address of " + rec.cidr);
    return *ip;
  };
  std::optional<std::uint32_t> gateway;
  if (rec.has_gateway) {
    if (rec.gateway.empty()) rec.gateway = format_ipv4(cidr.first_host());
    auto gw = host_of_cidr("gateway", rec.gateway);
    if (!gw.ok()) return gw.status();
    gateway = *gw;
    rec.gateway = format_ipv4(*gw);
  } else {
    rec.gateway.clear();
  }
  if (rec.pool_start.empty() != rec.pool_end.empty()) {
    return Status::InvalidArgument("an allocation pool needs both a start and an end address");
  }
  if (!rec.pool_start.empty()) {
    auto start = host_of_cidr("allocation pool start", rec.pool_start);
    if (!start.ok()) return start.status();
    auto end = host_of_cidr("allocation pool end", rec.pool_end);
    if (!end.ok()) return end.status();
    if (*start > *end) {
      return Status::InvalidArgument("allocation pool start " + rec.pool_start + " is after its end " + rec.pool_end);
    }
    if (gateway && *gateway >= *start && *gateway <= *end) {
      return Status::InvalidArgument("gateway " + rec.gateway + " is inside the allocation pool " + rec.pool_start +
                                     "-" + rec.pool_end);
    }
    rec.pool_start = format_ipv4(*start);
    rec.pool_end = format_ipv4(*end);
  }
  for (auto& dns : rec.dns_nameservers) {
    auto ip = parse_ipv4(dns);
    if (!ip.ok()) return Status::InvalidArgument("DNS name server " + ip.status().message());
    dns = format_ipv4(*ip);
  }
  return Status::OK();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> allocation_pools(const SubnetRecord& subnet) {
  auto start = parse_ipv4(subnet.pool_start);
  auto end = parse_ipv4(subnet.pool_end);
  if (!start.ok() || !end.ok()) return {};
  auto gateway = parse_ipv4(subnet.gateway);
  if (!gateway.ok() || *gateway < *start || *gateway > *end) return {{subnet.pool_start, subnet.pool_end}};
  std::vector<std::pair<std::string, std::string>> out;
  if (*gateway > *start) out.emplace_back(subnet.pool_start, format_ipv4(*gateway - 1));
  if (*gateway < *end) out.emplace_back(format_ipv4(*gateway + 1), subnet.pool_end);
  return out;
}

Result<SubnetRecord> SubnetRepository::create_locked(Connection& c, SubnetRecord rec) {
  auto cidr = parse_ipv4_cidr(rec.cidr);
  if (!cidr.ok()) return cidr.status();
  if (auto st = validate(rec, *cidr); !st.ok()) return st;

  auto net = c.prepare("look up network " + rec.network_uuid, "SELECT id, project_id FROM networks WHERE uuid = ?");
  if (!net.ok()) return net.status();
  net->bind_all(rec.network_uuid);
  auto row = net->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("network " + rec.network_uuid + " could not be found");
  const std::int64_t network_id = net->int64(0);
  if (rec.project_id.empty()) rec.project_id = net->text(1);

  auto siblings = query(c, "read subnets of network " + rec.network_uuid, "WHERE n.uuid = ? ORDER BY s.id",
                        rec.network_uuid);
  if (!siblings.ok()) return siblings.status();
  for (const auto& other : *siblings) {
    auto theirs = parse_ipv4_cidr(other.cidr);
    if (theirs.ok() && theirs->overlaps(*cidr)) {
      return Status::InvalidArgument("cidr " + rec.cidr + " overlaps with subnet " + other.uuid + " (" + other.cidr +
                                     ") of network " + rec.network_uuid);
    }
  }

  if (rec.uuid.empty()) rec.uuid = common::random_uuid();
  const std::string now = common::utc_now();
  auto st = c.exec("insert subnet " + rec.uuid,
                   "INSERT INTO subnets(uuid, network_id, name, description, project_id, cidr, gateway, pool_start, "
                   "pool_end, dns_nameservers, enable_dhcp, revision_number, created_at, updated_at) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?,?)",
                   rec.uuid, network_id, rec.name, rec.description, rec.project_id, rec.cidr, rec.gateway,
                   rec.pool_start, rec.pool_end, join_commas(rec.dns_nameservers), rec.enable_dhcp, now, now);
  if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("subnet " + rec.uuid + " already exists");
  if (!st.ok()) return st;
  // Neutron counts a subnet added to a network as a change of the network.
  st = c.exec("bump revision of network " + rec.network_uuid,
              "UPDATE networks SET revision_number = revision_number + 1, updated_at = ? WHERE id = ?", now,
              network_id);
  if (!st.ok()) return st;
  return get_locked(c, rec.uuid);
}

Result<SubnetRecord> SubnetRepository::create(SubnetRecord record) {
  return db_.write("create subnet", [&](Connection& c) { return create_locked(c, std::move(record)); });
}

Result<SubnetRecord> SubnetRepository::get(const std::string& uuid) {
  return db_.read("read subnet", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<SubnetRecord>> SubnetRepository::list() {
  return db_.read("list subnets", [&](Connection& c) { return query(c, "list subnets", "ORDER BY s.id", ""); });
}

Result<std::vector<SubnetRecord>> SubnetRepository::list_by_network(const std::string& network_uuid) {
  return db_.read("list subnets", [&](Connection& c) {
    return query(c, "list subnets of network " + network_uuid, "WHERE n.uuid = ? ORDER BY s.id", network_uuid);
  });
}

Status SubnetRepository::remove(const std::string& uuid) {
  return db_.write("delete subnet", [&](Connection& c) -> Status {
    auto subnet = get_locked(c, uuid);
    if (!subnet.ok()) return subnet.status();
    auto st = c.prepare("count ports of subnet " + uuid, "SELECT COUNT(*) FROM ports WHERE subnet_id = ?");
    if (!st.ok()) return st.status();
    st->bind_all(subnet->id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (st->int64(0) > 0) {
      return Status::InvalidState("subnet " + uuid + " still has " + std::to_string(st->int64(0)) +
                                  " port(s) with an address from it");
    }
    const std::string now = common::utc_now();
    auto del = c.exec("delete subnet " + uuid, "DELETE FROM subnets WHERE id = ?", subnet->id);
    if (!del.ok()) return del;
    return c.exec("bump revision of network " + subnet->network_uuid,
                  "UPDATE networks SET revision_number = revision_number + 1, updated_at = ? WHERE uuid = ?", now,
                  subnet->network_uuid);
  });
}

}  // namespace stratus::core::db
