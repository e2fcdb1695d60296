// "compute": Nova's ComputeFilter. A host whose service is down or disabled
// by the operator takes nothing.
#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

class ComputeFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& /*spec*/) const override {
    return host.service_up && !host.service_disabled;
  }
};

}  // namespace

FilterResult make_compute_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<ComputeFilter>(config);
}

}  // namespace stratus::plugins::filters
