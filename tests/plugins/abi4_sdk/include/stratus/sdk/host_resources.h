// HostResources: a compute node's inventory and usage, as its driver reports
// it (Nova's get_available_resource). The compute service sends it to the
// scheduler, which turns it into a HostState.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stratus::sdk {

// One (architecture, hypervisor type, vm mode) the node can run, e.g.
// {"x86_64", "qemu", "hvm"}; matched against image properties by the scheduler.
struct SupportedInstance {
  std::string arch;
  std::string hv_type;
  std::string vm_mode;
};

struct HostResources {
  std::string hypervisor_hostname;
  std::string hypervisor_type;     // "fake", "QEMU", ...
  std::int64_t hypervisor_version = 0;  // Nova's encoding: major*1000000 + minor*1000 + micro
  std::string cpu_arch;            // "x86_64"
  std::string cpu_info;            // JSON text, as Nova reports it
  std::int32_t vcpus = 0;
  std::int32_t vcpus_used = 0;
  std::int64_t memory_mb = 0;
  std::int64_t memory_mb_used = 0;
  std::int64_t local_gb = 0;
  std::int64_t local_gb_used = 0;
  std::int64_t disk_available_least_gb = 0;
  std::int32_t running_vms = 0;
  std::vector<SupportedInstance> supported_instances;
};

}  // namespace stratus::sdk
