#include "core/db/instance_repository.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <regex>

#include "core/plugin/value_layout.h"
#include "core/db/allocation_repository.h"
#include "core/common/ids.h"
#include "core/common/user_regex.h"
#include "core/db/key_batches.h"
#include "core/db/quota_repository.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

// to_sdk sets every member of sdk::Instance: when the SDK struct gains one,
// this fails until it is set here (and stored, if the database keeps it).
static_assert(core::layout::field_count<sdk::Instance>() == 16, "sdk::Instance changed: update InstanceRecord::to_sdk");

sdk::Instance InstanceRecord::to_sdk() const {
  sdk::Instance i;
  i.uuid = uuid;
  i.name = name;
  i.display_name = display_name;
  i.project_id = project_id;
  i.user_id = user_id;
  i.host = host;
  i.node = node;
  i.availability_zone = availability_zone;
  i.image_ref = image_ref;
  i.flavor = flavor;
  i.metadata = metadata;
  i.user_data = user_data.value_or("");
  i.key_name = key_name.value_or("");
  i.key_data = key_data.value_or("");
  i.config_drive = config_drive;
  i.power_state = power_state;
  return i;
}

namespace {

constexpr const char* kColumns =
    "i.id, i.uuid, i.display_name, i.display_description, i.project_id, i.user_id, i.flavor_id, i.flavor_name, "
    "i.vcpus, i.memory_mb, i.root_gb, i.ephemeral_gb, i.swap_mb, i.rxtx_factor, i.flavor_extra_specs, i.image_ref, "
    "i.vm_state, i.task_state, i.power_state, i.host, i.node, i.launched_at, i.terminated_at, i.created_at, "
    "i.updated_at, i.user_data, i.key_name, i.key_data, i.availability_zone, i.reservation_id, i.launch_index, "
    "i.config_drive, i.locked, i.locked_reason, i.deleted, i.deleted_at, i.auto_disk_config, i.access_ip_v4, "
    "i.access_ip_v6, i.hostname, i.trusted_certs, i.locked_by";

std::string specs_to_json(const std::map<std::string, std::string>& specs) {
  return nlohmann::json(specs).dump();
}

std::optional<std::string> certs_to_json(const std::optional<std::vector<std::string>>& certs) {
  if (!certs) return std::nullopt;
  return nlohmann::json(*certs).dump();
}

std::optional<std::vector<std::string>> certs_from_json(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> specs_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

InstanceRecord read_row(const Statement& r) {
  InstanceRecord i;
  i.id = r.int64(0);
  i.name = common::instance_name(i.id);
  i.uuid = r.text(1);
  i.display_name = r.text(2);
  i.display_description = r.optional_text(3);
  i.project_id = r.text(4);
  i.user_id = r.text(5);
  i.flavor.id = r.text(6);
  i.flavor.name = r.text(7);
  i.flavor.vcpus = static_cast<std::int32_t>(r.int64(8));
  i.flavor.memory_mb = r.int64(9);
  i.flavor.root_gb = r.int64(10);
  i.flavor.ephemeral_gb = r.int64(11);
  i.flavor.swap_mb = r.int64(12);
  i.flavor.rxtx_factor = r.real(13);
  i.flavor.extra_specs = specs_from_json(r.text(14));
  i.image_ref = r.text(15);
  i.vm_state = r.text(16);
  i.task_state = r.optional_text(17);
  i.power_state = static_cast<sdk::PowerState>(r.int64(18));
  i.host = r.text(19);
  i.node = r.text(20);
  i.launched_at = r.optional_text(21);
  i.terminated_at = r.optional_text(22);
  i.created_at = r.text(23);
  i.updated_at = r.text(24);
  i.user_data = r.optional_text(25);
  i.key_name = r.optional_text(26);
  i.key_data = r.optional_text(27);
  i.availability_zone = r.text(28);
  i.reservation_id = r.text(29);
  i.launch_index = static_cast<std::int32_t>(r.int64(30));
  i.config_drive = r.boolean(31);
  i.locked = r.boolean(32);
  i.locked_reason = r.optional_text(33);
  i.deleted = r.boolean(34);
  i.deleted_at = r.optional_text(35);
  i.auto_disk_config = r.boolean(36);
  i.access_ip_v4 = r.optional_text(37);
  i.access_ip_v6 = r.optional_text(38);
  i.hostname = r.text(39);
  i.trusted_certs = certs_from_json(r.optional_text(40));
  i.locked_by = r.optional_text(41);
  return i;
}

Result<std::map<std::string, std::string>> read_metadata(Connection& c, const std::string& uuid) {
  auto st = c.prepare("read metadata of instance " + uuid,
                      "SELECT key, value FROM instance_metadata WHERE instance_uuid = ? ORDER BY key");
  if (!st.ok()) return st.status();
  st->bind_all(uuid);
  std::map<std::string, std::string> md;
  auto s = st->for_each([&](Statement& r) { md[r.text(0)] = r.text(1); });
  if (!s.ok()) return s;
  return md;
}

// Fills the metadata of every record with one statement per 512 instances.
Status read_metadata_batch(Connection& c, std::vector<InstanceRecord>& records) {
  std::vector<std::string> uuids;
  std::map<std::string, InstanceRecord*> by_uuid;
  for (auto& r : records) {
    uuids.push_back(r.uuid);
    by_uuid[r.uuid] = &r;
  }
  return for_each_key_batch(uuids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
    auto st = c.prepare("read metadata of instances",
                        "SELECT instance_uuid, key, value FROM instance_metadata WHERE instance_uuid IN (" +
                            placeholders + ")");
    if (!st.ok()) return st.status();
    bind_keys(*st, chunk);
    return st->for_each([&](Statement& r) {
      auto it = by_uuid.find(r.text(0));
      if (it != by_uuid.end()) it->second->metadata[r.text(1)] = r.text(2);
    });
  });
}

Result<std::vector<std::string>> read_tags(Connection& c, const std::string& uuid) {
  auto st = c.prepare("read tags of instance " + uuid,
                      "SELECT tag FROM instance_tags WHERE instance_uuid = ? ORDER BY tag");
  if (!st.ok()) return st.status();
  st->bind_all(uuid);
  std::vector<std::string> tags;
  auto s = st->for_each([&](Statement& r) { tags.push_back(r.text(0)); });
  if (!s.ok()) return s;
  return tags;
}

// Fills the tags of every record, as read_metadata_batch does the metadata.
Status read_tags_batch(Connection& c, std::vector<InstanceRecord>& records) {
  std::vector<std::string> uuids;
  std::map<std::string, InstanceRecord*> by_uuid;
  for (auto& r : records) {
    uuids.push_back(r.uuid);
    by_uuid[r.uuid] = &r;
  }
  auto s = for_each_key_batch(uuids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
    auto st = c.prepare("read tags of instances",
                        "SELECT instance_uuid, tag FROM instance_tags WHERE instance_uuid IN (" + placeholders + ")");
    if (!st.ok()) return st.status();
    bind_keys(*st, chunk);
    return st->for_each([&](Statement& r) {
      auto it = by_uuid.find(r.text(0));
      if (it != by_uuid.end()) it->second->tags.push_back(r.text(1));
    });
  });
  for (auto& r : records) std::sort(r.tags.begin(), r.tags.end());
  return s;
}

