#include "core/db/security_group_repository.h"

#include <set>

#include "core/common/ids.h"
#include "core/common/time_util.h"
#include "core/db/key_batches.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kRuleColumns =
    "SELECT r.uuid, g.uuid, r.project_id, r.direction, r.ethertype, r.protocol, r.port_range_min, "
    "r.port_range_max, r.remote_ip_prefix, rg.uuid, r.description, r.created_at, r.updated_at "
    "FROM security_group_rules r JOIN security_groups g ON g.id = r.security_group_id "
    "LEFT JOIN security_groups rg ON rg.id = r.remote_group_id ";

SecurityGroupRuleRecord read_rule(const Statement& r) {
  SecurityGroupRuleRecord rule;
  rule.uuid = r.text(0);
  rule.security_group_id = r.text(1);
  rule.project_id = r.text(2);
  rule.direction = r.text(3);
  rule.ethertype = r.text(4);
  rule.protocol = r.optional_text(5);
  if (!r.is_null(6)) rule.port_range_min = r.int64(6);
  if (!r.is_null(7)) rule.port_range_max = r.int64(7);
  rule.remote_ip_prefix = r.optional_text(8);
  rule.remote_group_id = r.optional_text(9);
  rule.description = r.text(10);
  rule.created_at = r.text(11);
  rule.updated_at = r.text(12);
  return rule;
}

template <typename... Args>
Result<std::vector<SecurityGroupRuleRecord>> query_rules(Connection& c, const std::string& purpose,
                                                         const std::string& tail, const Args&... args) {
  auto st = c.prepare(purpose, kRuleColumns + tail);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<SecurityGroupRuleRecord> out;
  auto s = st->for_each([&](Statement& r) { out.push_back(read_rule(r)); });
  if (!s.ok()) return s;
  return out;
}

// Groups with their rules: one statement for the groups, one for all their rules.
template <typename... Args>
Result<std::vector<SecurityGroupRecord>> query_groups(Connection& c, const std::string& purpose,
                                                      const std::string& where, const Args&... args) {
  auto st = c.prepare(purpose,
                      "SELECT g.uuid, g.project_id, g.name, g.description, g.is_default, g.revision_number, "
                      "g.created_at, g.updated_at FROM security_groups g " + where + " ORDER BY g.id");
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<SecurityGroupRecord> out;
  auto s = st->for_each([&](Statement& r) {
    SecurityGroupRecord g;
    g.uuid = r.text(0);
    g.project_id = r.text(1);
    g.name = r.text(2);
    g.description = r.text(3);
    g.is_default = r.boolean(4);
    g.revision_number = r.int64(5);
    g.created_at = r.text(6);
    g.updated_at = r.text(7);
    out.push_back(std::move(g));
  });
  if (!s.ok()) return s;
  if (out.empty()) return out;
  std::map<std::string, SecurityGroupRecord*> by_uuid;
  std::vector<std::string> uuids;
  for (auto& g : out) {
    by_uuid[g.uuid] = &g;
    uuids.push_back(g.uuid);
  }
  s = for_each_key_batch(uuids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
    auto rs = c.prepare("read rules of security groups",
                        kRuleColumns + ("WHERE g.uuid IN (" + placeholders + ") ORDER BY r.id"));
    if (!rs.ok()) return rs.status();
    bind_keys(*rs, chunk);
    return rs->for_each([&](Statement& r) {
      auto rule = read_rule(r);
      by_uuid[rule.security_group_id]->rules.push_back(std::move(rule));
    });
  });
  if (!s.ok()) return s;
  return out;
}

Result<SecurityGroupRecord> get_locked(Connection& c, const std::string& uuid) {
  auto rows = query_groups(c, "read security group " + uuid, "WHERE g.uuid = ?", uuid);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("Security group " + uuid + " does not exist");
  return std::move(rows->front());
}

