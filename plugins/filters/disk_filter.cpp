// "disk": Nova's DiskFilter. Root, ephemeral and swap all land on local disk.
#include "no_config.h"
#include "resource_fit.h"

namespace stratus::plugins::filters {
namespace {

class DiskFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    return detail::disk_fits(host, detail::requested_disk_mb(spec.flavor));
  }
};

}  // namespace

FilterResult make_disk_filter(const sdk::PluginConfig& config) { return detail::make_without_config<DiskFilter>(config); }

}  // namespace stratus::plugins::filters