Result<InstanceRecord> get_locked(Connection& c, const std::string& uuid, bool include_deleted) {
  auto st = c.prepare("look up instance " + uuid, std::string("SELECT ") + kColumns +
                                                     " FROM instances i WHERE i.uuid = ? AND (? = 1 OR i.deleted = 0)");
  if (!st.ok()) return st.status();
  st->bind_all(uuid, include_deleted);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("instance " + uuid + " could not be found");
  auto rec = read_row(*st);
  auto md = read_metadata(c, uuid);
  if (!md.ok()) return md.status();
  rec.metadata = std::move(*md);
  auto tags = read_tags(c, uuid);
  if (!tags.ok()) return tags.status();
  rec.tags = std::move(*tags);
  return rec;
}

Status write_metadata(Connection& c, const std::string& uuid, const std::map<std::string, std::string>& md) {
  for (const auto& [k, v] : md) {
    auto st = c.exec("set metadata " + k + " of instance " + uuid,
                     "INSERT INTO instance_metadata(instance_uuid, key, value) VALUES (?, ?, ?) "
                     "ON CONFLICT(instance_uuid, key) DO UPDATE SET value = excluded.value",
                     uuid, k, v);
    if (!st.ok()) return st;
  }
  return Status::OK();
}

// Bumps updated_at; kNotFound unless the instance is live.
Status touch(Connection& c, const std::string& uuid) {
  auto st = c.exec("touch instance " + uuid, "UPDATE instances SET updated_at = ? WHERE uuid = ? AND deleted = 0",
                   common::utc_now(), uuid);
  if (!st.ok()) return st;
  if (c.changes() == 0) return Status::NotFound("instance " + uuid + " could not be found");
  return Status::OK();
}

