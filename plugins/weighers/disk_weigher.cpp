// "disk": free local disk in MB, as Nova's DiskWeigher.
#include "host_weigher.h"

namespace stratus::plugins::weighers {
namespace {

double free_disk_mb(const sdk::HostState& host) { return static_cast<double>(host.free_disk_mb); }

}  // namespace

WeigherResult make_disk_weigher(const sdk::PluginConfig& config) {
  return detail::make_host_weigher<free_disk_mb>(config, 1.0);
}

}  // namespace stratus::plugins::weighers
