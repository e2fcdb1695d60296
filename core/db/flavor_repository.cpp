#include "core/db/flavor_repository.h"

#include "core/plugin/value_layout.h"
#include "core/common/ids.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT id, flavorid, name, vcpus, memory_mb, root_gb, ephemeral_gb, swap, rxtx_factor, is_public, disabled, "
    "description, created_at, updated_at FROM flavors ";

Status load_specs(Connection& c, std::int64_t id, FlavorRecord& f) {
  auto st = c.prepare("read extra specs of flavor " + f.flavor.id,
                      "SELECT key, value FROM flavor_extra_specs WHERE flavor_id = ?");
  if (!st.ok()) return st.status();
  st->bind_all(id);
  return st->for_each([&](Statement& r) { f.flavor.extra_specs[r.text(0)] = r.text(1); });
}

// The flavors table stores every member of sdk::Flavor (extra_specs in
// flavor_extra_specs): when the SDK struct gains one, this fails until the
// columns, the reader below and create() carry it.
static_assert(core::layout::field_count<sdk::Flavor>() == 10, "sdk::Flavor changed: update the flavors table");

template <typename... Args>
Result<std::vector<FlavorRecord>> query(Connection& c, const std::string& purpose, const std::string& tail,
                                        const Args&... args) {
  auto st = c.prepare(purpose, kColumns + tail);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<std::pair<std::int64_t, FlavorRecord>> rows;
  auto s = st->for_each([&](Statement& r) {
    FlavorRecord f;
    f.flavor.id = r.text(1);
    f.flavor.name = r.text(2);
    f.flavor.vcpus = static_cast<std::int32_t>(r.int64(3));
    f.flavor.memory_mb = r.int64(4);
    f.flavor.root_gb = r.int64(5);
    f.flavor.ephemeral_gb = r.int64(6);
    f.flavor.swap_mb = r.int64(7);
    f.flavor.rxtx_factor = r.real(8);
    f.flavor.is_public = r.boolean(9);
    f.disabled = r.boolean(10);
    f.description = r.optional_text(11);
    f.created_at = r.text(12);
    f.updated_at = r.text(13);
    rows.emplace_back(r.int64(0), std::move(f));
  });
  if (!s.ok()) return s;
  std::vector<FlavorRecord> out;
  for (auto& [id, f] : rows) {
    s = load_specs(c, id, f);
    if (!s.ok()) return s;
    out.push_back(std::move(f));
  }
  return out;
}

Result<FlavorRecord> one(Result<std::vector<FlavorRecord>> rows, const std::string& what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("flavor " + what + " could not be found");
  return std::move(rows->front());
}

Result<std::int64_t> row_id(Connection& c, const std::string& flavorid) {
  auto st = c.prepare("look up flavor " + flavorid, "SELECT id FROM flavors WHERE flavorid = ?");
  if (!st.ok()) return st.status();
  st->bind_all(flavorid);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("flavor " + flavorid + " could not be found");
  return st->int64(0);
}

}  // namespace

