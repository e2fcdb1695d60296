// "num_instances": the number of instances on the host, as Nova's
// NumInstancesWeigher. Off by default (multiplier 0.0), as in Nova.
#include "host_weigher.h"

namespace stratus::plugins::weighers {
namespace {

double num_instances(const sdk::HostState& host) { return static_cast<double>(host.num_instances); }

}  // namespace

WeigherResult make_num_instances_weigher(const sdk::PluginConfig& config) {
  return detail::make_host_weigher<num_instances>(config, 0.0);
}

}  // namespace stratus::plugins::weighers
