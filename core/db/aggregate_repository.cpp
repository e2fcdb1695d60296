#include "core/db/aggregate_repository.h"

#include <algorithm>
#include <set>

#include "core/common/ids.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kZoneKey = "availability_zone";

// Which of Nova's InvalidAggregateAction messages a broken zone rule gets.
enum class Action { kAdd, kRemove, kUpdate, kUpdateMeta };

Status invalid_action(Action action, std::int64_t id, const std::string& reason) {
  const std::string agg = std::to_string(id);
  switch (action) {
    case Action::kAdd: return Status::InvalidArgument("Cannot add host to aggregate " + agg + ". Reason: " + reason + ".");
    case Action::kRemove:
      return Status::InvalidArgument("Cannot remove host from aggregate " + agg + ". Reason: " + reason + ".");
    case Action::kUpdate: return Status::InvalidArgument("Cannot update aggregate " + agg + ". Reason: " + reason + ".");
    case Action::kUpdateMeta:
      return Status::InvalidArgument("Cannot update metadata of aggregate " + agg + ". Reason: " + reason + ".");
  }
  return Status::Internal("unknown aggregate action");
}

Status not_found(std::int64_t id) { return Status::NotFound("Aggregate " + std::to_string(id) + " could not be found."); }

bool is_unique_violation(const Status& s) {
  return s.is(sdk::StatusCode::kConflict) || s.is(sdk::StatusCode::kAlreadyExists) ||
         s.message().find("UNIQUE") != std::string::npos;
}

template <typename... Args>
Result<std::vector<AggregateRecord>> query(Connection& c, const std::string& where, const Args&... args) {
  auto st = c.prepare("read aggregates", "SELECT id, uuid, name, created_at, updated_at FROM aggregates " + where +
                                             " ORDER BY id");
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<AggregateRecord> out;
  auto s = st->for_each([&](Statement& r) {
    AggregateRecord a;
    a.id = r.int64(0);
    a.uuid = r.text(1);
    a.name = r.text(2);
    a.created_at = r.text(3);
    a.updated_at = r.optional_text(4);
    out.push_back(std::move(a));
  });
  if (!s.ok()) return s;
  for (auto& a : out) {
    auto h = c.prepare("read aggregate hosts", "SELECT host FROM aggregate_hosts WHERE aggregate_id = ? ORDER BY host");
    if (!h.ok()) return h.status();
    h->bind_all(a.id);
    if (s = h->for_each([&](Statement& r) { a.hosts.push_back(r.text(0)); }); !s.ok()) return s;
    auto m = c.prepare("read aggregate metadata", "SELECT key, value FROM aggregate_metadata WHERE aggregate_id = ?");
    if (!m.ok()) return m.status();
    m->bind_all(a.id);
    if (s = m->for_each([&](Statement& r) { a.metadata[r.text(0)] = r.text(1); }); !s.ok()) return s;
  }
  return out;
}

