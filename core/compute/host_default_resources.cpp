#include "core/compute/host_default_resources.h"

#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>

namespace stratus::core::compute {

sdk::HostResources host_default_resources(const std::string& host, const std::filesystem::path& state_dir) {
  constexpr std::int64_t kMiB = 1024 * 1024;
  constexpr std::int64_t kGiB = kMiB * 1024;
  sdk::HostResources r;
  r.hypervisor_hostname = host;
  r.hypervisor_type = "unknown";
  r.cpu_info = "{}";
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  r.vcpus = cpus > 0 ? static_cast<std::int32_t>(cpus) : 1;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) r.memory_mb = static_cast<std::int64_t>(pages) * page_size / kMiB;
  struct statvfs fs {};
  const std::string dir = state_dir.empty() ? std::string(".") : state_dir.string();
  if (statvfs(dir.c_str(), &fs) == 0) {
    r.local_gb = static_cast<std::int64_t>(fs.f_blocks) * static_cast<std::int64_t>(fs.f_frsize) / kGiB;
    r.disk_available_least_gb = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize) / kGiB;
  }
  struct utsname u {};
  if (uname(&u) == 0) r.cpu_arch = u.machine;
  // What it can run, for the image_properties filter (Nova's filter refuses
  // an image with properties on a host that declares nothing).
  if (!r.cpu_arch.empty()) r.supported_instances = {sdk::SupportedInstance{r.cpu_arch, r.hypervisor_type, "hvm"}};
  return r;
}

}  // namespace stratus::core::compute
