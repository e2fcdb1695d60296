// "different_host": Nova's DifferentHostFilter.
#include "instance_overlap.h"
#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

class DifferentHostFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    auto it = spec.scheduler_hints.find("different_host");
    if (it == spec.scheduler_hints.end() || it->second.empty()) return true;
    return !detail::holds_any(host, it->second);
  }
};

}  // namespace

FilterResult make_different_host_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<DifferentHostFilter>(config);
}

}  // namespace stratus::plugins::filters
