#include "core/db/network_repository.h"

#include <cstdio>

#include "core/db/ids.h"
#include "core/db/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

std::string format_ipv4(std::uint32_t ip) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
  return buf;
}

std::string Ipv4Cidr::to_string() const { return format_ipv4(network) + "/" + std::to_string(prefix); }

Result<std::uint32_t> parse_ipv4(const std::string& text) {
  std::uint32_t ip = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') break;
    unsigned v = 0;
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) v = v * 10 + unsigned(text[i++] - '0');
    if (v > 255) break;
    ip = (ip << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= text.size() || text[i] != '.') break;
      ++i;
    }
  }
  if (parts != 4 || i != text.size()) return Status::InvalidArgument("'" + text + "' is not an IPv4 address");
  return ip;
}

Result<Ipv4Cidr> parse_ipv4_cidr(const std::string& text) {
  auto slash = text.find('/');
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("'" + text + "' is not a usable IPv4 CIDR: " + why);
  };
  if (slash == std::string::npos) return bad("no /prefix");
  auto ip = parse_ipv4(text.substr(0, slash));
  if (!ip.ok()) return bad("bad address");
  std::string p = text.substr(slash + 1);
  if (p.empty() || p.size() > 2 || p.find_first_not_of("0123456789") != std::string::npos) return bad("bad prefix");
  int prefix = std::stoi(p);
  if (prefix < 1 || prefix > 30) return bad("prefix must be 1..30");
  Ipv4Cidr c;
  c.prefix = prefix;
  c.network = *ip & ~(0xFFFFFFFFu >> prefix);
  return c;
}

namespace {

constexpr const char* kColumns =
    "SELECT id, uuid, name, cidr, gateway, project_id, shared, created_at, updated_at FROM networks ";

NetworkRecord read_row(const Statement& r) {
  return {r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.boolean(6), r.text(7), r.text(8)};
}

Result<NetworkRecord> get_locked(Connection& c, const std::string& uuid) {
  auto st = c.prepare("read network " + uuid, std::string(kColumns) + "WHERE uuid = ?");
  if (!st.ok()) return st.status();
  st->bind_all(uuid);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("network " + uuid + " could not be found");
  return read_row(*st);
}

}  // namespace

Result<NetworkRecord> NetworkRepository::create(NetworkRecord rec) {
  auto cidr = parse_ipv4_cidr(rec.cidr);
  if (!cidr.ok()) return cidr.status();
  rec.cidr = cidr->to_string();
  if (rec.gateway.empty()) {
    rec.gateway = format_ipv4(cidr->network + 1);
  } else {
    auto gw = parse_ipv4(rec.gateway);
    if (!gw.ok()) return gw.status();
    if (!cidr->contains(*gw) || *gw == cidr->network || *gw == cidr->broadcast()) {
      return Status::InvalidArgument("gateway " + rec.gateway + " is not a host address of " + rec.cidr);
    }
  }
  if (rec.uuid.empty()) rec.uuid = random_uuid();
  return db_.write("create network", [&](Connection& c) -> Result<NetworkRecord> {
    std::string now = utc_now();
    auto st = c.exec("insert network " + rec.name,
                     "INSERT INTO networks(uuid, name, cidr, gateway, project_id, shared, created_at, updated_at) "
                     "VALUES (?,?,?,?,?,?,?,?)",
                     rec.uuid, rec.name, rec.cidr, rec.gateway, rec.project_id, rec.shared, now, now);
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("network " + rec.uuid + " already exists");
    if (!st.ok()) return st;
    return get_locked(c, rec.uuid);
  });
}

Result<NetworkRecord> NetworkRepository::get(const std::string& uuid) {
  return db_.read("read network", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<NetworkRecord>> NetworkRepository::list(const std::optional<std::string>& project_id) {
  return db_.read("list networks", [&](Connection& c) -> Result<std::vector<NetworkRecord>> {
    auto st = c.prepare("list networks",
                        std::string(kColumns) + "WHERE ?1 IS NULL OR project_id = ?1 OR shared = 1 ORDER BY id");
    if (!st.ok()) return st.status();
    st->bind(1, project_id);
    std::vector<NetworkRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
    if (!s.ok()) return s;
    return out;
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
    return c.exec("delete network " + uuid, "DELETE FROM networks WHERE id = ?", net->id);
  });
}

}  // namespace stratus::core::db
