// "num_instances": Nova's NumInstancesFilter.
#include <string>

#include "stratus/plugins/filters/filters.h"

namespace stratus::plugins::filters {
namespace {

constexpr const char* kMaxKey = "max_instances_per_host";
constexpr std::int64_t kDefaultMax = 50;

class NumInstancesFilter final : public sdk::SchedulerFilter {
 public:
  explicit NumInstancesFilter(std::int64_t max_instances) : max_instances_(max_instances) {}

  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& /*spec*/) const override {
    return host.num_instances < max_instances_;
  }

 private:
  std::int64_t max_instances_;
};

}  // namespace

FilterResult make_num_instances_filter(const sdk::PluginConfig& config) {
  if (sdk::Status s = config.check_known_keys({kMaxKey}); !s.ok()) return s;
  sdk::Result<std::int64_t> max_instances = config.get_int(kMaxKey, kDefaultMax);
  if (!max_instances.ok()) return max_instances.status();
  if (*max_instances < 1) {
    return sdk::Status::InvalidArgument(config.describe(kMaxKey) + ": must be at least 1, got " +
                                        std::to_string(*max_instances));
  }
  return std::unique_ptr<sdk::SchedulerFilter>(std::make_unique<NumInstancesFilter>(*max_instances));
}

}  // namespace stratus::plugins::filters
