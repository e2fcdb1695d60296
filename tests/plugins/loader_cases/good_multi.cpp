// One library, three plugins of three kinds: the registry must find them all.
#include "test_doubles.h"

namespace {

using namespace stratus::sdk;

class AlwaysFilter : public SchedulerFilter {
 public:
  bool host_passes(const HostState& host, const RequestSpec&) const override { return host.host != "reject-me"; }
};

class ConstantWeigher : public SchedulerWeigher {
 public:
  explicit ConstantWeigher(double m) : m_(m) {}
  double weigh(const HostState&, const RequestSpec&) const override { return 42.0; }
  double multiplier() const override { return m_; }

 private:
  double m_;
};

Result<std::unique_ptr<VirtDriver>> make_driver(const PluginConfig& config) {
  auto tag = config.get_string("tag", "default-tag");
  if (!tag.ok()) return tag.status();
  return std::unique_ptr<VirtDriver>(new loader_test::EchoDriver(*tag));
}

Result<std::unique_ptr<SchedulerFilter>> make_filter(const PluginConfig&) {
  return std::unique_ptr<SchedulerFilter>(new AlwaysFilter());
}

Result<std::unique_ptr<SchedulerWeigher>> make_weigher(const PluginConfig& config) {
  auto m = config.get_double("multiplier", 1.0);
  if (!m.ok()) return m.status();
  return std::unique_ptr<SchedulerWeigher>(new ConstantWeigher(*m));
}

}  // namespace

STRATUS_PLUGIN(stratus::sdk::VirtDriver, test_driver, "2.3.4", "Echo driver for loader tests", make_driver)
STRATUS_PLUGIN(stratus::sdk::SchedulerFilter, test_filter, "1.0.0", "Rejects host reject-me", make_filter)
STRATUS_PLUGIN(stratus::sdk::SchedulerWeigher, test_weigher, "1.0.0", "Weighs every host 42", make_weigher)