Result<AggregateRecord> get_in(Connection& c, std::int64_t id) {
  auto rows = query(c, "WHERE id = ?", id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return not_found(id);
  return std::move(rows->front());
}

// The zones other aggregates than `except` give `host`.
Result<std::set<std::string>> zones_of_host(Connection& c, const std::string& host, std::int64_t except) {
  auto st = c.prepare("read zones of host",
                      "SELECT DISTINCT m.value FROM aggregate_hosts h JOIN aggregate_metadata m "
                      "ON m.aggregate_id = h.aggregate_id AND m.key = ? WHERE h.host = ? AND h.aggregate_id <> ?");
  if (!st.ok()) return st.status();
  st->bind_all(kZoneKey, host, except);
  std::set<std::string> out;
  auto s = st->for_each([&](Statement& r) { out.insert(r.text(0)); });
  if (!s.ok()) return s;
  return out;
}

Result<std::int64_t> instances_on(Connection& c, const std::string& host) {
  auto st = c.prepare("count instances on host", "SELECT COUNT(*) FROM instances WHERE host = ? AND deleted = 0");
  if (!st.ok()) return st.status();
  st->bind_all(host);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row ? st->int64(0) : 0;
}

std::string zone_list(const std::set<std::string>& zones) {
  // Nova prints the Python list: ['az1', 'az2'].
  std::string out = "[";
  for (const auto& z : zones) out += (out.size() > 1 ? ", '" : "'") + z + "'";
  return out + "]";
}

// Nova's is_safe_to_update_az for a new zone on `hosts` of aggregate `agg`.
Status check_zone_change(Connection& c, const AggregateRecord& agg, const std::vector<std::string>& hosts,
                         const std::string& zone, Action action, bool check_instances) {
  if (zone.empty()) {
    return invalid_action(action, agg.id, "Aggregate " + agg.name + " does not support empty named availability zone");
  }
  std::set<std::string> conflicting;
  for (const auto& h : hosts) {
    auto zones = zones_of_host(c, h, agg.id);
    if (!zones.ok()) return zones.status();
    for (const auto& z : *zones) {
      if (z != zone) conflicting.insert(z);
    }
  }
  if (!conflicting.empty()) {
    return invalid_action(action, agg.id, "One or more hosts already in availability zone(s) " + zone_list(conflicting));
  }
  if (check_instances && agg.availability_zone() != zone) {
    for (const auto& h : hosts) {
      auto n = instances_on(c, h);
      if (!n.ok()) return n.status();
      if (*n > 0) return invalid_action(action, agg.id, "One or more hosts contain instances in this zone");
    }
  }
  return Status::OK();
}

Status touch(Connection& c, std::int64_t id) {
  return c.exec("touch aggregate", "UPDATE aggregates SET updated_at = ? WHERE id = ?", common::utc_now(), id);
}

Status put_metadata(Connection& c, std::int64_t id, const std::string& key, const std::optional<std::string>& value) {
  if (!value) return c.exec("drop aggregate metadata", "DELETE FROM aggregate_metadata WHERE aggregate_id = ? AND key = ?", id, key);
  return c.exec("set aggregate metadata",
                "INSERT INTO aggregate_metadata(aggregate_id, key, value) VALUES (?1, ?2, ?3) "
                "ON CONFLICT (aggregate_id, key) DO UPDATE SET value = ?3",
                id, key, *value);
}

// The zone a host has without `agg` (or with it, when `with`), for the
// instance check of add/remove host.
std::optional<std::string> first_zone(const std::set<std::string>& zones) {
  if (zones.empty()) return std::nullopt;
  return *zones.begin();
}

std::string py_repr(const std::optional<std::string>& z) { return z ? *z : "None"; }

}  // namespace

std::optional<std::string> AggregateRecord::availability_zone() const {
  auto it = metadata.find(kZoneKey);
  if (it == metadata.end()) return std::nullopt;
  return it->second;
}

Result<AggregateRecord> AggregateRepository::create(const std::string& name,
                                                     const std::optional<std::string>& availability_zone) {
  return db_.write("create aggregate", [&](Connection& c) -> Result<AggregateRecord> {
    auto exists = c.prepare("find aggregate by name", "SELECT 1 FROM aggregates WHERE name = ?");
    if (!exists.ok()) return exists.status();
    exists->bind_all(name);
    auto row = exists->step();
    if (!row.ok()) return row.status();
    if (*row) return Status::Conflict("Aggregate " + name + " already exists.");
    auto st = c.prepare("insert aggregate",
                        "INSERT INTO aggregates(uuid, name, created_at) VALUES (?, ?, ?) RETURNING id");
    if (!st.ok()) return st.status();
    st->bind_all(common::random_uuid(), name, common::utc_now());
    auto inserted = st->step();
    if (!inserted.ok()) {
      if (is_unique_violation(inserted.status())) return Status::Conflict("Aggregate " + name + " already exists.");
      return inserted.status();
    }
    if (!*inserted) return Status::Internal("insert aggregate returned no id");
    const std::int64_t id = st->int64(0);
    if (availability_zone) {
      if (auto s = put_metadata(c, id, kZoneKey, availability_zone); !s.ok()) return s;
    }
    return get_in(c, id);
  });
}