std::string state_text(const std::optional<std::string>& s) { return s ? "'" + *s + "'" : "None"; }

struct SortColumn {
  const char* column;
  bool nullable;
};

SortColumn sort_column(InstanceSortKey key) {
  switch (key) {
    case InstanceSortKey::kCreatedAt: return {"created_at", false};
    case InstanceSortKey::kUpdatedAt: return {"updated_at", false};
    case InstanceSortKey::kDisplayName: return {"display_name", false};
    case InstanceSortKey::kUuid: return {"uuid", false};
    case InstanceSortKey::kVmState: return {"vm_state", false};
    case InstanceSortKey::kTaskState: return {"task_state", true};
    case InstanceSortKey::kPowerState: return {"power_state", false};
    case InstanceSortKey::kHost: return {"host", false};
    case InstanceSortKey::kNode: return {"node", false};
    case InstanceSortKey::kLaunchedAt: return {"launched_at", true};
    case InstanceSortKey::kTerminatedAt: return {"terminated_at", true};
    case InstanceSortKey::kImageRef: return {"image_ref", false};
    case InstanceSortKey::kFlavorId: return {"flavor_id", false};
    case InstanceSortKey::kProjectId: return {"project_id", false};
    case InstanceSortKey::kUserId: return {"user_id", false};
    case InstanceSortKey::kAvailabilityZone: return {"availability_zone", false};
    case InstanceSortKey::kLaunchIndex: return {"launch_index", false};
    case InstanceSortKey::kKeyName: return {"key_name", true};
    case InstanceSortKey::kLocked: return {"locked", false};
  }
  return {"created_at", false};
}

// NULLs sort as '' so that ORDER BY and the marker comparison agree.
std::string sort_expr(const SortColumn& col, const char* alias) {
  std::string e = std::string(alias) + "." + col.column;
  return col.nullable ? "COALESCE(" + e + ", '')" : e;
}

}  // namespace

Result<InstanceSortKey> parse_instance_sort_key(std::string_view name) {
  static const std::map<std::string_view, InstanceSortKey> keys = {
      {"created_at", InstanceSortKey::kCreatedAt},     {"updated_at", InstanceSortKey::kUpdatedAt},
      {"display_name", InstanceSortKey::kDisplayName}, {"name", InstanceSortKey::kDisplayName},
      {"uuid", InstanceSortKey::kUuid},                {"id", InstanceSortKey::kUuid},
      {"vm_state", InstanceSortKey::kVmState},         {"task_state", InstanceSortKey::kTaskState},
      {"power_state", InstanceSortKey::kPowerState},   {"host", InstanceSortKey::kHost},
      {"node", InstanceSortKey::kNode},                {"launched_at", InstanceSortKey::kLaunchedAt},
      {"terminated_at", InstanceSortKey::kTerminatedAt}, {"image_ref", InstanceSortKey::kImageRef},
      {"instance_type_id", InstanceSortKey::kFlavorId}, {"flavor", InstanceSortKey::kFlavorId},
      {"project_id", InstanceSortKey::kProjectId},     {"user_id", InstanceSortKey::kUserId},
      {"availability_zone", InstanceSortKey::kAvailabilityZone},
      {"launch_index", InstanceSortKey::kLaunchIndex}, {"key_name", InstanceSortKey::kKeyName},
      {"locked", InstanceSortKey::kLocked},
  };
  auto it = keys.find(name);
  if (it == keys.end()) return Status::InvalidArgument("invalid sort key '" + std::string(name) + "'");
  return it->second;
}

