// ComputeNodeRepository: each hypervisor node's inventory, usage and
// allocation ratios (Nova's compute_nodes, with placement's ratios).
//
// Inventory (vcpus, memory_mb, local_gb, hypervisor facts) comes from the
// compute service's reports. The usage columns are NOT taken from reports:
// they are the sum of the node's allocations, changed only by
// AllocationRepository::claim/release in the same transaction as the
// allocation, which is what makes claims atomic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/host_resources.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct ComputeNodeRecord {
  std::int64_t id = 0;
  std::string uuid;
  std::string host;                 // the compute service's host
  std::string hypervisor_hostname;  // the node name; unique; what instances.node holds
  std::string hypervisor_type;
  std::int64_t hypervisor_version = 0;
  std::string cpu_info;             // JSON text
  std::int32_t vcpus = 0;
  std::int64_t memory_mb = 0;
  std::int64_t local_gb = 0;
  std::int32_t vcpus_used = 0;
  std::int64_t memory_mb_used = 0;
  std::int64_t local_gb_used = 0;
  std::int32_t running_vms = 0;
  // Nova 26's initial_*_allocation_ratio defaults.
  double cpu_allocation_ratio = 4.0;
  double ram_allocation_ratio = 1.0;
  double disk_allocation_ratio = 1.0;
  std::string created_at;
  std::string updated_at;
  // What the node's virt driver said it can do in its last report; nullopt
  // until a report of a release that sends them (migration 13).
  std::optional<sdk::DriverCapabilities> capabilities;
  // The (arch, hv_type, vm_mode) it last reported; nullopt as above.
  std::optional<std::vector<sdk::SupportedInstance>> supported_instances;
};

class ComputeNodeRepository {
 public:
  explicit ComputeNodeRepository(Scope db) : db_(db) {}

  // Records a report from `host`: creates the node (keyed by
  // resources.hypervisor_hostname) on first sight, else updates its inventory
  // and hypervisor facts, and records its driver capabilities when given
  // (nullopt keeps the stored ones). kInvalidArgument for an empty hostname or
  // negative inventory; kAlreadyExists if the node is registered to another host.
  sdk::Result<ComputeNodeRecord> upsert(const std::string& host, const sdk::HostResources& resources,
                                        const std::optional<sdk::DriverCapabilities>& capabilities = std::nullopt);

  sdk::Result<ComputeNodeRecord> get(const std::string& hypervisor_hostname);
  sdk::Result<ComputeNodeRecord> get_by_id(std::int64_t id);
  // All nodes (of `host` if given), by id.
  sdk::Result<std::vector<ComputeNodeRecord>> list(const std::optional<std::string>& host = std::nullopt);

  // kInvalidArgument unless every ratio is > 0.
  sdk::Status set_allocation_ratios(const std::string& hypervisor_hostname, double cpu, double ram, double disk);

  // Removes the node and its allocations. kNotFound.
  sdk::Status remove(const std::string& hypervisor_hostname);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
