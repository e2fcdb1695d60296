// HostDefaultResources: what a compute host reports when its virt driver does
// not implement get_available_resource (kNotSupported), so that such a host
// still reports and is scheduled to: the machine's own inventory.
//
//   hypervisor_hostname  the compute host's name
//   vcpus                online CPUs (sysconf _SC_NPROCESSORS_ONLN)
//   memory_mb            physical memory (_SC_PHYS_PAGES * page size)
//   local_gb             size of the file system of `state_dir` (the node's
//                        data_dir; the current directory when empty)
//   cpu_arch             uname's machine ("x86_64")
//   supported_instances  {cpu_arch, "unknown", "hvm"}
//   hypervisor_type      "unknown"; usage (the *_used fields) 0: the claims
//                        in the database are what the scheduler counts.
#pragma once

#include <filesystem>
#include <string>

#include "stratus/sdk/host_resources.h"

namespace stratus::core::compute {

sdk::HostResources host_default_resources(const std::string& host, const std::filesystem::path& state_dir);

}  // namespace stratus::core::compute
