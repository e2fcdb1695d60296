// "ram": free RAM as the ram filter counts it (allocation ratio included), so
// an over-committed host ranks by what it can still take. Nova's RAMWeigher
// uses free_ram_mb without the ratio; with equal ratios the order is the same.
#include "host_weigher.h"

namespace stratus::plugins::weighers {
namespace {

double free_ram_mb(const sdk::HostState& host) {
  const double total = static_cast<double>(host.total_usable_ram_mb);
  return total * host.ram_allocation_ratio - (total - static_cast<double>(host.free_ram_mb));
}

}  // namespace

WeigherResult make_ram_weigher(const sdk::PluginConfig& config) {
  return detail::make_host_weigher<free_ram_mb>(config, 1.0);
}

}  // namespace stratus::plugins::weighers
