// "server_group_affinity": Nova's ServerGroupAffinityFilter.
#include <algorithm>

#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

class ServerGroupAffinityFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    if (!spec.instance_group || spec.instance_group->policy != "affinity") return true;
    const std::vector<std::string>& hosts = spec.instance_group->hosts;
    // The first member goes anywhere; the others follow it.
    if (hosts.empty()) return true;
    return std::find(hosts.begin(), hosts.end(), host.host) != hosts.end();
  }
};

}  // namespace

FilterResult make_server_group_affinity_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<ServerGroupAffinityFilter>(config);
}

}  // namespace stratus::plugins::filters