Result<AggregateRecord> AggregateRepository::get(std::int64_t id) {
  return db_.read("read aggregate", [&](Connection& c) { return get_in(c, id); });
}

Result<std::vector<AggregateRecord>> AggregateRepository::list() {
  return db_.read("list aggregates", [&](Connection& c) { return query(c, ""); });
}

Result<AggregateRecord> AggregateRepository::update(std::int64_t id, const std::optional<std::string>& name,
                                                    const std::optional<std::string>& availability_zone) {
  return db_.write("update aggregate", [&](Connection& c) -> Result<AggregateRecord> {
    auto agg = get_in(c, id);
    if (!agg.ok()) return agg.status();
    if (name && *name != agg->name) {
      auto taken = c.prepare("find aggregate by name", "SELECT 1 FROM aggregates WHERE name = ? AND id <> ?");
      if (!taken.ok()) return taken.status();
      taken->bind_all(*name, id);
      auto row = taken->step();
      if (!row.ok()) return row.status();
      if (*row) return Status::Conflict("Aggregate " + *name + " already exists.");
      if (auto s = c.exec("rename aggregate", "UPDATE aggregates SET name = ? WHERE id = ?", *name, id); !s.ok()) {
        return is_unique_violation(s) ? Status::Conflict("Aggregate " + *name + " already exists.") : s;
      }
    }
    if (availability_zone) {
      if (auto s = check_zone_change(c, *agg, agg->hosts, *availability_zone, Action::kUpdate, true); !s.ok()) return s;
      if (auto s = put_metadata(c, id, kZoneKey, availability_zone); !s.ok()) return s;
    }
    if (auto s = touch(c, id); !s.ok()) return s;
    return get_in(c, id);
  });
}

Result<AggregateRecord> AggregateRepository::set_metadata(
    std::int64_t id, const std::map<std::string, std::optional<std::string>>& metadata) {
  return db_.write("set aggregate metadata", [&](Connection& c) -> Result<AggregateRecord> {
    auto agg = get_in(c, id);
    if (!agg.ok()) return agg.status();
    if (auto z = metadata.find(kZoneKey); z != metadata.end()) {
      if (auto s = check_zone_change(c, *agg, agg->hosts, z->second.value_or(""), Action::kUpdateMeta, true); !s.ok()) {
        return s;
      }
    }
    for (const auto& [key, value] : metadata) {
      if (auto s = put_metadata(c, id, key, value); !s.ok()) return s;
    }
    if (auto s = touch(c, id); !s.ok()) return s;
    return get_in(c, id);
  });
}

Result<AggregateRecord> AggregateRepository::add_host(std::int64_t id, const std::string& host) {
  return db_.write("add host to aggregate", [&](Connection& c) -> Result<AggregateRecord> {
    auto svc = c.prepare("find compute service",
                         "SELECT 1 FROM services WHERE host = ? AND (topic = 'compute' OR \"binary\" = 'stratus-compute')");
    if (!svc.ok()) return svc.status();
    svc->bind_all(host);
    auto row = svc->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("Compute host " + host + " could not be found.");
    auto agg = get_in(c, id);
    if (!agg.ok()) return agg.status();
    if (std::find(agg->hosts.begin(), agg->hosts.end(), host) != agg->hosts.end()) {
      return Status::Conflict("Aggregate " + std::to_string(id) + " already has host " + host + ".");
    }
    if (auto zone = agg->availability_zone()) {
      if (auto s = check_zone_change(c, *agg, {host}, *zone, Action::kAdd, false); !s.ok()) return s;
      // Nova's ensure_no_instances_need_to_move_az_when_host_added.
      auto n = instances_on(c, host);
      if (!n.ok()) return n.status();
      auto zones = zones_of_host(c, host, id);
      if (!zones.ok()) return zones.status();
      const auto old_zone = first_zone(*zones);
      if (*n > 0 && old_zone != zone) {
        return invalid_action(
            Action::kAdd, id,
            "The host cannot be added to the aggregate as the availability zone of the host would change from '" +
                py_repr(old_zone) + "' to '" + *zone + "' but the host already has " + std::to_string(*n) +
                " instance(s). Changing the AZ of an existing instance is not supported by this action. Move the "
                "instances away from this host then try again. If you need to move the instances between AZs then "
                "you can use shelve_offload and unshelve to achieve this.");
      }
    }
    if (auto s = c.exec("add aggregate host", "INSERT INTO aggregate_hosts(aggregate_id, host) VALUES (?, ?)", id, host);
        !s.ok()) {
      return is_unique_violation(s)
                 ? Status::Conflict("Aggregate " + std::to_string(id) + " already has host " + host + ".")
                 : s;
    }
    return get_in(c, id);
  });
}

