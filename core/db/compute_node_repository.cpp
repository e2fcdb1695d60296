#include "core/db/compute_node_repository.h"

#include "core/plugin/value_layout.h"
#include "core/common/ids.h"
#include "core/db/capabilities_codec.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT id, uuid, host, hypervisor_hostname, hypervisor_type, hypervisor_version, cpu_info, vcpus, memory_mb, "
    "local_gb, vcpus_used, memory_mb_used, local_gb_used, running_vms, cpu_allocation_ratio, ram_allocation_ratio, "
    "disk_allocation_ratio, created_at, updated_at, capabilities, supported_instances FROM compute_nodes ";

ComputeNodeRecord read_row(const Statement& r) {
  ComputeNodeRecord n;
  n.id = r.int64(0);
  n.uuid = r.text(1);
  n.host = r.text(2);
  n.hypervisor_hostname = r.text(3);
  n.hypervisor_type = r.text(4);
  n.hypervisor_version = r.int64(5);
  n.cpu_info = r.text(6);
  n.vcpus = static_cast<std::int32_t>(r.int64(7));
  n.memory_mb = r.int64(8);
  n.local_gb = r.int64(9);
  n.vcpus_used = static_cast<std::int32_t>(r.int64(10));
  n.memory_mb_used = r.int64(11);
  n.local_gb_used = r.int64(12);
  n.running_vms = static_cast<std::int32_t>(r.int64(13));
  n.cpu_allocation_ratio = r.real(14);
  n.ram_allocation_ratio = r.real(15);
  n.disk_allocation_ratio = r.real(16);
  n.created_at = r.text(17);
  n.updated_at = r.text(18);
  if (auto text = r.optional_text(19)) {
    // A value this build cannot read is as unknown as none: nothing is refused on its account.
    if (auto caps = capabilities_from_json(*text); caps.ok()) n.capabilities = std::move(caps).value();
  }
  if (auto text = r.optional_text(20)) {
    if (auto si = supported_instances_from_json(*text); si.ok()) n.supported_instances = std::move(si).value();
  }
  return n;
}

template <typename... Args>
Result<ComputeNodeRecord> get_one(Connection& c, const std::string& what, const std::string& where,
                                  const Args&... args) {
  auto st = c.prepare("look up compute node " + what, kColumns + where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("compute node " + what + " not found");
  return read_row(*st);
}

}  // namespace

// upsert stores the inventory of sdk::HostResources; its usage members
// (*_used, running_vms, disk_available_least_gb) are the core's own counts or
// live reports, not stored; supported_instances is stored as JSON. When the SDK struct gains
// a member this fails until it is classed as one or the other here.
static_assert(core::layout::field_count<sdk::HostResources>() == 14,
              "sdk::HostResources changed: store the new member in upsert or say why not");

