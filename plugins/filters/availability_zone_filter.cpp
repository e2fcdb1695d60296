// "availability_zone": Nova's AvailabilityZoneFilter. The host's zone comes
// from its aggregates' "availability_zone" metadata ("nova" without one); the
// scheduler puts it on the host state, so the filter does no lookup.
#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

class AvailabilityZoneFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    return spec.availability_zone.empty() || spec.availability_zone == host.availability_zone;
  }
};

}  // namespace

FilterResult make_availability_zone_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<AvailabilityZoneFilter>(config);
}

}  // namespace stratus::plugins::filters
