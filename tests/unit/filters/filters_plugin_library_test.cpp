// libstratus_filters exports every filter under its name, as a filter, with a
// factory that behaves like the one the tests call directly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "stratus/sdk/plugin_descriptor.h"
#include "stratus/sdk/version.h"

namespace {

using stratus::sdk::PluginDescriptor;
using stratus::sdk::PluginFactory;
using stratus::sdk::SchedulerFilter;

const std::vector<std::string> kFilters = {
    "compute",          "ram",       "core",  "disk", "availability_zone", "image_properties", "same_host",
    "different_host",   "server_group_affinity",    "server_group_anti_affinity", "num_instances",
    "aggregate_instance_extra_specs",
    "aggregate_multitenancy_isolation",
};

TEST(FiltersPluginLibrary, ExportsEveryFilterWithADescriptorAndFactory) {
  boost::dll::shared_library lib(STRATUS_FILTERS_PLUGIN_PATH);
  for (const std::string& name : kFilters) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(lib.has("stratus_descriptor__" + name));
    const auto& descriptor = lib.get_alias<const PluginDescriptor>("stratus_descriptor__" + name);
    EXPECT_EQ(std::string(descriptor.name), name);
    EXPECT_EQ(descriptor.kind, static_cast<std::uint32_t>(stratus::sdk::PluginKind::kSchedulerFilter));
    EXPECT_EQ(descriptor.abi_version, stratus::sdk::kAbiVersion);
    auto factory = lib.get_alias<std::remove_pointer_t<PluginFactory<SchedulerFilter>>>("stratus_factory__" + name);
    auto created = factory(stratus::sdk::PluginConfig("[filter." + name + "]"));
    ASSERT_TRUE(created.ok()) << created.status();
    EXPECT_NE(created.value(), nullptr);
  }
}

TEST(FiltersPluginLibrary, ExportedFactoryRefusesUnknownKeys) {
  boost::dll::shared_library lib(STRATUS_FILTERS_PLUGIN_PATH);
  auto factory = lib.get_alias<std::remove_pointer_t<PluginFactory<SchedulerFilter>>>("stratus_factory__ram");
  stratus::sdk::PluginConfig config("[filter.ram]");
  config.set("bogus", true);
  auto created = factory(config);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().message(), "key 'bogus' in [filter.ram]: unknown key");
}

TEST(FiltersPluginLibrary, ExportedFilterDecides) {
  boost::dll::shared_library lib(STRATUS_FILTERS_PLUGIN_PATH);
  auto factory = lib.get_alias<std::remove_pointer_t<PluginFactory<SchedulerFilter>>>("stratus_factory__ram");
  auto created = factory(stratus::sdk::PluginConfig());
  ASSERT_TRUE(created.ok());
  std::unique_ptr<SchedulerFilter> filter = std::move(created).value();
  stratus::sdk::HostState host;
  host.total_usable_ram_mb = 1024;
  host.free_ram_mb = 1024;
  stratus::sdk::RequestSpec spec;
  spec.flavor.memory_mb = 1024;
  EXPECT_TRUE(filter->host_passes(host, spec));
  spec.flavor.memory_mb = 1025;
  EXPECT_FALSE(filter->host_passes(host, spec));
  filter.reset();  // before the library goes
}

}  // namespace
