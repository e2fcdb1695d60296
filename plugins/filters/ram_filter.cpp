// "ram": Nova's RamFilter.
#include "no_config.h"
#include "resource_fit.h"

namespace stratus::plugins::filters {
namespace {

class RamFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    return detail::ram_fits(host, spec.flavor.memory_mb);
  }
};

}  // namespace

FilterResult make_ram_filter(const sdk::PluginConfig& config) { return detail::make_without_config<RamFilter>(config); }

}  // namespace stratus::plugins::filters
