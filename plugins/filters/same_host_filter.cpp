// "same_host": Nova's SameHostFilter.
#include "instance_overlap.h"
#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

class SameHostFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    auto it = spec.scheduler_hints.find("same_host");
    if (it == spec.scheduler_hints.end() || it->second.empty()) return true;
    return detail::holds_any(host, it->second);
  }
};

}  // namespace

FilterResult make_same_host_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<SameHostFilter>(config);
}

}  // namespace stratus::plugins::filters
