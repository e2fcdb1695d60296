#include "core/db/allocation_repository.h"

#include <cmath>
#include <cstdio>

#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

std::string ratio_text(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", r);
  return buf;
}

// Called when the conditional UPDATE changed nothing: which resource is short?
Status explain_no_fit(Connection& c, std::int64_t node_id, const std::string& node, std::int64_t vcpus,
                      std::int64_t memory_mb, std::int64_t disk_gb) {
  auto st = c.prepare("explain failed claim on " + node,
                      "SELECT vcpus, vcpus_used, cpu_allocation_ratio, memory_mb, memory_mb_used, "
                      "ram_allocation_ratio, local_gb, local_gb_used, disk_allocation_ratio "
                      "FROM compute_nodes WHERE id = ?");
  if (!st.ok()) return st.status();
  st->bind_all(node_id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("compute node " + node + " not found");
  struct Res {
    const char* name;
    std::int64_t requested;
    int col;
  };
  for (const Res& r : {Res{"vcpus", vcpus, 0}, Res{"memory_mb", memory_mb, 3}, Res{"disk_gb", disk_gb, 6}}) {
    std::int64_t total = st->int64(r.col), used = st->int64(r.col + 1);
    double ratio = st->real(r.col + 2);
    if (static_cast<double>(used + r.requested) > static_cast<double>(total) * ratio) {
      return Status::Conflict(std::string(r.name) + " on node " + node + ": requested " +
                              std::to_string(r.requested) + ", used " + std::to_string(used) + " of " +
                              std::to_string(static_cast<std::int64_t>(std::floor(static_cast<double>(total) * ratio))) +
                              " (" + std::to_string(total) + " x ratio " + ratio_text(ratio) + ")");
    }
  }
  return Status::Conflict("node " + node + " changed during the claim");  // unreachable under the write lock
}

}  // namespace

Status release_allocation_locked(Connection& c, const std::string& instance_uuid) {
  auto st = c.exec("give back allocation of instance " + instance_uuid,
                   "UPDATE compute_nodes SET "
                   " vcpus_used = vcpus_used - a.vcpus, memory_mb_used = memory_mb_used - a.memory_mb,"
                   " local_gb_used = local_gb_used - a.disk_gb, running_vms = running_vms - 1, updated_at = ?1 "
                   "FROM (SELECT compute_node_id, vcpus, memory_mb, disk_gb FROM allocations "
                   "      WHERE instance_uuid = ?2) AS a WHERE compute_nodes.id = a.compute_node_id",
                   common::utc_now(), instance_uuid);
  if (!st.ok()) return st;
  return c.exec("delete allocation of instance " + instance_uuid, "DELETE FROM allocations WHERE instance_uuid = ?",
                instance_uuid);
}