Result<std::vector<InstanceRecord>> InstanceRepository::create(std::vector<InstanceRecord> records,
                                                               InstanceQuotaCheck quota) {
  if (records.empty()) return Status::InvalidArgument("no instances to create");
  std::int64_t cores = 0, ram = 0;
  for (auto& r : records) {
    if (r.project_id != records.front().project_id || r.user_id != records.front().user_id) {
      return Status::InvalidArgument("instances of one request must share a project and a user");
    }
    if (r.project_id.empty() || r.user_id.empty()) return Status::InvalidArgument("instance without project or user");
    if (r.uuid.empty()) r.uuid = common::random_uuid();
    cores += r.flavor.vcpus;
    ram += r.flavor.memory_mb;
  }
  return db_.write("create instances", [&](Connection& c) -> Result<std::vector<InstanceRecord>> {
    if (quota.enforce) {
      auto st = check_instance_quota_locked(c, records.front().project_id, records.front().user_id,
                                            static_cast<std::int64_t>(records.size()), cores, ram);
      if (!st.ok()) return st;
    }
    std::string now = common::utc_now();
    std::vector<InstanceRecord> out;
    for (const auto& r : records) {
      auto st = c.exec(
          "insert instance " + r.uuid,
          "INSERT INTO instances(uuid, display_name, display_description, project_id, user_id, flavor_id, "
          "flavor_name, vcpus, memory_mb, root_gb, ephemeral_gb, swap_mb, rxtx_factor, flavor_extra_specs, "
          "image_ref, vm_state, task_state, power_state, host, node, launched_at, terminated_at, created_at, "
          "updated_at, user_data, key_name, key_data, availability_zone, reservation_id, launch_index, "
          "config_drive, locked, locked_reason, auto_disk_config, access_ip_v4, access_ip_v6, hostname, "
          "trusted_certs) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
          r.uuid, r.display_name, r.display_description, r.project_id, r.user_id, r.flavor.id, r.flavor.name,
          static_cast<std::int64_t>(r.flavor.vcpus), r.flavor.memory_mb, r.flavor.root_gb, r.flavor.ephemeral_gb,
          r.flavor.swap_mb, r.flavor.rxtx_factor, specs_to_json(r.flavor.extra_specs), r.image_ref, r.vm_state,
          r.task_state, static_cast<std::int64_t>(r.power_state), r.host, r.node, r.launched_at, r.terminated_at,
          now, now, r.user_data, r.key_name, r.key_data, r.availability_zone, r.reservation_id,
          static_cast<std::int64_t>(r.launch_index), r.config_drive, r.locked, r.locked_reason, r.auto_disk_config,
          r.access_ip_v4, r.access_ip_v6, r.hostname, certs_to_json(r.trusted_certs));
      if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("instance " + r.uuid + " already exists");
      if (!st.ok()) return st;
      st = write_metadata(c, r.uuid, r.metadata);
      if (!st.ok()) return st;
      for (const auto& tag : r.tags) {
        st = c.exec("tag instance " + r.uuid, "INSERT INTO instance_tags(instance_uuid, tag) VALUES (?, ?) "
                    "ON CONFLICT(instance_uuid, tag) DO NOTHING", r.uuid, tag);
        if (!st.ok()) return st;
      }
      auto stored = get_locked(c, r.uuid, false);
      if (!stored.ok()) return stored.status();
      out.push_back(std::move(*stored));
    }
    return out;
  });
}

Result<InstanceRecord> InstanceRepository::get(const std::string& uuid, bool include_deleted) {
  return db_.read("read instance", [&](Connection& c) { return get_locked(c, uuid, include_deleted); });
}