Result<FlavorRecord> FlavorRepository::create(FlavorRecord rec) {
  auto& f = rec.flavor;
  if (f.name.empty()) return Status::InvalidArgument("flavor name must not be empty");
  if (f.vcpus < 1 || f.memory_mb < 1) return Status::InvalidArgument("flavor " + f.name + ": vcpus and ram must be at least 1");
  if (f.root_gb < 0 || f.ephemeral_gb < 0 || f.swap_mb < 0 || f.rxtx_factor <= 0) {
    return Status::InvalidArgument("flavor " + f.name + ": disk, ephemeral and swap must not be negative");
  }
  if (f.id.empty()) f.id = common::random_uuid();
  return db_.write("create flavor", [&](Connection& c) -> Result<FlavorRecord> {
    for (const auto& [column, value] : {std::pair{"flavorid", f.id}, std::pair{"name", f.name}}) {
      auto st = c.prepare("check flavor " + value, std::string("SELECT 1 FROM flavors WHERE ") + column + " = ?");
      if (!st.ok()) return st.status();
      st->bind_all(value);
      auto row = st->step();
      if (!row.ok()) return row.status();
      if (*row) return Status::AlreadyExists(std::string("flavor with ") + (column == std::string("name") ? "name " : "ID ") + value + " already exists");
    }
    std::string now = common::utc_now();
    auto ins = c.prepare("insert flavor " + f.name,
                         "INSERT INTO flavors(flavorid, name, vcpus, memory_mb, root_gb, ephemeral_gb, swap, "
                         "rxtx_factor, is_public, disabled, description, created_at, updated_at) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
    if (!ins.ok()) return ins.status();
    ins->bind_all(f.id, f.name, static_cast<std::int64_t>(f.vcpus), f.memory_mb, f.root_gb, f.ephemeral_gb, f.swap_mb,
                  f.rxtx_factor, f.is_public, rec.disabled, rec.description, now, now);
    auto inserted = ins->step();
    if (!inserted.ok()) return inserted.status();
    if (!*inserted) return Status::Internal("insert flavor " + f.name + ": no id returned");
    const std::int64_t id = ins->int64(0);
    Status st = Status::OK();
    for (const auto& [k, v] : f.extra_specs) {
      st = c.exec("set extra spec " + k, "INSERT INTO flavor_extra_specs(flavor_id, key, value) VALUES (?, ?, ?)", id,
                  k, v);
      if (!st.ok()) return st;
    }
    return one(query(c, "read flavor " + f.id, "WHERE flavorid = ?", f.id), f.id);
  });
}

Result<FlavorRecord> FlavorRepository::get(const std::string& flavorid) {
  return db_.read("read flavor", [&](Connection& c) {
    return one(query(c, "read flavor " + flavorid, "WHERE flavorid = ?", flavorid), flavorid);
  });
}

Result<FlavorRecord> FlavorRepository::get_by_name(const std::string& name) {
  return db_.read("read flavor", [&](Connection& c) {
    return one(query(c, "read flavor " + name, "WHERE name = ?", name), name);
  });
}

Result<std::vector<FlavorRecord>> FlavorRepository::list(const FlavorFilter& filter) {
  return db_.read("list flavors", [&](Connection& c) {
    return query(c, "list flavors",
                 "WHERE (?1 IS NULL OR is_public = ?1 OR (?4 IS NOT NULL AND id IN "
                 "(SELECT flavor_id FROM flavor_projects WHERE project_id = ?4))) "
                 "AND (?2 IS NULL OR memory_mb >= ?2) "
                 "AND (?3 IS NULL OR root_gb >= ?3) ORDER BY memory_mb, flavorid",
                 filter.is_public, filter.min_ram, filter.min_disk, filter.or_accessible_to);
  });
}

Status FlavorRepository::remove(const std::string& flavorid) {
  return db_.write("delete flavor", [&](Connection& c) -> Status {
    auto st = c.exec("delete flavor " + flavorid, "DELETE FROM flavors WHERE flavorid = ?", flavorid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("flavor " + flavorid + " could not be found");
    return Status::OK();
  });
}

Status FlavorRepository::set_extra_specs(const std::string& flavorid, const std::map<std::string, std::string>& specs) {
  return db_.write("set flavor extra specs", [&](Connection& c) -> Status {
    auto id = row_id(c, flavorid);
    if (!id.ok()) return id.status();
    for (const auto& [k, v] : specs) {
      auto st = c.exec("set extra spec " + k + " of flavor " + flavorid,
                       "INSERT INTO flavor_extra_specs(flavor_id, key, value) VALUES (?, ?, ?) "
                       "ON CONFLICT(flavor_id, key) DO UPDATE SET value = excluded.value",
                       *id, k, v);
      if (!st.ok()) return st;
    }
    return c.exec("touch flavor " + flavorid, "UPDATE flavors SET updated_at = ? WHERE id = ?", common::utc_now(), *id);
  });
}

Status FlavorRepository::delete_extra_spec(const std::string& flavorid, const std::string& key) {
  return db_.write("delete flavor extra spec", [&](Connection& c) -> Status {
    auto id = row_id(c, flavorid);
    if (!id.ok()) return id.status();
    auto st = c.exec("delete extra spec " + key, "DELETE FROM flavor_extra_specs WHERE flavor_id = ? AND key = ?", *id,
                     key);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("flavor " + flavorid + " has no extra spec " + key);
    return Status::OK();
  });
}

Result<FlavorRecord> FlavorRepository::set_description(const std::string& flavorid,
                                                      const std::optional<std::string>& description) {
  return db_.write("update flavor", [&](Connection& c) -> Result<FlavorRecord> {
    auto st = c.exec("describe flavor " + flavorid, "UPDATE flavors SET description = ?, updated_at = ? WHERE flavorid = ?",
                     description, common::utc_now(), flavorid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("flavor " + flavorid + " could not be found");
    return one(query(c, "read flavor " + flavorid, "WHERE flavorid = ?", flavorid), flavorid);
  });
}

Result<std::vector<std::string>> FlavorRepository::access_projects(const std::string& flavorid) {
  return db_.read("list flavor access", [&](Connection& c) -> Result<std::vector<std::string>> {
    auto id = row_id(c, flavorid);
    if (!id.ok()) return id.status();
    auto st = c.prepare("list access of flavor " + flavorid,
                        "SELECT project_id FROM flavor_projects WHERE flavor_id = ? ORDER BY project_id");
    if (!st.ok()) return st.status();
    st->bind_all(*id);
    std::vector<std::string> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(r.text(0)); });
    if (!s.ok()) return s;
    return out;
  });
}

Status FlavorRepository::add_access(const std::string& flavorid, const std::string& project_id) {
  return db_.write("add flavor access", [&](Connection& c) -> Status {
    auto id = row_id(c, flavorid);
    if (!id.ok()) return id.status();
    auto st = c.exec("add access of " + project_id + " to flavor " + flavorid,
                     "INSERT INTO flavor_projects(flavor_id, project_id) VALUES (?, ?) ON CONFLICT DO NOTHING", *id,
                     project_id);
    if (!st.ok()) return st;
    if (c.changes() == 0) {
      return Status::AlreadyExists("Flavor access already exists for flavor " + flavorid + " and project " +
                                   project_id + " combination.");
    }
    return Status::OK();
  });
}

Status FlavorRepository::remove_access(const std::string& flavorid, const std::string& project_id) {
  return db_.write("remove flavor access", [&](Connection& c) -> Status {
    auto id = row_id(c, flavorid);
    if (!id.ok()) return id.status();
    auto st = c.exec("remove access of " + project_id + " to flavor " + flavorid,
                     "DELETE FROM flavor_projects WHERE flavor_id = ? AND project_id = ?", *id, project_id);
    if (!st.ok()) return st;
    if (c.changes() == 0) {
      return Status::NotFound("Flavor access not found for " + flavorid + " / " + project_id + " combination.");
    }
    return Status::OK();
  });
}

Result<bool> FlavorRepository::accessible(const std::string& flavorid, const std::string& project_id) {
  return db_.read("check flavor access", [&](Connection& c) -> Result<bool> {
    auto st = c.prepare("check access of " + project_id + " to flavor " + flavorid,
                        "SELECT 1 FROM flavors WHERE flavorid = ?1 AND (is_public = 1 OR id IN "
                        "(SELECT flavor_id FROM flavor_projects WHERE project_id = ?2))");
    if (!st.ok()) return st.status();
    st->bind_all(flavorid, project_id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    return *row;
  });
}

}  // namespace stratus::core::db
