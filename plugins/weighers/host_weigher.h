// A weigher whose raw weight is a function of the host alone.
#pragma once

#include <memory>

#include "multiplier_config.h"
#include "stratus/plugins/weighers/weighers.h"

namespace stratus::plugins::weighers::detail {

template <double (*Raw)(const sdk::HostState&)>
class HostWeigher final : public sdk::SchedulerWeigher {
 public:
  explicit HostWeigher(double multiplier) : multiplier_(multiplier) {}

  double weigh(const sdk::HostState& host, const sdk::RequestSpec& /*spec*/) const override { return Raw(host); }
  double multiplier() const override { return multiplier_; }

 private:
  double multiplier_;
};

template <double (*Raw)(const sdk::HostState&)>
WeigherResult make_host_weigher(const sdk::PluginConfig& config, double default_multiplier) {
  sdk::Result<double> multiplier = read_multiplier(config, default_multiplier);
  if (!multiplier.ok()) return multiplier.status();
  return std::unique_ptr<sdk::SchedulerWeigher>(std::make_unique<HostWeigher<Raw>>(*multiplier));
}

}  // namespace stratus::plugins::weighers::detail