Result<std::int64_t> group_row_id(Connection& c, const std::string& uuid) {
  auto st = c.prepare("look up security group " + uuid, "SELECT id FROM security_groups WHERE uuid = ?");
  if (!st.ok()) return st.status();
  st->bind_all(uuid);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("Security group " + uuid + " does not exist");
  return st->int64(0);
}

Status insert_rule(Connection& c, std::int64_t group_id, const SecurityGroupRuleRecord& rule,
                   std::optional<std::int64_t> remote_group_id, const std::string& now) {
  return c.exec("insert security group rule " + rule.uuid,
                "INSERT INTO security_group_rules(uuid, security_group_id, project_id, direction, ethertype, protocol, "
                "port_range_min, port_range_max, remote_ip_prefix, remote_group_id, description, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rule.uuid, group_id, rule.project_id, rule.direction, rule.ethertype, rule.protocol,
                rule.port_range_min, rule.port_range_max, rule.remote_ip_prefix, remote_group_id, rule.description,
                now, now);
}

// Inserts the group and the rules every new group starts with: egress to
// anywhere over IPv4 and IPv6, and for the default group ingress from its
// own members too. false: a row with this uuid (or, for a default group,
// the project's default) exists already.
Result<bool> insert_group(Connection& c, const SecurityGroupRecord& g, const std::string& now) {
  auto st = c.exec("insert security group " + g.uuid,
                   "INSERT INTO security_groups(uuid, project_id, name, description, is_default, revision_number, "
                   "created_at, updated_at) VALUES (?,?,?,?,?,1,?,?) ON CONFLICT DO NOTHING",
                   g.uuid, g.project_id, g.name, g.description, g.is_default, now, now);
  if (!st.ok()) return st;
  if (c.changes() == 0) return false;
  auto id = group_row_id(c, g.uuid);
  if (!id.ok()) return id.status();
  for (const char* ethertype : {"IPv4", "IPv6"}) {
    SecurityGroupRuleRecord rule;
    rule.project_id = g.project_id;
    rule.ethertype = ethertype;
    if (g.is_default) {
      rule.uuid = common::random_uuid();
      rule.direction = "ingress";
      st = insert_rule(c, *id, rule, *id, now);
      if (!st.ok()) return st;
    }
    rule.uuid = common::random_uuid();
    rule.direction = "egress";
    st = insert_rule(c, *id, rule, std::nullopt, now);
    if (!st.ok()) return st;
  }
  return true;
}

Result<std::int64_t> count_where(Connection& c, const std::string& purpose, const std::string& sql,
                                 const std::string& arg) {
  auto st = c.prepare(purpose, sql);
  if (!st.ok()) return st.status();
  st->bind_all(arg);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row ? st->int64(0) : 0;
}

}  // namespace

Result<SecurityGroupRecord> SecurityGroupRepository::ensure_default(const std::string& project_id) {
  auto existing = db_.read("read default security group", [&](Connection& c) {
    return query_groups(c, "read default security group of " + project_id,
                        "WHERE g.project_id = ? AND g.is_default = 1", project_id);
  });
  if (!existing.ok()) return existing.status();
  if (!existing->empty()) return std::move(existing->front());
  return db_.write("create default security group", [&](Connection& c) -> Result<SecurityGroupRecord> {
    SecurityGroupRecord g;
    g.uuid = common::random_uuid();
    g.project_id = project_id;
    g.name = "default";
    g.description = "Default security group";
    g.is_default = true;
    // A concurrent first use may have made it: then the insert does nothing
    // (one default per project) and that one is read back.
    auto inserted = insert_group(c, g, common::utc_now());
    if (!inserted.ok()) return inserted.status();
    auto rows = query_groups(c, "read default security group of " + project_id,
                             "WHERE g.project_id = ? AND g.is_default = 1", project_id);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::Internal("default security group of " + project_id + " vanished");
    return std::move(rows->front());
  });
}

