// A third party's filter as written for ABI 4, reading fields late in
// HostState and RequestSpec (a misread layout shows there first): a host
// passes when it is not in spec.ignore_hosts, has the flavor's RAM free, and
// belongs to no aggregate named "blocked". Built like recording_driver.cpp.
#include <algorithm>
#include <memory>

#include <stratus/sdk/sdk.h>

namespace {

using namespace stratus::sdk;

class LateFieldsFilter : public SchedulerFilter {
 public:
  bool host_passes(const HostState& host, const RequestSpec& spec) const override {
    if (std::find(spec.ignore_hosts.begin(), spec.ignore_hosts.end(), host.host) != spec.ignore_hosts.end()) {
      return false;
    }
    if (host.free_ram_mb < spec.flavor.memory_mb) return false;
    return std::none_of(host.aggregates.begin(), host.aggregates.end(),
                        [](const Aggregate& a) { return a.name == "blocked"; });
  }
};

Result<std::unique_ptr<SchedulerFilter>> make_late_fields_filter(const PluginConfig& config) {
  if (Status s = config.check_known_keys({}); !s.ok()) return s;
  return std::unique_ptr<SchedulerFilter>(new LateFieldsFilter());
}

}  // namespace

#define EXPORT_FILTER(name)                                                                                \
  STRATUS_PLUGIN(stratus::sdk::SchedulerFilter, name, "4.0.0", "ABI 4 fixture: reads late fields", \
                 make_late_fields_filter)
EXPORT_FILTER(FIXTURE_FILTER_NAME)