Result<std::vector<InstanceRecord>> InstanceRepository::list(const InstanceFilter& f,
                                                             const InstanceListOptions& options) {
  // Refuse bad input before touching the database, with a message that names it.
  if (f.name_regex) {
    try {
      (void)common::compile_user_regex(*f.name_regex);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("invalid regular expression '" + *f.name_regex + "' for name: " + e.what());
    }
  }
  std::optional<std::string> since;
  if (f.changes_since) {
    auto parsed = common::parse_timestamp(*f.changes_since);
    if (!parsed.ok()) return Status::InvalidArgument("changes-since: " + parsed.status().message());
    since = *parsed;
  }
  std::optional<std::string> before;
  if (f.changes_before) {
    auto parsed = common::parse_timestamp(*f.changes_before);
    if (!parsed.ok()) return Status::InvalidArgument("changes-before: " + parsed.status().message());
    before = *parsed;
  }
  if (options.limit && *options.limit < 0) return Status::InvalidArgument("limit must be 0 or more");
  if (f.uuids && f.uuids->empty()) return std::vector<InstanceRecord>{};

  std::vector<InstanceSort> sort = options.sort;
  if (sort.empty()) sort.push_back({InstanceSortKey::kCreatedAt, false});

  return db_.read("list instances", [&](Connection& c) -> Result<std::vector<InstanceRecord>> {
    std::optional<std::int64_t> marker_id;
    if (options.marker) {
      auto m = c.prepare("look up marker", "SELECT id FROM instances WHERE uuid = ?");
      if (!m.ok()) return m.status();
      m->bind_all(*options.marker);
      auto row = m->step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("marker [" + *options.marker + "] not found");
      marker_id = m->int64(0);
    }

    // Every value is bound; only fixed column names and operators are spliced in.
    std::string sql = std::string("SELECT ") + kColumns + " FROM instances i";
    if (marker_id) sql += ", (SELECT * FROM instances WHERE id = ?) m";
    sql += " WHERE 1 = 1";
    std::vector<std::string> text_args;  // bound in order after the marker id
    auto any_of = [&](const char* column, const std::vector<std::string>& values) {
      if (values.empty()) return;
      sql += std::string(" AND i.") + column + " IN (";
      for (std::size_t k = 0; k < values.size(); ++k) {
        sql += k ? ",?" : "?";
        text_args.push_back(values[k]);
      }
      sql += ")";
    };
    auto equals = [&](const char* column, const std::optional<std::string>& v) {
      if (!v) return;
      sql += std::string(" AND i.") + column + " = ?";
      text_args.push_back(*v);
    };
    equals("project_id", f.project_id);
    equals("user_id", f.user_id);
    any_of("vm_state", f.vm_states);
    any_of("task_state", f.task_states);
    equals("host", f.host);
    equals("node", f.node);
    equals("flavor_id", f.flavor_id);
    equals("image_ref", f.image_ref);
    equals("reservation_id", f.reservation_id);
    if (f.name_regex) {
      sql += " AND i.display_name " + std::string(c.dialect().regex_operator) + " ?";
      text_args.push_back(*f.name_regex);
    }
    if (since) {
      sql += " AND i.updated_at >= ?";
      text_args.push_back(*since);
    }
    if (before) {
      sql += " AND i.updated_at <= ?";
      text_args.push_back(*before);
    }
    if (f.locked) sql += *f.locked ? " AND i.locked = 1" : " AND i.locked = 0";
    if (f.uuids) any_of("uuid", *f.uuids);
    // Tags: one EXISTS per tag for "all of", one IN for "any of".
    auto has_tag = [&](const std::string& tag) {
      text_args.push_back(tag);
      return std::string("EXISTS (SELECT 1 FROM instance_tags t WHERE t.instance_uuid = i.uuid AND t.tag = ?)");
    };
    auto has_any = [&](const std::vector<std::string>& tags) {
      std::string e = "EXISTS (SELECT 1 FROM instance_tags t WHERE t.instance_uuid = i.uuid AND t.tag IN (";
      for (std::size_t k = 0; k < tags.size(); ++k) {
        e += k ? ",?" : "?";
        text_args.push_back(tags[k]);
      }
      return e + "))";
    };
    for (const auto& tag : f.tags) sql += " AND " + has_tag(tag);
    if (!f.tags_any.empty()) sql += " AND " + has_any(f.tags_any);
    if (!f.not_tags.empty()) {
      sql += " AND NOT (";
      for (std::size_t k = 0; k < f.not_tags.size(); ++k) sql += (k ? " AND " : "") + has_tag(f.not_tags[k]);
      sql += ")";
    }
    if (!f.not_tags_any.empty()) sql += " AND NOT " + has_any(f.not_tags_any);
    if (f.deleted == DeletedFilter::kExclude) sql += " AND i.deleted = 0";
    if (f.deleted == DeletedFilter::kOnly) sql += " AND i.deleted = 1";

    // Keyset pagination: rows strictly after the marker in sort order, i.e.
    // (k1 after) OR (k1 equal AND k2 after) OR ... OR (all equal AND id after).
    std::vector<std::pair<std::string, std::pair<std::string, bool>>> keys;  // (i-expr, (m-expr, asc))
    for (const auto& s : sort) {
      auto col = sort_column(s.key);
      keys.push_back({sort_expr(col, "i"), {sort_expr(col, "m"), s.ascending}});
    }
    keys.push_back({"i.id", {"m.id", sort.back().ascending}});
    if (marker_id) {
      sql += " AND (";
      for (std::size_t k = 0; k < keys.size(); ++k) {
        if (k) sql += " OR ";
        sql += "(";
        for (std::size_t j = 0; j < k; ++j) sql += keys[j].first + " = " + keys[j].second.first + " AND ";
        sql += keys[k].first + (keys[k].second.second ? " > " : " < ") + keys[k].second.first + ")";
      }
      sql += ")";
    }
    sql += " ORDER BY ";
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (k) sql += ", ";
      sql += keys[k].first + (keys[k].second.second ? " ASC" : " DESC");
    }
    if (options.limit) sql += " LIMIT ?";  // bound, so every page reuses one cached statement

    auto st = c.prepare("list instances", sql);
    if (!st.ok()) return st.status();
    int pos = 0;
    if (marker_id) st->bind(++pos, *marker_id);
    for (const auto& a : text_args) st->bind(++pos, a);
    if (options.limit) st->bind(++pos, *options.limit);
    std::vector<InstanceRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
    if (!s.ok()) return s;
    s = read_metadata_batch(c, out);
    if (!s.ok()) return s;
    s = read_tags_batch(c, out);
    if (!s.ok()) return s;
    return out;
  });
}

