// example_gpu: passes hosts in an aggregate with gpu=true when the flavor
// asks for one (extra spec "example:gpu" = "true"); other requests pass.
#include <stratus/sdk/sdk.h>

namespace {

using namespace stratus::sdk;

class GpuFilter : public SchedulerFilter {
 public:
  bool host_passes(const HostState& host, const RequestSpec& spec) const override {
    auto it = spec.flavor.extra_specs.find("example:gpu");
    if (it == spec.flavor.extra_specs.end() || it->second != "true") return true;
    for (const auto& aggregate : host.aggregates) {
      auto gpu = aggregate.metadata.find("gpu");
      if (gpu != aggregate.metadata.end() && gpu->second == "true") return true;
    }
    return false;
  }
};

Result<std::unique_ptr<SchedulerFilter>> make_gpu_filter(const PluginConfig& config) {
  if (Status s = config.check_known_keys({}); !s.ok()) return s;
  return std::unique_ptr<SchedulerFilter>(new GpuFilter());
}

}  // namespace

STRATUS_PLUGIN(stratus::sdk::SchedulerFilter, example_gpu, "0.1.0", "Example: GPU flavors go to GPU aggregates",
               make_gpu_filter)
