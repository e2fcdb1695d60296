// HostState: the scheduler's in-memory view of one compute node.
//
// Built from the node's resource reports and its service record; filters and
// weighers only read it. Allocation ratios are per host (as in Nova, where the
// compute node reports them), so a filter never needs global config for them.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/host_resources.h"

namespace stratus::sdk {

// A host aggregate the node belongs to; metadata values may be comma-separated lists.
struct Aggregate {
  std::string name;
  std::map<std::string, std::string> metadata;
};

struct HostState {
  std::string host;
  std::string nodename;
  std::string availability_zone = "nova";

  // From the service record.
  bool service_up = true;
  bool service_disabled = false;

  // Inventory and usage (what is claimed, not what the guests touch).
  std::int64_t total_usable_ram_mb = 0;
  std::int64_t free_ram_mb = 0;
  std::int64_t total_usable_disk_gb = 0;
  std::int64_t free_disk_mb = 0;
  std::int32_t vcpus_total = 0;
  std::int32_t vcpus_used = 0;
  std::int32_t num_instances = 0;
  std::int32_t num_io_ops = 0;

  double ram_allocation_ratio = 1.0;
  double cpu_allocation_ratio = 1.0;
  double disk_allocation_ratio = 1.0;

  std::string hypervisor_type;
  std::int64_t hypervisor_version = 0;
  std::string hypervisor_hostname;
  std::string cpu_arch;
  std::vector<SupportedInstance> supported_instances;
  DriverCapabilities capabilities;

  std::vector<Aggregate> aggregates;
  std::set<std::string> instance_uuids;  // instances placed on this host
};

}  // namespace stratus::sdk
