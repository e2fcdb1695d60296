#include "resource_fit.h"

#include <algorithm>

namespace stratus::plugins::filters::detail {

namespace {

// Doubles, as Nova computes them: a ratio of 1.5 on 1000 MB gives exactly 1500.
bool fits(std::int64_t total, std::int64_t free, double ratio, std::int64_t requested) {
  const double limit = static_cast<double>(total) * ratio;
  const double used = static_cast<double>(total - free);
  return limit - used >= static_cast<double>(requested);
}

}  // namespace

bool ram_fits(const sdk::HostState& host, std::int64_t requested_mb) {
  return fits(host.total_usable_ram_mb, host.free_ram_mb, host.ram_allocation_ratio, requested_mb);
}

bool disk_fits(const sdk::HostState& host, std::int64_t requested_mb) {
  return fits(host.total_usable_disk_gb * 1024, host.free_disk_mb, host.disk_allocation_ratio, requested_mb);
}

std::int64_t requested_disk_mb(const sdk::Flavor& flavor, std::int64_t min_root_gb) {
  const std::int64_t root_gb = std::max(flavor.root_gb, min_root_gb);
  return 1024 * (root_gb + flavor.ephemeral_gb) + flavor.swap_mb;
}

}  // namespace stratus::plugins::filters::detail
