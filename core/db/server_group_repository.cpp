#include "core/db/server_group_repository.h"

#include <algorithm>

#include "core/common/ids.h"
#include "core/db/instance_repository.h"
#include "core/db/lock_key.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

template <typename... Args>
Result<std::vector<ServerGroupRecord>> query(Connection& c, const std::string& purpose, const std::string& where,
                                             const Args&... args) {
  auto st = c.prepare(purpose,
                      "SELECT g.id, g.uuid, g.name, g.project_id, g.user_id, g.policy, g.max_server_per_host, "
                      "g.created_at, g.updated_at FROM server_groups g " + where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<ServerGroupRecord> out;
  auto s = st->for_each([&](Statement& r) {
    ServerGroupRecord g;
    g.id = r.int64(0);
    g.uuid = r.text(1);
    g.name = r.text(2);
    g.project_id = r.text(3);
    g.user_id = r.text(4);
    g.policy = r.text(5);
    if (!r.is_null(6)) g.max_server_per_host = r.int64(6);
    g.created_at = r.text(7);
    g.updated_at = r.text(8);
    out.push_back(std::move(g));
  });
  if (!s.ok()) return s;
  for (auto& g : out) {
    auto m = c.prepare("read members of group " + g.uuid,
                       "SELECT instance_uuid FROM server_group_members WHERE group_id = ? ORDER BY position, instance_uuid");
    if (!m.ok()) return m.status();
    m->bind_all(g.id);
    s = m->for_each([&](Statement& r) { g.members.push_back(r.text(0)); });
    if (!s.ok()) return s;
  }
  return out;
}

// Adds a member after the others (its position is one past the last); a
// member already there stays where it is.
Status add_member_locked(Connection& c, std::int64_t group_id, const std::string& instance_uuid) {
  return c.exec("add member " + instance_uuid,
                "INSERT INTO server_group_members(group_id, instance_uuid, position) "
                "SELECT ?1, ?2, COALESCE(MAX(position), 0) + 1 FROM server_group_members WHERE group_id = ?1 "
                "ON CONFLICT DO NOTHING",
                group_id, instance_uuid);
}

Result<ServerGroupRecord> get_locked(Connection& c, const std::string& uuid) {
  auto rows = query(c, "read server group " + uuid, "WHERE g.uuid = ?", uuid);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("Instance group " + uuid + " could not be found.");
  return std::move(rows->front());
}

}  // namespace

Result<ServerGroupRecord> ServerGroupRepository::create(ServerGroupRecord rec,
                                                        std::optional<std::int64_t> max_per_project,
                                                        std::optional<std::int64_t> max_per_user) {
  const auto& p = rec.policy;
  if (p != "affinity" && p != "anti-affinity" && p != "soft-affinity" && p != "soft-anti-affinity") {
    return Status::InvalidArgument("unknown server group policy '" + p + "'");
  }
  if (rec.max_server_per_host && (p != "anti-affinity" || *rec.max_server_per_host < 1)) {
    return Status::InvalidArgument("max_server_per_host applies to anti-affinity only and must be at least 1");
  }
  if (rec.uuid.empty()) rec.uuid = common::random_uuid();
  return db_.write("create server group", [&](Connection& c) -> Result<ServerGroupRecord> {
    const bool per_project = max_per_project && *max_per_project >= 0;
    const bool per_user = max_per_user && *max_per_user >= 0;
    if (per_project || per_user) {
      // The user's groups are some of the project's: one lock covers both counts.
      auto st = lock_key(c, "project-server-groups", rec.project_id);
      if (!st.ok()) return st;
    }
    // The project's groups, or its user's when `user` is set, against `limit`.
    auto check = [&](std::int64_t limit, const std::optional<std::string>& user) -> Status {
      auto count = c.prepare("count server groups of project " + rec.project_id + (user ? " by user " + *user : ""),
                             "SELECT COUNT(*) FROM server_groups WHERE project_id = ?1 AND (?2 IS NULL OR user_id = ?2)");
      if (!count.ok()) return count.status();
      count->bind_all(rec.project_id, user);
      auto counted = count->step();
      if (!counted.ok()) return counted.status();
      if (*counted && count->int64(0) >= limit) {
        return Status(sdk::StatusCode::kConflict, "Quota exceeded, too many server groups.", sdk::StatusReason::kQuotaExceeded);
      }
      return Status::OK();
    };
    if (per_project) {
      if (Status st = check(*max_per_project, std::nullopt); !st.ok()) return st;
    }
    if (per_user) {
      if (Status st = check(*max_per_user, rec.user_id); !st.ok()) return st;
    }
    std::string now = common::utc_now();
    auto ins = c.prepare("insert server group " + rec.name,
                         "INSERT INTO server_groups(uuid, name, project_id, user_id, policy, max_server_per_host, "
                         "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id");
    if (!ins.ok()) return ins.status();
    ins->bind_all(rec.uuid, rec.name, rec.project_id, rec.user_id, rec.policy, rec.max_server_per_host, now, now);
    auto row = ins->step();
    if (row.status().is(sdk::StatusCode::kAlreadyExists)) {
      return Status::AlreadyExists("server group " + rec.uuid + " already exists");
    }
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal("insert server group " + rec.name + ": no id returned");
    const std::int64_t id = ins->int64(0);
    for (const auto& m : rec.members) {
      auto st = add_member_locked(c, id, m);
      if (!st.ok()) return st;
    }
    return get_locked(c, rec.uuid);
  });
}

