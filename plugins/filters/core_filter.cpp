// "core": Nova's CoreFilter.
#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

class CoreFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    // A host that reports no CPUs has a broken inventory, not zero CPUs: fail safe as Nova does.
    if (host.vcpus_total == 0) return true;
    const std::int32_t wanted = spec.flavor.vcpus;
    const double limit = static_cast<double>(host.vcpus_total) * host.cpu_allocation_ratio;
    // Over-commit against other instances, never against itself.
    if (limit > 0 && wanted > host.vcpus_total) return false;
    return limit - static_cast<double>(host.vcpus_used) >= static_cast<double>(wanted);
  }
};

}  // namespace

FilterResult make_core_filter(const sdk::PluginConfig& config) { return detail::make_without_config<CoreFilter>(config); }

}  // namespace stratus::plugins::filters
