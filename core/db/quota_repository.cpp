#include "core/db/quota_repository.h"

#include <optional>

#include "core/db/lock_key.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

const std::map<std::string, std::int64_t>& builtin_quota_defaults() {
  static const std::map<std::string, std::int64_t> defaults = {
      {"instances", 10},       {"cores", 20},
      {"ram", 51200},          {"key_pairs", 100},
      {"metadata_items", 128}, {"server_groups", 10},
      {"server_group_members", 10}, {"injected_files", 5},
      {"injected_file_content_bytes", 10240}, {"injected_file_path_bytes", 255},
  };
  return defaults;
}

namespace {

// Reads the (resource, number) rows of `sql` into `out`, over what it holds.
template <typename... Args>
Status read_limits_into(std::map<std::string, std::int64_t>& out, Connection& conn, const std::string& purpose,
                        const char* sql, const Args&... args) {
  auto st = conn.prepare(purpose, sql);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  return st->for_each([&](Statement& row) { out[row.text(0)] = row.int64(1); });
}

Result<std::map<std::string, std::int64_t>> defaults_locked(Connection& conn) {
  auto limits = builtin_quota_defaults();
  auto st = conn.prepare("read default quotas",
                         "SELECT resource, hard_limit FROM quota_classes WHERE class_name = 'default'");
  if (!st.ok()) return st.status();
  // The class may also hold the nova-network era resources (os-quota-class-sets
  // before 2.50 keeps them); projects' limits are the known resources only.
  auto s = st->for_each([&](Statement& row) {
    if (limits.contains(row.text(0))) limits[row.text(0)] = row.int64(1);
  });
  if (!s.ok()) return s;
  return limits;
}

// What a quota class shows besides the known resources: Nova's deprecated
// nova-network quotas, unlimited unless set on the class.
const std::map<std::string, std::int64_t>& class_only_resources() {
  static const std::map<std::string, std::int64_t> extra = {
      {"fixed_ips", -1}, {"floating_ips", -1}, {"security_group_rules", -1}, {"security_groups", -1}};
  return extra;
}

Result<std::map<std::string, std::int64_t>> limits_locked(Connection& conn, const std::string& project_id) {
  auto defaults = defaults_locked(conn);
  if (!defaults.ok()) return defaults.status();
  auto limits = std::move(*defaults);
  auto s = read_limits_into(limits, conn, "read quotas of project " + project_id,
                            "SELECT resource, hard_limit FROM quotas WHERE project_id = ?", project_id);
  if (!s.ok()) return s;
  return limits;
}

// The user's own limits only (project_user_quotas).
Result<std::map<std::string, std::int64_t>> user_overrides_locked(Connection& conn, const std::string& project_id,
                                                                  const std::string& user_id) {
  std::map<std::string, std::int64_t> own;
  auto s = read_limits_into(own, conn, "read quotas of user " + user_id + " in project " + project_id,
                            "SELECT resource, hard_limit FROM project_user_quotas WHERE project_id = ? AND user_id = ?",
                            project_id, user_id);
  if (!s.ok()) return s;
  return own;
}

// A user's limits: their own over the project's.
Result<std::map<std::string, std::int64_t>> user_limits_locked(Connection& conn, const std::string& project_id,
                                                               const std::string& user_id) {
  auto limits = limits_locked(conn, project_id);
  if (!limits.ok()) return limits.status();
  auto own = user_overrides_locked(conn, project_id, user_id);
  if (!own.ok()) return own.status();
  for (const auto& [resource, limit] : *own) (*limits)[resource] = limit;
  return limits;
}

// The live instances of the project, or of one user in it when `user_id`
// is set.
Result<QuotaUsage> usage_locked(Connection& conn, const std::string& project_id,
                                const std::optional<std::string>& user_id = std::nullopt) {
  auto st = conn.prepare("count usage of project " + project_id + (user_id ? " by user " + *user_id : ""),
                         "SELECT COUNT(*), COALESCE(SUM(vcpus), 0), COALESCE(SUM(memory_mb), 0) "
                         "FROM instances WHERE project_id = ?1 AND deleted = 0 AND (?2 IS NULL OR user_id = ?2)");
  if (!st.ok()) return st.status();
  st->bind_all(project_id, user_id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  QuotaUsage u;
  u.instances = st->int64(0);
  u.cores = st->int64(1);
  u.ram = st->int64(2);
  return u;
}

Status check_resource(const std::string& resource, std::int64_t limit, std::int64_t used, std::int64_t requested) {
  if (limit < 0 || used + requested <= limit) return Status::OK();
  return Status(sdk::StatusCode::kConflict,
                "Quota exceeded for " + resource + ": Requested " + std::to_string(requested) + ", but already used " +
                    std::to_string(used) + " of " + std::to_string(limit) + " " + resource,
                sdk::StatusReason::kQuotaExceeded);
}

Status validate(const std::string& resource, std::int64_t hard_limit) {
  if (!builtin_quota_defaults().contains(resource)) {
    return Status::InvalidArgument("unknown quota resource '" + resource + "'");
  }
  if (hard_limit < -1) {
    return Status::InvalidArgument("quota limit for " + resource + " must be -1 (unlimited) or more, not " +
                                   std::to_string(hard_limit));
  }
  return Status::OK();
}

}  // namespace

namespace {

Status check_instances_cores_ram(const std::map<std::string, std::int64_t>& limits, const QuotaUsage& used,
                                 std::int64_t count, std::int64_t cores, std::int64_t ram) {
  auto st = check_resource(kQuotaInstances, limits.at(kQuotaInstances), used.instances, count);
  if (st.ok()) st = check_resource(kQuotaCores, limits.at(kQuotaCores), used.cores, cores);
  if (st.ok()) st = check_resource(kQuotaRam, limits.at(kQuotaRam), used.ram, ram);
  return st;
}

}  // namespace

Status check_instance_quota_locked(Connection& conn, const std::string& project_id, const std::string& user_id,
                                   std::int64_t count, std::int64_t cores, std::int64_t ram) {
  // Concurrent creates in one project queue here, so each counts the others;
  // a user's instances are a subset of the project's, so the same lock
  // covers the user's count.
  auto locked = lock_key(conn, "project-instances", project_id);
  if (!locked.ok()) return locked;
  auto limits = limits_locked(conn, project_id);
  if (!limits.ok()) return limits.status();
  // Nothing to count against when all three are unlimited (-1): the count
  // is a scan of the project's live instances, on every create.
  const auto unlimited = [](const std::map<std::string, std::int64_t>& l) {
    return l.at(kQuotaInstances) < 0 && l.at(kQuotaCores) < 0 && l.at(kQuotaRam) < 0;
  };
  Status st = Status::OK();
  if (!unlimited(*limits)) {
    auto used = usage_locked(conn, project_id);
    if (!used.ok()) return used.status();
    st = check_instances_cores_ram(*limits, *used, count, cores, ram);
    if (!st.ok()) return st;
  }
  // As Nova: the user is counted only when they have a limit of their own
  // for one of these (otherwise theirs is the project's, already checked).
  auto own = user_overrides_locked(conn, project_id, user_id);
  if (!own.ok()) return own.status();
  if (!own->contains(kQuotaInstances) && !own->contains(kQuotaCores) && !own->contains(kQuotaRam)) return st;
  for (const auto& [resource, limit] : *own) (*limits)[resource] = limit;
  if (unlimited(*limits)) return st;
  auto used_by_user = usage_locked(conn, project_id, user_id);
  if (!used_by_user.ok()) return used_by_user.status();
  return check_instances_cores_ram(*limits, *used_by_user, count, cores, ram);
}

Result<std::map<std::string, std::int64_t>> QuotaRepository::limits(const std::string& project_id) {
  return db_.read("read quotas", [&](Connection& c) { return limits_locked(c, project_id); });
}

Result<std::map<std::string, std::int64_t>> QuotaRepository::defaults() {
  return db_.read("read default quotas", [&](Connection& c) { return defaults_locked(c); });
}

Status QuotaRepository::set_limits(const std::string& project_id,
                                   const std::map<std::string, std::int64_t>& hard_limits) {
  for (const auto& [resource, hard_limit] : hard_limits) {
    auto st = validate(resource, hard_limit);
    if (!st.ok()) return st;
  }
  return db_.write("set quotas", [&](Connection& c) {
    for (const auto& [resource, hard_limit] : hard_limits) {
      auto st = c.exec("set quota " + resource + " of project " + project_id,
                       "INSERT INTO quotas(project_id, resource, hard_limit) VALUES (?, ?, ?) "
                       "ON CONFLICT(project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit",
                       project_id, resource, hard_limit);
      if (!st.ok()) return st;
    }
    return Status::OK();
  });
}

Status QuotaRepository::set_limit(const std::string& project_id, const std::string& resource,
                                  std::int64_t hard_limit) {
  auto st = validate(resource, hard_limit);
  if (!st.ok()) return st;
  return db_.write("set quota", [&](Connection& c) {
    return c.exec("set quota " + resource + " of project " + project_id,
                  "INSERT INTO quotas(project_id, resource, hard_limit) VALUES (?, ?, ?) "
                  "ON CONFLICT(project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit",
                  project_id, resource, hard_limit);
  });
}

Status QuotaRepository::reset_limits(const std::string& project_id) {
  return db_.write("reset quotas", [&](Connection& c) {
    // As Nova's quota_destroy_all_by_project: the users' limits go too.
    auto st = c.exec("reset user quotas of project " + project_id,
                     "DELETE FROM project_user_quotas WHERE project_id = ?", project_id);
    if (!st.ok()) return st;
    return c.exec("reset quotas of project " + project_id, "DELETE FROM quotas WHERE project_id = ?", project_id);
  });
}

Result<std::map<std::string, std::int64_t>> QuotaRepository::user_limits(const std::string& project_id,
                                                                          const std::string& user_id) {
  return db_.read("read user quotas", [&](Connection& c) { return user_limits_locked(c, project_id, user_id); });
}

Result<std::map<std::string, std::int64_t>> QuotaRepository::enforced_limits(const std::string& project_id,
                                                                              const std::string& user_id) {
  return db_.read("read user quotas", [&](Connection& c) -> Result<std::map<std::string, std::int64_t>> {
    auto limits = limits_locked(c, project_id);
    if (!limits.ok()) return limits.status();
    auto own = user_overrides_locked(c, project_id, user_id);
    if (!own.ok()) return own.status();
    for (const auto& [resource, limit] : *own) {
      std::int64_t& project_limit = (*limits)[resource];
      if (project_limit < 0 || (limit >= 0 && limit < project_limit)) project_limit = limit;
    }
    return limits;
  });
}

Result<std::map<std::string, std::int64_t>> QuotaRepository::user_overrides(const std::string& project_id,
                                                                             const std::string& user_id) {
  return db_.read("read user quotas", [&](Connection& c) { return user_overrides_locked(c, project_id, user_id); });
}

Result<std::map<std::string, std::int64_t>> QuotaRepository::users_limits_total(const std::string& project_id) {
  return db_.read("sum user quotas", [&](Connection& c) -> Result<std::map<std::string, std::int64_t>> {
    std::map<std::string, std::int64_t> total;
    auto s = read_limits_into(total, c, "sum user quotas of project " + project_id,
                              "SELECT resource, SUM(hard_limit) FROM project_user_quotas "
                              "WHERE project_id = ? AND hard_limit >= 0 GROUP BY resource",
                              project_id);
    if (!s.ok()) return s;
    return total;
  });
}

Status QuotaRepository::set_user_limits(const std::string& project_id, const std::string& user_id,
                                        const std::map<std::string, std::int64_t>& hard_limits) {
  if (user_id.empty()) return Status::InvalidArgument("a user quota needs a user");
  for (const auto& [resource, hard_limit] : hard_limits) {
    auto st = validate(resource, hard_limit);
    if (!st.ok()) return st;
  }
  return db_.write("set user quotas", [&](Connection& c) {
    for (const auto& [resource, hard_limit] : hard_limits) {
      auto st = c.exec("set quota " + resource + " of user " + user_id + " in project " + project_id,
                       "INSERT INTO project_user_quotas(project_id, user_id, resource, hard_limit) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(project_id, user_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit",
                       project_id, user_id, resource, hard_limit);
      if (!st.ok()) return st;
    }
    return Status::OK();
  });
}

Status QuotaRepository::reset_user_limits(const std::string& project_id, const std::string& user_id) {
  return db_.write("reset user quotas", [&](Connection& c) {
    return c.exec("reset quotas of user " + user_id + " in project " + project_id,
                  "DELETE FROM project_user_quotas WHERE project_id = ? AND user_id = ?", project_id, user_id);
  });
}

Result<QuotaUsage> QuotaRepository::user_usage(const std::string& project_id, const std::string& user_id) {
  return db_.read("read user quota usage", [&](Connection& c) { return usage_locked(c, project_id, user_id); });
}

Status QuotaRepository::set_default(const std::string& resource, std::int64_t hard_limit) {
  auto st = validate(resource, hard_limit);
  if (!st.ok()) return st;
  return db_.write("set default quota", [&](Connection& c) {
    return c.exec("set default quota " + resource,
                  "INSERT INTO quota_classes(class_name, resource, hard_limit) VALUES ('default', ?, ?) "
                  "ON CONFLICT(class_name, resource) DO UPDATE SET hard_limit = excluded.hard_limit",
                  resource, hard_limit);
  });
}

Result<QuotaUsage> QuotaRepository::usage(const std::string& project_id) {
  return db_.read("read quota usage", [&](Connection& c) { return usage_locked(c, project_id); });
}

Result<std::map<std::string, std::int64_t>> QuotaRepository::class_limits(const std::string& class_name) {
  return db_.read("read quota class", [&](Connection& c) -> Result<std::map<std::string, std::int64_t>> {
    auto limits = builtin_quota_defaults();
    for (const auto& [k, v] : class_only_resources()) limits[k] = v;
    auto st = c.prepare("read quota class " + class_name,
                        "SELECT resource, hard_limit FROM quota_classes WHERE class_name = ?");
    if (!st.ok()) return st.status();
    st->bind_all(class_name);
    auto s = st->for_each([&](Statement& row) {
      if (limits.contains(row.text(0))) limits[row.text(0)] = row.int64(1);
    });
    if (!s.ok()) return s;
    return limits;
  });
}

Status QuotaRepository::set_class_limits(const std::string& class_name,
                                         const std::map<std::string, std::int64_t>& hard_limits) {
  for (const auto& [resource, hard_limit] : hard_limits) {
    if (!builtin_quota_defaults().contains(resource) && !class_only_resources().contains(resource)) {
      return Status::InvalidArgument("unknown quota resource '" + resource + "'");
    }
    if (hard_limit < -1) {
      return Status::InvalidArgument("quota limit for " + resource + " must be -1 (unlimited) or more, not " +
                                     std::to_string(hard_limit));
    }
  }
  return db_.write("set quota class", [&](Connection& c) {
    for (const auto& [resource, hard_limit] : hard_limits) {
      auto st = c.exec("set quota " + resource + " of class " + class_name,
                       "INSERT INTO quota_classes(class_name, resource, hard_limit) VALUES (?, ?, ?) "
                       "ON CONFLICT(class_name, resource) DO UPDATE SET hard_limit = excluded.hard_limit",
                       class_name, resource, hard_limit);
      if (!st.ok()) return st;
    }
    return Status::OK();
  });
}

}  // namespace stratus::core::db