namespace {

// True when `u` moves the state (vm_state or task_state) and every state
// field it sets already has that value.
bool already_applied(const InstanceRecord& cur, const InstanceUpdate& u) {
  if (!u.vm_state && !u.task_state) return false;
  if (u.vm_state && cur.vm_state != *u.vm_state) return false;
  if (u.task_state && cur.task_state != *u.task_state) return false;
  if (u.host && cur.host != *u.host) return false;
  if (u.node && cur.node != *u.node) return false;
  return true;
}

}  // namespace

namespace {

// update()'s guards and write, from `cur`: the record as this transaction
// last read or wrote it.
Result<InstanceRecord> apply_update(Connection& c, InstanceRecord cur, const InstanceUpdate& u) {
  const std::string uuid = cur.uuid;
  // A transition whose target is already in place succeeds without a
  // write: the same update sent again after its reply was lost (a router
  // or conductor restart) must not read as a refusal.
  // Claims stay exclusive: a user's request (exclusive), one on a time (expected_updated_at), or one that
  // takes the instance from a host (expected_host other than where it is
  // now). A host guard that still holds (a compute's own step) is no claim.
  const bool claim =
      u.exclusive || u.expected_updated_at || (u.expected_host && cur.host != *u.expected_host);
  if ((u.expected_vm_state || u.expected_task_state) && !claim && already_applied(cur, u)) {
    return cur;
  }
  if (u.expected_vm_state) {
    const auto& ok = *u.expected_vm_state;
    if (std::find(ok.begin(), ok.end(), cur.vm_state) == ok.end()) {
      return Status::InvalidState("instance " + uuid + " is in vm_state " + cur.vm_state);
    }
  }
  if (u.expected_task_state) {
    const auto& ok = *u.expected_task_state;
    if (std::find(ok.begin(), ok.end(), cur.task_state) == ok.end()) {
      return Status::InvalidState("instance " + uuid + " is in task_state " + state_text(cur.task_state));
    }
  }
  if (u.expected_host && cur.host != *u.expected_host) {
    return Status::InvalidState("instance " + uuid + " is on host '" + cur.host + "'");
  }
  if (u.expected_updated_at && cur.updated_at != *u.expected_updated_at) {
    return Status::InvalidState("instance " + uuid + " changed at " + cur.updated_at);
  }
  // The record this update leaves, built from the one read above and the
  // values written (no trigger or default changes anything else), so the
  // write is not followed by a second read of the row, its metadata and
  // its tags (five task-state steps per build).
  InstanceRecord next = std::move(cur);
  next.updated_at = common::utc_now();
  std::string sql = "UPDATE instances SET updated_at = ?";
  std::vector<std::function<void(Statement&, int)>> binds;
  auto bind_column = [&](const char* column, auto value) {
    sql += std::string(", ") + column + " = ?";
    binds.push_back([value = std::move(value)](Statement& s, int i) { s.bind(i, value); });
  };
  // Sets `column` to the update's field when it has one, and the record's member with it.
  auto set = [&](const char* column, const auto& field, auto member) {
    if (!field) return;
    bind_column(column, *field);
    next.*member = *field;
  };
  set("display_name", u.display_name, &InstanceRecord::display_name);
  set("display_description", u.display_description, &InstanceRecord::display_description);
  set("vm_state", u.vm_state, &InstanceRecord::vm_state);
  set("task_state", u.task_state, &InstanceRecord::task_state);
  if (u.power_state) {
    bind_column("power_state", static_cast<std::int64_t>(*u.power_state));
    next.power_state = *u.power_state;
  }
  set("host", u.host, &InstanceRecord::host);
  set("node", u.node, &InstanceRecord::node);
  set("image_ref", u.image_ref, &InstanceRecord::image_ref);
  set("availability_zone", u.availability_zone, &InstanceRecord::availability_zone);
  set("launched_at", u.launched_at, &InstanceRecord::launched_at);
  set("terminated_at", u.terminated_at, &InstanceRecord::terminated_at);
  set("locked", u.locked, &InstanceRecord::locked);
  set("locked_reason", u.locked_reason, &InstanceRecord::locked_reason);
  set("auto_disk_config", u.auto_disk_config, &InstanceRecord::auto_disk_config);
  set("access_ip_v4", u.access_ip_v4, &InstanceRecord::access_ip_v4);
  set("access_ip_v6", u.access_ip_v6, &InstanceRecord::access_ip_v6);
  set("hostname", u.hostname, &InstanceRecord::hostname);
  set("key_name", u.key_name, &InstanceRecord::key_name);
  set("key_data", u.key_data, &InstanceRecord::key_data);
  set("user_data", u.user_data, &InstanceRecord::user_data);
  if (u.trusted_certs) {
    bind_column("trusted_certs", certs_to_json(*u.trusted_certs));
    next.trusted_certs = *u.trusted_certs;
  }
  set("locked_by", u.locked_by, &InstanceRecord::locked_by);
  sql += " WHERE id = ?";
  auto st = c.prepare("update instance " + uuid, sql);
  if (!st.ok()) return st.status();
  int pos = 1;
  st->bind(pos, next.updated_at);
  for (auto& b : binds) b(*st, ++pos);
  st->bind(++pos, next.id);
  auto s = st->run();
  if (!s.ok()) return s;
  return next;
}

}  // namespace

