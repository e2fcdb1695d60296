// libstratus_weighers exports every weigher under its name, as a weigher.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "stratus/sdk/plugin_descriptor.h"
#include "stratus/sdk/version.h"

namespace {

using stratus::sdk::PluginDescriptor;
using stratus::sdk::PluginFactory;
using stratus::sdk::SchedulerWeigher;

TEST(WeighersPluginLibrary, ExportsEveryWeigherWithItsDefaultMultiplier) {
  boost::dll::shared_library lib(STRATUS_WEIGHERS_PLUGIN_PATH);
  const std::vector<std::pair<std::string, double>> weighers = {
      {"ram", 1.0}, {"cpu", 1.0}, {"disk", 1.0}, {"num_instances", 0.0}};
  for (const auto& [name, multiplier] : weighers) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(lib.has("stratus_descriptor__" + name));
    const auto& descriptor = lib.get_alias<const PluginDescriptor>("stratus_descriptor__" + name);
    EXPECT_EQ(std::string(descriptor.name), name);
    EXPECT_EQ(descriptor.kind, static_cast<std::uint32_t>(stratus::sdk::PluginKind::kSchedulerWeigher));
    EXPECT_EQ(descriptor.abi_version, stratus::sdk::kAbiVersion);
    auto factory = lib.get_alias<std::remove_pointer_t<PluginFactory<SchedulerWeigher>>>("stratus_factory__" + name);
    auto created = factory(stratus::sdk::PluginConfig("[weigher." + name + "]"));
    ASSERT_TRUE(created.ok()) << created.status();
    EXPECT_DOUBLE_EQ(created.value()->multiplier(), multiplier);
  }
}

TEST(WeighersPluginLibrary, ExportedFactoryTakesTheMultiplier) {
  boost::dll::shared_library lib(STRATUS_WEIGHERS_PLUGIN_PATH);
  auto factory = lib.get_alias<std::remove_pointer_t<PluginFactory<SchedulerWeigher>>>("stratus_factory__num_instances");
  stratus::sdk::PluginConfig config("[weigher.num_instances]");
  config.set("multiplier", -1.0);
  auto created = factory(config);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_DOUBLE_EQ(created.value()->multiplier(), -1.0);
}

}  // namespace