Result<ComputeNodeRecord> ComputeNodeRepository::upsert(const std::string& host, const sdk::HostResources& res,
                                                        const std::optional<sdk::DriverCapabilities>& capabilities) {
  if (res.hypervisor_hostname.empty()) return Status::InvalidArgument("compute node report without hypervisor_hostname");
  if (res.vcpus < 0 || res.memory_mb < 0 || res.local_gb < 0) {
    return Status::InvalidArgument("compute node " + res.hypervisor_hostname + " reports negative inventory");
  }
  return db_.write("record compute node", [&](Connection& c) -> Result<ComputeNodeRecord> {
    const auto& name = res.hypervisor_hostname;
    auto existing = get_one(c, name, "WHERE hypervisor_hostname = ?", name);
    std::string now = common::utc_now();
    Status st;
    if (existing.ok()) {
      if (existing->host != host) {
        return Status::AlreadyExists("compute node " + name + " belongs to host " + existing->host + ", not " + host);
      }
      st = c.exec("update compute node " + name,
                  "UPDATE compute_nodes SET hypervisor_type = ?, hypervisor_version = ?, cpu_info = ?, vcpus = ?, "
                  "memory_mb = ?, local_gb = ?, updated_at = ? WHERE id = ?",
                  res.hypervisor_type, res.hypervisor_version, res.cpu_info, res.vcpus, res.memory_mb, res.local_gb,
                  now, existing->id);
    } else if (existing.status().is(sdk::StatusCode::kNotFound)) {
      st = c.exec("create compute node " + name,
                  "INSERT INTO compute_nodes(uuid, host, hypervisor_hostname, hypervisor_type, hypervisor_version, "
                  "cpu_info, vcpus, memory_mb, local_gb, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                  common::random_uuid(), host, name, res.hypervisor_type, res.hypervisor_version,
                  res.cpu_info.empty() ? std::string("{}") : res.cpu_info, res.vcpus, res.memory_mb, res.local_gb,
                  now, now);
    } else {
      return existing.status();
    }
    if (!st.ok()) return st;
    st = c.exec("record supported instances of " + name,
                "UPDATE compute_nodes SET supported_instances = ? WHERE hypervisor_hostname = ?",
                supported_instances_to_json(res.supported_instances), name);
    if (!st.ok()) return st;
    if (capabilities) {
      st = c.exec("record driver capabilities of " + name,
                  "UPDATE compute_nodes SET capabilities = ? WHERE hypervisor_hostname = ?",
                  capabilities_to_json(*capabilities), name);
      if (!st.ok()) return st;
    }
    return get_one(c, name, "WHERE hypervisor_hostname = ?", name);
  });
}

Result<ComputeNodeRecord> ComputeNodeRepository::get(const std::string& hypervisor_hostname) {
  return db_.read("read compute node", [&](Connection& c) {
    return get_one(c, hypervisor_hostname, "WHERE hypervisor_hostname = ?", hypervisor_hostname);
  });
}

Result<ComputeNodeRecord> ComputeNodeRepository::get_by_id(std::int64_t id) {
  return db_.read("read compute node", [&](Connection& c) {
    return get_one(c, "id " + std::to_string(id), "WHERE id = ?", id);
  });
}

Result<std::vector<ComputeNodeRecord>> ComputeNodeRepository::list(const std::optional<std::string>& host) {
  return db_.read("list compute nodes", [&](Connection& c) -> Result<std::vector<ComputeNodeRecord>> {
    auto st = c.prepare("list compute nodes", std::string(kColumns) + "WHERE (?1 IS NULL OR host = ?1) ORDER BY id");
    if (!st.ok()) return st.status();
    st->bind(1, host);
    std::vector<ComputeNodeRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
    if (!s.ok()) return s;
    return out;
  });
}

Status ComputeNodeRepository::set_allocation_ratios(const std::string& hypervisor_hostname, double cpu, double ram,
                                                    double disk) {
  if (!(cpu > 0 && ram > 0 && disk > 0)) {
    return Status::InvalidArgument("allocation ratios must be greater than 0");
  }
  return db_.write("set allocation ratios", [&](Connection& c) -> Status {
    auto st = c.exec("set allocation ratios of " + hypervisor_hostname,
                     "UPDATE compute_nodes SET cpu_allocation_ratio = ?, ram_allocation_ratio = ?, "
                     "disk_allocation_ratio = ?, updated_at = ? WHERE hypervisor_hostname = ?",
                     cpu, ram, disk, common::utc_now(), hypervisor_hostname);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("compute node " + hypervisor_hostname + " not found");
    return Status::OK();
  });
}

Status ComputeNodeRepository::remove(const std::string& hypervisor_hostname) {
  return db_.write("remove compute node", [&](Connection& c) -> Status {
    auto st = c.exec("remove compute node " + hypervisor_hostname,
                     "DELETE FROM compute_nodes WHERE hypervisor_hostname = ?", hypervisor_hostname);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("compute node " + hypervisor_hostname + " not found");
    return Status::OK();
  });
}

}  // namespace stratus::core::db