Result<AggregateRecord> AggregateRepository::remove_host(std::int64_t id, const std::string& host) {
  return db_.write("remove host from aggregate", [&](Connection& c) -> Result<AggregateRecord> {
    auto agg = get_in(c, id);
    if (!agg.ok()) return agg.status();
    if (std::find(agg->hosts.begin(), agg->hosts.end(), host) == agg->hosts.end()) {
      return Status::NotFound("Aggregate " + std::to_string(id) + " has no host " + host + ".");
    }
    if (auto zone = agg->availability_zone()) {
      // Nova's ensure_no_instances_need_to_move_az_when_host_removed.
      auto n = instances_on(c, host);
      if (!n.ok()) return n.status();
      auto zones = zones_of_host(c, host, id);
      if (!zones.ok()) return zones.status();
      const auto new_zone = first_zone(*zones);
      if (*n > 0 && new_zone != zone) {
        return invalid_action(
            Action::kRemove, id,
            "The host cannot be removed from the aggregate as the availability zone of the host would change from '" +
                *zone + "' to '" + py_repr(new_zone) + "' but the host already has " + std::to_string(*n) +
                " instance(s). Changing the AZ of an existing instance is not supported by this action. Move the "
                "instances away from this host then try again. If you need to move the instances between AZs then "
                "you can use shelve_offload and unshelve to achieve this.");
      }
    }
    if (auto s = c.exec("remove aggregate host", "DELETE FROM aggregate_hosts WHERE aggregate_id = ? AND host = ?", id,
                        host);
        !s.ok()) {
      return s;
    }
    return get_in(c, id);
  });
}

Status AggregateRepository::remove(std::int64_t id) {
  return db_.write("delete aggregate", [&](Connection& c) -> Status {
    auto agg = get_in(c, id);
    if (!agg.ok()) return agg.status();
    if (!agg->hosts.empty()) return invalid_action(Action::kRemove, id, "Host aggregate is not empty");
    if (auto s = c.exec("drop aggregate metadata", "DELETE FROM aggregate_metadata WHERE aggregate_id = ?", id); !s.ok()) {
      return s;
    }
    return c.exec("delete aggregate", "DELETE FROM aggregates WHERE id = ?", id);
  });
}

Result<std::map<std::string, std::string>> AggregateRepository::zones_by_host() {
  return db_.read("read host zones", [&](Connection& c) -> Result<std::map<std::string, std::string>> {
    auto st = c.prepare("read host zones",
                        "SELECT h.host, m.value FROM aggregate_hosts h JOIN aggregate_metadata m "
                        "ON m.aggregate_id = h.aggregate_id AND m.key = ? ORDER BY h.aggregate_id");
    if (!st.ok()) return st.status();
    st->bind_all(kZoneKey);
    std::map<std::string, std::string> out;
    auto s = st->for_each([&](Statement& r) { out.emplace(r.text(0), r.text(1)); });
    if (!s.ok()) return s;
    return out;
  });
}

}  // namespace stratus::core::db