Result<SecurityGroupRecord> SecurityGroupRepository::create(SecurityGroupRecord record) {
  return db_.write("create security group", [&](Connection& c) -> Result<SecurityGroupRecord> {
    if (record.uuid.empty()) record.uuid = common::random_uuid();
    record.is_default = false;
    auto inserted = insert_group(c, record, common::utc_now());
    if (!inserted.ok()) return inserted.status();
    if (!*inserted) return Status::AlreadyExists("security group " + record.uuid + " exists");
    return get_locked(c, record.uuid);
  });
}

Result<SecurityGroupRecord> SecurityGroupRepository::get(const std::string& uuid) {
  return db_.read("read security group", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<SecurityGroupRecord>> SecurityGroupRepository::list(const std::optional<std::string>& project_id) {
  return db_.read("list security groups", [&](Connection& c) {
    if (project_id) return query_groups(c, "list security groups of " + *project_id, "WHERE g.project_id = ?", *project_id);
    return query_groups(c, "list security groups", "");
  });
}

Result<SecurityGroupRecord> SecurityGroupRepository::update(const std::string& uuid,
                                                            const std::optional<std::string>& name,
                                                            const std::optional<std::string>& description) {
  return db_.write("update security group", [&](Connection& c) -> Result<SecurityGroupRecord> {
    auto st = c.exec("update security group " + uuid,
                     "UPDATE security_groups SET name = COALESCE(?, name), description = COALESCE(?, description), "
                     "revision_number = revision_number + 1, updated_at = ? WHERE uuid = ?",
                     name, description, common::utc_now(), uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Security group " + uuid + " does not exist");
    return get_locked(c, uuid);
  });
}

Status SecurityGroupRepository::remove(const std::string& uuid) {
  return db_.write("delete security group", [&](Connection& c) -> Status {
    auto id = group_row_id(c, uuid);
    if (!id.ok()) return id.status();
    auto used = c.prepare("check use of security group " + uuid,
                          "SELECT 1 FROM port_security_groups WHERE security_group_id = ? LIMIT 1");
    if (!used.ok()) return used.status();
    used->bind_all(*id);
    auto in_use = used->step();
    if (!in_use.ok()) return in_use.status();
    if (*in_use) return Status::InvalidState("Security Group " + uuid + " in use.");
    return c.exec("delete security group " + uuid, "DELETE FROM security_groups WHERE id = ?", *id);
  });
}

Result<std::int64_t> SecurityGroupRepository::count(const std::string& project_id) {
  return db_.read("count security groups", [&](Connection& c) {
    return count_where(c, "count security groups of " + project_id,
                       "SELECT COUNT(*) FROM security_groups WHERE project_id = ?", project_id);
  });
}

Result<std::int64_t> SecurityGroupRepository::count_rules(const std::string& project_id) {
  return db_.read("count security group rules", [&](Connection& c) {
    return count_where(c, "count security group rules of " + project_id,
                       "SELECT COUNT(*) FROM security_group_rules WHERE project_id = ?", project_id);
  });
}

Result<SecurityGroupRuleRecord> SecurityGroupRepository::add_rule(SecurityGroupRuleRecord rule) {
  return db_.write("create security group rule", [&](Connection& c) -> Result<SecurityGroupRuleRecord> {
    auto group = group_row_id(c, rule.security_group_id);
    if (!group.ok()) return group.status();
    std::optional<std::int64_t> remote;
    if (rule.remote_group_id) {
      auto id = group_row_id(c, *rule.remote_group_id);
      if (!id.ok()) return id.status();
      remote = *id;
    }
    // Neutron's duplicate check: the same rule but for its id and description.
    auto same = c.prepare("look for a rule like the new one",
                          "SELECT uuid FROM security_group_rules WHERE security_group_id = ? AND direction = ? "
                          "AND ethertype = ? AND COALESCE(protocol, '') = ? AND COALESCE(port_range_min, -1) = ? "
                          "AND COALESCE(port_range_max, -1) = ? AND COALESCE(remote_ip_prefix, '') = ? "
                          "AND COALESCE(remote_group_id, 0) = ?");
    if (!same.ok()) return same.status();
    same->bind_all(*group, rule.direction, rule.ethertype, rule.protocol.value_or(""),
                   rule.port_range_min.value_or(-1), rule.port_range_max.value_or(-1),
                   rule.remote_ip_prefix.value_or(""), remote.value_or(0));
    auto dup = same->step();
    if (!dup.ok()) return dup.status();
    if (*dup) return Status::AlreadyExists(same->text(0));
    if (rule.uuid.empty()) rule.uuid = common::random_uuid();
    const std::string now = common::utc_now();
    auto st = insert_rule(c, *group, rule, remote, now);
    if (!st.ok()) return st;
    st = c.exec("bump revision of security group " + rule.security_group_id,
                "UPDATE security_groups SET revision_number = revision_number + 1, updated_at = ? WHERE id = ?", now,
                *group);
    if (!st.ok()) return st;
    auto rows = query_rules(c, "read security group rule " + rule.uuid, "WHERE r.uuid = ?", rule.uuid);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::Internal("security group rule " + rule.uuid + " vanished");
    return std::move(rows->front());
  });
}

Result<SecurityGroupRuleRecord> SecurityGroupRepository::get_rule(const std::string& uuid) {
  return db_.read("read security group rule", [&](Connection& c) -> Result<SecurityGroupRuleRecord> {
    auto rows = query_rules(c, "read security group rule " + uuid, "WHERE r.uuid = ?", uuid);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound("Security group rule " + uuid + " does not exist");
    return std::move(rows->front());
  });
}

Result<std::vector<SecurityGroupRuleRecord>> SecurityGroupRepository::list_rules(
    const std::optional<std::string>& project_id) {
  return db_.read("list security group rules", [&](Connection& c) {
    if (project_id) {
      return query_rules(c, "list security group rules of " + *project_id,
                         "WHERE r.project_id = ? OR g.project_id = ? ORDER BY r.id", *project_id, *project_id);
    }
    return query_rules(c, "list security group rules", "ORDER BY r.id");
  });
}

Status SecurityGroupRepository::remove_rule(const std::string& uuid) {
  return db_.write("delete security group rule", [&](Connection& c) -> Status {
    auto st = c.exec("bump revision of the group of rule " + uuid,
                     "UPDATE security_groups SET revision_number = revision_number + 1, updated_at = ? WHERE id = "
                     "(SELECT security_group_id FROM security_group_rules WHERE uuid = ?)",
                     common::utc_now(), uuid);
    if (!st.ok()) return st;
    st = c.exec("delete security group rule " + uuid, "DELETE FROM security_group_rules WHERE uuid = ?", uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Security group rule " + uuid + " does not exist");
    return Status::OK();
  });
}

Result<std::map<std::string, std::vector<std::string>>> SecurityGroupRepository::groups_of_ports(
    const std::vector<std::string>& port_ids) {
  return db_.read("read security groups of ports", [&](Connection& c) -> Result<std::map<std::string, std::vector<std::string>>> {
    std::map<std::string, std::vector<std::string>> out;
    auto st = for_each_key_batch(port_ids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
      auto rs = c.prepare("read security groups of ports",
                          "SELECT p.uuid, g.uuid FROM port_security_groups b JOIN ports p ON p.id = b.port_id "
                          "JOIN security_groups g ON g.id = b.security_group_id WHERE p.uuid IN (" + placeholders +
                              ") ORDER BY p.id, b.position");
      if (!rs.ok()) return rs.status();
      bind_keys(*rs, chunk);
      return rs->for_each([&](Statement& r) { out[r.text(0)].push_back(r.text(1)); });
    });
    if (!st.ok()) return st;
    return out;
  });
}

Status SecurityGroupRepository::set_port_groups(const std::string& port_id, const std::vector<std::string>& group_ids) {
  return db_.write("set security groups of port", [&](Connection& c) -> Status {
    auto port = c.prepare("look up port " + port_id, "SELECT id FROM ports WHERE uuid = ?");
    if (!port.ok()) return port.status();
    port->bind_all(port_id);
    auto row = port->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("Port " + port_id + " could not be found.");
    const std::int64_t port_row = port->int64(0);
    auto st = c.exec("clear security groups of port " + port_id, "DELETE FROM port_security_groups WHERE port_id = ?",
                     port_row);
    if (!st.ok()) return st;
    std::int64_t position = 0;
    for (const auto& group : group_ids) {
      auto id = group_row_id(c, group);
      if (!id.ok()) return id.status();
      st = c.exec("put port " + port_id + " in security group " + group,
                  "INSERT INTO port_security_groups(port_id, security_group_id, position) VALUES (?,?,?) "
                  "ON CONFLICT DO NOTHING",
                  port_row, *id, ++position);
      if (!st.ok()) return st;
    }
    return Status::OK();
  });
}

namespace {

// Instances with a port in a group whose rule names one of `group_ids` as
// remote group, and, with `members`, those with a port in one of them.
Result<std::vector<std::string>> instances_concerned(Scope db, const std::vector<std::string>& group_ids,
                                                     bool members) {
  return db.read("list instances depending on security groups", [&](Connection& c) -> Result<std::vector<std::string>> {
    std::set<std::string> out;
    auto st = for_each_key_batch(group_ids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
      const std::string peers = "b.security_group_id IN (SELECT r.security_group_id FROM security_group_rules r "
                                "JOIN security_groups rg ON rg.id = r.remote_group_id WHERE rg.uuid IN (" +
                                placeholders + "))";
      auto rs = c.prepare(members ? "list instances depending on security groups"
                                  : "list instances with peers in security groups",
                          "SELECT DISTINCT p.device_id FROM port_security_groups b JOIN ports p ON p.id = b.port_id "
                          "JOIN security_groups g ON g.id = b.security_group_id WHERE p.device_id != '' AND " +
                              (members ? "(g.uuid IN (" + placeholders + ") OR " + peers + ")" : peers));
      if (!rs.ok()) return rs.status();
      std::vector<std::string> keys = chunk;
      if (members) keys.insert(keys.end(), chunk.begin(), chunk.end());
      bind_keys(*rs, keys);
      return rs->for_each([&](Statement& r) { out.insert(r.text(0)); });
    });
    if (!st.ok()) return st;
    return std::vector<std::string>(out.begin(), out.end());
  });
}

}  // namespace

Result<std::vector<std::string>> SecurityGroupRepository::instances_depending_on(
    const std::vector<std::string>& group_ids) {
  return instances_concerned(db_, group_ids, true);
}

Result<std::vector<std::string>> SecurityGroupRepository::instances_with_peers_in(
    const std::vector<std::string>& group_ids) {
  return instances_concerned(db_, group_ids, false);
}

Result<std::vector<std::string>> SecurityGroupRepository::member_fixed_ips(const std::string& group_id) {
  return db_.read("list member addresses of security group", [&](Connection& c) -> Result<std::vector<std::string>> {
    auto rs = c.prepare("list member addresses of security group " + group_id,
                        "SELECT p.ip_address FROM port_security_groups b JOIN ports p ON p.id = b.port_id "
                        "JOIN security_groups g ON g.id = b.security_group_id "
                        "WHERE g.uuid = ? AND p.ip_address <> '' ORDER BY p.id");
    if (!rs.ok()) return rs.status();
    rs->bind_all(group_id);
    std::vector<std::string> out;
    auto st = rs->for_each([&](Statement& r) { out.push_back(r.text(0)); });
    if (!st.ok()) return st;
    return out;
  });
}

}  // namespace stratus::core::db