Result<ServerGroupRecord> ServerGroupRepository::get(const std::string& uuid) {
  return db_.read("read server group", [&](Connection& c) { return get_locked(c, uuid); });
}

Result<std::vector<ServerGroupRecord>> ServerGroupRepository::list(const std::optional<std::string>& project_id) {
  return db_.read("list server groups", [&](Connection& c) {
    return query(c, "list server groups", "WHERE ?1 IS NULL OR g.project_id = ?1 ORDER BY g.id", project_id);
  });
}

Status ServerGroupRepository::remove(const std::string& uuid) {
  return db_.write("delete server group", [&](Connection& c) -> Status {
    auto st = c.exec("delete server group " + uuid, "DELETE FROM server_groups WHERE uuid = ?", uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Instance group " + uuid + " could not be found.");
    return Status::OK();
  });
}

Status ServerGroupRepository::add_members(const std::string& uuid, const std::vector<std::string>& instance_uuids,
                                          std::optional<std::int64_t> max_members) {
  return db_.write("add server group members", [&](Connection& c) -> Status {
    if (max_members && *max_members >= 0) {
      auto st = lock_key(c, "server-group-members", uuid);
      if (!st.ok()) return st;
    }
    auto g = get_locked(c, uuid);
    if (!g.ok()) return g.status();
    if (max_members && *max_members >= 0) {
      std::size_t added = 0;
      for (const auto& m : instance_uuids) {
        added += std::find(g->members.begin(), g->members.end(), m) == g->members.end() ? 1 : 0;
      }
      if (static_cast<std::int64_t>(g->members.size() + added) > *max_members) {
        return Status(sdk::StatusCode::kConflict, "Quota exceeded, too many servers in group", sdk::StatusReason::kQuotaExceeded);
      }
    }
    for (const auto& m : instance_uuids) {
      auto st = add_member_locked(c, g->id, m);
      if (!st.ok()) return st;
    }
    return c.exec("touch group " + uuid, "UPDATE server_groups SET updated_at = ? WHERE id = ?", common::utc_now(), g->id);
  });
}

Status ServerGroupRepository::remove_member(const std::string& uuid, const std::string& instance_uuid) {
  return db_.write("remove server group member", [&](Connection& c) -> Status {
    auto g = get_locked(c, uuid);
    if (!g.ok()) return g.status();
    auto st = c.exec("remove member " + instance_uuid,
                     "DELETE FROM server_group_members WHERE group_id = ? AND instance_uuid = ?", g->id, instance_uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("instance " + instance_uuid + " is not in group " + uuid);
    return Status::OK();
  });
}

Result<std::vector<ServerGroupRecord>> ServerGroupRepository::groups_of(const std::string& instance_uuid) {
  return db_.read("read groups of instance", [&](Connection& c) {
    return query(c, "read groups of instance " + instance_uuid,
                 "WHERE g.id IN (SELECT group_id FROM server_group_members WHERE instance_uuid = ?) ORDER BY g.id",
                 instance_uuid);
  });
}

sdk::InstanceGroup scheduling_view(Scope db, const ServerGroupRecord& group) {
  sdk::InstanceGroup g;
  g.uuid = group.uuid;
  g.name = group.name;
  g.policy = group.policy;
  g.members = group.members;
  InstanceRepository instances(db);
  for (const auto& member : group.members) {
    auto m = instances.get(member);
    if (m.ok() && !m->host.empty()) g.hosts.push_back(m->host);
  }
  g.max_server_per_host = static_cast<std::int32_t>(group.max_server_per_host.value_or(1));
  return g;
}

}  // namespace stratus::core::db