Result<InstanceRecord> InstanceRepository::update(const std::string& uuid, const InstanceUpdate& u) {
  return db_.write("update instance", [&](Connection& c) -> Result<InstanceRecord> {
    auto cur = get_locked(c, uuid, false);
    if (!cur.ok()) return cur.status();
    return apply_update(c, std::move(*cur), u);
  });
}

Result<InstanceRecord> InstanceRepository::update_from(InstanceRecord current, const InstanceUpdate& u) {
  if (db_.transaction() == nullptr) return update(current.uuid, u);
  return db_.write("update instance",
                   [&](Connection& c) -> Result<InstanceRecord> { return apply_update(c, std::move(current), u); });
}

Result<std::map<std::string, std::string>> InstanceRepository::set_metadata(
    const std::string& uuid, const std::map<std::string, std::string>& md) {
  return db_.write("set instance metadata", [&](Connection& c) -> Result<std::map<std::string, std::string>> {
    auto st = touch(c, uuid);
    if (!st.ok()) return st;
    st = c.exec("clear metadata of instance " + uuid, "DELETE FROM instance_metadata WHERE instance_uuid = ?", uuid);
    if (!st.ok()) return st;
    st = write_metadata(c, uuid, md);
    if (!st.ok()) return st;
    return read_metadata(c, uuid);
  });
}

