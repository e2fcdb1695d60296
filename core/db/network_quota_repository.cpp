#include "core/db/network_quota_repository.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

const NetworkQuotas& default_network_quotas() {
  static const NetworkQuotas kDefaults = {
      {"network", 100},        {"subnet", 100},         {"port", 500},
      {"router", 10},          {"floatingip", 50},      {"security_group", 10},
      {"security_group_rule", 100}, {"subnetpool", -1}, {"rbac_policy", 10},
  };
  return kDefaults;
}

namespace {

// How a resource is counted; resources not here (subnetpool, rbac_policy)
// are never held.
const std::map<std::string, std::string>& usage_queries() {
  static const std::map<std::string, std::string> kQueries = {
      {"network", "SELECT COUNT(*) FROM networks WHERE project_id = ?1"},
      {"subnet", "SELECT COUNT(*) FROM subnets WHERE project_id = ?1"},
      // A port is its own project's, or (made with a server) its instance's.
      {"port",
       "SELECT COUNT(*) FROM ports p LEFT JOIN instances i ON i.uuid = p.device_id AND p.device_id != '' "
       "WHERE p.project_id = ?1 OR (p.project_id = '' AND i.project_id = ?1)"},
      {"router", "SELECT COUNT(*) FROM routers WHERE project_id = ?1"},
      {"floatingip", "SELECT COUNT(*) FROM floatingips WHERE project_id = ?1"},
      {"security_group", "SELECT COUNT(*) FROM security_groups WHERE project_id = ?1"},
      {"security_group_rule", "SELECT COUNT(*) FROM security_group_rules WHERE project_id = ?1"},
  };
  return kQueries;
}

Result<NetworkQuotas> limits_locked(Connection& c, const std::string& project_id) {
  NetworkQuotas out = default_network_quotas();
  auto st = c.prepare("read network quotas of " + project_id,
                      "SELECT resource, hard_limit FROM network_quotas WHERE project_id = ?");
  if (!st.ok()) return st.status();
  st->bind_all(project_id);
  auto s = st->for_each([&](Statement& r) { out[r.text(0)] = r.int64(1); });
  if (!s.ok()) return s;
  return out;
}

Result<std::int64_t> count_locked(Connection& c, const std::string& project_id, const std::string& resource) {
  auto q = usage_queries().find(resource);
  if (q == usage_queries().end()) return std::int64_t{0};
  auto st = c.prepare("count " + resource + " of " + project_id, q->second);
  if (!st.ok()) return st.status();
  st->bind_all(project_id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row ? st->int64(0) : 0;
}

}  // namespace

Result<NetworkQuotas> NetworkQuotaRepository::limits(const std::string& project_id) {
  return db_.read("read network quotas", [&](Connection& c) { return limits_locked(c, project_id); });
}

Status NetworkQuotaRepository::set(const std::string& project_id, const NetworkQuotas& limits) {
  for (const auto& [resource, limit] : limits) {
    if (default_network_quotas().count(resource) == 0) {
      return Status::InvalidArgument("Unrecognized attribute(s) '" + resource + "'");
    }
    if (limit < -1) {
      return Status::InvalidArgument("Invalid input for " + resource + ". Reason: '" + std::to_string(limit) +
                                     "' is too small - must be at least '-1'.");
    }
  }
  return db_.write("set network quotas", [&](Connection& c) -> Status {
    for (const auto& [resource, limit] : limits) {
      auto st = c.exec("set network quota " + resource + " of " + project_id,
                       "INSERT INTO network_quotas(project_id, resource, hard_limit) VALUES (?,?,?) "
                       "ON CONFLICT(project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit",
                       project_id, resource, limit);
      if (!st.ok()) return st;
    }
    return Status::OK();
  });
}

Status NetworkQuotaRepository::reset(const std::string& project_id) {
  return db_.write("reset network quotas", [&](Connection& c) -> Status {
    return c.exec("reset network quotas of " + project_id, "DELETE FROM network_quotas WHERE project_id = ?",
                  project_id);
  });
}

Result<std::map<std::string, NetworkQuotas>> NetworkQuotaRepository::overridden() {
  return db_.read("list network quotas", [&](Connection& c) -> Result<std::map<std::string, NetworkQuotas>> {
    std::vector<std::string> projects;
    auto st = c.prepare("list projects with network quotas",
                        "SELECT DISTINCT project_id FROM network_quotas ORDER BY project_id");
    if (!st.ok()) return st.status();
    auto s = st->for_each([&](Statement& r) { projects.push_back(r.text(0)); });
    if (!s.ok()) return s;
    std::map<std::string, NetworkQuotas> out;
    for (const auto& p : projects) {
      auto limits = limits_locked(c, p);
      if (!limits.ok()) return limits.status();
      out.emplace(p, std::move(*limits));
    }
    return out;
  });
}

Result<NetworkQuotas> NetworkQuotaRepository::usage(const std::string& project_id) {
  return db_.read("count network resources", [&](Connection& c) -> Result<NetworkQuotas> {
    NetworkQuotas out;
    for (const auto& [resource, limit] : default_network_quotas()) {
      auto n = count_locked(c, project_id, resource);
      if (!n.ok()) return n.status();
      out[resource] = *n;
    }
    return out;
  });
}

Status NetworkQuotaRepository::check(const std::string& project_id, const std::string& resource,
                                     std::int64_t adding) {
  return db_.read("check network quota", [&](Connection& c) -> Status {
    auto limits = limits_locked(c, project_id);
    if (!limits.ok()) return limits.status();
    auto limit = limits->find(resource);
    if (limit == limits->end() || limit->second < 0) return Status::OK();
    auto used = count_locked(c, project_id, resource);
    if (!used.ok()) return used.status();
    if (*used + adding <= limit->second) return Status::OK();
    return Status(sdk::StatusCode::kConflict, "Quota exceeded for resources: ['" + resource + "'].",
                  sdk::StatusReason::kQuotaExceeded);
  });
}

}  // namespace stratus::core::db
