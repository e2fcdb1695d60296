// "cpu": free vCPUs with the allocation ratio, as Nova's CPUWeigher.
#include "host_weigher.h"

namespace stratus::plugins::weighers {
namespace {

double free_vcpus(const sdk::HostState& host) {
  return static_cast<double>(host.vcpus_total) * host.cpu_allocation_ratio - static_cast<double>(host.vcpus_used);
}

}  // namespace

WeigherResult make_cpu_weigher(const sdk::PluginConfig& config) { return detail::make_host_weigher<free_vcpus>(config, 1.0); }

}  // namespace stratus::plugins::weighers