Status AllocationRepository::claim(const std::string& node, const std::string& instance_uuid, std::int32_t vcpus,
                                   std::int64_t memory_mb, std::int64_t disk_gb, HeldClaim held) {
  if (vcpus < 0 || memory_mb < 0 || disk_gb < 0) {
    return Status::InvalidArgument("claim for instance " + instance_uuid + " asks for negative resources");
  }
  return db_.write("claim resources", [&](Connection& c) -> Status {
    auto prev = c.prepare("look up allocation of instance " + instance_uuid,
                          "SELECT n.hypervisor_hostname, a.vcpus, a.memory_mb, a.disk_gb FROM allocations a "
                          "LEFT JOIN compute_nodes n ON n.id = a.compute_node_id WHERE a.instance_uuid = ?");
    if (!prev.ok()) return prev.status();
    prev->bind_all(instance_uuid);
    auto has_prev = prev->step();
    if (!has_prev.ok()) return has_prev.status();
    bool moving = false;
    if (*has_prev) {
      const std::string held_on = prev->text(0);
      if (held_on == node && prev->int64(1) == vcpus && prev->int64(2) == memory_mb && prev->int64(3) == disk_gb) {
        return Status::OK();  // the same claim again
      }
      // An allocation whose node is gone holds nothing to refuse over.
      if (held == HeldClaim::kRefuse && !prev->is_null(0)) {
        return Status::AlreadyExists("instance " + instance_uuid + " already holds a claim on node " + held_on +
                                     "; release it first");
      }
      moving = true;
    }

    auto n = c.prepare("look up compute node " + node, "SELECT id FROM compute_nodes WHERE hypervisor_hostname = ?");
    if (!n.ok()) return n.status();
    n->bind_all(node);
    auto row = n->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("compute node " + node + " not found");
    const std::int64_t node_id = n->int64(0);
    if (moving) {
      auto st = release_allocation_locked(c, instance_uuid);
      if (!st.ok()) return st;
    }

    std::string now = common::utc_now();
    auto st = c.exec("claim on node " + node + " for instance " + instance_uuid,
                     "UPDATE compute_nodes SET vcpus_used = vcpus_used + ?1, memory_mb_used = memory_mb_used + ?2,"
                     " local_gb_used = local_gb_used + ?3, running_vms = running_vms + 1, updated_at = ?4 "
                     "WHERE id = ?5"
                     " AND vcpus_used + ?1 <= vcpus * cpu_allocation_ratio"
                     " AND memory_mb_used + ?2 <= memory_mb * ram_allocation_ratio"
                     " AND local_gb_used + ?3 <= local_gb * disk_allocation_ratio",
                     static_cast<std::int64_t>(vcpus), memory_mb, disk_gb, now, node_id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return explain_no_fit(c, node_id, node, vcpus, memory_mb, disk_gb);
    return c.exec("record allocation of instance " + instance_uuid,
                  "INSERT INTO allocations(instance_uuid, compute_node_id, vcpus, memory_mb, disk_gb, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  instance_uuid, node_id, static_cast<std::int64_t>(vcpus), memory_mb, disk_gb, now);
  });
}

Status AllocationRepository::release(const std::string& instance_uuid) {
  return db_.write("release resources", [&](Connection& c) { return release_allocation_locked(c, instance_uuid); });
}

namespace {
constexpr const char* kAllocColumns =
    "SELECT a.instance_uuid, a.compute_node_id, n.hypervisor_hostname, a.vcpus, a.memory_mb, a.disk_gb, a.created_at "
    "FROM allocations a JOIN compute_nodes n ON n.id = a.compute_node_id ";

AllocationRecord read_alloc(const Statement& r) {
  AllocationRecord a;
  a.instance_uuid = r.text(0);
  a.compute_node_id = r.int64(1);
  a.node = r.text(2);
  a.vcpus = static_cast<std::int32_t>(r.int64(3));
  a.memory_mb = r.int64(4);
  a.disk_gb = r.int64(5);
  a.created_at = r.text(6);
  return a;
}
}  // namespace

Result<AllocationRecord> AllocationRepository::get(const std::string& instance_uuid) {
  return db_.read("read allocation", [&](Connection& c) -> Result<AllocationRecord> {
    auto st = c.prepare("read allocation of instance " + instance_uuid,
                        std::string(kAllocColumns) + "WHERE a.instance_uuid = ?");
    if (!st.ok()) return st.status();
    st->bind_all(instance_uuid);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("instance " + instance_uuid + " holds no allocation");
    return read_alloc(*st);
  });
}

Result<std::vector<AllocationRecord>> AllocationRepository::list_for_node(const std::string& node) {
  return db_.read("list allocations", [&](Connection& c) -> Result<std::vector<AllocationRecord>> {
    auto st = c.prepare("list allocations on node " + node,
                        std::string(kAllocColumns) + "WHERE n.hypervisor_hostname = ? ORDER BY a.created_at");
    if (!st.ok()) return st.status();
    st->bind_all(node);
    std::vector<AllocationRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(read_alloc(r)); });
    if (!s.ok()) return s;
    return out;
  });
}

}  // namespace stratus::core::db