Result<std::map<std::string, std::string>> InstanceRepository::update_metadata(
    const std::string& uuid, const std::map<std::string, std::string>& md) {
  return db_.write("update instance metadata", [&](Connection& c) -> Result<std::map<std::string, std::string>> {
    auto st = touch(c, uuid);
    if (!st.ok()) return st;
    st = write_metadata(c, uuid, md);
    if (!st.ok()) return st;
    return read_metadata(c, uuid);
  });
}

Status InstanceRepository::delete_metadata_key(const std::string& uuid, const std::string& key) {
  return db_.write("delete instance metadata", [&](Connection& c) -> Status {
    auto st = touch(c, uuid);
    if (!st.ok()) return st;
    st = c.exec("delete metadata " + key + " of instance " + uuid,
                "DELETE FROM instance_metadata WHERE instance_uuid = ? AND key = ?", uuid, key);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("metadata item " + key + " of instance " + uuid + " not found");
    return Status::OK();
  });
}

Result<std::vector<std::string>> InstanceRepository::set_tags(const std::string& uuid,
                                                              const std::vector<std::string>& tags) {
  return db_.write("set instance tags", [&](Connection& c) -> Result<std::vector<std::string>> {
    auto st = touch(c, uuid);
    if (!st.ok()) return st;
    st = c.exec("clear tags of instance " + uuid, "DELETE FROM instance_tags WHERE instance_uuid = ?", uuid);
    if (!st.ok()) return st;
    for (const auto& tag : tags) {
      st = c.exec("tag instance " + uuid, "INSERT INTO instance_tags(instance_uuid, tag) VALUES (?, ?) "
                  "ON CONFLICT(instance_uuid, tag) DO NOTHING", uuid, tag);
      if (!st.ok()) return st;
    }
    return read_tags(c, uuid);
  });
}

Result<bool> InstanceRepository::add_tag(const std::string& uuid, const std::string& tag, std::size_t max_tags) {
  return db_.write("add instance tag", [&](Connection& c) -> Result<bool> {
    auto st = touch(c, uuid);
    if (!st.ok()) return st;
    auto tags = read_tags(c, uuid);
    if (!tags.ok()) return tags.status();
    // Nova counts before it looks for the tag: a full list refuses even a tag it has.
    if (tags->size() >= max_tags) {
      return Status::InvalidArgument("The number of tags exceeded the per-server limit " + std::to_string(max_tags));
    }
    if (std::find(tags->begin(), tags->end(), tag) != tags->end()) return false;
    st = c.exec("tag instance " + uuid, "INSERT INTO instance_tags(instance_uuid, tag) VALUES (?, ?)", uuid, tag);
    if (!st.ok()) return st;
    return true;
  });
}

Status InstanceRepository::remove_tag(const std::string& uuid, const std::string& tag) {
  return db_.write("remove instance tag", [&](Connection& c) -> Status {
    auto st = touch(c, uuid);
    if (!st.ok()) return st;
    st = c.exec("untag instance " + uuid, "DELETE FROM instance_tags WHERE instance_uuid = ? AND tag = ?", uuid, tag);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("tag " + tag + " of instance " + uuid + " not found");
    return Status::OK();
  });
}

Status InstanceRepository::destroy(const std::string& uuid) {
  return db_.write("destroy instance", [&](Connection& c) -> Status {
    std::string now = common::utc_now();
    auto st = c.exec("mark instance " + uuid + " deleted",
                     "UPDATE instances SET deleted = 1, deleted_at = ?1, updated_at = ?1, vm_state = 'deleted', "
                     "task_state = NULL, terminated_at = COALESCE(terminated_at, ?1) WHERE uuid = ?2 AND deleted = 0",
                     now, uuid);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("instance " + uuid + " could not be found");
    st = release_allocation_locked(c, uuid);
    if (!st.ok()) return st;
    return c.exec("drop group memberships of instance " + uuid,
                  "DELETE FROM server_group_members WHERE instance_uuid = ?", uuid);
  });
}

}  // namespace stratus::core::db
